/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU identity from the stack: each CPU's stack block is STACK_SIZE
 * aligned with struct cpu_info at its top, so masking RSP finds it with
 * no segment register (guests own GS).
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <xenolith/types.h>
#include <asm/config.h>

struct vcpu;

struct cpu_info {
    unsigned int processor_id;
    unsigned int apic_id;
    struct vcpu *current_vcpu;
    uint64_t syscall_scratch; /* guest %rax while the syscall stub runs */
    uint64_t spare[5];
};
_Static_assert(sizeof(struct cpu_info) == CPU_INFO_SIZE, "cpu_info size");

static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - CPU_INFO_SIZE);
}

#endif
