/* SPDX-License-Identifier: MIT */
/*
 * Event channels, 2-level ABI (see events.h). The upcall runs on whatever
 * kernel stack was interrupted, with its vCPU's upcall mask set, so it is
 * never re-entered there; each vCPU handles what Xen left in its own
 * vcpu_info. Xen and the other vCPUs set bits in the shared bitmaps, so
 * every read-modify-write of them, and of the counters, is atomic.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/smp.h>

struct evtchn_upcall_info evtchn_upcalls;

static struct {
    evtchn_handler_t fn;
    void *arg;
    unsigned long count;
    unsigned int vcpu; /* the one Xen notifies: only its upcall handles the port */
} evtchn_ports[EVTCHN_TRACKED];

#define EVTCHN_WORD_BITS 64

static unsigned long *evtchn_word(unsigned long *bitmap, evtchn_port_t port)
{
    return &bitmap[port / EVTCHN_WORD_BITS];
}

static unsigned long evtchn_bit(evtchn_port_t port)
{
    return 1UL << (port % EVTCHN_WORD_BITS);
}

void evtchn_init(void)
{
    for (unsigned int i = 0; i < EVTCHN_TRACKED; i++)
        evtchn_ports[i].fn = NULL;
}

void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg)
{
    if (port >= EVTCHN_TRACKED)
        return;
    evtchn_ports[port].fn = fn;
    evtchn_ports[port].arg = arg;
    evtchn_ports[port].count = 0;
}

unsigned long evtchn_count(evtchn_port_t port)
{
    return port < EVTCHN_TRACKED ? READ_ONCE(evtchn_ports[port].count) : 0;
}

void evtchn_reset_count(evtchn_port_t port)
{
    if (port < EVTCHN_TRACKED)
        WRITE_ONCE(evtchn_ports[port].count, 0);
}

bool evtchn_is_pending(evtchn_port_t port)
{
    return READ_ONCE(*evtchn_word(kernel_shared_info->evtchn_pending, port)) & evtchn_bit(port);
}

bool evtchn_is_masked(evtchn_port_t port)
{
    return READ_ONCE(*evtchn_word(kernel_shared_info->evtchn_mask, port)) & evtchn_bit(port);
}

void evtchn_clear_pending(evtchn_port_t port)
{
    __atomic_fetch_and(evtchn_word(kernel_shared_info->evtchn_pending, port), ~evtchn_bit(port),
                       __ATOMIC_SEQ_CST);
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_fetch_or(evtchn_word(kernel_shared_info->evtchn_mask, port), evtchn_bit(port),
                      __ATOMIC_SEQ_CST);
}

void evtchn_unmask(evtchn_port_t port)
{
    struct vcpu_info *vi = kernel_vcpu_info;
    unsigned long sel = 1UL << (port / EVTCHN_WORD_BITS);

    __atomic_fetch_and(evtchn_word(kernel_shared_info->evtchn_mask, port), ~evtchn_bit(port),
                       __ATOMIC_SEQ_CST);
    /* Xen only raises the upcall when a port becomes pending unmasked;
     * one that was pending under the mask is ours to raise. */
    if (evtchn_is_pending(port) &&
        !(__atomic_fetch_or(&vi->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST) & sel))
        WRITE_ONCE(vi->evtchn_upcall_pending, 1);
    if (!READ_ONCE(vi->evtchn_upcall_mask))
        evtchn_force_callback();
}

void evtchn_force_callback(void)
{
    /* Any hypercall: Xen delivers a pending upcall on its way back. */
    HYPERVISOR_xen_version(XENVER_version, NULL);
}

void evtchn_upcall_enable(void)
{
    struct vcpu_info *vi = smp_this_cpu()->vcpu_info;

    WRITE_ONCE(vi->evtchn_upcall_mask, 0);
    barrier();
    if (READ_ONCE(vi->evtchn_upcall_pending))
        evtchn_force_callback();
}

void evtchn_upcall_disable(void)
{
    WRITE_ONCE(smp_this_cpu()->vcpu_info->evtchn_upcall_mask, 1);
    barrier();
}

static void evtchn_dispatch(evtchn_port_t port)
{
    if (port >= EVTCHN_TRACKED) {
        evtchn_upcalls.stray++;
        return;
    }
    __atomic_fetch_add(&evtchn_ports[port].count, 1, __ATOMIC_RELAXED);
    if (evtchn_ports[port].fn)
        evtchn_ports[port].fn(port, evtchn_ports[port].arg);
}

/* One pass over the selector Xen left us; returns the events handled. */
static unsigned int evtchn_scan(struct vcpu_info *vi)
{
    unsigned long sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    unsigned int handled = 0;

    while (sel) {
        unsigned int w = (unsigned int)__builtin_ctzl(sel);
        unsigned long ready;

        sel &= sel - 1;
        ready = READ_ONCE(kernel_shared_info->evtchn_pending[w]) &
                ~READ_ONCE(kernel_shared_info->evtchn_mask[w]);
        while (ready) {
            evtchn_port_t port = w * EVTCHN_WORD_BITS + (unsigned int)__builtin_ctzl(ready);

            ready &= ready - 1;
            /* Another vCPU's port in the same word: Xen flagged the word
             * in that vCPU's selector too, and it handles the port. */
            if (port < EVTCHN_TRACKED && READ_ONCE(evtchn_ports[port].vcpu) != smp_this_cpu()->id)
                continue;
            evtchn_clear_pending(port);
            evtchn_dispatch(port);
            handled++;
        }
    }
    return handled;
}

void evtchn_upcall(struct trap_regs *r)
{
    struct vcpu_info *vi = smp_this_cpu()->vcpu_info;
    unsigned int handled = 0;

    __atomic_fetch_add(&evtchn_upcalls.count, 1, __ATOMIC_RELAXED);
    evtchn_upcalls.mask_on_entry = READ_ONCE(vi->evtchn_upcall_mask);
    evtchn_upcalls.saved_if = r->rflags & 0x200;
    while (READ_ONCE(vi->evtchn_upcall_pending)) {
        WRITE_ONCE(vi->evtchn_upcall_pending, 0);
        handled += evtchn_scan(vi);
    }
    if (!handled)
        __atomic_fetch_add(&evtchn_upcalls.spurious, 1, __ATOMIC_RELAXED);
}

static long evtchn_op(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

void evtchn_set_vcpu(evtchn_port_t port, unsigned int vcpu)
{
    if (port < EVTCHN_TRACKED)
        WRITE_ONCE(evtchn_ports[port].vcpu, vcpu);
}

/* A new port of ours, as the op that bound it returned it, notifying vcpu. */
static long evtchn_bound(long rc, evtchn_port_t port, unsigned int vcpu)
{
    if (rc)
        return rc;
    evtchn_set_vcpu(port, vcpu);
    return port;
}

long evtchn_alloc_unbound(domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound op = {.dom = dom, .remote_dom = remote};

    long rc = evtchn_op(EVTCHNOP_alloc_unbound, &op);

    /* A port of another domain's (the control domain may make them) is not ours to track. */
    return dom == DOMID_SELF ? evtchn_bound(rc, op.port, 0) : (rc ? rc : op.port);
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port)
{
    struct evtchn_bind_interdomain op = {.remote_dom = remote, .remote_port = remote_port};
    long rc = evtchn_op(EVTCHNOP_bind_interdomain, &op);

    return evtchn_bound(rc, op.local_port, 0);
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
    long rc = evtchn_op(EVTCHNOP_bind_virq, &op);

    return evtchn_bound(rc, op.port, vcpu);
}

long evtchn_bind_ipi(uint32_t vcpu)
{
    struct evtchn_bind_ipi op = {.vcpu = vcpu};
    long rc = evtchn_op(EVTCHNOP_bind_ipi, &op);

    return evtchn_bound(rc, op.port, vcpu);
}

long evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = {.port = port};

    return evtchn_op(EVTCHNOP_send, &op);
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = {.port = port};
    long rc = evtchn_op(EVTCHNOP_close, &op);

    if (!rc)
        evtchn_set_vcpu(port, 0); /* Xen's default for the next to bind it */
    return rc;
}

long evtchn_op_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = {.port = port};

    return evtchn_op(EVTCHNOP_unmask, &op);
}

long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
    st->dom = dom;
    st->port = port;
    return evtchn_op(EVTCHNOP_status, st);
}
