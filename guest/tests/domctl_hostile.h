/* SPDX-License-Identifier: MIT */
/*
 * Suite "domctl_hostile" (domctl_hostile.c, its build cases in
 * domctl_hostile_build.c): what both files share. Include after
 * <xen/domctl.h> with __XEN_TOOLS__ defined.
 */
#ifndef GUEST_TESTS_DOMCTL_HOSTILE_H
#define GUEST_TESTS_DOMCTL_HOSTILE_H

#include <guest/domctl.h>
#include <public/xenolith_domctl.h>

#define HV_VA       0xffff830000000000UL /* Xen's direct map */
#define UNMAPPED_VA 0xffff950000000000UL /* L4 slot 298: never mapped */
#define BOOT_DOMU   1                    /* the preserved boot domU */
#define NR_PAGES    2048                 /* 8 MiB: enough for the guest kernel */

/* domctl cmd on domid with op's arguments, this interface version. */
long dctl_call(uint32_t cmd, domid_t domid, struct xen_domctl *op);
/* A fresh domain with max_mem for NR_PAGES, destroyed by the last case;
 * 0 when none could be made. */
domid_t dctl_make_domain(unsigned int max_vcpus);
/* Two pages, the second unmapped: the first's address (NULL: failed);
 * dctl_hole_close maps it back and frees both. */
char *dctl_hole_open(unsigned long *pfn);
void dctl_hole_close(unsigned long pfn);
/* Polls getdomaininfo of id until done says so, at most 10 s. */
bool dctl_wait(domid_t id, bool (*done)(long rc, const struct domctl_info *i));
bool dctl_is_gone(long rc, const struct domctl_info *i);

/* domctl_hostile_build.c */
long dctl_build(domid_t id, const struct xenolith_domctl_build *a);
const void *dctl_kernel(size_t *len); /* boot/xenolith-guest in the ramdisk */
void dctl_build_pointers(void);
void dctl_build_sizes(void);
void dctl_build_cmdline(void);
void dctl_build_garbage(void);
void dctl_build_twice(void);
void dctl_build_bzimage(void);
void dctl_build_nomem(void);
void dctl_dying(void);

#endif
