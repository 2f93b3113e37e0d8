/* SPDX-License-Identifier: MIT */
/* The domctl hypercall's pieces (common/domctl*.c), and what sysctl shares. */
#ifndef XENOLITH_DOMCTL_H
#define XENOLITH_DOMCTL_H

struct domain;
struct domain_info;
struct xen_domctl_getdomaininfo;
struct xenolith_domctl_build;

/* A domain's state as XEN_DOMCTL_getdomaininfo (and the sysctl's list) give it. */
void domctl_fill_getdomaininfo(const struct domain_info *i, struct xen_domctl_getdomaininfo *g);
/* XENOLITH_DOMCTL_build of d (domctl_build.c). */
long domctl_build(struct domain *d, struct xenolith_domctl_build *b);

#endif
