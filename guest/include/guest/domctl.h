/* SPDX-License-Identifier: MIT */
/* The control domain's view of other domains (guest/domctl.c). */
#ifndef GUEST_DOMCTL_H
#define GUEST_DOMCTL_H

#include <guest/xen.h>

struct domctl_info {
    unsigned long tot_pages;
    unsigned int max_vcpu_id;
};

/* XEN_DOMCTL_getdomaininfo of domain domid: 0, -ESRCH, or another -errno. */
long domctl_domain_info(domid_t domid, struct domctl_info *out);

#endif
