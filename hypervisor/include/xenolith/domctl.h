/* SPDX-License-Identifier: MIT */
/* The domctl hypercall's pieces (common/domctl*.c). */
#ifndef XENOLITH_DOMCTL_H
#define XENOLITH_DOMCTL_H

#include <xenolith/domain.h>

struct xen_domctl_getdomaininfo;
struct xenolith_domctl_build;

/* XEN_DOMCTL_getdomaininfo's record of a domain (sysctl's list too). */
void fill_getdomaininfo(const struct domain_info *i, struct xen_domctl_getdomaininfo *g);
/* XENOLITH_DOMCTL_build of d (domctl_build.c). */
long domctl_build(struct domain *d, struct xenolith_domctl_build *b);

#endif
