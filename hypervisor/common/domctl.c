/* SPDX-License-Identifier: MIT */
/*
 * domctl (hypercall 36): the control domain's operations on domains, the
 * interface Xen's toolstack is built on (public/domctl.h, interface
 * version 0x15 for Xen 4.17). XEN_DOMCTL_getdomaininfo so far; every
 * other command answers -ENOSYS.
 */
#define __XEN_TOOLS__ 1 /* domctl.h is the tools' interface */
#include <xenolith/domain.h>
#include <xenolith/domctl.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/string.h>
#include <xen/domctl.h>
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

long do_domctl(uint64_t arg)
{
    static bool logged;
    struct xen_domctl op;
    struct domain_info info;
    long rc;

    if (!current_vcpu()->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES; /* Xen's answer to a toolstack built for another version */
    switch (op.cmd) {
    case XEN_DOMCTL_getdomaininfo:
        rc = domain_get_info(op.domain, &info);
        if (rc)
            return rc;
        domctl_fill_getdomaininfo(&info, &op.u.getdomaininfo);
        op.domain = info.id;
        return copy_to_guest(arg, &op, sizeof(op)) ? -EFAULT : 0;
    }
    return subop_unimplemented("domctl", op.cmd, &logged);
}
