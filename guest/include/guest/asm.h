/* SPDX-License-Identifier: MIT */
/*
 * Numbers shared by the assembly entry code and C: the pseudo-vectors
 * that mark entries Xen makes which are not exceptions, and the stack
 * sizes. Kept free of C so entry.S can include it.
 */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

/* Pseudo-vectors in struct trap_regs.vector for non-exception entries. */
#define VEC_SYSCALL  0x100 /* `syscall` from user mode, bounced by Xen */
#define VEC_EVENT    0x101 /* event-channel upcall */
#define VEC_FAILSAFE 0x102 /* Xen could not load our segment registers */

#define KERNEL_STACK_SIZE (16 * 1024)

/* System calls per run of the bench suite's user program (bench_user.S). */
#define BENCH_USER_ITERS 10000

#endif
