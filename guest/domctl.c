/* SPDX-License-Identifier: MIT */
/*
 * The control domain's domctl calls (public/domctl.h is the toolstack's
 * interface: only with __XEN_TOOLS__, which also makes the headers speak
 * the latest interface version, so it is kept to this file).
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/domctl.h>
#include <guest/hypercall.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include <xen/domctl.h>
#include <public/xenolith_domctl.h>

static long domctl(uint32_t cmd, domid_t domid, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = domid;
    return HYPERVISOR_domctl(op);
}

long domctl_domain_info_from(domid_t from, struct domctl_info *out)
{
    struct xen_domctl op = {0};
    const struct xen_domctl_getdomaininfo *g = &op.u.getdomaininfo;
    long rc = domctl(XEN_DOMCTL_getdomaininfo, from, &op);

    if (rc)
        return rc;
    *out = (struct domctl_info){
        .domid = op.domain,
        .dying = g->flags & XEN_DOMINF_dying,
        .shutdown = g->flags & XEN_DOMINF_shutdown,
        .paused = g->flags & XEN_DOMINF_paused,
        .blocked = g->flags & XEN_DOMINF_blocked,
        .running = g->flags & XEN_DOMINF_running,
        .shutdown_reason = (g->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
        .tot_pages = g->tot_pages,
        .max_pages = g->max_pages,
        .nr_online_vcpus = g->nr_online_vcpus,
        .max_vcpu_id = g->max_vcpu_id,
        .cpu_time = g->cpu_time,
    };
    return 0;
}

long domctl_domain_info(domid_t domid, struct domctl_info *out)
{
    long rc = domctl_domain_info_from(domid, out);

    if (rc)
        return rc;
    return out->domid == domid ? 0 : -ESRCH; /* the next one after it */
}

long domctl_create(unsigned int max_vcpus, domid_t *domid)
{
    struct xen_domctl op = {0};
    long rc;

    op.u.createdomain.max_vcpus = max_vcpus;
    op.u.createdomain.max_grant_frames = -1;
    op.u.createdomain.max_maptrack_frames = -1;
    rc = domctl(XEN_DOMCTL_createdomain, 0, &op);
    if (!rc)
        *domid = op.domain;
    return rc;
}

long domctl_destroy(domid_t domid)
{
    struct xen_domctl op = {0};

    return domctl(XEN_DOMCTL_destroydomain, domid, &op);
}

long domctl_pause(domid_t domid)
{
    struct xen_domctl op = {0};

    return domctl(XEN_DOMCTL_pausedomain, domid, &op);
}

long domctl_unpause(domid_t domid)
{
    struct xen_domctl op = {0};

    return domctl(XEN_DOMCTL_unpausedomain, domid, &op);
}

long domctl_max_mem(domid_t domid, uint64_t kib)
{
    struct xen_domctl op = {0};

    op.u.max_mem.max_memkb = kib;
    return domctl(XEN_DOMCTL_max_mem, domid, &op);
}

long domctl_vcpu_info(domid_t domid, unsigned int vcpu, struct domctl_vcpu *out)
{
    struct xen_domctl op = {0};
    long rc;

    op.u.getvcpuinfo.vcpu = vcpu;
    rc = domctl(XEN_DOMCTL_getvcpuinfo, domid, &op);
    if (rc)
        return rc;
    *out = (struct domctl_vcpu){
        .online = op.u.getvcpuinfo.online,
        .blocked = op.u.getvcpuinfo.blocked,
        .running = op.u.getvcpuinfo.running,
        .cpu = op.u.getvcpuinfo.cpu,
        .cpu_time = op.u.getvcpuinfo.cpu_time,
    };
    return 0;
}

static long domctl_affinity(uint32_t cmd, domid_t domid, unsigned int vcpu, uint64_t *hard,
                            uint64_t *soft)
{
    struct xen_domctl op = {0};

    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT;
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_hard.bitmap, (uint8_t *)hard);
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_soft.bitmap, (uint8_t *)soft);
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    op.u.vcpuaffinity.cpumap_soft.nr_bits = 64;
    return domctl(cmd, domid, &op);
}

long domctl_get_affinity(domid_t domid, unsigned int vcpu, uint64_t *hard, uint64_t *soft)
{
    return domctl_affinity(XEN_DOMCTL_getvcpuaffinity, domid, vcpu, hard, soft);
}

long domctl_set_affinity(domid_t domid, unsigned int vcpu, uint64_t hard, uint64_t soft)
{
    return domctl_affinity(XEN_DOMCTL_setvcpuaffinity, domid, vcpu, &hard, &soft);
}

long domctl_sched_op(domid_t domid, uint32_t sched_id, uint32_t cmd, unsigned int *weight,
                     unsigned int *cap)
{
    struct xen_domctl op = {0};
    long rc;

    op.u.scheduler_op.sched_id = sched_id;
    op.u.scheduler_op.cmd = cmd;
    op.u.scheduler_op.u.credit.weight = (uint16_t)*weight;
    op.u.scheduler_op.u.credit.cap = (uint16_t)*cap;
    rc = domctl(XEN_DOMCTL_scheduler_op, domid, &op);
    if (!rc) {
        *weight = op.u.scheduler_op.u.credit.weight;
        *cap = op.u.scheduler_op.u.credit.cap;
    }
    return rc;
}

long domctl_sched_credit_get(domid_t domid, unsigned int *weight, unsigned int *cap)
{
    *weight = *cap = 0;
    return domctl_sched_op(domid, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_getinfo, weight, cap);
}

long domctl_sched_credit_set(domid_t domid, unsigned int weight, unsigned int cap)
{
    return domctl_sched_op(domid, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo, &weight, &cap);
}

long domctl_build(domid_t domid, const struct domctl_build_args *a, struct domctl_built *out)
{
    struct xen_domctl op = {0};
    struct xenolith_domctl_build *b = (struct xenolith_domctl_build *)&op.u;
    long rc;

    _Static_assert(sizeof(*b) <= sizeof(op.u), "fits domctl's union");
    b->kernel = (unsigned long)a->kernel;
    b->kernel_len = a->kernel_len;
    b->ramdisk = (unsigned long)a->ramdisk;
    b->ramdisk_len = a->ramdisk ? a->ramdisk_len : 0;
    b->cmdline = (unsigned long)a->cmdline;
    b->nr_pages = a->nr_pages;
    b->vcpus_online = a->vcpus_online;
    b->store_domid = a->store_domid;
    strlcpy(b->name, a->name ? a->name : "", sizeof(b->name));
    rc = domctl(XENOLITH_DOMCTL_build, domid, &op);
    if (!rc)
        *out = (struct domctl_built){b->store_mfn, b->console_mfn, b->store_port, b->console_port};
    return rc;
}

long domctl_describe(domid_t domid, struct domctl_description *out)
{
    struct xen_domctl op = {0};
    struct xenolith_domctl_describe *w = (struct xenolith_domctl_describe *)&op.u;
    long rc;

    _Static_assert(sizeof(*w) <= sizeof(op.u), "fits domctl's union");
    rc = domctl(XENOLITH_DOMCTL_describe, domid, &op);
    if (rc)
        return rc;
    strlcpy(out->name, w->name, sizeof(out->name));
    out->store_mfn = w->store_mfn;
    out->console_mfn = w->console_mfn;
    out->store_port = w->store_port;
    out->console_port = w->console_port;
    out->vcpus_online = w->vcpus_online;
    out->domid = (domid_t)w->domid;
    return 0;
}

long domctl_console(domid_t domid, bool attach, domid_t *focus)
{
    struct xen_domctl op = {0};
    struct xenolith_domctl_console *c = (struct xenolith_domctl_console *)&op.u;
    long rc;

    c->attach = attach;
    rc = domctl(XENOLITH_DOMCTL_console, domid, &op);
    if (focus)
        *focus = (domid_t)c->focus;
    return rc;
}

static long domctl_vcpu_context(uint32_t cmd, domid_t domid, unsigned int vcpu,
                                struct vcpu_guest_context *c)
{
    struct xen_domctl op = {0};

    op.u.vcpucontext.vcpu = vcpu;
    set_xen_guest_handle(op.u.vcpucontext.ctxt, c);
    return domctl(cmd, domid, &op);
}

long domctl_get_vcpu_context(domid_t domid, unsigned int vcpu, struct vcpu_guest_context *c)
{
    return domctl_vcpu_context(XEN_DOMCTL_getvcpucontext, domid, vcpu, c);
}

long domctl_set_vcpu_context(domid_t domid, unsigned int vcpu, struct vcpu_guest_context *c)
{
    return domctl_vcpu_context(XEN_DOMCTL_setvcpucontext, domid, vcpu, c);
}
