/* SPDX-License-Identifier: MIT */
/*
 * Guest entry and exit for 64-bit PV.
 *
 * Every guest frame lives at the same place: just below struct cpu_info
 * at the top of the pCPU's stack (TSS.rsp0 points there, and the syscall
 * stub loads it). A context switch swaps that frame's contents, so the
 * exit path always restores "the current vCPU" from one fixed frame.
 */
#include <asm/asm_macros.h>
#include <asm/config.h>

        .text
/*
 * From a per-CPU stub (domain.c: pv_write_syscall_stub): %rsp = this
 * pCPU's cpu_info, %rax = guest %rsp, guest %rax in cpu_info's scratch,
 * %rcx/%r11 = guest %rip/%rflags as SYSCALL leaves them; IF is clear.
 */
        .globl  pv_syscall_entry
pv_syscall_entry:
        pushq   $FLAT_RING3_SS64        /* ss */
        pushq   %rax                    /* rsp */
        pushq   %r11                    /* rflags */
        pushq   $FLAT_RING3_CS64        /* cs */
        pushq   %rcx                    /* rip */
        subq    $8, %rsp
        movl    $0, (%rsp)              /* error code */
        movl    $ENTRY_VECTOR_SYSCALL, 4(%rsp)
        movq    (6 * 8 + CPUINFO_syscall_scratch)(%rsp), %rax
        cld
        SAVE_GPRS
        xor     %ebp, %ebp              /* the backtrace ends here */
        mov     %rsp, %rdi
        call    pv_syscall
        /* fall through */

/* %rsp = the guest frame; interrupts in any state. */
        .globl  pv_ret_to_guest
pv_ret_to_guest:
        cli
        call    pv_exit_to_guest        /* softirqs, pending bounces; may switch vCPU */
        RESTORE_GPRS_FOR_IRET
1:      iretq

/*
 * That iretq faulted: a selector in the frame was checked when it came
 * in, but another vCPU of the domain has since rewritten its descriptor.
 * The fault's fixup lands here in ring 0, the guest frame on top of the
 * stack again and the guest's registers loaded: save them back where
 * they were and end the domain (which switches this pCPU away).
 */
pv_iret_faulted:
        subq    $8, %rsp                /* the error code/vector slot */
        SAVE_GPRS
        call    pv_iret_failed
        jmp     pv_ret_to_guest

        .section .ex_table, "a"
        .balign 8
        .quad   1b, pv_iret_faulted
        .previous

/* reset_stack_and_jump(fn): drop the hypervisor stack, continue in fn. */
        .globl  reset_stack_and_jump
reset_stack_and_jump:
        mov     %rsp, %rax
        or      $(STACK_SIZE - 1), %rax
        sub     $(CPU_INFO_SIZE + UREGS_size - 1), %rax
        mov     %rax, %rsp
        xor     %ebp, %ebp
        jmp     *%rdi
