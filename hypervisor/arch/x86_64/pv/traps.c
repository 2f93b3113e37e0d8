/* SPDX-License-Identifier: MIT */
/*
 * Exceptions raised by a PV guest, and bounces into the guest kernel.
 *
 * A bounce writes Xen's 64-bit frame on the guest kernel stack (its
 * current stack in kernel mode, kernel_sp after switching from user
 * mode), from the top down: ss, rsp, rflags (IF = events unmasked),
 * cs (with the saved upcall mask in bits 32-39; RPL 0 when the guest was
 * in kernel mode), rip, [error code], r11, rcx; then the guest continues
 * at the handler with its stack pointing at rcx. A frame that cannot be
 * written crashes the domain, never the hypervisor.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/softirq.h>
#include <xenolith/string.h>
#include <xen/arch-x86/xen.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define RFLAGS_CLEARED_ON_BOUNCE 0x70100ull /* TF NT RF VM AC */
#define X86_EFLAGS_IOPL          0x3000ull

static bool bounce_stack_ok(uint64_t sp)
{
    return guest_range_ok(sp - 64, 64);
}

/* sels: the failsafe callback's ds, es, fs, gs (above rcx and r11), or NULL. */
static int bounce(struct vcpu *v, uint64_t handler, bool mask_events, bool has_error_code,
                  uint32_t error_code, const uint16_t *sels)
{
    struct cpu_regs *regs = guest_cpu_regs();
    uint8_t saved_mask = v->vcpu_info->evtchn_upcall_mask;
    uint64_t frame[12], cs = regs->cs, sp;
    unsigned int n = 0, i;

    if (!handler) {
        domain_crash(v->domain, "bounce to a null handler");
        return -EFAULT;
    }
    if (!v->arch.kernel_mode) {
        pv_toggle_guest_mode(v);
        sp = v->arch.kernel_sp;
    } else {
        sp = regs->rsp;
        cs &= ~3ull; /* tells the guest it was in kernel mode */
    }
    sp &= ~0xfull;
    /* Built bottom-up, then copied in one go. */
    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    for (i = 0; sels && i < 4; i++)
        frame[n++] = sels[i];
    if (has_error_code)
        frame[n++] = error_code;
    frame[n++] = regs->rip;
    frame[n++] = (cs & 0xffff) | ((uint64_t)saved_mask << 32);
    frame[n++] =
        (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) | (saved_mask ? 0 : X86_EFLAGS_IF);
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss;
    sp -= n * 8;
    if (!bounce_stack_ok(sp + n * 8) || copy_to_guest(sp, frame, n * 8)) {
        domain_crash(v->domain, "fault writing a bounce frame to the guest stack");
        return -EFAULT;
    }
    if (mask_events)
        v->vcpu_info->evtchn_upcall_mask = 1;
    regs->rflags &= ~RFLAGS_CLEARED_ON_BOUNCE;
    regs->rflags |= X86_EFLAGS_IF;
    regs->ss = FLAT_KERNEL_SS;
    regs->cs = FLAT_KERNEL_CS;
    regs->rsp = sp;
    regs->rip = handler;
    return 0;
}

int pv_bounce(struct vcpu *v, uint64_t handler, bool mask_events, bool has_error_code,
              uint32_t error_code)
{
    return bounce(v, handler, mask_events, has_error_code, error_code, NULL);
}

/*
 * The guest's segment selectors could not be loaded (its GDT changed
 * under them): enter its failsafe callback with the values that failed,
 * or crash it if it has none.
 */
void pv_failsafe(struct vcpu *v, const uint16_t sels[4])
{
    if (!v->arch.failsafe_cb.address) {
        domain_crash(v->domain, "segment selectors could not be loaded, no failsafe callback");
        return;
    }
    bounce(v, v->arch.failsafe_cb.address, v->arch.failsafe_cb.mask_events, false, 0, sels);
}

void pv_inject_exception(struct vcpu *v, unsigned int vector, bool has_error_code,
                         uint32_t error_code)
{
    const trap_info_t *t = &v->arch.trap_table[vector];

    if (!t->address) {
        const struct cpu_regs *r = guest_cpu_regs();
        char why[128];

        snprintf(why, sizeof(why), "unhandled exception %u, error code %#x at rip %#lx (cr2 %#lx)",
                 vector, error_code, (unsigned long)r->rip, (unsigned long)v->vcpu_info->arch.cr2);
        domain_crash(v->domain, why);
        return;
    }
    pv_bounce(v, t->address, TI_GET_IF(t), has_error_code, error_code);
}

static bool vector_has_error_code(unsigned int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/*
 * "int N" from the guest: the IDT gate's DPL 0 made it a #GP whose error
 * code names the vector. The guest's own trap table says whether the
 * guest's current mode may raise it.
 */
static bool software_interrupt(struct vcpu *v, struct cpu_regs *regs)
{
    unsigned int vector = regs->error_code >> 3;
    const trap_info_t *t = &v->arch.trap_table[vector];
    unsigned int needed = v->arch.kernel_mode ? 1 : 3;

    if ((regs->error_code & 7) != 2 || !t->address || TI_GET_DPL(t) < needed)
        return false;
    regs->rip += 2;
    pv_bounce(v, t->address, TI_GET_IF(t), false, 0);
    return true;
}

void pv_handle_exception(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    unsigned int vector = regs->entry_vector;

    if (vector == 14)
        v->vcpu_info->arch.cr2 = read_cr2(); /* before anything can fault again */
    local_irq_enable();
    switch (vector) {
    case 6:
        if (pv_emulate_forced_op(regs))
            return;
        break;
    case 1:
        pv_record_debug_trap(v);
        break;
    case 14:
        if (pv_emulate_ptwr(regs, v->vcpu_info->arch.cr2) ||
            pv_emulate_stack_return(regs, v->vcpu_info->arch.cr2))
            return;
        /* The guest kernel runs in ring 3; the U bit reports its own mode. */
        if (v->arch.kernel_mode)
            regs->error_code &= ~4u;
        break;
    case 7:
        if (v->arch.fpu_ts) {
            clts();
            v->arch.fpu_ts = false;
        }
        break;
    case 13:
        if (regs->error_code == 0 && pv_emulate_privileged_op(regs))
            return;
        if (software_interrupt(v, regs))
            return;
        break;
    }
    pv_inject_exception(v, vector, vector_has_error_code(vector), regs->error_code);
}

/* pv/entry.S: the iretq back to the current vCPU faulted. */
void pv_iret_failed(void)
{
    domain_crash(current_vcpu()->domain,
                 "the iret back to it faulted (a descriptor in its frame was rewritten)");
    raise_softirq(SCHEDULE_SOFTIRQ);
}
