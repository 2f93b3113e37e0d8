/* SPDX-License-Identifier: MIT */
/*
 * SYSCALL from a PV guest: from guest kernel mode it is a hypercall
 * (number in rax, arguments in rdi rsi rdx r10 r8); from guest user mode
 * it is the user's system call, bounced to the guest kernel's syscall
 * callback. Also the common exit path back into the guest.
 */
#include <xenolith/domain.h>
#include <xenolith/event.h>
#include <xenolith/hypercall.h>
#include <xenolith/smp.h>
#include <xenolith/softirq.h>
#include <asm/processor.h>
#include <asm/pv.h>

#define TRAP_invalid_op 6

void pv_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    local_irq_enable();
    if (!v->arch.kernel_mode) {
        if (v->arch.syscall_cb.address)
            pv_bounce(v, v->arch.syscall_cb.address, v->arch.syscall_cb.mask_events, false, 0);
        else
            pv_inject_exception(v, TRAP_invalid_op, false, 0);
        return;
    }
    {
        const uint64_t args[5] = {regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8};
        long rc = hypercall_dispatch(regs->rax, args);

        if (v->hypercall_restart) {
            v->hypercall_restart = false;
            regs->rip -= 2; /* back onto the syscall; rax still holds the number */
        } else {
            regs->rax = (uint64_t)rc;
        }
    }
}

void pv_restart_hypercall(void)
{
    struct vcpu *v = current_vcpu();

    if (!v->in_multicall)
        v->hypercall_restart = true;
}

/*
 * Runs with interrupts off until it returns: softirqs first (which may
 * switch to another vCPU and never come back here), then back to the
 * guest whose registers are in the frame.
 */
void pv_exit_to_guest(void)
{
    unsigned int cpu = smp_processor_id();
    struct vcpu *v;

    for (;;) {
        while (softirq_pending(cpu)) {
            local_irq_enable();
            do_softirq();
            local_irq_disable();
        }
        v = current_vcpu();
        if (!evtchn_upcall_wanted(v) || !v->arch.event_cb.address)
            return;
        /* The event callback, with events masked, as Xen enters it; a
         * failure crashes the domain and the loop picks another vCPU. */
        pv_bounce(v, v->arch.event_cb.address, true, false, 0);
    }
}
