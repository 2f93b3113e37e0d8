/* SPDX-License-Identifier: MIT */
/*
 * Hypercall entry, both ways Xen accepts from a 64-bit PV kernel.
 *
 * Xen's register convention: rax = number, arguments in rdi, rsi, rdx,
 * r10, r8; result in rax. The C convention of hypercall_raw(nr, a1..a5)
 * is rdi, rsi, rdx, rcx, r8, r9, so the arguments shift by one register.
 * `syscall` clobbers rcx and r11; like the stubs Xen writes into the
 * hypercall page (and like Linux 6.1's xen_hypercall_pv), the direct path
 * saves and restores them around it.
 */
#include <xen/xen.h>

    .text
    .globl hypercall_raw
    .type hypercall_raw, @function
hypercall_raw:
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    cmpl $0, hypercall_use_syscall(%rip)
    jne 1f
    /* Tail-call the stub: its `ret` returns straight to our caller. */
    shl $5, %rax
    lea hypercall_page(%rip), %r11
    add %rax, %r11
    jmp *%r11
1:  push %rcx
    push %r11
    syscall
    pop %r11
    pop %rcx
    ret
    .size hypercall_raw, . - hypercall_raw

/*
 * hypercall_iret: the HYPERVISOR_iret tail of every return path. Entered
 * with rsp at the iret flags word, followed by rip, cs, rflags, rsp, ss,
 * and with every register already restored. Pushes rcx, r11, rax (the
 * rest of struct iret_context) and enters Xen; it never returns here.
 * The cmpl only changes rflags, which the iret reloads from the frame.
 */
    .globl hypercall_iret
    .type hypercall_iret, @function
hypercall_iret:
    cmpl $0, hypercall_use_syscall(%rip)
    jne 1f
    jmp hypercall_page + __HYPERVISOR_iret * 32
1:  push %rcx
    push %r11
    push %rax
    mov $__HYPERVISOR_iret, %eax
    syscall
    ud2
    .size hypercall_iret, . - hypercall_iret
