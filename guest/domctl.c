/* SPDX-License-Identifier: MIT */
/*
 * The control domain's domctl calls (public/domctl.h is the toolstack's
 * interface: only with __XEN_TOOLS__, which also makes the headers speak
 * the latest interface version, so it is kept to this file).
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/domctl.h>
#include <xenolith/errno.h>
#include <guest/hypercall.h>
#include <xen/domctl.h>

long domctl_domain_info(domid_t domid, struct domctl_info *out)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getdomaininfo,
                            .interface_version = XEN_DOMCTL_INTERFACE_VERSION,
                            .domain = domid};
    long rc = HYPERVISOR_domctl(&op);

    if (rc)
        return rc;
    if (op.domain != domid)
        return -ESRCH; /* the next one after it: not the one asked for */
    out->tot_pages = op.u.getdomaininfo.tot_pages;
    out->max_vcpu_id = op.u.getdomaininfo.max_vcpu_id;
    return 0;
}
