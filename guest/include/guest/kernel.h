/* SPDX-License-Identifier: MIT */
/*
 * Boot-time state every subsystem may read: the start_info page Xen
 * handed over, the mapped shared_info, the parsed command line.
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <guest/smp.h>
#include <guest/xen.h>
#include <xenolith/compiler.h>

extern start_info_t *kernel_start_info;
extern shared_info_t *kernel_shared_info;
/* vCPU 0's vcpu_info: in shared_info until VCPUOP_register_vcpu_info moves
 * it to a page of ours (the time suite does); always read it through here. */
/* vCPU 0's vcpu_info (the suites run there), wherever it was registered. */
#define kernel_vcpu_info (smp_cpus[0].vcpu_info)

/* Command line (cmdline.c): "suite=a,b hypercall=page|syscall". */
#define CMDLINE_MAX_SUITES 16
struct cmdline {
    const char *suites[CMDLINE_MAX_SUITES];
    unsigned int nr_suites;
    bool hypercall_syscall;
    /* Words not understood; reported once the console works, then ignored
     * (Xen may append options of its own to dom0's line, e.g. acpi=). */
    const char *unknown[4];
    unsigned int nr_unknown;
};
extern struct cmdline kernel_cmdline;
void cmdline_parse(const char *line);

/* Ends the domain: poweroff when ok, crash otherwise. */
void kernel_shutdown(bool ok) __noreturn;

/* Non-local jumps (entry.S): callee-saved registers, rsp, rip. */
struct guest_jmp {
    unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
int guest_setjmp(struct guest_jmp *j) __attribute__((returns_twice));
void guest_longjmp(struct guest_jmp *j, int value) __noreturn;

#endif
