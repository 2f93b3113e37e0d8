/* SPDX-License-Identifier: MIT */
/* What domctl (common/domctl.c) shares with sysctl. */
#ifndef XENOLITH_DOMCTL_H
#define XENOLITH_DOMCTL_H

struct domain_info;
struct xen_domctl_getdomaininfo;

/* A domain's state as XEN_DOMCTL_getdomaininfo (and the sysctl's list) give it. */
void domctl_fill_getdomaininfo(const struct domain_info *i, struct xen_domctl_getdomaininfo *g);

#endif
