/* SPDX-License-Identifier: MIT */
/*
 * SYSCALL from a PV guest: from guest kernel mode it is a hypercall
 * (number in rax, arguments in rdi rsi rdx r10 r8); from guest user mode
 * it is the user's system call, bounced to the guest kernel's syscall
 * callback. Also the common exit path back into the guest.
 */
#include <xenolith/domain.h>
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

        regs->rax = (uint64_t)hypercall_dispatch(regs->rax, args);
    }
}

/*
 * Runs with interrupts off until it returns: softirqs first (which may
 * switch to another vCPU and never come back here), then back to the
 * guest whose registers are in the frame.
 */
void pv_exit_to_guest(void)
{
    unsigned int cpu = smp_processor_id();

    while (softirq_pending(cpu)) {
        local_irq_enable();
        do_softirq();
        local_irq_disable();
    }
}
