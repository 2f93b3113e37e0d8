/* SPDX-License-Identifier: MIT */
/*
 * sysctl (common/sysctl.c) and what it asks of others. public/sysctl.h is
 * a tools-only header: the structures are only named here.
 */
#ifndef XENOLITH_SYSCTL_H
#define XENOLITH_SYSCTL_H

#include <xenolith/types.h>

struct xen_sysctl_physinfo;

/* Arch: the machine's part of XEN_SYSCTL_physinfo (topology, memory
 * bounds, CPU feature words, capability flags). */
void arch_physinfo(struct xen_sysctl_physinfo *pi);

#endif
