/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs. A program runs in ring 3 on its own L4
 * (NEW_USER_BASEPTR), entered through HYPERVISOR_iret; its `syscall`s are
 * bounced by Xen to our syscall callback on the kernel page tables, and
 * its exit (or a fault) brings control back to the user_run() caller.
 *
 * System calls: rax = number, rdi/rsi = arguments, result in rax.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include <guest/traps.h>

#define USER_SYS_WRITE  1 /* (buf, len) -> len, or -EFAULT */
#define USER_SYS_EXIT   2 /* (code), does not return */
#define USER_SYS_GETPID 3 /* () -> 1 */

/* The address where programs are mapped, and the top of their stack. */
#define USER_TEXT_VA  0x400000UL
#define USER_STACK_VA 0x800000UL

struct user_result {
    bool exited;
    long exit_code;
    bool faulted;
    unsigned long vector, error, rip, cr2, cs;
    unsigned long nr_syscalls;
    unsigned long syscall_cs, syscall_ss; /* as Xen's syscall frame showed them */
    char output[128];
    unsigned long output_len;
};

/*
 * Runs the program at `entry` (a symbol in the .user.text section) in user
 * mode until it exits or faults. Returns 0, or a negative errno when the
 * user address space could not be built.
 */
long user_run(const void *entry, struct user_result *res);

void user_syscall(struct trap_regs *r);
void user_fault(struct trap_regs *r, unsigned long error, unsigned long cr2);

#endif
