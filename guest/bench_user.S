/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs for the "bench" suite (tests/bench.c): the same
 * loop of getpid system calls, BENCH_USER_ITERS times or not at all, so
 * that the difference between the two runs is the syscall round trips
 * alone (ring 3 -> hypervisor -> guest kernel callback -> iret -> ring 3).
 */
#include <guest/asm.h>

#define SYS_EXIT   2
#define SYS_GETPID 3

    .section .user.text, "ax"

    .globl user_prog_bench_getpid
user_prog_bench_getpid:
    mov $BENCH_USER_ITERS, %ebx
    jmp 1f

    .globl user_prog_bench_empty
user_prog_bench_empty:
    xor %ebx, %ebx
    jmp 1f
1:  test %ebx, %ebx
    jz 2f
    mov $SYS_GETPID, %eax
    syscall
    dec %ebx
    jmp 1b
2:  xor %edi, %edi
    mov $SYS_EXIT, %eax
    syscall
    ud2
