/* SPDX-License-Identifier: MIT */
/*
 * Xenolith's own domctl commands, beside Xen 4.17's (public/domctl.h,
 * same interface version, same struct xen_domctl: these fit its union).
 * docs/domctl.md describes the whole interface.
 *
 * Where Xen's toolstack builds a PV domain itself (mapping the new
 * domain's memory from dom0), Xenolith's control domain hands the
 * hypervisor the kernel image and lets the one domain builder that also
 * builds boot domains lay it out.
 */
#ifndef PUBLIC_XENOLITH_DOMCTL_H
#define PUBLIC_XENOLITH_DOMCTL_H

#include <xen/xen.h>

/* Xenolith's commands: well above Xen's (its highest is 1003). */
#define XENOLITH_DOMCTL_build    0x7f00
#define XENOLITH_DOMCTL_console  0x7f01
#define XENOLITH_DOMCTL_describe 0x7f02

/*
 * XENOLITH_DOMCTL_build: lays out a domain made by XEN_DOMCTL_createdomain
 * and never built (-EBUSY otherwise) with nr_pages of memory, as Xen's
 * start-of-day layout, and readies vCPU 0; it stays paused. The image may
 * be an ELF or a bzImage (gzip/xz payloads), at most 64 MiB, the ramdisk
 * at most 256 MiB. With store_domid < DOMID_FIRST_RESERVED, the domain
 * gets a xenstore page (granted to store_domid with ref 1) and a port
 * unbound for it. -ENOMEM when memory is short, -ENOEXEC for a kernel
 * that is not a 64-bit PV one, -EFAULT for unreadable buffers.
 */
struct xenolith_domctl_build {
    uint64_aligned_t kernel, kernel_len;   /* IN: guest address and bytes */
    uint64_aligned_t ramdisk, ramdisk_len; /* IN: 0/0 for none */
    uint64_aligned_t cmdline;              /* IN: NUL-terminated, < 1024 bytes */
    uint64_aligned_t nr_pages;             /* IN: memory, <= the domain's max_pages */
    uint64_aligned_t store_mfn;            /* OUT */
    uint64_aligned_t console_mfn;          /* OUT */
    char name[32];                         /* IN: for the hypervisor's log */
    uint32_t store_domid;                  /* IN: xenstore's domain, or DOMID_INVALID */
    uint32_t store_port;                   /* OUT: 0 when no store */
    uint32_t console_port;                 /* OUT: the hypervisor's console ring */
    uint32_t vcpus_online;                 /* IN: xl.cfg's vcpus, for xenstore */
};

/*
 * XENOLITH_DOMCTL_console: with attach set, serial input goes to
 * `domain` (a domU with a console ring) until CTRL-] gives it back to the
 * control domain or the domain dies; without, nothing changes. OUT: the
 * domain that has the input now (DOMID_XEN: the hypervisor).
 */
struct xenolith_domctl_console {
    uint32_t attach; /* IN */
    uint32_t focus;  /* OUT */
};

/*
 * XENOLITH_DOMCTL_describe: what the hypervisor knows of a domain that a
 * toolstack would otherwise have recorded itself, for the boot domains
 * no toolstack built: its name, its rings and ports (0 when it has none),
 * and how many of its vCPUs its configuration wants online. Allowed to a
 * xenstore domain too (hypervisor option xenstored=domN), which asks
 * about DOMID_SELF to learn its own id.
 */
struct xenolith_domctl_describe {
    char name[64];                /* OUT */
    uint64_aligned_t store_mfn;   /* OUT */
    uint64_aligned_t console_mfn; /* OUT */
    uint32_t store_port;          /* OUT */
    uint32_t console_port;        /* OUT */
    uint32_t vcpus_online;        /* OUT: xl.cfg's vcpus */
    uint32_t domid;               /* OUT: its id (domain DOMID_SELF: the caller) */
};

#endif
