/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs. They live in their own page-aligned section
 * (.user.text, see guest.lds), which user.c maps at USER_TEXT_VA in the
 * user page tables only; so they are position-independent and reach
 * their data rip-relative. System calls: rax = number, rdi/rsi = args.
 */
#include <guest/asm.h>

#define SYS_WRITE  1
#define SYS_EXIT   2
#define SYS_GETPID 3

    .section .user.text, "ax"

/* Writes a greeting, checks getpid and that rbx survives a syscall, exits 42. */
    .globl user_prog_hello
user_prog_hello:
    mov $0x1234abcd, %rbx
    lea hello_msg(%rip), %rdi
    mov $hello_len, %rsi
    mov $SYS_WRITE, %eax
    syscall
    cmp $hello_len, %rax
    jne 1f
    mov $SYS_GETPID, %eax
    syscall
    cmp $1, %rax
    jne 2f
    cmp $0x1234abcd, %rbx
    jne 3f
    mov $42, %edi
    jmp 9f
1:  mov $1, %edi
    jmp 9f
2:  mov $2, %edi
    jmp 9f
3:  mov $3, %edi
9:  mov $SYS_EXIT, %eax
    syscall
    ud2

hello_msg:
    .ascii "hello from user mode\n"
    .set hello_len, . - hello_msg

/* A privileged instruction in user mode: must bounce #GP to the kernel. */
    .globl user_prog_cli
user_prog_cli:
    cli
    mov $SYS_EXIT, %eax
    xor %edi, %edi
    syscall

/* Reads the kernel image, which the user page tables do not map: #PF. */
    .globl user_prog_peek_kernel
user_prog_peek_kernel:
    movabs $0xffffffff80000000, %rax
    mov (%rax), %rax
    mov $SYS_EXIT, %eax
    xor %edi, %edi
    syscall

/* Passes a kernel pointer to write(): the kernel must refuse it (-EFAULT). */
    .globl user_prog_bad_pointer
user_prog_bad_pointer:
    movabs $0xffffffff80000000, %rdi
    mov $16, %esi
    mov $SYS_WRITE, %eax
    syscall
    mov %rax, %rdi
    neg %rdi
    mov $SYS_EXIT, %eax
    syscall

/* The 32-bit PV hypercall gate, tried from 64-bit user mode. */
    .globl user_prog_int82
user_prog_int82:
    mov $17, %eax           /* __HYPERVISOR_xen_version */
    xor %edi, %edi
    int $0x82
    mov $SYS_EXIT, %eax
    xor %edi, %edi
    syscall
