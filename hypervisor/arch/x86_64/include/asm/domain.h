/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 PV part of a vCPU and a domain: the guest's registers while
 * it is not running, its two page-table bases (guest kernel and guest
 * user), its virtual IDT and callbacks, segment bases, FPU state.
 */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <xenolith/types.h>
#include <xen/xen.h>
#include <asm/regs.h>

#define NR_GUEST_GDT_FRAMES 14

struct pv_callback {
    uint64_t address; /* 0: not registered */
    bool mask_events; /* set the upcall mask on entry */
};

struct arch_vcpu {
    struct cpu_regs user_regs;      /* saved while the vCPU is not running */
    bool kernel_mode;               /* guest kernel, else guest user */
    unsigned long guest_table;      /* mfn of the kernel L4, 0 if none */
    unsigned long guest_table_user; /* mfn of the user L4, 0 if none */
    uint64_t kernel_sp;             /* stack for bounces from user mode */
    uint16_t kernel_ss;

    trap_info_t trap_table[256]; /* the guest's virtual IDT (address 0: none) */
    struct pv_callback event_cb, failsafe_cb, syscall_cb;

    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint16_t sel[4]; /* ds, es, fs, gs as the guest left them */
    bool fpu_ts;     /* virtual CR0.TS: next FPU use bounces #NM */
    bool fpu_initialised;
    uint8_t fpu_state[512] __attribute__((aligned(16))); /* FXSAVE image */
    uint64_t debugreg[8];
    unsigned int iopl; /* virtual IOPL set by physdev_op: 1 lets the kernel do port I/O */

    unsigned long gdt_frames[NR_GUEST_GDT_FRAMES];
    unsigned int gdt_ents;
    uint64_t ldt_base;
    unsigned int ldt_ents;
};

struct arch_domain {
    unsigned long vm_assist; /* VMASST_TYPE_* bits enabled */
};

#endif
