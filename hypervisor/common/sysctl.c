/* SPDX-License-Identifier: MIT */
/*
 * sysctl (hypercall 35): the control domain's operations on the host
 * (public/sysctl.h, interface version 0x15 for Xen 4.17): readconsole
 * (the log ring), physinfo, sched_id and getdomaininfolist; every other
 * command answers -ENOSYS, as Xen's x86 does for one it does not know.
 *
 * As Xen checks them: the argument is read first (-EFAULT), then the
 * interface version (-EACCES), then the caller's privilege (-EPERM).
 * Results are copied back only on success.
 */
#define __XEN_TOOLS__ 1 /* sysctl.h is the tools' interface */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/domctl.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/string.h>
#include <xenolith/sysctl.h>
#include <xenolith/time.h>
#include <xen/sysctl.h>
#include <asm/guest_access.h>

static int sysctl_readconsole(struct xen_sysctl_readconsole *rc)
{
    return console_read_ring((uint64_t)rc->buffer.p, &rc->count, &rc->index, rc->incremental,
                             rc->clear);
}

/* One node, no claims, no scrubbing; the rest from the machine. */
static void sysctl_physinfo(struct xen_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->nr_cpus = cpumask_weight(&cpu_online_map);
    pi->nr_nodes = 1;
    pi->max_node_id = 0; /* Xen says MAX_NUMNODES - 1 (63): the most it could hold */
    pi->cpu_khz = (uint32_t)cpu_khz();
    pi->free_pages = heap_free_frames();
    arch_physinfo(pi);
}

/*
 * Up to max_domains domains from first_domain on, in id order, each as
 * XEN_DOMCTL_getdomaininfo gives it, into the guest's array.
 */
static int sysctl_getdomaininfolist(struct xen_sysctl_getdomaininfolist *l)
{
    uint64_t buffer = (uint64_t)l->buffer.p;
    struct xen_domctl_getdomaininfo g;
    struct domain_info info;
    uint32_t n = 0;
    uint32_t from = l->first_domain;

    while (n < l->max_domains && from < DOMID_FIRST_RESERVED &&
           !domain_get_info((domid_t)from, &info)) {
        domctl_fill_getdomaininfo(&info, &g);
        if (copy_to_guest(buffer + (uint64_t)n * sizeof(g), &g, sizeof(g)))
            return -EFAULT;
        n++;
        from = info.id + 1u;
    }
    l->num_domains = n;
    return 0;
}

long do_sysctl(uint64_t arg)
{
    static bool logged;
    struct xen_sysctl op;
    int rc = 0;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -EACCES; /* a toolstack built for another version */
    if (!current_vcpu()->domain->is_privileged)
        return -EPERM;
    switch (op.cmd) {
    case XEN_SYSCTL_readconsole:
        rc = sysctl_readconsole(&op.u.readconsole);
        break;
    case XEN_SYSCTL_physinfo:
        sysctl_physinfo(&op.u.physinfo);
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = sched_id();
        break;
    case XEN_SYSCTL_getdomaininfolist:
        rc = sysctl_getdomaininfolist(&op.u.getdomaininfolist);
        break;
    default:
        return subop_unimplemented("sysctl", op.cmd, &logged);
    }
    if (rc)
        return rc;
    return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
}
