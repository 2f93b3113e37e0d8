/* SPDX-License-Identifier: MIT */
/*
 * Console rings (see console_ring.h). A send on the ring's port only
 * marks the ring and raises CONSOLE_RING_SOFTIRQ on CPU 0, which drains
 * every marked ring outside the event-channel lock; CPU 0 is also where
 * domains are destroyed, so a ring never goes away while it is drained.
 *
 * The ring's indices are the guest's to write: whatever they say, the
 * backend reads at most one ring's worth, only inside the ring.
 */
#include <xenolith/console.h>
#include <xenolith/console_ring.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/softirq.h>
#include <xenolith/spinlock.h>
#include <xen/io/console.h>

struct console_ring {
    struct xencons_interface *intf;
    evtchn_port_t port;
    bool kicked;
    bool out_corrupt_logged, in_corrupt_logged;
    XENCONS_RING_IDX in_prod; /* ours: the guest's copy is only ever written */
};

static void ring_kick(struct domain *d)
{
    __atomic_store_n(&d->console_ring->kicked, true, __ATOMIC_RELEASE);
    cpu_raise_softirq(0, CONSOLE_RING_SOFTIRQ);
}

/* Do the guest's indices describe at most `size` bytes? Said once if not. */
static bool ring_span_ok(const struct domain *d, bool *logged, XENCONS_RING_IDX cons,
                         XENCONS_RING_IDX prod, size_t size, const char *what)
{
    if (prod - cons <= size)
        return true;
    if (!*logged)
        printk(XENLOG_WARNING "d%u: console ring indices out of range (%u..%u): %s dropped\n",
               d->domain_id, cons, prod, what);
    *logged = true;
    return false;
}

/* Copies what d wrote since the last drain to the console; frees the space. */
static void ring_drain(struct domain *d, struct console_ring *r)
{
    XENCONS_RING_IDX cons = READ_ONCE(r->intf->out_cons), prod = READ_ONCE(r->intf->out_prod);
    char chunk[64];

    /* Nothing new: no event back either (one would wake a guest that
     * kicks on every wake-up into kicking again, a loop without end). */
    if (cons == prod)
        return;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the bytes after the index */
    if (!ring_span_ok(d, &r->out_corrupt_logged, cons, prod, sizeof(r->intf->out), "output"))
        cons = prod;
    while (cons != prod) {
        size_t n = 0;

        while (cons != prod && n < sizeof(chunk))
            chunk[n++] = READ_ONCE(r->intf->out[MASK_XENCONS_IDX(cons++, r->intf->out)]);
        console_domain_output(d, chunk, n);
    }
    __atomic_thread_fence(__ATOMIC_RELEASE); /* read before the space is given back */
    WRITE_ONCE(r->intf->out_cons, cons);
    evtchn_backend_notify(d, r->port);
}

static void ring_drain_domain(struct domain *d)
{
    struct console_ring *r = d->console_ring;

    if (r && __atomic_exchange_n(&r->kicked, false, __ATOMIC_ACQ_REL))
        ring_drain(d, r);
}

static void console_ring_softirq(void)
{
    for_each_domain(ring_drain_domain);
}

size_t console_ring_input(struct domain *d, const char *s, size_t n)
{
    struct console_ring *r = d->console_ring;
    XENCONS_RING_IDX cons = READ_ONCE(r->intf->in_cons), prod = r->in_prod;
    size_t done = 0;

    if (!ring_span_ok(d, &r->in_corrupt_logged, cons, prod, sizeof(r->intf->in), "input"))
        return 0;
    while (done < n && prod - cons < sizeof(r->intf->in))
        r->intf->in[MASK_XENCONS_IDX(prod++, r->intf->in)] = s[done++];
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the bytes before the index */
    WRITE_ONCE(r->intf->in_prod, prod);
    r->in_prod = prod;
    evtchn_backend_notify(d, r->port);
    return done;
}

void console_ring_init(void)
{
    softirq_register(CONSOLE_RING_SOFTIRQ, console_ring_softirq);
}

int console_ring_attach(struct domain *d, unsigned long ring_mfn)
{
    struct console_ring *r = xzalloc(struct console_ring);
    struct page_info *pg = mfn_to_page(ring_mfn);
    bool held;
    int port;

    if (!r)
        return -ENOMEM;
    spin_lock(&frame_lock);
    held = page_get_ref(pg, d->domain_id);
    if (held && page_get_type(pg, PGT_writable_page)) {
        page_put_ref(pg);
        held = false;
    }
    spin_unlock(&frame_lock);
    if (!held) {
        xfree(r);
        return -EINVAL;
    }
    r->intf = page_to_virt(pg);
    d->console_ring = r;
    port = evtchn_bind_backend(d, ring_kick);
    if (port < 0) {
        console_ring_detach(d);
        return port;
    }
    r->port = (evtchn_port_t)port;
    return port;
}

void console_ring_detach(struct domain *d)
{
    struct console_ring *r = d->console_ring;
    struct page_info *pg;

    if (!r)
        return;
    pg = mfn_to_page(__pa(r->intf) >> PAGE_SHIFT);
    spin_lock(&frame_lock);
    page_put_type(pg);
    page_put_ref(pg);
    spin_unlock(&frame_lock);
    d->console_ring = NULL;
    xfree(r);
}
