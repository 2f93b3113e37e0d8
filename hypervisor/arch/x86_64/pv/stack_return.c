/* SPDX-License-Identifier: MIT */
/*
 * A guest's own iretq, emulated when the CPU refused it: QEMU's TCG pops
 * the iret frame with supervisor rights even when CPL is 3, so with SMAP
 * on the stack reads of a ring-3 guest fault (a #PF on the guest's stack
 * with the U bit clear: no real CPU reports that for its own stack). Real
 * Xen dies on this under TCG; we perform the return ourselves, with the
 * checks the hypervisor's own iretq needs: flat ring-3 selectors only,
 * a canonical target, and flags the guest may set. Anything else is
 * left as the guest's #PF.
 */
#include <xenolith/domain.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/pv.h>

#define PF_PRESENT        1u
#define PF_WRITE          2u
#define PF_USER           4u
#define FRAME_BYTES       (5 * 8) /* rip, cs, rflags, rsp, ss */
#define GUEST_RFLAGS_MASK 0x254fd7ull

bool pv_emulate_stack_return(struct cpu_regs *regs, uint64_t cr2)
{
    uint64_t frame[5];
    uint8_t insn[2];

    if ((regs->error_code & (PF_PRESENT | PF_WRITE | PF_USER)) != PF_PRESENT || cr2 < regs->rsp ||
        cr2 >= regs->rsp + FRAME_BYTES)
        return false;
    if (copy_from_guest(insn, regs->rip, sizeof(insn)) || insn[0] != 0x48 || insn[1] != 0xcf)
        return false; /* iretq only */
    if (copy_from_guest(frame, regs->rsp, sizeof(frame)))
        return false;
    if (((frame[1] & 0xffff) != FLAT_RING3_CS64 && (frame[1] & 0xffff) != FLAT_RING3_CS32) ||
        (frame[4] & 0xffff) != FLAT_RING3_SS64 || !is_canonical(frame[0]))
        return false;
    regs->rip = frame[0];
    regs->cs = frame[1] & 0xffff;
    regs->rflags = (frame[2] & GUEST_RFLAGS_MASK) | 0x202; /* IF stays on for guests */
    regs->rsp = frame[3];
    regs->ss = frame[4] & 0xffff;
    return true;
}
