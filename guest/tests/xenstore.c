/* SPDX-License-Identifier: MIT */
/*
 * Suites "xenstored" and "xenstore" (Xenolith only: on Xen a toolstack
 * introduces domains; tests/integration/test_domains.py boots them with
 * the hypervisor's xenstored=dom0). The control domain runs the daemon
 * (guest/xenstored.c) as suite "xenstored"; each domU runs suite
 * "xenstore", a client speaking io/xs_wire.h over the store ring
 * start_info names, as Linux's xenbus does: its home and the paths it
 * may and may not touch, watches, transactions and their conflicts, and
 * last a request that breaks the framing, after which the daemon no
 * longer answers it (and goes on serving the others).
 */
#include <guest/domctl.h>
#include <xenolith/errno.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/xenstored.h>
#include <guest/xenbus.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

static struct {
    char home[32];
} xsc;

#define CHECK_REPLY(call, want_type, want)                                                         \
    do {                                                                                           \
        CHECK_EQ((call), (want_type));                                                             \
        CHECK(strcmp(xenbus.reply, (want)) == 0);                                                  \
    } while (0)

static uint32_t xsc_intf_error(void)
{
    const struct xenstore_domain_interface *intf =
        mm_pfn_to_virt(mm_mfn_to_pfn(kernel_start_info->store_mfn));

    return READ_ONCE(intf->error);
}

static void xenstore_home(void)
{
    char path[48];

    CHECK(kernel_start_info->store_evtchn != 0);
    CHECK_EQ(xenbus_call(XS_READ, 0, "domid", NULL), XS_READ);
    snprintf(xsc.home, sizeof(xsc.home), "/local/domain/%s", xenbus.reply);
    test_info("home %s", xsc.home);
    CHECK_REPLY(xenbus_call(XS_GET_DOMAIN_PATH, 0, xenbus.reply, NULL), XS_GET_DOMAIN_PATH,
                xsc.home);
    snprintf(path, sizeof(path), "%s/control/shutdown", xsc.home);
    CHECK_REPLY(xenbus_call(XS_READ, 0, path, NULL), XS_READ, "");
    /* From the control domain's getdomaininfo: our pages in KiB, our vCPU. */
    snprintf(path, sizeof(path), "%lu", kernel_start_info->nr_pages * (PAGE_SIZE >> 10));
    CHECK_REPLY(xenbus_call(XS_READ, 0, "memory/target", NULL), XS_READ, path);
    CHECK_REPLY(xenbus_call(XS_READ, 0, "cpu/0/availability", NULL), XS_READ, "online");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "cpu/1/availability", NULL), XS_ERROR, "ENOENT");
}

static void xenstore_read_write(void)
{
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "data/x", "hello"), XS_WRITE, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "data/x", NULL), XS_READ, "hello");
    CHECK_REPLY(xenbus_call(XS_DIRECTORY, 0, "data", NULL), XS_DIRECTORY, "x");
    CHECK_REPLY(xenbus_call(XS_RM, 0, "data/x", NULL), XS_RM, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "data/x", NULL), XS_ERROR, "ENOENT");
}

/* The domain reads its home but owns only data/ and control/shutdown. */
static void xenstore_permissions(void)
{
    CHECK_REPLY(xenbus_call(XS_READ, 0, "/local/domain/0", NULL), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "domid", "7"), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "name", "mine"), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "/tool/x", "1"), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "control/shutdown", ""), XS_WRITE, "OK");
}

static void xenstore_watch(void)
{
    unsigned long before = xenbus.events;

    CHECK_REPLY(xenbus_call(XS_WATCH, 0, "data/w", "tok"), XS_WATCH, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xenbus.events, before + 1); /* the first event, at once */
    CHECK(strcmp(xenbus.event, "data/w") == 0);
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "data/w/a", "1"), XS_WRITE, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xenbus.events, before + 2);
    CHECK(strcmp(xenbus.event, "data/w/a") == 0 && strcmp(xenbus.event + 9, "tok") == 0);
    CHECK_REPLY(xenbus_call(XS_UNWATCH, 0, "data/w", "tok"), XS_UNWATCH, "OK");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "data/w/b", "2"), XS_WRITE, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xenbus.events, before + 2);
}

static void xenstore_transaction(void)
{
    unsigned long tx;

    CHECK_EQ(xenbus_call(XS_TRANSACTION_START, 0, "", NULL), XS_TRANSACTION_START);
    tx = simple_strtoul(xenbus.reply, NULL, 10);
    CHECK(tx != 0);
    CHECK_REPLY(xenbus_call(XS_WRITE, (uint32_t)tx, "data/t", "1"), XS_WRITE, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "data/t", NULL), XS_ERROR, "ENOENT");
    CHECK_REPLY(xenbus_call(XS_TRANSACTION_END, (uint32_t)tx, "T", NULL), XS_TRANSACTION_END, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "data/t", NULL), XS_READ, "1");
    /* Changed outside after the transaction read it: EAGAIN, nothing written. */
    CHECK_EQ(xenbus_call(XS_TRANSACTION_START, 0, "", NULL), XS_TRANSACTION_START);
    tx = simple_strtoul(xenbus.reply, NULL, 10);
    CHECK_REPLY(xenbus_call(XS_READ, (uint32_t)tx, "data/t", NULL), XS_READ, "1");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "data/t", "2"), XS_WRITE, "OK");
    CHECK_REPLY(xenbus_call(XS_WRITE, (uint32_t)tx, "data/t", "3"), XS_WRITE, "OK");
    CHECK_REPLY(xenbus_call(XS_TRANSACTION_END, (uint32_t)tx, "T", NULL), XS_ERROR, "EAGAIN");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "data/t", NULL), XS_READ, "2");
}

/* MKDIR and GET_PERMS of what the domain owns; the toolstack's requests are refused. */
static void xenstore_mkdir_perms(void)
{
    char owner[8];
    const char *dom = xsc.home + 14;

    snprintf(owner, sizeof(owner), "n%s", dom);
    CHECK_REPLY(xenbus_call(XS_MKDIR, 0, "data/m", NULL), XS_MKDIR, "OK");
    CHECK_REPLY(xenbus_call(XS_READ, 0, "data/m", NULL), XS_READ, "");
    CHECK_REPLY(xenbus_call(XS_GET_PERMS, 0, "data/m", NULL), XS_GET_PERMS, owner);
    CHECK_REPLY(xenbus_call(XS_GET_PERMS, 0, "domid", NULL), XS_GET_PERMS, "n0");
    CHECK_REPLY(xenbus_call(XS_IS_DOMAIN_INTRODUCED, 0, dom, NULL), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_RESUME, 0, dom, NULL), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_RELEASE, 0, "0", NULL), XS_ERROR, "EACCES");
    CHECK_REPLY(xenbus_call(XS_WATCH, 0, "@releaseDomain", "t"), XS_WATCH, "OK");
}

/* An unknown type is an error reply; a length past the maximum ends the conversation. */
static void xenstore_malformed(void)
{
    CHECK_EQ(xenbus_send((struct xsd_sockmsg){.type = 999, .len = 0}, ""), XS_ERROR);
    CHECK_REPLY(xenbus_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(
        xenbus_send((struct xsd_sockmsg){.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1}, ""),
        -1);
    CHECK_EQ(xsc_intf_error(), XENSTORE_ERROR_PROTO);
}

/*
 * xenstored's quotas over the ring (XS_QUOTA_DEFAULT): 10 open
 * transactions (ENOSPC), 128 watches (E2BIG), 1000 nodes owned (ENOSPC);
 * each refused request changes nothing, and giving back what was taken
 * makes room again. (The 2048-byte entry limit is tested on the host,
 * tests/unit/test_xs_tree.c: this client sends 256 bytes at most.)
 */
static void xenstore_quotas(void)
{
    uint32_t tx[10];
    char path[32], token[8];
    unsigned int made = 0;

    for (unsigned int i = 0; i < 10; i++) {
        CHECK_EQ(xenbus_call(XS_TRANSACTION_START, 0, "", NULL), XS_TRANSACTION_START);
        tx[i] = (uint32_t)simple_strtoul(xenbus.reply, NULL, 10);
    }
    CHECK_REPLY(xenbus_call(XS_TRANSACTION_START, 0, "", NULL), XS_ERROR, "ENOSPC");
    for (unsigned int i = 0; i < 10; i++)
        CHECK_REPLY(xenbus_call(XS_TRANSACTION_END, tx[i], "F", NULL), XS_TRANSACTION_END, "OK");
    for (;; made++) { /* an earlier case left one watch set */
        snprintf(token, sizeof(token), "q%u", made);
        if (xenbus_call(XS_WATCH, 0, "data/qw", token) != XS_WATCH)
            break;
        CHECK(made < 128);
    }
    CHECK(strcmp(xenbus.reply, "E2BIG") == 0);
    CHECK(made >= 120);
    for (unsigned int i = 0; i < made; i++) {
        snprintf(token, sizeof(token), "q%u", i);
        CHECK_REPLY(xenbus_call(XS_UNWATCH, 0, "data/qw", token), XS_UNWATCH, "OK");
    }
    for (made = 0;; made++) {
        snprintf(path, sizeof(path), "data/q/%u", made);
        if (xenbus_call(XS_WRITE, 0, path, "") != XS_WRITE)
            break;
        CHECK(made < 1000);
    }
    CHECK(strcmp(xenbus.reply, "ENOSPC") == 0);
    test_info("%u nodes made before the quota", made);
    CHECK(made > 900); /* 1000 less what the domain owned already */
    CHECK_REPLY(xenbus_call(XS_READ, 0, path, NULL), XS_ERROR, "ENOENT");
    CHECK_REPLY(xenbus_call(XS_RM, 0, "data/q", NULL), XS_RM, "OK");
    CHECK_REPLY(xenbus_call(XS_WRITE, 0, "data/after", "1"), XS_WRITE, "OK");
}

static const struct test_case xenstore_cases[] = {
    {"home", xenstore_home},
    {"read_write", xenstore_read_write},
    {"permissions", xenstore_permissions},
    {"watch", xenstore_watch},
    {"transaction", xenstore_transaction},
    {"mkdir_perms", xenstore_mkdir_perms},
    {"quotas", xenstore_quotas},
    {"malformed", xenstore_malformed},
};
TEST_SUITE(test_suite_xenstore, "xenstore", xenstore_cases);

static void xenstored_serve_all(void)
{
    struct xsd_stats st;
    domid_t id;

    /* A xenstore domain of its own reads the domain list, nothing more. */
    if (!(kernel_start_info->flags & SIF_PRIVILEGED)) {
        CHECK_EQ(domctl_create(1, &id), -EPERM);
        CHECK_EQ(domctl_destroy(0), -EPERM);
        CHECK_EQ(domctl_pause(0), -EPERM);
    }
    CHECK_EQ(xenstored_run(&st), 0);
    test_info("introduced %lu, released %lu, %lu requests, %lu errors", st.introduced, st.released,
              st.requests, st.errors);
    CHECK(st.introduced > 0);
    CHECK_EQ(st.released, st.introduced);
    CHECK_EQ(st.errors, 0);
    /* Each special watch fires once when set, then once per domain. */
    CHECK_EQ(st.introduce_events, st.introduced + 1);
    CHECK_EQ(st.release_events, st.released + 1);
}

static const struct test_case xenstored_cases[] = {{"serve", xenstored_serve_all}};
TEST_SUITE(test_suite_xenstored, "xenstored", xenstored_cases);

/*
 * Suite "bench_xenstore" (tests/bench/run.py, Xenolith only): xenstore
 * round trips from a domU to the control domain's daemon and back.
 */
#define XS_BENCH_ITERS 200

static void bench_xenstore_round_trips(void)
{
    uint64_t t0;

    CHECK_EQ(xenbus_call(XS_WRITE, 0, "data/bench", "0123456789"), XS_WRITE);
    t0 = time_rdtsc();
    for (int i = 0; i < XS_BENCH_ITERS; i++)
        CHECK_EQ(xenbus_call(XS_READ, 0, "data/bench", NULL), XS_READ);
    printk("BENCH xenstore_read %lu per op\n",
           (unsigned long)((time_rdtsc() - t0) / XS_BENCH_ITERS));
    t0 = time_rdtsc();
    for (int i = 0; i < XS_BENCH_ITERS; i++)
        CHECK_EQ(xenbus_call(XS_WRITE, 0, "data/bench", "9876543210"), XS_WRITE);
    printk("BENCH xenstore_write %lu per op\n",
           (unsigned long)((time_rdtsc() - t0) / XS_BENCH_ITERS));
}

/* Suite "xenstore_corrupt": request indices a ring apart; the daemon stops reading us. */
static void xenstore_corrupt_ring(void)
{
    struct xenstore_domain_interface *intf =
        mm_pfn_to_virt(mm_mfn_to_pfn(kernel_start_info->store_mfn));

    uint64_t deadline = time_now() + 2000000000ull;

    CHECK_EQ(xenbus_call(XS_READ, 0, "domid", NULL), XS_READ);
    CHECK(intf->server_features & XENSTORE_SERVER_FEATURE_ERROR);
    intf->req_prod = intf->req_cons + XENSTORE_RING_SIZE + 1;
    evtchn_send(kernel_start_info->store_evtchn);
    while (READ_ONCE(intf->error) == XENSTORE_ERROR_NONE && time_now() < deadline)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    CHECK_EQ(intf->error, XENSTORE_ERROR_RINGIDX);
    CHECK_EQ(xenbus_call(XS_READ, 0, "domid", NULL), -1);
}

static const struct test_case xenstore_corrupt_cases[] = {{"ring", xenstore_corrupt_ring}};
TEST_SUITE(test_suite_xenstore_corrupt, "xenstore_corrupt", xenstore_corrupt_cases);

static const struct test_case bench_xenstore_cases[] = {
    {"round_trips", bench_xenstore_round_trips}};
TEST_SUITE(test_suite_bench_xenstore, "bench_xenstore", bench_xenstore_cases);
