/* SPDX-License-Identifier: MIT */
/*
 * The Xen guest ABI as this kernel sees it: Debian's libxen-dev public
 * headers (through the $(BUILD)/include/xen symlink), plus the few
 * constants they leave to the guest. The static asserts pin the layouts
 * this kernel relies on, so a header mismatch fails the build.
 */
#ifndef GUEST_XEN_H
#define GUEST_XEN_H

#include <xenolith/types.h>
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096UL
#define PAGE_MASK  (~(PAGE_SIZE - 1))

/* Where the kernel is linked (guest.lds); pfn 0 is mapped here. */
#define VIRT_BASE 0xffffffff80000000UL

/* x86 page-table entry bits. */
#define PTE_P         0x001UL
#define PTE_RW        0x002UL
#define PTE_US        0x004UL
#define PTE_PWT       0x008UL
#define PTE_PCD       0x010UL
#define PTE_A         0x020UL
#define PTE_D         0x040UL
#define PTE_PSE       0x080UL
#define PTE_G         0x100UL
#define PTE_NX        (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

/* Entry flags for tables we build: Xen forces USER on anyway (64-bit PV). */
#define PTE_TABLE (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define PTE_PAGE  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

/* The read-only machine-to-phys table Xen maps into every PV guest. */
#define M2P ((const unsigned long *)MACH2PHYS_VIRT_START)

_Static_assert(sizeof(start_info_t) == 1168, "start_info layout");
_Static_assert(__builtin_offsetof(start_info_t, cmd_line) == 128, "start_info.cmd_line");
_Static_assert(__builtin_offsetof(start_info_t, first_p2m_pfn) == 1152, "start_info.p2m");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info layout");
_Static_assert(__builtin_offsetof(struct vcpu_info, arch.cr2) == 16, "vcpu_info.arch.cr2");
_Static_assert(__builtin_offsetof(shared_info_t, evtchn_pending) == 2048, "shared_info");
_Static_assert(__builtin_offsetof(shared_info_t, arch) == 3088, "shared_info.arch");
_Static_assert(sizeof(trap_info_t) == 16, "trap_info layout");
_Static_assert(sizeof(multicall_entry_t) == 64, "multicall_entry layout");
_Static_assert(sizeof(mmu_update_t) == 16, "mmu_update layout");
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op layout");
_Static_assert(sizeof(struct iret_context) == 72, "iret_context layout");
_Static_assert(sizeof(struct callback_register) == 16, "callback_register layout");

#endif
