/* SPDX-License-Identifier: MIT */
/*
 * Assembly helpers shared by the entry paths: saving and restoring the
 * general registers in struct cpu_regs order (r15 lowest).
 */
#ifndef ASM_ASM_MACROS_H
#define ASM_ASM_MACROS_H

#ifdef __ASSEMBLY__
/* clang-format off */
.macro SAVE_GPRS
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
.endm

/* Restores them and drops the error code/vector slot: ready for iretq. */
.macro RESTORE_GPRS_FOR_IRET
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        add     $8, %rsp
.endm
/* clang-format on */
#endif

#endif
