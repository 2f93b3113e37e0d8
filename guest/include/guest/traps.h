/* SPDX-License-Identifier: MIT */
/*
 * Exceptions bounced by Xen, and the expected-fault machinery tests use.
 *
 * A test that wants a fault arms it (trap_arm), runs the instruction with
 * an exception-table entry (EXTABLE) naming where to resume, and then
 * reads trap_last. Any fault that was not armed fails the running test.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <guest/asm.h>
#include <guest/xen.h>
#include <xenolith/types.h>

/* The frame trap_common builds (entry.S), lowest address first. */
struct trap_regs {
    unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
    unsigned long rbp, rdi, rsi, rdx, rcx, rbx, rax;
    unsigned long vector;
    unsigned long error; /* on the way out: the iret hypercall's flags */
    unsigned long rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_regs) == 22 * 8, "trap_regs matches entry.S");

/* Registers an exception-table entry: a fault at `insn` resumes at `fixup`. */
#define EXTABLE(insn, fixup)                                                                       \
    ".pushsection .extable, \"a\"\n .balign 8\n .quad " #insn ", " #fixup "\n .popsection\n"

/* What the last armed fault looked like. */
struct trap_record {
    bool hit;
    struct trap_regs regs;
    unsigned long error; /* error code as Xen delivered it (0 if none) */
    unsigned long cr2;   /* vcpu_info.arch.cr2 at a #PF */
};
extern struct trap_record trap_last;

enum trap_resume {
    TRAP_RESUME_FIXUP, /* continue at the instruction's EXTABLE fixup */
    TRAP_RESUME_RETRY, /* return to rip as delivered (traps, #NM after clts) */
    TRAP_RESUME_AT,    /* continue at trap_resume_at.rip with its rsp */
};

/* Where TRAP_RESUME_AT continues: for faults whose rip is not ours. */
struct trap_resume_point {
    unsigned long rip, rsp;
};
extern struct trap_resume_point trap_resume_at;

void traps_init(void);
/* Our virtual IDT as a vcpu_guest_context's trap_ctxt[256] for a new vCPU. */
void traps_fill_context(trap_info_t *ctxt);
void trap_arm(int vector, enum trap_resume how);
void trap_disarm(void);
/* True when the armed vector was delivered; disarms. */
bool trap_caught(int vector);
void trap_dispatch(struct trap_regs *r);

#endif
