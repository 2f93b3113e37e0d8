/* SPDX-License-Identifier: MIT */
/*
 * The control domain's sysctl calls (public/sysctl.h is the toolstack's
 * interface: only with __XEN_TOOLS__, which also makes the headers speak
 * the latest interface version, so it is kept to this file).
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/sysctl.h>
#include <guest/hypercall.h>
#include <xen/sysctl.h>

static long sysctl_call(struct xen_sysctl *op, uint32_t cmd)
{
    op->cmd = cmd;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return HYPERVISOR_sysctl(op);
}

long sysctl_physinfo(struct sysctl_physinfo *out)
{
    struct xen_sysctl op = {0};
    const struct xen_sysctl_physinfo *pi = &op.u.physinfo;
    long rc = sysctl_call(&op, XEN_SYSCTL_physinfo);

    if (rc)
        return rc;
    *out = (struct sysctl_physinfo){
        .threads_per_core = pi->threads_per_core,
        .cores_per_socket = pi->cores_per_socket,
        .nr_cpus = pi->nr_cpus,
        .max_cpu_id = pi->max_cpu_id,
        .nr_nodes = pi->nr_nodes,
        .max_node_id = pi->max_node_id,
        .cpu_khz = pi->cpu_khz,
        .capabilities = pi->capabilities,
        .total_pages = pi->total_pages,
        .free_pages = pi->free_pages,
        .max_mfn = pi->max_mfn,
    };
    return 0;
}

long sysctl_readconsole(char *buf, unsigned int *len, bool clear, uint32_t *index, bool incremental)
{
    struct xen_sysctl op = {0};
    struct xen_sysctl_readconsole *rc = &op.u.readconsole;
    long ret;

    rc->clear = clear;
    rc->incremental = incremental;
    rc->index = *index;
    set_xen_guest_handle(rc->buffer, buf);
    rc->count = *len;
    ret = sysctl_call(&op, XEN_SYSCTL_readconsole);
    if (ret)
        return ret;
    *len = rc->count;
    *index = rc->index;
    return 0;
}

long sysctl_sched_id(unsigned int *id)
{
    struct xen_sysctl op = {0};
    long rc = sysctl_call(&op, XEN_SYSCTL_sched_id);

    if (!rc)
        *id = op.u.sched_id.sched_id;
    return rc;
}
