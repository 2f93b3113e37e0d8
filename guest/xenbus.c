/* SPDX-License-Identifier: MIT */
/*
 * A xenstore client over the store ring start_info names, as Linux's
 * xenbus is (see xenbus.h): one request at a time, its reply awaited;
 * watch events that arrive meanwhile are kept, the last one in full.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/time.h>
#include <guest/xenbus.h>
#include <guest/xs_ring.h>
#include <xenolith/string.h>

#define XENBUS_WAIT_NS 2000000000ull

struct xenbus_state xenbus;
static uint32_t xenbus_req_id;

static struct xenstore_domain_interface *xenbus_intf(void)
{
    return mm_pfn_to_virt(mm_mfn_to_pfn(kernel_start_info->store_mfn));
}

/* Waits for the daemon's next notification; false once past the deadline.
 * Callers clear the port before they look at the ring: none is lost. */
static bool xenbus_wait(uint64_t deadline)
{
    evtchn_port_t port = kernel_start_info->store_evtchn;
    struct sched_poll poll = {.nr_ports = 1, .timeout = deadline};

    set_xen_guest_handle(poll.ports, &port);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    return time_now() < deadline;
}

/* Reads one whole message from the reply ring into xenbus; false on timeout. */
static bool xenbus_read_message(struct xsd_sockmsg *hdr, uint64_t deadline)
{
    struct xenstore_domain_interface *intf = xenbus_intf();
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
        if (!xenbus_wait(deadline))
            return false;
    }
    xs_ring_get(intf->rsp, &intf->rsp_cons, intf->rsp_prod, hdr, sizeof(*hdr), false);
    while (got < hdr->len)
        got += (size_t)xs_ring_get(intf->rsp, &intf->rsp_cons, intf->rsp_prod, body + got,
                                   hdr->len - got, false);
    evtchn_send(kernel_start_info->store_evtchn);
    if (hdr->type == XS_WATCH_EVENT) {
        memcpy(xenbus.event, body, MIN(got, sizeof(xenbus.event) - 1));
        xenbus.event[MIN(got, sizeof(xenbus.event) - 1)] = '\0';
        xenbus.events++;
    } else {
        memcpy(xenbus.reply, body, MIN(got, sizeof(xenbus.reply) - 1));
        xenbus.reply_len = MIN(got, sizeof(xenbus.reply) - 1);
        xenbus.reply[xenbus.reply_len] = '\0';
    }
    return true;
}

/* Sends hdr and body; waits for the reply (watch events on the way are
 * recorded). The reply's type, or -1 on timeout. */
long xenbus_send(struct xsd_sockmsg hdr, const char *body)
{
    struct xenstore_domain_interface *intf = xenbus_intf();
    uint64_t deadline = time_now() + XENBUS_WAIT_NS;
    static char msg[sizeof(struct xsd_sockmsg) + 256];
    size_t sent = 0, len = sizeof(hdr) + (hdr.len <= 256 ? hdr.len : 0);
    struct xsd_sockmsg reply;

    hdr.req_id = ++xenbus_req_id;
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
        if (sent < len && !xenbus_wait(deadline))
            return -1;
    }
    do {
        if (!xenbus_read_message(&reply, deadline))
            return -1;
    } while (reply.type == XS_WATCH_EVENT);
    if (reply.req_id != hdr.req_id)
        return -2;
    return xenbus.type = reply.type;
}

/* A request of NUL-terminated arguments within transaction tx. */
long xenbus_call(uint32_t type, uint32_t tx, const char *a, const char *b)
{
    char body[256];
    size_t la = a ? strlen(a) + 1 : 0, lb = b ? strlen(b) + (type == XS_WRITE ? 0 : 1) : 0;

    memcpy(body, a, la);
    memcpy(body + la, b, lb);
    return xenbus_send((struct xsd_sockmsg){.type = type, .tx_id = tx, .len = (uint32_t)(la + lb)},
                       body);
}

bool xenbus_wait_event(unsigned long seen, uint64_t deadline)
{
    struct xsd_sockmsg hdr;

    while (xenbus.events == seen)
        if (!xenbus_read_message(&hdr, deadline))
            return false;
    return true;
}
