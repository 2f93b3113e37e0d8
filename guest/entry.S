/* SPDX-License-Identifier: MIT */
/*
 * Entry points Xen jumps to: the boot entry, exception handlers, the
 * syscall/event/failsafe callbacks; plus the register-level helpers C
 * cannot express (non-local jumps, stack switches, entering user mode).
 *
 * Xen's 64-bit PV bounce frame, top of stack first: rcx, r11, [error
 * code], rip, cs, rflags, rsp, ss. Every entry pops rcx/r11 back into
 * their registers and pushes a (vector, error) pair, so that trap_common
 * builds one struct trap_regs layout for all of them. The way out is the
 * iret hypercall, with the error slot reused as its flags word.
 */
#include <guest/asm.h>
#include <xen/xen.h>

    .section .text.entry, "ax"
    .globl _start
_start:
    /* rsi = start_info; rsp = Xen's one-page boot stack. Move to ours. */
    cld
    lea boot_stack + KERNEL_STACK_SIZE(%rip), %rsp
    mov %rsi, %rdi
    call kernel_main
    ud2

    .text
.macro TRAP_NOERR vec
    .globl trap_entry_\vec
trap_entry_\vec:
    pop %rcx
    pop %r11
    push $0
    push $\vec
    jmp trap_common
.endm

.macro TRAP_ERR vec
    .globl trap_entry_\vec
trap_entry_\vec:
    pop %rcx
    pop %r11
    push $\vec
    jmp trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19

    /* Xen's syscall bounce from user mode: rcx = user rip, r11 = rflags. */
    .globl syscall_entry
syscall_entry:
    pop %rcx
    pop %r11
    push $0
    push $VEC_SYSCALL
    jmp trap_common

    .globl event_entry
event_entry:
    pop %rcx
    pop %r11
    push $0
    push $VEC_EVENT
    jmp trap_common

    /* The failsafe frame also carries ds, es, fs, gs below rip. */
    .globl failsafe_entry
failsafe_entry:
    pop %rcx
    pop %r11
    add $32, %rsp
    push $0
    push $VEC_FAILSAFE
    jmp trap_common

trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    mov %rsp, %rbx
    and $-16, %rsp
    call trap_dispatch
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $8, %rsp            /* drop the vector: rsp is at the iret flags */
    jmp hypercall_iret

/* int guest_setjmp(struct guest_jmp *j); void guest_longjmp(j, int v) */
    .globl guest_setjmp
guest_setjmp:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rdx
    mov %rdx, 48(%rdi)
    mov (%rsp), %rdx
    mov %rdx, 56(%rdi)
    xor %eax, %eax
    ret

    .globl guest_longjmp
guest_longjmp:
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    mov %esi, %eax
    test %eax, %eax
    jnz 1f
    inc %eax
1:  jmp *56(%rdi)

/*
 * void sched_switch_stack(unsigned long *save_sp, unsigned long new_sp):
 * saves the callee-saved registers on this stack, stores its pointer and
 * resumes the context saved on the other one.
 */
    .globl sched_switch_stack
sched_switch_stack:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    /* First "return" of a new thread lands here (see sched_thread_create). */
    .globl sched_thread_start
sched_thread_start:
    and $-16, %rsp
    call sched_thread_main
    ud2

/*
 * void user_enter(unsigned long rip, unsigned long rsp): leave for user
 * mode through the iret hypercall. CS has RPL 3, which tells Xen to
 * switch to the user page tables (NEW_USER_BASEPTR). No kernel register
 * value leaks into user mode.
 */
    .globl user_enter
user_enter:
    push $FLAT_USER_SS
    push %rsi
    push $0x2               /* rflags: IF clear keeps events masked */
    push $FLAT_USER_CS
    push %rdi
    push $0                 /* iret flags: a full (not syscall) return */
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    jmp hypercall_iret

    .bss
    .balign 16
    .globl boot_stack
boot_stack:
    .skip KERNEL_STACK_SIZE
