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
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/xenstored.h>
#include <guest/xs_ring.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#define XSC_WAIT_NS 2000000000ull

static struct {
    uint32_t req_id;
    char reply[256];
    uint32_t type;   /* of the last reply */
    char event[128]; /* path and token of the last watch event, NUL-separated */
    unsigned long events;
    char home[32];
} xsc;

static struct xenstore_domain_interface *xsc_intf(void)
{
    return mm_pfn_to_virt(mm_mfn_to_pfn(kernel_start_info->store_mfn));
}

/* Waits for the daemon's next notification; false once past the deadline.
 * Callers clear the port before they look at the ring: none is lost. */
static bool xsc_wait(uint64_t deadline)
{
    evtchn_port_t port = kernel_start_info->store_evtchn;
    struct sched_poll poll = {.nr_ports = 1, .timeout = deadline};

    set_xen_guest_handle(poll.ports, &port);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    return time_now() < deadline;
}

/* Reads one whole message from the reply ring into xsc; false on timeout. */
static bool xsc_read_message(struct xsd_sockmsg *hdr, uint64_t deadline)
{
    struct xenstore_domain_interface *intf = xsc_intf();
    char body[XENSTORE_PAYLOAD_MAX];
    size_t got = 0;

    for (;;) {
        XENSTORE_RING_IDX prod;
        long used;

        evtchn_clear_pending(kernel_start_info->store_evtchn);
        prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);
        used = xs_ring_used(intf->rsp_cons, prod);

        if (used >= (long)sizeof(*hdr)) {
            xs_ring_get(intf->rsp, &intf->rsp_cons, prod, hdr, sizeof(*hdr), true);
            if (hdr->len <= sizeof(body) && (size_t)used >= sizeof(*hdr) + hdr->len)
                break;
        }
        if (!xsc_wait(deadline))
            return false;
    }
    xs_ring_get(intf->rsp, &intf->rsp_cons, intf->rsp_prod, hdr, sizeof(*hdr), false);
    while (got < hdr->len)
        got += (size_t)xs_ring_get(intf->rsp, &intf->rsp_cons, intf->rsp_prod, body + got,
                                   hdr->len - got, false);
    evtchn_send(kernel_start_info->store_evtchn);
    if (hdr->type == XS_WATCH_EVENT) {
        memcpy(xsc.event, body, MIN(got, sizeof(xsc.event) - 1));
        xsc.event[MIN(got, sizeof(xsc.event) - 1)] = '\0';
        xsc.events++;
    } else {
        memcpy(xsc.reply, body, MIN(got, sizeof(xsc.reply) - 1));
        xsc.reply[MIN(got, sizeof(xsc.reply) - 1)] = '\0';
    }
    return true;
}

/* Sends hdr and body; waits for the reply (watch events on the way are
 * recorded). The reply's type, or -1 on timeout. */
static long xsc_send(struct xsd_sockmsg hdr, const char *body)
{
    struct xenstore_domain_interface *intf = xsc_intf();
    uint64_t deadline = time_now() + XSC_WAIT_NS;
    static char msg[sizeof(struct xsd_sockmsg) + 256];
    size_t sent = 0, len = sizeof(hdr) + (hdr.len <= 256 ? hdr.len : 0);
    struct xsd_sockmsg reply;

    hdr.req_id = ++xsc.req_id;
    memcpy(msg, &hdr, sizeof(hdr));
    memcpy(msg + sizeof(hdr), body, len - sizeof(hdr));
    while (sent < len) {
        long n;

        evtchn_clear_pending(kernel_start_info->store_evtchn);
        n = xs_ring_put(intf->req, __atomic_load_n(&intf->req_cons, __ATOMIC_ACQUIRE),
                        &intf->req_prod, msg + sent, len - sent);
        if (n < 0)
            return -1;
        sent += (size_t)n;
        evtchn_send(kernel_start_info->store_evtchn);
        if (sent < len && !xsc_wait(deadline))
            return -1;
    }
    do {
        if (!xsc_read_message(&reply, deadline))
            return -1;
    } while (reply.type == XS_WATCH_EVENT);
    if (reply.req_id != hdr.req_id)
        return -2;
    return xsc.type = reply.type;
}

/* A request of NUL-terminated arguments within transaction tx. */
static long xsc_call(uint32_t type, uint32_t tx, const char *a, const char *b)
{
    char body[256];
    size_t la = a ? strlen(a) + 1 : 0, lb = b ? strlen(b) + (type == XS_WRITE ? 0 : 1) : 0;

    memcpy(body, a, la);
    memcpy(body + la, b, lb);
    return xsc_send((struct xsd_sockmsg){.type = type, .tx_id = tx, .len = (uint32_t)(la + lb)},
                    body);
}

#define CHECK_REPLY(call, want_type, want)                                                         \
    do {                                                                                           \
        CHECK_EQ((call), (want_type));                                                             \
        CHECK(strcmp(xsc.reply, (want)) == 0);                                                     \
    } while (0)

static void xenstore_home(void)
{
    char path[48];

    CHECK(kernel_start_info->store_evtchn != 0);
    CHECK_EQ(xsc_call(XS_READ, 0, "domid", NULL), XS_READ);
    snprintf(xsc.home, sizeof(xsc.home), "/local/domain/%s", xsc.reply);
    test_info("home %s", xsc.home);
    CHECK_REPLY(xsc_call(XS_GET_DOMAIN_PATH, 0, xsc.reply, NULL), XS_GET_DOMAIN_PATH, xsc.home);
    snprintf(path, sizeof(path), "%s/control/shutdown", xsc.home);
    CHECK_REPLY(xsc_call(XS_READ, 0, path, NULL), XS_READ, "");
}

static void xenstore_read_write(void)
{
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "data/x", "hello"), XS_WRITE, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "data/x", NULL), XS_READ, "hello");
    CHECK_REPLY(xsc_call(XS_DIRECTORY, 0, "data", NULL), XS_DIRECTORY, "x");
    CHECK_REPLY(xsc_call(XS_RM, 0, "data/x", NULL), XS_RM, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "data/x", NULL), XS_ERROR, "ENOENT");
}

/* The domain reads its home but owns only data/ and control/shutdown. */
static void xenstore_permissions(void)
{
    CHECK_REPLY(xsc_call(XS_READ, 0, "/local/domain/0", NULL), XS_ERROR, "EACCES");
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "domid", "7"), XS_ERROR, "EACCES");
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "name", "mine"), XS_ERROR, "EACCES");
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "/tool/x", "1"), XS_ERROR, "EACCES");
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "control/shutdown", ""), XS_WRITE, "OK");
}

static void xenstore_watch(void)
{
    unsigned long before = xsc.events;

    CHECK_REPLY(xsc_call(XS_WATCH, 0, "data/w", "tok"), XS_WATCH, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xsc.events, before + 1); /* the first event, at once */
    CHECK(strcmp(xsc.event, "data/w") == 0);
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "data/w/a", "1"), XS_WRITE, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xsc.events, before + 2);
    CHECK(strcmp(xsc.event, "data/w/a") == 0 && strcmp(xsc.event + 9, "tok") == 0);
    CHECK_REPLY(xsc_call(XS_UNWATCH, 0, "data/w", "tok"), XS_UNWATCH, "OK");
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "data/w/b", "2"), XS_WRITE, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xsc.events, before + 2);
}

static void xenstore_transaction(void)
{
    unsigned long tx;

    CHECK_EQ(xsc_call(XS_TRANSACTION_START, 0, "", NULL), XS_TRANSACTION_START);
    tx = simple_strtoul(xsc.reply, NULL, 10);
    CHECK(tx != 0);
    CHECK_REPLY(xsc_call(XS_WRITE, (uint32_t)tx, "data/t", "1"), XS_WRITE, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "data/t", NULL), XS_ERROR, "ENOENT");
    CHECK_REPLY(xsc_call(XS_TRANSACTION_END, (uint32_t)tx, "T", NULL), XS_TRANSACTION_END, "OK");
    CHECK_REPLY(xsc_call(XS_READ, 0, "data/t", NULL), XS_READ, "1");
    /* Changed outside after the transaction read it: EAGAIN, nothing written. */
    CHECK_EQ(xsc_call(XS_TRANSACTION_START, 0, "", NULL), XS_TRANSACTION_START);
    tx = simple_strtoul(xsc.reply, NULL, 10);
    CHECK_REPLY(xsc_call(XS_READ, (uint32_t)tx, "data/t", NULL), XS_READ, "1");
    CHECK_REPLY(xsc_call(XS_WRITE, 0, "data/t", "2"), XS_WRITE, "OK");
    CHECK_REPLY(xsc_call(XS_WRITE, (uint32_t)tx, "data/t", "3"), XS_WRITE, "OK");
    CHECK_REPLY(xsc_call(XS_TRANSACTION_END, (uint32_t)tx, "T", NULL), XS_ERROR, "EAGAIN");
    CHECK_REPLY(xsc_call(XS_READ, 0, "data/t", NULL), XS_READ, "2");
}

/* An unknown type is an error reply; a length past the maximum ends the conversation. */
static void xenstore_malformed(void)
{
    CHECK_EQ(xsc_send((struct xsd_sockmsg){.type = 999, .len = 0}, ""), XS_ERROR);
    CHECK_REPLY(xsc_call(XS_READ, 0, "domid", NULL), XS_READ, xsc.home + 14);
    CHECK_EQ(xsc_send((struct xsd_sockmsg){.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX + 1}, ""),
             -1);
}

static const struct test_case xenstore_cases[] = {
    {"home", xenstore_home},
    {"read_write", xenstore_read_write},
    {"permissions", xenstore_permissions},
    {"watch", xenstore_watch},
    {"transaction", xenstore_transaction},
    {"malformed", xenstore_malformed},
};
TEST_SUITE(test_suite_xenstore, "xenstore", xenstore_cases);

static void xenstored_serve(void)
{
    struct xsd_stats st;

    CHECK_EQ(xenstored_run(&st), 0);
    test_info("introduced %lu, released %lu, %lu requests, %lu errors", st.introduced, st.released,
              st.requests, st.errors);
    CHECK(st.introduced > 0);
    CHECK_EQ(st.released, st.introduced);
    CHECK_EQ(st.errors, 0);
}

static const struct test_case xenstored_cases[] = {{"serve", xenstored_serve}};
TEST_SUITE(test_suite_xenstored, "xenstored", xenstored_cases);
