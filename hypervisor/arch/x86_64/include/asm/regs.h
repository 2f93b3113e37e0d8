/* SPDX-License-Identifier: MIT */
/*
 * The register frame entry.S builds; the order is Xen's struct
 * cpu_user_regs (public/arch-x86/xen-x86_64.h) so guest frames share it.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <xenolith/types.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* General register n as instructions encode it (0 rax ... 15 r15). */
static inline uint64_t *regs_gpr(struct cpu_regs *r, unsigned int n)
{
    uint64_t *const map[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                               &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                               &r->r12, &r->r13, &r->r14, &r->r15};

    return map[n & 15];
}

typedef void (*irq_handler_t)(struct cpu_regs *regs);

/* Routes an interrupt vector (>= 32) to a handler; the caller EOIs. */
void irq_set_handler(unsigned int vector, irq_handler_t fn);
void do_trap(struct cpu_regs *regs);
/* Prints the registers and a symbolized backtrace of a frame. */
void show_registers(const struct cpu_regs *regs);
void show_backtrace(uint64_t rip, uint64_t rbp);

#endif
