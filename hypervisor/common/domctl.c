/* SPDX-License-Identifier: MIT */
/*
 * domctl (hypercall 36): the control domain's operations on domains, the
 * interface a toolstack is built on. Xen 4.17's commands and structures
 * (public/domctl.h, interface version 0x15) where Xenolith implements
 * them, plus Xenolith's own (public/xenolith_domctl.h: building a domain
 * from an image, the console); docs/domctl.md lists them. Every other
 * command answers -ENOSYS. Only the control domain may call it (-EPERM).
 *
 * Every field is the caller's: ids, vCPU numbers, sizes and handles are
 * checked before use. A domain found by id is used only for the length
 * of the call; destruction happens on CPU 0 after the domain has left
 * every pCPU (domain_kill), so no call here frees a domain.
 */
#define __XEN_TOOLS__ 1 /* domctl.h is the tools' interface */
#include <xenolith/domain.h>
#include <xenolith/console_input.h>
#include <xenolith/domctl.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/page.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/string.h>
#include <xenolith/mm.h>
#include <xen/domctl.h>
#include <public/xenolith_domctl.h>
#include <asm/guest_access.h>

void domctl_fill_getdomaininfo(const struct domain_info *i, struct xen_domctl_getdomaininfo *g)
{
    uint32_t flags = i->all_blocked ? XEN_DOMINF_blocked : 0;

    if (i->any_running)
        flags = XEN_DOMINF_running;
    memset(g, 0, sizeof(*g));
    g->domain = i->id;
    /* As Xen: running and blocked only with a vCPU up; the shutdown code
     * above the flags, all ones (~0 shifted) while there is none. */
    g->flags = (i->nr_up ? flags : 0) | (i->dying ? XEN_DOMINF_dying : 0) |
               (i->shut_down ? XEN_DOMINF_shutdown : 0) | (i->paused ? XEN_DOMINF_paused : 0) |
               i->shutdown_code << XEN_DOMINF_shutdownshift;
    g->tot_pages = i->tot_pages;
    g->max_pages = i->max_pages;
    g->shared_info_frame = i->shared_info_mfn;
    g->cpu_time = i->cpu_time;
    g->nr_online_vcpus = i->nr_up;
    g->max_vcpu_id = i->max_vcpu_id;
}

/* XEN_DOMCTL_createdomain: PV only, Xenolith's own limits for the rest. */
static long domctl_create(struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *c = &op->u.createdomain;
    domid_t id = op->domain;
    struct domain *d;

    if (c->flags & ~XEN_DOMCTL_CDF_iommu)
        return -EINVAL; /* HVM, HAP, nested: not on this hypervisor */
    if (c->max_vcpus == 0 || c->max_vcpus > MAX_VIRT_CPUS)
        return -EINVAL;
    if (id == 0 || id >= DOMID_FIRST_RESERVED)
        id = DOMID_INVALID; /* as Xen: the next free id */
    else if (domain_by_id(id))
        return -EEXIST;
    d = domain_create(id, NULL, c->max_vcpus, 0, false);
    if (!d)
        return id == DOMID_INVALID ? -ENOMEM : -EEXIST;
    d->toolstack = true;
    op->domain = d->domain_id;
    return 0;
}

/* Affinity bitmaps: the first 64 bits (NR_CPUS) are Xenolith's pCPUs. */
static int bitmap_read(const struct xenctl_bitmap *b, uint64_t *mask)
{
    size_t bytes = (b->nr_bits + 7) / 8;

    *mask = 0;
    if (bytes > sizeof(*mask))
        bytes = sizeof(*mask);
    if (copy_from_guest(mask, (uint64_t)b->bitmap.p, bytes))
        return -EFAULT;
    if (b->nr_bits < 64)
        *mask &= (1ull << b->nr_bits) - 1;
    return 0;
}

/* The mask's bytes, then zeros to nr_bits (Xen's rule): in chunks, not a
 * byte per copy, as nr_bits (the caller's) may ask for 512 MiB. */
static int bitmap_write(const struct xenctl_bitmap *b, uint64_t mask)
{
    static const uint8_t zeros[256];
    size_t bytes = (b->nr_bits + 7) / 8, done, n;
    uint8_t head[sizeof(mask)];

    if (b->nr_bits < 64)
        mask &= (1ull << b->nr_bits) - 1;
    for (n = 0; n < sizeof(head); n++)
        head[n] = (uint8_t)(mask >> (8 * n));
    for (done = 0; done < bytes; done += n) {
        n = done < sizeof(head) ? MIN(bytes, sizeof(head)) - done
                                : MIN(bytes - done, sizeof(zeros));
        if (copy_to_guest((uint64_t)b->bitmap.p + done, done < sizeof(head) ? head + done : zeros,
                          n))
            return -EFAULT;
    }
    return 0;
}

static long domctl_vcpu_affinity(struct domain *d, struct xen_domctl *op)
{
    struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
    uint64_t online = cpu_online_map.bits, hard, soft;
    struct vcpu *v;
    int rc;

    if (a->vcpu >= d->max_vcpus)
        return -EINVAL;
    if (!(a->flags & (XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)))
        return -EINVAL;
    v = d->vcpus[a->vcpu];
    hard = v->affinity_hard;
    soft = v->affinity_soft;
    if (op->cmd == XEN_DOMCTL_setvcpuaffinity) {
        if ((a->flags & XEN_VCPUAFFINITY_HARD) && (rc = bitmap_read(&a->cpumap_hard, &hard)))
            return rc;
        if ((a->flags & XEN_VCPUAFFINITY_SOFT) && (rc = bitmap_read(&a->cpumap_soft, &soft)))
            return rc;
        rc = sched_set_affinity(v, hard, soft);
        if (rc)
            return rc;
        /* Out: the effective masks, as Xen answers a set. */
        hard &= online;
        soft &= hard;
    }
    if ((a->flags & XEN_VCPUAFFINITY_HARD) && (rc = bitmap_write(&a->cpumap_hard, hard)))
        return rc;
    if ((a->flags & XEN_VCPUAFFINITY_SOFT) && (rc = bitmap_write(&a->cpumap_soft, soft)))
        return rc;
    return 0;
}

static long domctl_vcpu_info(struct domain *d, struct xen_domctl_getvcpuinfo *g)
{
    const struct vcpu *v;

    if (g->vcpu >= d->max_vcpus)
        return -EINVAL;
    v = d->vcpus[g->vcpu];
    g->online = v->is_up;
    g->blocked = READ_ONCE(v->run_state) == VCPU_blocked;
    g->running = READ_ONCE(v->is_running);
    g->cpu_time = vcpu_cpu_time(v);
    g->cpu = v->processor;
    return 0;
}

/* Credit's weight and cap; 0 and ~0 leave them as they are, as in Xen. */
static long domctl_sched(struct domain *d, struct xen_domctl_scheduler_op *s)
{
    unsigned int weight = d->weight, cap = d->cap;

    if (s->sched_id != XEN_SCHEDULER_CREDIT || strcmp(sched_chosen_name(), "credit"))
        return -EINVAL;
    switch (s->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        s->u.credit.weight = (uint16_t)weight;
        s->u.credit.cap = (uint16_t)cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        if (s->u.credit.weight)
            weight = s->u.credit.weight;
        if (s->u.credit.cap != (uint16_t)~0u)
            cap = s->u.credit.cap;
        return sched_adjust(d, weight, cap);
    }
    return -EINVAL;
}

/*
 * XEN_DOMCTL_setvcpucontext and getvcpucontext, on a domain that is not
 * running (created or paused; getting also from a shut-down one). Setting
 * is VCPUOP_initialise from the toolstack's memory (copy_from_guest reads
 * the caller's), so a vCPU that has a context already answers -EEXIST
 * (Xen would reset it); VGCF_online brings it up at the next unpause.
 */
static long domctl_vcpu_context(struct domain *d, struct xen_domctl *op)
{
    struct xen_domctl_vcpucontext *vc = &op->u.vcpucontext;
    struct vcpu_guest_context *c;
    struct vcpu *v;
    long rc;

    if (vc->vcpu >= d->max_vcpus)
        return -EINVAL;
    v = d->vcpus[vc->vcpu];
    if (d->state == DOMSTATE_running || d->state >= DOMSTATE_dying ||
        (op->cmd == XEN_DOMCTL_setvcpucontext && d->state == DOMSTATE_shutdown))
        return -EBUSY;
    if (op->cmd == XEN_DOMCTL_setvcpucontext) {
        rc = arch_vcpu_initialise(v, (uint64_t)vc->ctxt.p);
        if (rc == 1)
            v->is_up = true;
        return rc < 0 ? rc : 0;
    }
    c = xmalloc(struct vcpu_guest_context);
    if (!c)
        return -ENOMEM;
    arch_vcpu_get_context(v, c);
    rc = copy_to_guest((uint64_t)vc->ctxt.p, c, sizeof(*c)) ? -EFAULT : 0;
    xfree(c);
    return rc;
}

/* Commands on an existing domain; *copy_back when op goes back out. */
static long domctl_on_domain(struct domain *d, struct xen_domctl *op, bool *copy_back)
{
    struct domain *self = current_vcpu()->domain;

    switch (op->cmd) {
    case XEN_DOMCTL_destroydomain:
        if (d == self)
            return -EINVAL;
        domain_kill(d);
        return 0;
    case XEN_DOMCTL_pausedomain:
        return d == self ? -EINVAL : domain_pause(d);
    case XEN_DOMCTL_unpausedomain:
        return domain_unpause(d);
    case XEN_DOMCTL_max_mem:
        /* As Xen: lowering it below what the domain has only stops it
         * from allocating more. */
        d->max_pages = op->u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        return 0;
    case XEN_DOMCTL_setvcpucontext:
    case XEN_DOMCTL_getvcpucontext:
        return d == self ? -EINVAL : domctl_vcpu_context(d, op);
    case XEN_DOMCTL_getvcpuinfo:
        *copy_back = true;
        return domctl_vcpu_info(d, &op->u.getvcpuinfo);
    case XEN_DOMCTL_setvcpuaffinity:
    case XEN_DOMCTL_getvcpuaffinity:
        return domctl_vcpu_affinity(d, op);
    case XEN_DOMCTL_scheduler_op:
        *copy_back = true;
        return domctl_sched(d, &op->u.scheduler_op);
    case XENOLITH_DOMCTL_console: {
        struct xenolith_domctl_console *c = (struct xenolith_domctl_console *)&op->u;

        long rc = c->attach ? console_input_attach(d) : 0;

        *copy_back = true;
        c->focus = console_input_focus();
        return rc;
    }
    case XENOLITH_DOMCTL_describe: {
        struct xenolith_domctl_describe *w = (struct xenolith_domctl_describe *)&op->u;

        *copy_back = true;
        memset(w, 0, sizeof(*w));
        strlcpy(w->name, d->name, sizeof(w->name));
        w->domid = d->domain_id;
        w->store_mfn = d->store_mfn;
        w->store_port = d->store_port;
        w->console_mfn = d->console_mfn;
        w->console_port = d->console_port;
        w->vcpus_online = d->vcpus_online ? d->vcpus_online : d->max_vcpus;
        return 0;
    }
    case XENOLITH_DOMCTL_build:
        *copy_back = true;
        return domctl_build(d, (struct xenolith_domctl_build *)&op->u);
    }
    return -ENOSYS;
}

long do_domctl(uint64_t arg)
{
    const struct domain *self = current_vcpu()->domain;
    static bool logged;
    struct xen_domctl op;
    struct domain_info info;
    struct domain *d;
    bool copy_back = false;
    long rc;

    /* Xen's order, as sysctl's: the argument read (-EFAULT), its version
     * (-EACCES), then the caller's privilege (-EPERM; Xen looks the domain
     * up first, which would tell a domU which ids exist: not here). */
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES; /* Xen's answer to a toolstack built for another version */
    /* A xenstore domain reads the domain list, as Xen's XSM lets it. */
    if (!self->is_privileged && (!self->is_xenstore || (op.cmd != XEN_DOMCTL_getdomaininfo &&
                                                        op.cmd != XENOLITH_DOMCTL_describe)))
        return -EPERM;
    if (op.cmd == XENOLITH_DOMCTL_describe && op.domain == DOMID_SELF)
        op.domain = self->domain_id; /* how a xenstore domain learns its id */
    switch (op.cmd) {
    case XEN_DOMCTL_getdomaininfo:
        rc = domain_get_info(op.domain, &info);
        if (rc)
            return rc;
        domctl_fill_getdomaininfo(&info, &op.u.getdomaininfo);
        op.domain = info.id;
        return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
    case XEN_DOMCTL_createdomain:
        rc = domctl_create(&op);
        if (!rc && copy_to_guest(arg, &op, sizeof(op)))
            rc = -EFAULT; /* the domain exists: the caller learns its id by listing */
        return rc;
    }
    d = domain_get(op.domain);
    if (!d)
        return -ESRCH;
    rc = domctl_on_domain(d, &op, &copy_back);
    domain_put(d);
    if (rc == -ENOSYS)
        return subop_unimplemented("domctl", op.cmd, &logged);
    if (copy_back && copy_to_guest(arg, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}
