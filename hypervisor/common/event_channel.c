/* SPDX-License-Identifier: MIT */
/*
 * Event channels (see xenolith/event.h). The hypercall validates every
 * guest-supplied domain, port and vCPU before it changes anything, and
 * answers with Xen's error codes.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>
#include <xenolith/softirq.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <asm/guest_access.h>

#define BITS_PER_WORD 64

static DEFINE_SPINLOCK(evtchn_lock);

/* As on Xen: four VIRQs are per vCPU; every other one (arch ones too) is global. */
static bool virq_is_global(unsigned int virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

int evtchn_domain_init(struct domain *d)
{
    d->evtchn = xzalloc_bytes(EVTCHN_PORTS * sizeof(struct evtchn), 8);
    if (!d->evtchn)
        return -ENOMEM;
    d->evtchn[0].state = ECS_RESERVED;
    return 0;
}

bool evtchn_port_valid(const struct domain *d, evtchn_port_t port)
{
    return port < EVTCHN_PORTS && d->evtchn;
}

bool evtchn_port_pending(const struct domain *d, evtchn_port_t port)
{
    const xen_ulong_t *p = d->shared_info->evtchn_pending;

    return (__atomic_load_n(&p[port / BITS_PER_WORD], __ATOMIC_SEQ_CST) >> (port % BITS_PER_WORD)) &
           1;
}

static bool test_and_set(xen_ulong_t *word, unsigned int bit)
{
    return (__atomic_fetch_or(word, 1ul << bit, __ATOMIC_SEQ_CST) >> bit) & 1;
}

/* Tells v an event waits: the upcall flag, and a wake-up if it sleeps. */
static void mark_events_pending(struct vcpu *v)
{
    if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        return;
    vcpu_kick(v);
}

/* Xen's 2-level delivery: pending bit, then (unmasked) selector and upcall. */
static void set_pending(struct domain *d, evtchn_port_t port)
{
    shared_info_t *s = d->shared_info;
    struct vcpu *v = d->vcpus[d->evtchn[port].notify_vcpu];

    if (test_and_set(&s->evtchn_pending[port / BITS_PER_WORD], port % BITS_PER_WORD))
        return;
    if (v->poll_active)
        vcpu_kick(v); /* SCHEDOP_poll wakes on its ports, masked or not */
    if ((__atomic_load_n(&s->evtchn_mask[port / BITS_PER_WORD], __ATOMIC_SEQ_CST) >>
         (port % BITS_PER_WORD)) &
        1)
        return;
    if (!test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD))
        mark_events_pending(v);
}

bool evtchn_upcall_wanted(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending && !v->vcpu_info->evtchn_upcall_mask;
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    unsigned long flags = spin_lock_irqsave(&evtchn_lock);
    struct vcpu *target = virq_is_global(virq) ? v->domain->vcpus[0] : v;
    evtchn_port_t port = target->virq_to_port[virq];

    if (port && v->domain->evtchn)
        set_pending(v->domain, port);
    spin_unlock_irqrestore(&evtchn_lock, flags);
}

/*
 * Under evtchn_lock a domain found by id stays whole: destruction unlinks
 * it first and needs this lock to close its ports before it is freed.
 */
void evtchn_send_global_virq(domid_t id, unsigned int virq)
{
    unsigned long flags = spin_lock_irqsave(&evtchn_lock);
    struct domain *d = domain_by_id(id);
    evtchn_port_t port = d && d->evtchn ? d->vcpus[0]->virq_to_port[virq] : 0;

    if (port)
        set_pending(d, port);
    spin_unlock_irqrestore(&evtchn_lock, flags);
}

static int alloc_port(struct domain *d)
{
    unsigned int port;

    for (port = 1; port < EVTCHN_PORTS; port++)
        if (d->evtchn[port].state == ECS_FREE)
            return (int)port;
    return -ENOSPC;
}

/* DOMID_SELF or our own id; the control domain may name any domain. */
static struct domain *named_domain(domid_t id, int *rc)
{
    struct domain *self = current_vcpu()->domain, *d;

    if (id == DOMID_SELF || id == self->domain_id)
        return self;
    d = domain_by_id(id);
    *rc = !d ? -ESRCH : -EPERM;
    if (d && !self->is_privileged)
        return NULL;
    return d && d->evtchn ? d : NULL;
}

static long alloc_unbound(struct evtchn_alloc_unbound *a)
{
    int rc = 0, port;
    struct domain *d = named_domain(a->dom, &rc), *self = current_vcpu()->domain;
    domid_t remote = a->remote_dom == DOMID_SELF ? self->domain_id : a->remote_dom;

    if (!d)
        return rc;
    if ((port = alloc_port(d)) < 0)
        return port;
    d->evtchn[port] = (struct evtchn){.state = ECS_UNBOUND, .remote_dom = remote};
    a->port = (evtchn_port_t)port;
    return 0;
}

static long bind_interdomain(struct evtchn_bind_interdomain *b)
{
    struct domain *self = current_vcpu()->domain, *rd;
    struct evtchn *rchn;
    int port;

    rd = b->remote_dom == DOMID_SELF ? self : domain_by_id(b->remote_dom);
    if (!rd || !rd->evtchn)
        return -ESRCH;
    if (b->remote_port >= EVTCHN_PORTS)
        return -EINVAL;
    rchn = &rd->evtchn[b->remote_port];
    if (rchn->state != ECS_UNBOUND || rchn->remote_dom != self->domain_id)
        return -EINVAL;
    if ((port = alloc_port(self)) < 0)
        return port;
    self->evtchn[port] = (struct evtchn){
        .state = ECS_INTERDOMAIN, .remote_dom = rd->domain_id, .remote_port = b->remote_port};
    rchn->state = ECS_INTERDOMAIN;
    rchn->remote_dom = self->domain_id;
    rchn->remote_port = (evtchn_port_t)port;
    b->local_port = (evtchn_port_t)port;
    /* An event the peer sent before we bound is not lost. */
    set_pending(self, (evtchn_port_t)port);
    return 0;
}

static long bind_virq(struct evtchn_bind_virq *b)
{
    struct domain *d = current_vcpu()->domain;
    struct vcpu *v;
    int port;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (virq_is_global(b->virq) && b->vcpu != 0)
        return -EINVAL;
    if (b->vcpu >= d->max_vcpus)
        return -ENOENT;
    v = d->vcpus[b->vcpu];
    if (v->virq_to_port[b->virq])
        return -EEXIST;
    if ((port = alloc_port(d)) < 0)
        return port;
    d->evtchn[port] = (struct evtchn){
        .state = ECS_VIRQ, .virq = (uint16_t)b->virq, .notify_vcpu = (uint8_t)b->vcpu};
    v->virq_to_port[b->virq] = (evtchn_port_t)port;
    b->port = (evtchn_port_t)port;
    return 0;
}

static long bind_ipi(struct evtchn_bind_ipi *b)
{
    struct domain *d = current_vcpu()->domain;
    int port;

    if (b->vcpu >= d->max_vcpus)
        return -ENOENT;
    if ((port = alloc_port(d)) < 0)
        return port;
    d->evtchn[port] = (struct evtchn){.state = ECS_IPI, .notify_vcpu = (uint8_t)b->vcpu};
    b->port = (evtchn_port_t)port;
    return 0;
}

/* Frees a port; its interdomain peer goes back to waiting for us. */
static long close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *chn;

    if (!evtchn_port_valid(d, port))
        return -EINVAL;
    chn = &d->evtchn[port];
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        return -EINVAL;
    case ECS_VIRQ:
        d->vcpus[chn->notify_vcpu]->virq_to_port[chn->virq] = 0;
        if (virq_is_global(chn->virq))
            d->vcpus[0]->virq_to_port[chn->virq] = 0;
        break;
    case ECS_INTERDOMAIN: {
        struct domain *rd = domain_by_id(chn->remote_dom);

        if (rd && rd->evtchn) {
            struct evtchn *rchn = &rd->evtchn[chn->remote_port];

            rchn->state = ECS_UNBOUND;
            rchn->remote_dom = d->domain_id;
        }
        break;
    }
    }
    *chn = (struct evtchn){.state = ECS_FREE};
    /* A closed port has nothing pending. */
    __atomic_fetch_and(&d->shared_info->evtchn_pending[port / BITS_PER_WORD],
                       ~(1ul << (port % BITS_PER_WORD)), __ATOMIC_SEQ_CST);
    return 0;
}

static long send(struct domain *d, evtchn_port_t port)
{
    struct evtchn *chn;

    if (!evtchn_port_valid(d, port))
        return -EINVAL;
    chn = &d->evtchn[port];
    switch (chn->state) {
    case ECS_INTERDOMAIN: {
        struct domain *rd = domain_by_id(chn->remote_dom);

        if (rd && rd->evtchn)
            set_pending(rd, chn->remote_port);
        return 0;
    }
    case ECS_IPI:
        set_pending(d, port);
        return 0;
    case ECS_UNBOUND:
        return 0; /* nobody listens yet: dropped, as on Xen */
    case ECS_BACKEND:
        chn->backend(d);
        return 0;
    }
    return -EINVAL;
}

/* A new port of d in the state chn describes, for the hypervisor's own users. */
static int alloc_port_as(struct domain *d, struct evtchn chn)
{
    unsigned long flags = spin_lock_irqsave(&evtchn_lock);
    int port = alloc_port(d);

    if (port > 0)
        d->evtchn[port] = chn;
    spin_unlock_irqrestore(&evtchn_lock, flags);
    return port;
}

int evtchn_alloc_unbound_for(struct domain *d, domid_t remote)
{
    return alloc_port_as(d, (struct evtchn){.state = ECS_UNBOUND, .remote_dom = remote});
}

int evtchn_bind_backend(struct domain *d, evtchn_backend_fn fn)
{
    return alloc_port_as(d, (struct evtchn){.state = ECS_BACKEND, .backend = fn});
}

void evtchn_backend_notify(struct domain *d, evtchn_port_t port)
{
    unsigned long flags = spin_lock_irqsave(&evtchn_lock);

    if (d->evtchn && evtchn_port_valid(d, port) && d->evtchn[port].state == ECS_BACKEND)
        set_pending(d, port);
    spin_unlock_irqrestore(&evtchn_lock, flags);
}

static long status(struct evtchn_status *st)
{
    int rc = 0;
    struct domain *d = named_domain(st->dom, &rc);
    const struct evtchn *chn;

    if (!d)
        return rc;
    if (!evtchn_port_valid(d, st->port))
        return -EINVAL;
    chn = &d->evtchn[st->port];
    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = chn->notify_vcpu;
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        st->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = chn->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = chn->remote_dom;
        st->u.interdomain.port = chn->remote_port;
        break;
    case ECS_BACKEND: /* connected to the hypervisor itself */
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = DOMID_XEN;
        st->u.interdomain.port = 0;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = chn->virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    }
    return 0;
}

/* Per-vCPU virqs and IPIs stay with the vCPU they were bound for. */
static long bind_vcpu(struct evtchn_bind_vcpu *b)
{
    struct domain *d = current_vcpu()->domain;
    struct evtchn *chn;

    if (!evtchn_port_valid(d, b->port))
        return -EINVAL;
    if (b->vcpu >= d->max_vcpus)
        return -ENOENT;
    chn = &d->evtchn[b->port];
    if (chn->state == ECS_UNBOUND || chn->state == ECS_INTERDOMAIN || chn->state == ECS_BACKEND ||
        (chn->state == ECS_VIRQ && virq_is_global(chn->virq))) {
        chn->notify_vcpu = (uint8_t)b->vcpu;
        return 0;
    }
    return -EINVAL;
}

static long unmask(struct domain *d, evtchn_port_t port)
{
    shared_info_t *s = d->shared_info;
    struct vcpu *v;

    if (!evtchn_port_valid(d, port))
        return -EINVAL;
    v = d->vcpus[d->evtchn[port].notify_vcpu];
    /* Only a port that was masked can have an event to raise now. */
    if ((__atomic_fetch_and(&s->evtchn_mask[port / BITS_PER_WORD], ~(1ul << (port % BITS_PER_WORD)),
                            __ATOMIC_SEQ_CST) >>
         (port % BITS_PER_WORD)) &
            1 &&
        evtchn_port_pending(d, port) &&
        !test_and_set(&v->vcpu_info->evtchn_pending_sel, port / BITS_PER_WORD))
        mark_events_pending(v);
    return 0;
}

static long reset(domid_t id)
{
    int rc = 0;
    struct domain *d = named_domain(id, &rc);
    evtchn_port_t port;

    if (!d)
        return rc;
    for (port = 1; port < EVTCHN_PORTS; port++)
        if (d->evtchn[port].state != ECS_FREE)
            close_port(d, port);
    return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
    unsigned long flags;
    evtchn_port_t port;

    if (!d->evtchn)
        return;
    flags = spin_lock_irqsave(&evtchn_lock);
    for (port = 1; port < EVTCHN_PORTS; port++)
        if (d->evtchn[port].state != ECS_FREE)
            close_port(d, port);
    xfree(d->evtchn);
    d->evtchn = NULL;
    spin_unlock_irqrestore(&evtchn_lock, flags);
}

/*
 * FIFO event channels are not implemented: every domain stays 2-level.
 * init_control checks its argument as Xen does, then answers -ENOSYS;
 * the FIFO-only ops answer what Xen answers a 2-level domain.
 */
static long fifo_init_control(const struct evtchn_init_control *ic)
{
    static bool logged;
    struct domain *d = current_vcpu()->domain;

    if (ic->vcpu >= d->max_vcpus)
        return -ENOENT;
    if ((ic->offset & 7) || ic->offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block))
        return -EINVAL;
    if (ic->control_gfn >= max_page || mfn_to_page(ic->control_gfn)->owner != d->domain_id)
        return -EINVAL;
    return subop_unimplemented("event_channel_op", EVTCHNOP_init_control, &logged);
}

/* Argument sizes per command; anything else is -ENOSYS. */
static size_t arg_size(uint64_t cmd)
{
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        return sizeof(struct evtchn_alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        return sizeof(struct evtchn_bind_interdomain);
    case EVTCHNOP_bind_virq:
        return sizeof(struct evtchn_bind_virq);
    case EVTCHNOP_bind_ipi:
        return sizeof(struct evtchn_bind_ipi);
    case EVTCHNOP_close:
        return sizeof(struct evtchn_close);
    case EVTCHNOP_send:
        return sizeof(struct evtchn_send);
    case EVTCHNOP_status:
        return sizeof(struct evtchn_status);
    case EVTCHNOP_bind_vcpu:
        return sizeof(struct evtchn_bind_vcpu);
    case EVTCHNOP_unmask:
        return sizeof(struct evtchn_unmask);
    case EVTCHNOP_reset:
        return sizeof(struct evtchn_reset);
    case EVTCHNOP_init_control:
        return sizeof(struct evtchn_init_control);
    case EVTCHNOP_expand_array:
        return sizeof(struct evtchn_expand_array);
    }
    return 0;
}

static long dispatch(uint64_t cmd, void *a)
{
    struct domain *d = current_vcpu()->domain;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        return alloc_unbound(a);
    case EVTCHNOP_bind_interdomain:
        return bind_interdomain(a);
    case EVTCHNOP_bind_virq:
        return bind_virq(a);
    case EVTCHNOP_bind_ipi:
        return bind_ipi(a);
    case EVTCHNOP_close:
        return close_port(d, ((struct evtchn_close *)a)->port);
    case EVTCHNOP_send:
        return send(d, ((struct evtchn_send *)a)->port);
    case EVTCHNOP_status:
        return status(a);
    case EVTCHNOP_bind_vcpu:
        return bind_vcpu(a);
    case EVTCHNOP_unmask:
        return unmask(d, ((struct evtchn_unmask *)a)->port);
    case EVTCHNOP_reset:
        return reset(((struct evtchn_reset *)a)->dom);
    case EVTCHNOP_init_control:
        return fifo_init_control(a);
    case EVTCHNOP_expand_array:
        return -EOPNOTSUPP; /* a 2-level domain has no arrays to grow */
    }
    return -ENOSYS;
}

long do_event_channel_op(uint64_t cmd, uint64_t arg)
{
    union {
        struct evtchn_status status;
        struct evtchn_bind_interdomain bi;
        uint8_t bytes[64];
    } a;
    size_t size = arg_size(cmd);
    unsigned long flags;
    long rc;

    if (!size) {
        static bool logged;

        return subop_unimplemented("event_channel_op", cmd, &logged); /* set_priority too */
    }
    if (copy_from_guest(&a, arg, size))
        return -EFAULT;
    flags = spin_lock_irqsave(&evtchn_lock);
    rc = dispatch(cmd, &a);
    spin_unlock_irqrestore(&evtchn_lock, flags);
    if (!rc && copy_to_guest(arg, &a, size))
        return -EFAULT;
    return rc;
}
