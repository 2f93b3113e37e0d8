/* SPDX-License-Identifier: MIT */
/*
 * Suite "basic", its domctl case. public/domctl.h is the toolstack's
 * interface: only with __XEN_TOOLS__, which also makes the headers speak
 * the latest interface version, so it is kept to this file.
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/test.h>
#include <xen/domctl.h>
#include <xenolith/errno.h>
#include "basic_tools.h"

/*
 * XEN_DOMCTL_getdomaininfo, the toolstack's view of a domain: our own (we
 * run, one vCPU up, our shared_info); none from the highest id on;
 * another interface version or an unknown command is refused.
 */
void basic_getdomaininfo(void)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getdomaininfo,
                            .interface_version = XEN_DOMCTL_INTERFACE_VERSION};
    const struct xen_domctl_getdomaininfo *g = &op.u.getdomaininfo;
    const uint32_t state = XEN_DOMINF_dying | XEN_DOMINF_hvm_guest | XEN_DOMINF_shutdown |
                           XEN_DOMINF_paused | XEN_DOMINF_blocked | XEN_DOMINF_running;

    CHECK_EQ(HYPERVISOR_domctl(&op), 0);
    test_info("flags %#x tot_pages %lu max_pages %lu cpu_time %lu", g->flags,
              (unsigned long)g->tot_pages, (unsigned long)g->max_pages, (unsigned long)g->cpu_time);
    CHECK_EQ(op.domain, 0);
    CHECK_EQ(g->domain, 0);
    CHECK_EQ(g->flags & state, XEN_DOMINF_running);
    CHECK_EQ(g->flags >> XEN_DOMINF_shutdownshift, 0xffff); /* no shutdown code yet */
    CHECK_EQ(g->nr_online_vcpus, 1);
    CHECK_EQ(g->max_vcpu_id, 0);
    CHECK_EQ(g->shared_info_frame, kernel_start_info->shared_info >> PAGE_SHIFT);
    CHECK(g->tot_pages >= kernel_start_info->nr_pages);
    CHECK(g->cpu_time > 0);
    op.domain = DOMID_FIRST_RESERVED - 1; /* none that high: the walk finds nothing */
    CHECK_EQ(HYPERVISOR_domctl(&op), -ESRCH);
    op.domain = 0;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
    CHECK_EQ(HYPERVISOR_domctl(&op), -EACCES);
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.cmd = 999;
    CHECK_EQ(HYPERVISOR_domctl(&op), -ENOSYS);
}
