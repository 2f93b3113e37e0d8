/* SPDX-License-Identifier: MIT */
/* 64-bit PV guest support: entry/exit, mode switching, bounces. */
#ifndef ASM_PV_H
#define ASM_PV_H

#include <xenolith/types.h>
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/regs.h>

struct domain;
struct vcpu;

/* The current guest's registers: the frame below struct cpu_info. */
static inline struct cpu_regs *guest_cpu_regs(void)
{
    return (struct cpu_regs *)get_cpu_info() - 1;
}

/* Sets up this pCPU's SYSCALL entry (stub page and MSRs). */
int pv_cpu_init(unsigned int cpu);
void pv_toggle_guest_mode(struct vcpu *v);
/* Loads the page-table base for v's current mode. */
void pv_load_cr3(const struct vcpu *v);

void pv_syscall(struct cpu_regs *regs);
void pv_exit_to_guest(void);
void pv_handle_exception(struct cpu_regs *regs);
/* Ends the current vCPU's domain when the iretq back to it faults. */
void pv_iret_failed(void);

/*
 * Queues a bounce to the guest kernel: a frame on its stack (Xen's
 * layout: rcx and r11 on top of an iret frame, plus the error code for
 * faults that have one) and a jump to `handler`. Returns 0, or -EFAULT if
 * the guest's stack could not be written (the domain has been crashed).
 */
int pv_bounce(struct vcpu *v, uint64_t handler, bool mask_events, bool has_error_code,
              uint32_t error_code);
/* A bounce to the failsafe callback with the selectors that failed to load. */
void pv_failsafe(struct vcpu *v, const uint16_t sels[4]);
/* Bounces exception `vector` through the guest's trap table. */
void pv_inject_exception(struct vcpu *v, unsigned int vector, bool has_error_code,
                         uint32_t error_code);

/* For v (current or not yet running): GDT, debug register, base pointer. */
int pv_set_gdt(struct vcpu *v, const unsigned long *mfns, uint64_t entries);
/*
 * May an iret to ring 3 load sel into cs (code) or ss? Xen's flat ring-3
 * selectors, or a present code (writable data) segment of v's own GDT.
 */
bool pv_selector_usable(const struct vcpu *v, uint16_t sel, bool code);
int pv_set_debugreg(struct vcpu *v, uint64_t reg, uint64_t value);
int pv_new_baseptr(struct vcpu *v, unsigned long mfn, bool user);
/* VCPUOP_initialise: v's whole starting state from the guest's context. */
long pv_vcpu_initialise(struct vcpu *v, uint64_t ctxt);
struct vcpu_guest_context;
void pv_vcpu_get_context(const struct vcpu *v, struct vcpu_guest_context *c);

/* PV time: refresh v's vcpu_time_info; write d's wallclock. */
void pv_update_vcpu_time(struct vcpu *v);
void pv_set_wallclock(struct domain *d);

/* The current hypercall runs again when the vCPU next resumes (not
 * inside a multicall, whose earlier entries must not run twice). */
void pv_restart_hypercall(void);

/* Debug registers: load v's (NULL: none); record a #DB's DR6 for v. */
void pv_load_debugregs(const struct vcpu *v);
void pv_record_debug_trap(struct vcpu *v);

/* #UD: the forced-emulation prefix (ud2a "xen" cpuid); true if handled. */
bool pv_emulate_forced_op(struct cpu_regs *regs);
/* #GP(0): the privileged instructions Xen emulates for PV; true if handled. */
bool pv_emulate_privileged_op(struct cpu_regs *regs);
/* #PF: an iretq whose own stack reads were refused as supervisor accesses
 * (QEMU's TCG does them so, and SMAP objects); done here instead. */
bool pv_emulate_stack_return(struct cpu_regs *regs, uint64_t cr2);
/* CPUID as a PV guest sees it. */
void pv_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

extern void __attribute__((noreturn)) reset_stack_and_jump(void (*fn)(void));
extern void pv_ret_to_guest(void);

#endif
