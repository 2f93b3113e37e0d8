/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt entry. Every vector has a 16-byte stub that
 * makes the frame uniform (a zero error code where the CPU pushes none,
 * the vector number beside it) and joins common_entry, which saves the
 * registers as struct cpu_regs and calls do_trap().
 */
#include <asm/asm_macros.h>
#include <asm/config.h>

        .text
        .balign 16
        .globl  entry_stubs
entry_stubs:
        .set    vec, 0
        .rept   256
        .balign 16
        .if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
        pushq   $0
        .endif
        movl    $vec, 4(%rsp)
        jmp     common_entry
        .set    vec, vec + 1
        .endr

common_entry:
        cld
        SAVE_GPRS
        mov     %rsp, %rdi
        call    do_trap
        testb   $3, 8 * 15 + 8 + 8(%rsp)  /* saved CS: back to a guest? */
        jnz     pv_ret_to_guest
        RESTORE_GPRS_FOR_IRET
        iretq
