/* SPDX-License-Identifier: MIT */
/*
 * xl's vCPU, scheduler and host verbs: vcpu-list, vcpu-pin, vcpu-set,
 * sched-credit, info, dmesg. Formats and messages are Xen 4.17's
 * tools/xl (xl_vcpu.c, xl_sched.c, xl_info.c, xl_utils.c: print_bitmap,
 * xl_parse.c: parse_cpurange); the comments name what differs.
 */
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#include "xl_cli.h"

/* Xenolith's credit scheduler has fixed parameters (struct csched_params:
 * a 30 ms slice, 1 ms the shortest, no migration delay). */
#define XL_CREDIT_TSLICE_MS    30
#define XL_CREDIT_RATELIMIT_US 1000
#define XL_CREDIT_MIGR_US      0

#define XL_ALL_VCPUS (~0u)
#define XL_ALL_CPUS  (~0ull)
#define XL_MAX_CPUS  64 /* affinities are uint64_t bitmaps */

/* print_bitmap: "all", "none", or ranges "0-2,5". */
static void xl_fmt_cpumap(char *buf, size_t size, uint64_t map, unsigned int nr)
{
    size_t len = 0;
    unsigned int i = 0;

    if (nr > XL_MAX_CPUS)
        nr = XL_MAX_CPUS;
    buf[0] = '\0';
    while (i < nr) {
        unsigned int first;

        for (; i < nr && !(map >> i & 1); i++)
            ;
        if (i == nr)
            break;
        first = i;
        for (; i < nr && (map >> i & 1); i++)
            ;
        if (first == 0 && i == nr) {
            snprintf(buf, size, "all");
            return;
        }
        len += snprintf(buf + len, len < size ? size - len : 0, "%s%u", len ? "," : "", first);
        if (i - 1 > first)
            len += snprintf(buf + len, len < size ? size - len : 0, "-%u", i - 1);
    }
    if (!len)
        snprintf(buf, size, "none");
}

static void xl_vcpu_row(struct xl_run *r, const char *name, uint16_t domid,
                        const struct xl_vcpuinfo *v, unsigned int nr_cpus)
{
    char secs[24], hard[160], soft[160];

    xl_fmt_secs(secs, sizeof(secs), v->time_ns, 9);
    xl_fmt_cpumap(hard, sizeof(hard), v->hard, nr_cpus);
    xl_fmt_cpumap(soft, sizeof(soft), v->soft, nr_cpus);
    if (v->online)
        xl_printf(r, "%-32s %5u %5u%5u %3c%c- %s  %s / %s\n", name, domid, v->vcpu, v->cpu,
                  v->running ? 'r' : '-', v->blocked ? 'b' : '-', secs, hard, soft);
    else
        xl_printf(r, "%-32s %5u %5u%5c %3c%cp %s  %s / %s\n", name, domid, v->vcpu, '-', '-', '-',
                  secs, hard, soft);
}

/* A domain the backend does not know prints nothing, as in xl. */
static void xl_vcpu_rows(struct xl_run *r, uint16_t domid, unsigned int nr_cpus)
{
    struct xl_vcpuinfo v[XL_MAX_VCPUS];
    const struct xl_dominfo *d = xl_dominfo(r, domid);
    int n = r->b->vcpu_list(r->b->ctx, domid, v, XL_MAX_VCPUS);

    for (int i = 0; i < n; i++)
        xl_vcpu_row(r, d ? d->name : "", domid, &v[i], nr_cpus);
}

/* vcpu-list (xl_vcpu.c: vcpulist). Exits 0 whatever happens, as xl. */
int xl_cmd_vcpu_list(struct xl_run *r)
{
    struct xl_physinfo pi;
    int n;

    XL_NO_OPTIONS(r);
    if (r->b->physinfo(r->b->ctx, &pi)) {
        xl_printf(r, "libxl_physinfo failed.\n");
        return 0;
    }
    xl_printf(r, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
              "Affinity (Hard / Soft)");
    if (!r->nr_args) {
        n = xl_domains(r);
        for (int i = 0; i < n; i++)
            xl_vcpu_rows(r, r->doms[i].domid, pi.nr_cpus);
        return 0;
    }
    for (int i = 0; i < r->nr_args; i++) {
        uint16_t domid;

        if (xl_find_domain(r, r->args[i], &domid))
            return XL_EXIT_FAILURE;
        xl_vcpu_rows(r, domid, pi.nr_cpus);
    }
    return 0;
}

/* parse_range: "N" or "N-M", M >= N; here also M below XL_MAX_CPUS. */
static bool xl_parse_cpu_range(char *s, uint64_t *bits)
{
    char *dash = strchr(s, '-');
    unsigned long a, b;

    if (dash)
        *dash = '\0';
    if (!xl_parse_ulong(s, &a) || (dash && !xl_parse_ulong(dash + 1, &b)))
        return false;
    if (!dash)
        b = a;
    if (b < a || b >= XL_MAX_CPUS)
        return false;
    *bits = (b == 63 ? ~0ull : (1ull << (b + 1)) - 1) & ~((1ull << a) - 1);
    return true;
}

/*
 * parse_cpurange: comma-separated "all", "N", "N-M", each "^"-prefixed to
 * take CPUs out. NUMA "node:" items are not offered (one node here).
 */
static int xl_parse_cpulist(struct xl_run *r, const char *s, uint64_t *map)
{
    *map = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char item[32], *p = item;
        uint64_t bits;

        if (len && len < sizeof(item)) {
            memcpy(item, s, len);
            item[len] = '\0';
            p += *p == '^';
            if (!strcmp(p, "all") && p != item) {
                xl_printf(r, "Can't combine \"^\" and \"all\".\n");
                return -1;
            }
            if (!strcmp(p, "all")) {
                *map = XL_ALL_CPUS;
            } else if (xl_parse_cpu_range(p, &bits)) {
                *map = p == item ? *map | bits : *map & ~bits;
            } else {
                xl_printf(r, "Invalid pcpu range: %.*s.\n", (int)len, s);
                return -1;
            }
        } else if (len) {
            xl_printf(r, "Invalid pcpu range: %.*s.\n", (int)len, s);
            return -1;
        }
        s += len + (comma != NULL);
    }
    return 0;
}

/* An affinity argument: "-" keeps the current one (*keep). */
static int xl_affinity_arg(struct xl_run *r, const char *s, uint64_t *map, bool *keep)
{
    *keep = !s || !strcmp(s, "-");
    return *keep ? 0 : xl_parse_cpulist(r, s, map);
}

/*
 * "-" (keep) needs each vCPU's current affinity, so then the pins go one
 * vCPU at a time; otherwise one call does the vCPU or all of them.
 */
static int xl_pin(struct xl_run *r, uint16_t domid, unsigned int vcpu, uint64_t hard,
                  bool keep_hard, uint64_t soft, bool keep_soft)
{
    struct xl_vcpuinfo v[XL_MAX_VCPUS];
    int n, rc = -ESRCH;

    if (!keep_hard && !keep_soft)
        return r->b->vcpu_pin(r->b->ctx, domid, vcpu, hard, soft);
    n = r->b->vcpu_list(r->b->ctx, domid, v, XL_MAX_VCPUS);
    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        if (vcpu != XL_ALL_VCPUS && v[i].vcpu != vcpu)
            continue;
        rc = r->b->vcpu_pin(r->b->ctx, domid, v[i].vcpu, keep_hard ? v[i].hard : hard,
                            keep_soft ? v[i].soft : soft);
        if (rc)
            break;
    }
    return rc;
}

/*
 * vcpu-pin (xl_vcpu.c: main_vcpupin). No -f/--force nor global affinity
 * masks here. As in xl, a failure for "all" is reported but exits 0.
 */
int xl_cmd_vcpu_pin(struct xl_run *r)
{
    uint64_t hard = 0, soft = 0;
    bool keep_hard, keep_soft;
    unsigned long vcpu;
    uint16_t domid;

    XL_NO_OPTIONS(r);
    if (xl_find_domain(r, r->args[0], &domid))
        return XL_EXIT_FAILURE;
    if (!strcmp(r->args[1], "all")) {
        vcpu = XL_ALL_VCPUS;
    } else if (!xl_parse_ulong(r->args[1], &vcpu) || vcpu >= XL_ALL_VCPUS) {
        xl_printf(r, "Error: Invalid argument %s as VCPU.\n", r->args[1]);
        return XL_EXIT_FAILURE;
    }
    if (xl_affinity_arg(r, r->args[2], &hard, &keep_hard) ||
        xl_affinity_arg(r, r->nr_args > 3 ? r->args[3] : NULL, &soft, &keep_soft))
        return XL_EXIT_FAILURE;
    if (!xl_pin(r, domid, (unsigned int)vcpu, hard, keep_hard, soft, keep_soft))
        return 0;
    if (vcpu == XL_ALL_VCPUS) {
        xl_printf(r, "Could not set affinity.\n");
        return 0;
    }
    xl_printf(r, "Could not set affinity for vcpu `%lu'.\n", vcpu);
    return XL_EXIT_FAILURE;
}

/* vcpu-set (xl_vcpu.c: vcpuset), xl's "overcommmitting" spelling included. */
int xl_cmd_vcpu_set(struct xl_run *r)
{
    const struct xl_dominfo *d;
    struct xl_physinfo pi;
    unsigned long nr;
    bool ignore_host = false;
    uint16_t domid;
    int rc;

    if (!xl_flag_opts(r, &ignore_host)) /* -i */
        return r->status;
    if (xl_find_domain(r, r->args[0], &domid))
        return XL_EXIT_FAILURE;
    if (!xl_parse_ulong(r->args[1], &nr) || nr > 0x7fffffff) {
        xl_printf(r, "Error: Invalid argument.\n");
        return XL_EXIT_FAILURE;
    }
    if (!ignore_host) {
        d = xl_dominfo(r, domid);
        if (!d) {
            xl_printf(r, "Domain %u does not exist.\n", domid);
            return XL_EXIT_FAILURE;
        }
        if (r->b->physinfo(r->b->ctx, &pi)) {
            xl_printf(r, "libxl_physinfo failed.\n");
            return XL_EXIT_FAILURE;
        }
        if (nr > d->vcpus_online && nr > pi.nr_cpus) {
            xl_printf(r,
                      "You are overcommmitting! You have %u physical CPUs and want %lu vCPUs! "
                      "Aborting, use --ignore-host to continue\n",
                      pi.nr_cpus, nr);
            return XL_EXIT_FAILURE;
        }
    }
    rc = r->b->vcpu_set(r->b->ctx, domid, (unsigned int)nr);
    if (rc == -ESRCH)
        xl_printf(r, "Domain %u does not exist.\n", domid);
    else if (rc)
        xl_printf(r, "libxl_set_vcpuonline failed domid=%u max_vcpus=%lu, rc: %d\n", domid, nr,
                  xl_libxl_rc(rc));
    return rc ? XL_EXIT_FAILURE : 0;
}

static void xl_credit_pool_line(struct xl_run *r)
{
    xl_printf(r, "Cpupool Pool-0: tslice=%dms ratelimit=%dus migration-delay=%dus\n",
              XL_CREDIT_TSLICE_MS, XL_CREDIT_RATELIMIT_US, XL_CREDIT_MIGR_US);
}

/* sched_credit_domain_output: one row; false (and a message) if unknown. */
static bool xl_credit_row(struct xl_run *r, uint16_t domid)
{
    const struct xl_dominfo *d = xl_dominfo(r, domid);
    unsigned int weight, cap;

    if (r->b->sched_credit_get(r->b->ctx, domid, &weight, &cap)) {
        xl_printf(r, "libxl_domain_sched_params_get failed.\n");
        return false;
    }
    xl_printf(r, "%-33s %4u %6u %4u\n", d ? d->name : "", domid, weight, cap);
    return true;
}

static void xl_credit_header(struct xl_run *r)
{
    xl_printf(r, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
}

/* sched_domain_output: the pool, then its domains; a failed row stops the
 * table but, as in xl, not with a failure status. Nothing if another
 * scheduler runs. */
static int xl_credit_table(struct xl_run *r)
{
    struct xl_physinfo pi;
    int n;

    if (!r->b->physinfo(r->b->ctx, &pi) && strcmp(pi.sched, "credit"))
        return 0;
    n = xl_domains(r);
    if (n < 0)
        return XL_EXIT_FAILURE;
    xl_credit_pool_line(r);
    xl_credit_header(r);
    for (int i = 0; i < n && xl_credit_row(r, r->doms[i].domid); i++)
        ;
    return 0;
}

/* Sets what was given, keeping the rest (libxl's "default" values). */
static int xl_credit_set(struct xl_run *r, uint16_t domid, const char *w, const char *c)
{
    unsigned int weight, cap;
    unsigned long v;

    if (r->b->sched_credit_get(r->b->ctx, domid, &weight, &cap)) {
        xl_printf(r, "libxl_domain_sched_params_get failed.\n");
        return XL_EXIT_FAILURE;
    }
    if (w && (!xl_parse_ulong(w, &v) || v > 0xffffffffu)) {
        xl_printf(r, "Invalid weight: %s\n", w); /* xl's strtol would take 0 */
        return XL_EXIT_FAILURE;
    }
    weight = w ? (unsigned int)v : weight;
    if (c && (!xl_parse_ulong(c, &v) || v > 0xffffffffu)) {
        xl_printf(r, "Invalid cap: %s\n", c);
        return XL_EXIT_FAILURE;
    }
    cap = c ? (unsigned int)v : cap;
    if (r->b->sched_credit_set(r->b->ctx, domid, weight, cap)) {
        xl_printf(r, "libxl_domain_sched_params_set failed.\n");
        return XL_EXIT_FAILURE;
    }
    return 0;
}

/*
 * sched-credit (xl_sched.c: main_sched_credit). The only pool is
 * "Pool-0" (id 0); its parameters are fixed, so -s with -t, -r or -m
 * fails as xl does when libxl refuses them.
 */
int xl_cmd_sched_credit(struct xl_run *r)
{
    const char *dom = NULL, *pool = NULL, *w = NULL, *c = NULL;
    bool opt_s = false, set_pool = false;
    uint16_t domid;
    int opt;

    while ((opt = xl_getopt(r)) > 0) {
        if (opt == 'd')
            dom = r->optarg;
        else if (opt == 'w')
            w = r->optarg;
        else if (opt == 'c')
            c = r->optarg;
        else if (opt == 'p')
            pool = r->optarg;
        else if (opt == 's')
            opt_s = true;
        else
            set_pool = true; /* -t, -r, -m */
    }
    if (opt == XL_OPT_STOP)
        return r->status;
    if ((pool || opt_s) && (dom || w || c)) {
        xl_printf(r, "Specifying a cpupool or schedparam is not allowed with domain options.\n");
        return XL_EXIT_FAILURE;
    }
    if (!dom && (w || c)) {
        xl_printf(r, "Must specify a domain.\n");
        return XL_EXIT_FAILURE;
    }
    if (!opt_s && set_pool) {
        xl_printf(r, "Must specify schedparam to set schedule parameter values.\n");
        return XL_EXIT_FAILURE;
    }
    if (pool && strcmp(pool, "Pool-0") && strcmp(pool, "0")) {
        xl_printf(r, "unknown cpupool '%s'\n", pool);
        return XL_EXIT_FAILURE;
    }
    if (opt_s) {
        if (!set_pool) {
            xl_credit_pool_line(r);
            return 0;
        }
        xl_printf(r, "libxl_sched_credit_params_set failed.\n");
        return XL_EXIT_FAILURE;
    }
    if (!dom)
        return xl_credit_table(r);
    if (xl_find_domain(r, dom, &domid))
        return XL_EXIT_FAILURE;
    if (w || c)
        return xl_credit_set(r, domid, w, c);
    xl_credit_header(r);
    return xl_credit_row(r, domid) ? 0 : XL_EXIT_FAILURE;
}

/* xl_info.c: maybe_printf. With a filter, only the values of the keys it
 * begins, without the key. */
static void __printf(4, 5)
    xl_info_line(struct xl_run *r, const char *filter, const char *key, const char *fmt, ...)
{
    char val[320];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    if (!filter)
        xl_printf(r, "%-23s: %s\n", key, val);
    else if (!strncmp(key, filter, strlen(filter)))
        xl_printf(r, "%s\n", val);
}

/*
 * info (xl_info.c: print_info, output_physinfo, output_xeninfo), in xl's
 * order, with the lines the backend can answer: not dom0's uname (host,
 * release, version, machine), hw_caps, virt_caps, platform_params,
 * xen_changeset, the cc_* compiler lines, build_id. Sharing, claims and
 * free CPUs (outside any pool) do not exist here: 0. -n is not offered.
 * A failed physinfo exits 1 (xl prints the message and exits 0).
 */
int xl_cmd_info(struct xl_run *r)
{
    const char *f;
    struct xl_physinfo pi;

    XL_NO_OPTIONS(r);
    f = r->nr_args ? r->args[0] : NULL;
    if (r->b->physinfo(r->b->ctx, &pi)) {
        xl_printf(r, "libxl_physinfo failed.\n");
        return XL_EXIT_FAILURE;
    }
    xl_info_line(r, f, "nr_cpus", "%u", pi.nr_cpus);
    xl_info_line(r, f, "max_cpu_id", "%u", pi.nr_cpus ? pi.nr_cpus - 1 : 0);
    xl_info_line(r, f, "nr_nodes", "%u", pi.nr_nodes);
    xl_info_line(r, f, "cores_per_socket", "%u", pi.cores_per_socket);
    xl_info_line(r, f, "threads_per_core", "%u", pi.threads_per_core);
    xl_info_line(r, f, "cpu_mhz", "%llu.%03llu", (unsigned long long)(pi.cpu_khz / 1000),
                 (unsigned long long)(pi.cpu_khz % 1000));
    xl_info_line(r, f, "total_memory", "%llu", (unsigned long long)(pi.total_kib / 1024));
    xl_info_line(r, f, "free_memory", "%llu", (unsigned long long)(pi.free_kib / 1024));
    xl_info_line(r, f, "sharing_freed_memory", "0");
    xl_info_line(r, f, "sharing_used_memory", "0");
    xl_info_line(r, f, "outstanding_claims", "0");
    xl_info_line(r, f, "free_cpus", "0");
    xl_info_line(r, f, "xen_major", "%u", pi.xen_major);
    xl_info_line(r, f, "xen_minor", "%u", pi.xen_minor);
    xl_info_line(r, f, "xen_extra", "%s", pi.xen_extra);
    xl_info_line(r, f, "xen_version", "%u.%u%s", pi.xen_major, pi.xen_minor, pi.xen_extra);
    xl_info_line(r, f, "xen_caps", "%s", pi.capabilities);
    xl_info_line(r, f, "xen_scheduler", "%s", pi.sched);
    xl_info_line(r, f, "xen_pagesize", "4096");
    xl_info_line(r, f, "xen_commandline", "%s", pi.cmdline);
    xl_info_line(r, f, "xend_config_format", "4");
    return 0;
}

/* dmesg (xl_info.c: main_dmesg): the backend prints the buffer. */
int xl_cmd_dmesg(struct xl_run *r)
{
    bool clear = false;

    if (!xl_flag_opts(r, &clear)) /* -c */
        return r->status;
    return r->b->dmesg(r->b->ctx, clear) ? XL_EXIT_FAILURE : 0;
}
