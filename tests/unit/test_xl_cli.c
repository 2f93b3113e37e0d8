/* SPDX-License-Identifier: MIT */
/*
 * The xl command line (guest/toolstack/xl_cli.c, xl_dom.c, xl_host.c)
 * against a fake backend that records each call as a text line and
 * answers from a canned host: four domains, two vCPUs, one pCPU pool.
 * Every verb's parsing (good and bad), domains by name and by id, each
 * output byte for byte and the exit statuses. The expected tables were
 * printed with xl's own format strings (Xen 4.17 tools/xl), by Python's
 * % operator, not by the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/errno.h>

#include "toolstack/xl.h"

#define S_NS 1000000000ull

struct fake {
    char out[16384];
    size_t out_len;
    char calls[4096];
    size_t calls_len;
    struct xl_dominfo doms[8];
    int nr_doms;
    unsigned int weight[8], cap[8];
    struct xl_vcpuinfo vcpus[2]; /* domain 1's */
    struct xl_physinfo pi;
    int list_rc, op_rc; /* list's and every other op's answer, when not 0 */
    uint64_t now;
};

static struct fake F;

static void fake_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fake_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    F.calls_len += vsnprintf(F.calls + F.calls_len, sizeof(F.calls) - F.calls_len, fmt, ap);
    va_end(ap);
}

static int fake_index(uint16_t domid)
{
    for (int i = 0; i < F.nr_doms; i++)
        if (F.doms[i].domid == domid)
            return i;
    return -1;
}

/* The op's answer: no such domain, the canned failure, or 0. */
static int fake_rc(uint16_t domid)
{
    return fake_index(domid) < 0 ? -ESRCH : F.op_rc;
}

static void fake_print(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    assert_true(F.out_len + len < sizeof(F.out));
    memcpy(F.out + F.out_len, s, len);
    F.out_len += len;
    F.out[F.out_len] = '\0';
}

static int fake_list(void *ctx, struct xl_dominfo *out, unsigned int max)
{
    (void)ctx;
    fake_log("list\n");
    if (F.list_rc)
        return F.list_rc;
    assert_true((unsigned int)F.nr_doms <= max);
    memcpy(out, F.doms, sizeof(F.doms[0]) * F.nr_doms);
    return F.nr_doms;
}

static int fake_create(void *ctx, const char *path, const char *const *extra, unsigned int nr_extra,
                       uint16_t *domid)
{
    (void)ctx;
    fake_log("create %s", path);
    for (unsigned int i = 0; i < nr_extra; i++)
        fake_log(" %s", extra[i]);
    fake_log("\n");
    if (F.op_rc)
        return F.op_rc;
    *domid = 9;
    if (fake_index(9) < 0)
        F.doms[F.nr_doms++] = (struct xl_dominfo){.domid = 9, .name = "new"};
    return 0;
}

static int fake_destroy(void *ctx, uint16_t domid)
{
    (void)ctx;
    fake_log("destroy %u\n", domid);
    return fake_rc(domid);
}

static int fake_shutdown(void *ctx, uint16_t domid, bool reboot)
{
    (void)ctx;
    fake_log("shutdown %u %s\n", domid, reboot ? "reboot" : "poweroff");
    return fake_rc(domid);
}

/* Domain 1 shuts down (poweroff); any other disappears. */
static int fake_wait_shutdown(void *ctx, uint16_t domid)
{
    int i = fake_index(domid);

    (void)ctx;
    fake_log("wait %u\n", domid);
    if (i < 0 || F.op_rc)
        return i < 0 ? -ESRCH : F.op_rc;
    if (domid == 1) {
        F.doms[i].shutdown = true;
        F.doms[i].shutdown_reason = 0;
    } else {
        F.doms[i] = F.doms[--F.nr_doms];
    }
    return 0;
}

static int fake_pause(void *ctx, uint16_t domid)
{
    (void)ctx;
    fake_log("pause %u\n", domid);
    return fake_rc(domid);
}

static int fake_unpause(void *ctx, uint16_t domid)
{
    (void)ctx;
    fake_log("unpause %u\n", domid);
    return fake_rc(domid);
}

static int fake_console(void *ctx, uint16_t domid)
{
    (void)ctx;
    fake_log("console %u\n", domid);
    return fake_rc(domid);
}

static int fake_mem_set(void *ctx, uint16_t domid, uint64_t kib)
{
    (void)ctx;
    fake_log("mem_set %u %llu\n", domid, (unsigned long long)kib);
    return fake_rc(domid);
}

static int fake_mem_max(void *ctx, uint16_t domid, uint64_t kib)
{
    (void)ctx;
    fake_log("mem_max %u %llu\n", domid, (unsigned long long)kib);
    return fake_rc(domid);
}

static int fake_vcpu_list(void *ctx, uint16_t domid, struct xl_vcpuinfo *out, unsigned int max)
{
    (void)ctx;
    fake_log("vcpu_list %u\n", domid);
    if (fake_rc(domid))
        return fake_rc(domid);
    if (domid != 1)
        return 0;
    assert_true(max >= 2);
    memcpy(out, F.vcpus, sizeof(F.vcpus));
    return 2;
}

static int fake_vcpu_pin(void *ctx, uint16_t domid, unsigned int vcpu, uint64_t hard, uint64_t soft)
{
    (void)ctx;
    fake_log("vcpu_pin %u %d %#llx %#llx\n", domid, (int)vcpu, (unsigned long long)hard,
             (unsigned long long)soft);
    return fake_rc(domid);
}

static int fake_vcpu_set(void *ctx, uint16_t domid, unsigned int online)
{
    (void)ctx;
    fake_log("vcpu_set %u %u\n", domid, online);
    return fake_rc(domid);
}

static int fake_credit_get(void *ctx, uint16_t domid, unsigned int *weight, unsigned int *cap)
{
    int i = fake_index(domid);

    (void)ctx;
    fake_log("credit_get %u\n", domid);
    if (i < 0 || F.op_rc)
        return i < 0 ? -ESRCH : F.op_rc;
    *weight = F.weight[i];
    *cap = F.cap[i];
    return 0;
}

static int fake_credit_set(void *ctx, uint16_t domid, unsigned int weight, unsigned int cap)
{
    (void)ctx;
    fake_log("credit_set %u %u %u\n", domid, weight, cap);
    return fake_rc(domid);
}

static int fake_physinfo(void *ctx, struct xl_physinfo *out)
{
    (void)ctx;
    *out = F.pi;
    return F.list_rc;
}

static int fake_dmesg(void *ctx, bool clear)
{
    (void)ctx;
    fake_log("dmesg%s\n", clear ? " clear" : "");
    return F.op_rc;
}

static uint64_t fake_now(void *ctx)
{
    (void)ctx;
    return F.now;
}

static const struct xl_backend fake_backend = {
    .print = fake_print,
    .list = fake_list,
    .create = fake_create,
    .destroy = fake_destroy,
    .shutdown = fake_shutdown,
    .wait_shutdown = fake_wait_shutdown,
    .pause = fake_pause,
    .unpause = fake_unpause,
    .console = fake_console,
    .mem_set = fake_mem_set,
    .mem_max = fake_mem_max,
    .vcpu_list = fake_vcpu_list,
    .vcpu_pin = fake_vcpu_pin,
    .vcpu_set = fake_vcpu_set,
    .sched_credit_get = fake_credit_get,
    .sched_credit_set = fake_credit_set,
    .physinfo = fake_physinfo,
    .dmesg = fake_dmesg,
    .now_ns = fake_now,
};

static void fake_dom(int i, uint16_t id, const char *name, uint64_t mem_mib, unsigned int vcpus,
                     uint64_t cpu_ns, uint64_t up_s)
{
    struct xl_dominfo *d = &F.doms[i];

    d->domid = id;
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->mem_kib = mem_mib * 1024;
    d->maxmem_kib = d->mem_kib + 1024;
    d->vcpus_online = vcpus;
    d->max_vcpus = 2;
    d->cpu_time_ns = cpu_ns;
    d->start_ns = F.now - up_s * S_NS;
    F.weight[i] = 256;
}

/* The canned host: 2 pCPUs, credit, four domains in every state. */
static int fake_setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof(F));
    F.now = 400000 * S_NS;
    fake_dom(0, 0, "Domain-0", 512, 2, 12345678901ull, 400000);
    F.doms[0].running = true;
    fake_dom(1, 1, "guest1", 256, 1, 5000000, 312);
    F.doms[1].blocked = true;
    F.weight[1] = 512;
    F.cap[1] = 50;
    fake_dom(2, 5, "crashed", 128, 1, 90950000000ull, 86400 + 2 * 3600 + 3 * 60 + 4);
    F.doms[2].paused = F.doms[2].shutdown = true;
    F.doms[2].shutdown_reason = 3; /* SHUTDOWN_crash */
    fake_dom(3, 7, "dying", 0, 1, 0, 3 * 86400 + 10 * 3600);
    F.doms[3].shutdown = F.doms[3].dying = true;
    F.doms[3].shutdown_reason = 1; /* SHUTDOWN_reboot */
    F.nr_doms = 4;
    F.vcpus[0] = (struct xl_vcpuinfo){0, 1, true, true, false, 1260000000ull, ~0ull, ~0ull};
    F.vcpus[1] = (struct xl_vcpuinfo){1, 0, false, false, false, 0, 0xb, 0};
    F.pi = (struct xl_physinfo){.nr_cpus = 2,
                                .nr_nodes = 1,
                                .cores_per_socket = 2,
                                .threads_per_core = 1,
                                .cpu_khz = 2893204,
                                .total_kib = 2097152,
                                .free_kib = 1048000,
                                .xen_major = 4,
                                .xen_minor = 17,
                                .xen_extra = "-xenolith",
                                .capabilities = "xen-3.0-x86_64",
                                .sched = "credit",
                                .cmdline = "console=com1 dom0_mem=512M"};
    return 0;
}

/* Runs one command line; the output lands in F.out, the calls in F.calls. */
static int run(const char *line)
{
    static char buf[512];
    char *argv[40];
    int argc;

    snprintf(buf, sizeof(buf), "%s", line);
    argc = xl_split_line(buf, argv, 40);
    assert_true(argc >= 1);
    F.out_len = F.calls_len = 0;
    F.out[0] = F.calls[0] = '\0';
    return xl_main(&fake_backend, argc, argv);
}

#define EXPECT(cmd, want_status, want_out, want_calls)                                             \
    do {                                                                                           \
        assert_int_equal(run(cmd), (want_status));                                                 \
        assert_string_equal(F.out, (want_out));                                                    \
        const char *calls_ = (want_calls);                                                         \
        if (calls_)                                                                                \
            assert_string_equal(F.calls, calls_);                                                  \
    } while (0)

#define LIST_HEADER "Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
#define ROW_DOM0    "Domain-0                                     0   512     2     r-----      12.3\n"
#define ROW_GUEST1                                                                                 \
    "guest1                                       1   256     1     -b----       0.0\n"
#define ROW_CRASHED                                                                                \
    "crashed                                      5   128     1     --psc-      91.0\n"
#define ROW_DYING                                                                                  \
    "dying                                        7     0     1     ---srd       0.0\n"

struct split_case {
    const char *in;
    int n; /* -1: refused */
    const char *words[4];
};

static void test_split_line(void **state)
{
    static const struct split_case cases[] = {
        {"", 0, {NULL}},                             /* nothing */
        {"  \t ", 0, {NULL}},                        /* only blanks */
        {"list", 1, {"list"}},                       /* one word */
        {"  a  b\tc \n", 3, {"a", "b", "c"}},        /* blanks of every kind */
        {"a 'b c' \"d e\"", 3, {"a", "b c", "d e"}}, /* both quotes keep blanks */
        {"x'y z'w", 1, {"xy zw"}},                   /* quotes inside a word */
        {"'' b", 2, {"", "b"}},                      /* an empty quoted word */
        {"\"it's\"", 1, {"it's"}},                   /* the other quote, literal */
        {"a 'b", -1, {NULL}},                        /* quote left open */
        {"a b c d e", -1, {NULL}},                   /* more than max (4) */
        {"a b c d", 4, {"a", "b", "c", "d"}},        /* exactly max */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64], *argv[4];
        int n;

        snprintf(buf, sizeof(buf), "%s", cases[i].in);
        n = xl_split_line(buf, argv, 4);
        assert_int_equal(n, cases[i].n);
        for (int w = 0; w < n; w++)
            assert_string_equal(argv[w], cases[i].words[w]);
    }
}

/* No verb, an unknown one, global options, help. */
static void test_dispatch(void **state)
{
    (void)state;
    assert_int_equal(run("xl"), 1);
    assert_non_null(
        strstr(F.out, "Usage xl <subcommand> [args]\n\nxl full list of subcommands:\n\n"));
    assert_non_null(strstr(F.out, "\n list                "));
    EXPECT("xl frobnicate 1", 1, "command not implemented\n", "");
    EXPECT("xl -v list", 1, "unknown global option\n", "");
    assert_int_equal(run("xl help"), 0);
    assert_non_null(strstr(F.out, " sched-credit        "));
    assert_int_equal(run("xl help pause"), 0);
    assert_string_equal(F.out, "Usage: xl pause <Domain>\n\nStop running a domain's vCPUs.\n\n");
    EXPECT("xl help frob", 0, "command \"frob\" not implemented\n", "");
    /* -h and --help anywhere: the verb's help, status 0, nothing done. */
    assert_int_equal(run("xl destroy -h 1"), 0);
    assert_non_null(strstr(F.out, "Usage: xl destroy [options] <Domain>\n\n"));
    assert_non_null(strstr(F.out, "Options:\n\n-f "));
    assert_string_equal(F.calls, "");
    assert_int_equal(run("xl list --help"), 0);
    assert_non_null(strstr(F.out, "Usage: xl list "));
}

/* xl's getopt: bad options, missing arguments, too few arguments. */
static void test_options(void **state)
{
    (void)state;
    EXPECT("xl list -x", 2, "option `x' not supported.\n", "");
    EXPECT("xl list -lx", 2, "option `x' not supported.\n", "");
    EXPECT("xl list --bogus", 2, "option `--bogus' not supported.\n", "");
    EXPECT("xl sched-credit -d", 2, "option `d' not supported.\n", "");
    EXPECT("xl sched-credit --domain", 2, "option `d' not supported.\n", "");
    assert_int_equal(run("xl pause"), 2);
    assert_non_null(strstr(F.out, "'xl pause' requires at least 1 argument.\n\nUsage: xl pause"));
    assert_int_equal(run("xl mem-set 1"), 2);
    assert_non_null(strstr(F.out, "'xl mem-set' requires at least 2 arguments.\n\n"));
    /* Options after arguments, joined arguments, "--" and "--name=value". */
    EXPECT("xl sched-credit -d1 -w512", 0, "", NULL);
    EXPECT("xl sched-credit --domain=guest1 --cap 7", 0, "", NULL);
    assert_string_equal(F.calls, "list\ncredit_get 1\ncredit_set 1 512 7\n");
    EXPECT("xl destroy -- -f", 1, "-f is an invalid domain identifier (rc=-6)\n", "list\n");
}

static void test_list(void **state)
{
    (void)state;
    EXPECT("xl list", 0, LIST_HEADER ROW_DOM0 ROW_GUEST1 ROW_CRASHED ROW_DYING, "list\n");
    EXPECT("xl list guest1", 0, LIST_HEADER ROW_GUEST1, "list\n");
    EXPECT("xl list 5", 0, LIST_HEADER ROW_CRASHED, "list\n");
    EXPECT("xl list nosuch", 1, "nosuch is an invalid domain identifier (rc=-6)\n", "list\n");
    EXPECT("xl list 9", 1, "Error: Domain '9' does not exist.\n", "list\n");
    EXPECT("xl list 99999", 1, "99999 is an invalid domain identifier (rc=-6)\n", "");
    assert_int_equal(run("xl list 0 1"), 1);
    assert_non_null(strstr(F.out, "Usage: xl list "));
    F.list_rc = -ENOMEM;
    EXPECT("xl list", 1, "libxl_list_domain failed.\n", "list\n");
    EXPECT("xl list guest1", 1,
           "libxl_list_domain failed.\nguest1 is an invalid domain identifier (rc=-5)\n", NULL);
}

static void test_list_long(void **state)
{
    (void)state;
    EXPECT("xl list -l guest1", 0,
           "[\n"
           "    {\n"
           "        \"domid\": 1,\n"
           "        \"config\": {\n"
           "            \"c_info\": {\n"
           "                \"name\": \"guest1\"\n"
           "            },\n"
           "            \"b_info\": {\n"
           "                \"max_vcpus\": 2,\n"
           "                \"max_memkb\": 263168\n"
           "            }\n"
           "        }\n"
           "    }\n"
           "]\n",
           NULL);
    snprintf(F.doms[0].name, sizeof(F.doms[0].name), "a\"b");
    assert_int_equal(run("xl list --long"), 0);
    assert_non_null(strstr(F.out, "\"name\": \"a\\\"b\"\n"));
    assert_non_null(strstr(F.out, "    },\n    {\n        \"domid\": 1,"));
    assert_non_null(strstr(F.out, "        \"domid\": 7,"));
}

static void test_create(void **state)
{
    (void)state;
    EXPECT("xl create -c /etc/g.cfg memory=64 name=x", 0, "Parsing config from /etc/g.cfg\n",
           "create /etc/g.cfg memory=64 name=x\nconsole 9\n");
    EXPECT("xl create g.cfg -q -p", 0, "", "create g.cfg\npause 9\n");
    EXPECT("xl create -f a.cfg vcpus=2", 0, "Parsing config from a.cfg\n",
           "create a.cfg vcpus=2\n");
    EXPECT("xl create a.cfg -f b.cfg", 0, "Parsing config from b.cfg\n", "create b.cfg\n");
    EXPECT("xl create -q vcpus=2 a.cfg", 0, "", "create a.cfg vcpus=2\n");
    EXPECT("xl create", 6, "Config file not specified and none in save file\n", "");
    assert_int_equal(run("xl create a.cfg b.cfg"), 2);
    assert_non_null(strstr(F.out, "Usage: xl create "));
    assert_string_equal(F.calls, "");
    EXPECT("xl create -V a.cfg", 2, "option `V' not supported.\n", "");
    F.op_rc = -ENOMEM;
    EXPECT("xl create a.cfg", 5, "Parsing config from a.cfg\n", "create a.cfg\n");
    F.op_rc = -EIO;
    EXPECT("xl create a.cfg", 3, "Parsing config from a.cfg\n", "create a.cfg\n");
}

static void test_destroy(void **state)
{
    (void)state;
    EXPECT("xl destroy guest1", 0, "", "list\ndestroy 1\n");
    EXPECT("xl destroy 5", 0, "", "destroy 5\n");
    EXPECT("xl destroy 0", 1,
           "Not destroying domain 0; use -f to force.\nThis can only be done when using a "
           "disaggregated hardware domain and toolstack.\n\n",
           "");
    EXPECT("xl destroy -f Domain-0", 0, "", "list\ndestroy 0\n");
    EXPECT("xl destroy 9", 1, "destroy failed (rc=-21)\n", "destroy 9\n");
    EXPECT("xl destroy ghost", 1, "ghost is an invalid domain identifier (rc=-6)\n", "list\n");
}

static void test_shutdown_reboot(void **state)
{
    (void)state;
    EXPECT("xl shutdown guest1", 0, "Shutting down domain 1\n", "list\nshutdown 1 poweroff\n");
    EXPECT("xl reboot 5", 0, "Rebooting domain 5\n", "shutdown 5 reboot\n");
    EXPECT("xl shutdown", 1, "You must specify -a or a domain id.\n\n", "");
    EXPECT("xl reboot 9", 1, "Rebooting domain 9\nreboot failed (rc=-21)\n", NULL);
    EXPECT("xl shutdown -a", 0,
           "Shutting down domain 1\nShutting down domain 5\nShutting down domain 7\n",
           "list\nshutdown 1 poweroff\nshutdown 5 poweroff\nshutdown 7 poweroff\n");
    EXPECT("xl shutdown -w 1", 0,
           "Shutting down domain 1\nWaiting for 1 domains\n"
           "Domain 1 has been shut down, reason code 0\n",
           "shutdown 1 poweroff\nwait 1\nlist\n");
    EXPECT("xl reboot --wait --all", 0,
           "Rebooting domain 1\nRebooting domain 5\nRebooting domain 7\nWaiting for 3 domains\n"
           "Domain 1 has been shut down, reason code 0\nDomain 5 has been destroyed\n"
           "Domain 7 has been destroyed\n",
           NULL);
    F.op_rc = -EIO;
    EXPECT("xl shutdown -w 1", 1, "Shutting down domain 1\nshutdown failed (rc=-3)\n", NULL);
}

static void test_pause_console(void **state)
{
    (void)state;
    EXPECT("xl pause guest1", 0, "", "list\npause 1\n");
    EXPECT("xl unpause 1", 0, "", "unpause 1\n");
    EXPECT("xl pause 9", 1, "pause failed (rc=-21)\n", "pause 9\n");
    EXPECT("xl unpause nosuch", 1, "nosuch is an invalid domain identifier (rc=-6)\n", NULL);
    EXPECT("xl pause -x 1", 2, "option `x' not supported.\n", "");
    EXPECT("xl console guest1", 0, "", "list\nconsole 1\n");
    EXPECT("xl console -t pv -n 0 1", 0, "", "console 1\n");
    EXPECT("xl console -t tty 1", 1, "console type supported are: pv, serial, vuart\n", "");
    EXPECT("xl console -t serial 1", 1, "Unable to attach console\n", "");
    EXPECT("xl console 9", 1, "Unable to attach console\n", "console 9\n");
}

struct mem_case {
    const char *size;
    unsigned long long kib; /* ~0: refused */
};

static void test_mem(void **state)
{
    static const struct mem_case cases[] = {
        {"512", 524288},                 /* no unit: MiB */
        {"512m", 524288},                /* MiB */
        {"2G", 2097152},                 /* GiB, either case */
        {"1t", 1073741824},              /* TiB */
        {"2048k", 2048},                 /* KiB */
        {"1048576b", 1024},              /* bytes, rounded down to KiB */
        {"0", 0},                        /* zero is a size */
        {"12x", ~0ull},                  /* unknown unit */
        {"1kb", ~0ull},                  /* two letters */
        {"+5", ~0ull},                   /* no sign */
        {"k", ~0ull},                    /* no number */
        {"99999999999999999999", ~0ull}, /* overflow */
    };
    char line[64], want[128];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(line, sizeof(line), "xl mem-set 1 %s", cases[i].size);
        if (cases[i].kib == ~0ull) {
            snprintf(want, sizeof(want), "invalid memory size: %s\n", cases[i].size);
            EXPECT(line, 1, want, "");
        } else {
            snprintf(want, sizeof(want), "mem_set 1 %llu\n", cases[i].kib);
            EXPECT(line, 0, "", want);
        }
    }
    EXPECT("xl mem-set 1 -5", 2, "option `5' not supported.\n", ""); /* an option, to getopt */
    EXPECT("xl mem-max guest1 1g", 0, "", "list\nmem_max 1 1048576\n");
    EXPECT("xl mem-max 9 1g", 1, "cannot set domid 9 static max memory to : 1g\n", NULL);
    EXPECT("xl mem-set 9 64", 1, "cannot set domid 9 dynamic max memory to : 64\n", NULL);
    EXPECT("xl mem-set ghost 64", 1, "ghost is an invalid domain identifier (rc=-6)\n", NULL);
}

static void test_domid_domname(void **state)
{
    (void)state;
    EXPECT("xl domid crashed", 0, "5\n", "list\n");
    EXPECT("xl domid 5", 1,
           "Can't get domid of domain name '5', maybe this domain does not exist.\n", NULL);
    EXPECT("xl domname 7", 0, "dying\n", "list\n");
    EXPECT("xl domname 8", 1,
           "Can't get domain name of domain id '8', maybe this domain does not exist.\n", NULL);
    EXPECT("xl domname abc", 1, "Invalid domain id.\n\n", "");
    assert_int_equal(run("xl domid"), 2);
}

#define UPTIME_HEADER "Name                                ID Uptime\n"
#define UP_DOM0       "Domain-0                             0 4 days, 15:06:40\n"
#define UP_GUEST1     "guest1                               1  0:05:12\n"
#define UP_CRASHED    "crashed                              5 1 day,  2:03:04\n"
#define UP_DYING      "dying                                7 3 days, 10:00:00\n"

static void test_uptime(void **state)
{
    (void)state;
    EXPECT("xl uptime", 0, UPTIME_HEADER UP_DOM0 UP_GUEST1 UP_CRASHED UP_DYING, NULL);
    EXPECT("xl uptime dying 1 9", 0, UPTIME_HEADER UP_DYING UP_GUEST1, NULL);
    EXPECT("xl uptime ghost", 1, "ghost is an invalid domain identifier (rc=-6)\n", NULL);
    EXPECT("xl uptime -s", 2, "option `s' not supported.\n", "");
}

#define VCPU_HEADER                                                                                \
    "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"
#define VCPU_ROWS                                                                                  \
    "guest1                               1     0    1   r--       1.3  all / all\n"               \
    "guest1                               1     1    -   --p       0.0  0-1,3 / none\n"

static void test_vcpu_list(void **state)
{
    (void)state;
    F.pi.nr_cpus = 4;
    EXPECT("xl vcpu-list", 0, VCPU_HEADER VCPU_ROWS,
           "list\nvcpu_list 0\nvcpu_list 1\nvcpu_list 5\nvcpu_list 7\n");
    EXPECT("xl vcpu-list guest1 9", 0, VCPU_HEADER VCPU_ROWS, NULL);
    EXPECT("xl vcpu-list ghost", 1, VCPU_HEADER "ghost is an invalid domain identifier (rc=-6)\n",
           NULL);
    /* print_bitmap over the host's 4 pCPUs: ranges, a lone CPU, all, none. */
    F.vcpus[0].hard = 0x5;
    F.vcpus[0].soft = 0xe;
    F.vcpus[1].hard = 0xf;
    assert_int_equal(run("xl vcpu-list 1"), 0);
    assert_non_null(strstr(F.out, "  0,2 / 1-3\n"));
    assert_non_null(strstr(F.out, "  all / none\n"));
}

static void test_vcpu_pin(void **state)
{
    (void)state;
    EXPECT("xl vcpu-pin guest1 all all all", 0, "",
           "list\nvcpu_pin 1 -1 0xffffffffffffffff 0xffffffffffffffff\n");
    EXPECT("xl vcpu-pin 1 0 0-1,3 2", 0, "", "vcpu_pin 1 0 0xb 0x4\n");
    EXPECT("xl vcpu-pin 1 0 all,^1 -", 0, "",
           "vcpu_list 1\nvcpu_pin 1 0 0xfffffffffffffffd 0xffffffffffffffff\n");
    EXPECT("xl vcpu-pin 1 all - 5", 0, "",
           "vcpu_list 1\nvcpu_pin 1 0 0xffffffffffffffff 0x20\nvcpu_pin 1 1 0xb 0x20\n");
    EXPECT("xl vcpu-pin 1 0 3-1", 1, "Invalid pcpu range: 3-1.\n", "");
    EXPECT("xl vcpu-pin 1 0 1,x", 1, "Invalid pcpu range: x.\n", "");
    EXPECT("xl vcpu-pin 1 0 64", 1, "Invalid pcpu range: 64.\n", "");
    EXPECT("xl vcpu-pin 1 0 ^all", 1, "Can't combine \"^\" and \"all\".\n", "");
    EXPECT("xl vcpu-pin 1 x 0", 1, "Error: Invalid argument x as VCPU.\n", "");
    EXPECT("xl vcpu-pin 9 0 0", 1, "Could not set affinity for vcpu `0'.\n", NULL);
    EXPECT("xl vcpu-pin 9 all 0", 0, "Could not set affinity.\n", NULL);
    EXPECT("xl vcpu-pin 1 3 - 0", 1, "Could not set affinity for vcpu `3'.\n", NULL);
    assert_int_equal(run("xl vcpu-pin 1 0"), 2);
}

static void test_vcpu_set(void **state)
{
    (void)state;
    EXPECT("xl vcpu-set guest1 2", 0, "", "list\nvcpu_set 1 2\n");
    EXPECT("xl vcpu-set 1 3", 1,
           "You are overcommmitting! You have 2 physical CPUs and want 3 vCPUs! Aborting, use "
           "--ignore-host to continue\n",
           "list\n");
    EXPECT("xl vcpu-set -i 1 3", 0, "", "vcpu_set 1 3\n");
    EXPECT("xl vcpu-set 1 two", 1, "Error: Invalid argument.\n", "");
    EXPECT("xl vcpu-set 9 1", 1, "Domain 9 does not exist.\n", NULL);
    EXPECT("xl vcpu-set --ignore-host 9 1", 1, "Domain 9 does not exist.\n", "vcpu_set 9 1\n");
    F.op_rc = -EIO;
    EXPECT("xl vcpu-set -i 1 1", 1, "libxl_set_vcpuonline failed domid=1 max_vcpus=1, rc: -3\n",
           NULL);
}

#define CREDIT_POOL   "Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n"
#define CREDIT_HEADER "Name                                ID Weight  Cap\n"
#define CREDIT_DOM0   "Domain-0                             0    256    0\n"
#define CREDIT_GUEST1 "guest1                               1    512   50\n"

static void test_sched_credit(void **state)
{
    (void)state;
    F.nr_doms = 2;
    EXPECT("xl sched-credit", 0, CREDIT_POOL CREDIT_HEADER CREDIT_DOM0 CREDIT_GUEST1, NULL);
    EXPECT("xl sched-credit -d guest1", 0, CREDIT_HEADER CREDIT_GUEST1, NULL);
    EXPECT("xl sched-credit -d 1 -w 100", 0, "", "credit_get 1\ncredit_set 1 100 50\n");
    EXPECT("xl sched-credit -d 1 -c 0", 0, "", "credit_get 1\ncredit_set 1 512 0\n");
    EXPECT("xl sched-credit -w 100", 1, "Must specify a domain.\n", "");
    EXPECT("xl sched-credit -s -d 1", 1,
           "Specifying a cpupool or schedparam is not allowed with domain options.\n", "");
    EXPECT("xl sched-credit -t 10", 1,
           "Must specify schedparam to set schedule parameter values.\n", "");
    EXPECT("xl sched-credit -s", 0, CREDIT_POOL, "");
    EXPECT("xl sched-credit -s -p Pool-0 -r 500", 1, "libxl_sched_credit_params_set failed.\n", "");
    EXPECT("xl sched-credit -p pool9", 1, "unknown cpupool 'pool9'\n", "");
    EXPECT("xl sched-credit -d 1 -w heavy", 1, "Invalid weight: heavy\n", NULL);
    EXPECT("xl sched-credit -d 9", 1, CREDIT_HEADER "libxl_domain_sched_params_get failed.\n",
           NULL);
    EXPECT("xl sched-credit -d ghost", 1, "ghost is an invalid domain identifier (rc=-6)\n", NULL);
    F.op_rc = -EINVAL;
    EXPECT("xl sched-credit", 0,
           CREDIT_POOL CREDIT_HEADER "libxl_domain_sched_params_get failed.\n", NULL);
    snprintf(F.pi.sched, sizeof(F.pi.sched), "rr");
    EXPECT("xl sched-credit", 0, "", NULL);
}

#define INFO                                                                                       \
    "nr_cpus                : 2\n"                                                                 \
    "max_cpu_id             : 1\n"                                                                 \
    "nr_nodes               : 1\n"                                                                 \
    "cores_per_socket       : 2\n"                                                                 \
    "threads_per_core       : 1\n"                                                                 \
    "cpu_mhz                : 2893.204\n"                                                          \
    "total_memory           : 2048\n"                                                              \
    "free_memory            : 1023\n"                                                              \
    "sharing_freed_memory   : 0\n"                                                                 \
    "sharing_used_memory    : 0\n"                                                                 \
    "outstanding_claims     : 0\n"                                                                 \
    "free_cpus              : 0\n"                                                                 \
    "xen_major              : 4\n"                                                                 \
    "xen_minor              : 17\n"                                                                \
    "xen_extra              : -xenolith\n"                                                         \
    "xen_version            : 4.17-xenolith\n"                                                     \
    "xen_caps               : xen-3.0-x86_64\n"                                                    \
    "xen_scheduler          : credit\n"                                                            \
    "xen_pagesize           : 4096\n"                                                              \
    "xen_commandline        : console=com1 dom0_mem=512M\n"                                        \
    "xend_config_format     : 4\n"

static void test_info_dmesg(void **state)
{
    (void)state;
    EXPECT("xl info", 0, INFO, "");
    EXPECT("xl info xen_version", 0, "4.17-xenolith\n", "");
    EXPECT("xl info nr_", 0, "2\n1\n", ""); /* a prefix picks every key it begins */
    EXPECT("xl info -n", 2, "option `n' not supported.\n", "");
    F.list_rc = -EIO;
    EXPECT("xl info", 1, "libxl_physinfo failed.\n", "");
    F.list_rc = 0;
    EXPECT("xl dmesg", 0, "", "dmesg\n");
    EXPECT("xl dmesg -c", 0, "", "dmesg clear\n");
    EXPECT("xl dmesg --clear", 0, "", "dmesg clear\n");
    F.op_rc = -EIO;
    EXPECT("xl dmesg", 1, "", "dmesg\n");
}

#define T(f) cmocka_unit_test_setup(f, fake_setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_split_line),    T(test_dispatch), T(test_options),       T(test_list),
        T(test_list_long),     T(test_create),   T(test_destroy),       T(test_shutdown_reboot),
        T(test_pause_console), T(test_mem),      T(test_domid_domname), T(test_uptime),
        T(test_vcpu_list),     T(test_vcpu_pin), T(test_vcpu_set),      T(test_sched_credit),
        T(test_info_dmesg),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
