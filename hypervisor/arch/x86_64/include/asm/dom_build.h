/* SPDX-License-Identifier: MIT */
#ifndef ASM_DOM_BUILD_H
#define ASM_DOM_BUILD_H

#include <xenolith/types.h>

struct domain;

struct pv_build_params {
    const void *kernel;
    size_t kernel_size;
    const void *ramdisk; /* NULL: none */
    size_t ramdisk_size;
    const char *cmdline;
    unsigned long nr_pages; /* the domain's memory */
    int store_domid;        /* the domain serving its xenstore ring, or -1: none */
};

/* What a toolstack needs to know of a domain it built. */
struct pv_build_result {
    unsigned long store_mfn, console_mfn;
    unsigned int store_port;   /* 0: no store */
    unsigned int console_port; /* 0: no ring (the control domain) */
};

/*
 * Lays out a 64-bit PV guest as Xen's builder does (public/xen.h,
 * "start-of-day memory layout") and readies vCPU 0 to enter it; once per
 * domain. 0 or -errno (-ENOEXEC: not a PV kernel; -ENOMEM; -EINVAL;
 * -EBUSY: built already). res may be NULL.
 */
int pv_build_domain(struct domain *d, const struct pv_build_params *p, struct pv_build_result *res);

#endif
