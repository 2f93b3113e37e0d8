/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's virtual memory layout. It lives in L4 slots 256-271,
 * the hole that Xen reserves on x86-64 (HYPERVISOR_VIRT_START/END in the
 * public headers), so PV guests may own every other slot; the addresses
 * are Xen 4.17's where the ABI exposes them.
 *
 *   0xffff800000000000  read-only M2P table, visible to guests (slot 256)
 *   0xffff828000000000  the same M2P, writable for the hypervisor
 *   0xffff82c000000000  ioremap area (1 GiB)
 *   0xffff82c040000000  per-CPU GDTs, 64 KiB each (guest frames 0-13, ours 14)
 *   0xffff82d040000000  hypervisor image (XEN_VIRT_START)
 *   0xffff82d0c0000000  per-CPU syscall entry stubs, one page each
 *   0xffff830000000000  direct map of all machine memory (slots 262-271)
 *   0xffff880000000000  end of the hypervisor's area
 */
#ifndef ASM_CONFIG_H
#define ASM_CONFIG_H

/* HYPERVISOR_VIRT_START/END, FLAT_RING3_*, FIRST_RESERVED_GDT_*: the ABI's. */
#ifndef __ASSEMBLY__
#include <xenolith/types.h>
#endif
#include <xen/xen.h>

#define RO_MPT_VIRT_START    0xffff800000000000
#define RDWR_MPT_VIRT_START  0xffff828000000000
#define IOREMAP_VIRT_START   0xffff82c000000000
#define IOREMAP_VIRT_END     0xffff82c040000000
#define GDT_VIRT_START       0xffff82c040000000
#define XEN_VIRT_START       0xffff82d040000000
#define STUBS_VIRT_START     0xffff82d0c0000000
#define DIRECTMAP_VIRT_START 0xffff830000000000
#define DIRECTMAP_VIRT_END   0xffff880000000000

/* Physical address the image is loaded at (by QEMU, GRUB or a boot loader). */
#define XEN_LOAD_PHYS 0x200000

#define NR_CPUS 64

/* sizeof(struct cpu_info), kept at the top of each stack block. */
#define CPU_INFO_SIZE 64

/*
 * Each CPU's stack block: STACK_SIZE bytes aligned to STACK_SIZE. The top
 * pages are the normal stack with struct cpu_info at the very top; the
 * bottom pages are the IST stacks for #DF, NMI and #MC. Any stack pointer
 * in the block therefore finds its CPU by masking.
 */
#define STACK_ORDER  3
#define STACK_SIZE   (4096 << STACK_ORDER)
#define IST_DF_PAGE  0
#define IST_NMI_PAGE 1
#define IST_MCE_PAGE 2

/* The hypervisor's own selectors, beside Xen's reserved ring-3 ones. */
#define GDT_PAGES     16
#define HYPERVISOR_CS 0xe008
#define HYPERVISOR_DS 0xe010
#define TSS_SELECTOR  0xe038
#define LDT_SELECTOR  0xe048

/* Interrupt vectors the hypervisor owns. */
#define VECTOR_SPURIOUS      0xff
#define VECTOR_TIMER         0xf0
#define VECTOR_CALL_FUNCTION 0xf1
#define VECTOR_EVENT_CHECK   0xf2

/* entry_vector of a frame built by the syscall entry (not a real vector). */
#define ENTRY_VECTOR_SYSCALL 0x100

/* Offsets in struct cpu_info and struct cpu_regs, for assembly. */
#define CPUINFO_syscall_scratch 16
#define UREGS_size              168

#endif
