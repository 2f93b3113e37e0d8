/* SPDX-License-Identifier: MIT */
/*
 * The hypercalls that set up a PV guest's view of its CPU: virtual IDT,
 * callbacks, kernel stack, segment bases, FPU switching, and iret, the
 * guest's way back from a bounce. Each copies its guest arguments in,
 * validates them, then commits.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>
#include <xen/callback.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv.h>

#define MAX_TRAP_ENTRIES  256
/* RFLAGS bits a guest may set: CF PF AF ZF SF TF IF DF OF NT RF AC ID, and bit 1. */
#define GUEST_RFLAGS_MASK 0x254fd7ull

/*
 * A handler address: Xen asks only that it be canonical. One in the
 * hypervisor's area is harmless: the guest faults (#PF) when it gets there.
 */
static bool guest_code_ok(uint64_t address)
{
    return is_canonical(address);
}

long do_set_trap_table(uint64_t traps)
{
    struct vcpu *v = current_vcpu();
    trap_info_t t;
    unsigned int i;

    if (!traps) {
        memset(v->arch.trap_table, 0, sizeof(v->arch.trap_table));
        return 0;
    }
    for (i = 0; i < MAX_TRAP_ENTRIES; i++) {
        if (copy_from_guest(&t, traps + i * sizeof(t), sizeof(t)))
            return -EFAULT;
        if (t.address == 0)
            return 0;
        if (!guest_code_ok(t.address))
            return -EINVAL;
        v->arch.trap_table[t.vector] = t;
    }
    return 0;
}

static long register_callback(struct vcpu *v, const struct callback_register *cb)
{
    bool mask = cb->flags & CALLBACKF_mask_events;
    struct pv_callback *slot;

    if (!guest_code_ok(cb->address))
        return -EINVAL;
    switch (cb->type) {
    case CALLBACKTYPE_event:
        slot = &v->arch.event_cb;
        break;
    case CALLBACKTYPE_failsafe:
        slot = &v->arch.failsafe_cb;
        break;
    case CALLBACKTYPE_syscall:
        slot = &v->arch.syscall_cb;
        break;
    default:
        return -ENOSYS; /* syscall32, sysenter, NMI: not for 64-bit PV here */
    }
    slot->address = cb->address;
    slot->mask_events = mask;
    return 0;
}

long do_callback_op(uint64_t cmd, uint64_t arg)
{
    struct callback_register reg;
    struct callback_unregister unreg;

    switch (cmd) {
    case CALLBACKOP_register:
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -EFAULT;
        return register_callback(current_vcpu(), &reg);
    case CALLBACKOP_unregister:
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -EFAULT;
        reg = (struct callback_register){.type = unreg.type, .address = 0};
        return register_callback(current_vcpu(), &reg);
    }
    return -ENOSYS;
}

long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall)
{
    struct vcpu *v = current_vcpu();

    if (!guest_code_ok(event) || !guest_code_ok(failsafe) || !guest_code_ok(syscall))
        return -EINVAL;
    v->arch.event_cb = (struct pv_callback){event, true};
    v->arch.failsafe_cb = (struct pv_callback){failsafe, true};
    v->arch.syscall_cb = (struct pv_callback){syscall, false};
    return 0;
}

long do_stack_switch(uint64_t ss, uint64_t sp)
{
    struct vcpu *v = current_vcpu();

    v->arch.kernel_ss = (uint16_t)(ss | 3);
    v->arch.kernel_sp = sp;
    return 0;
}

long do_set_segment_base(uint64_t which, uint64_t base)
{
    if (base && !guest_range_ok(base, 1))
        return -EINVAL;
    switch (which) {
    case SEGBASE_FS:
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        wrmsr(MSR_SHADOW_GS_BASE, base); /* kernel mode: the user's GS is the shadow */
        return 0;
    case SEGBASE_GS_KERNEL:
        wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        return load_user_gs_selector((uint16_t)base) ? -EINVAL : 0;
    }
    return -EINVAL;
}

long do_fpu_taskswitch(uint64_t set)
{
    struct vcpu *v = current_vcpu();

    v->arch.fpu_ts = set != 0;
    if (set)
        write_cr0(read_cr0() | X86_CR0_TS);
    else
        clts();
    return 0;
}

/*
 * The guest's way back from a bounce: its stack holds rax, r11, rcx,
 * flags, rip, cs, rflags, rsp, ss. Privilege is forced to ring 3 and
 * IOPL cleared whatever the frame says; RPL 3 in cs means user mode.
 */
long do_iret(void)
{
    struct cpu_regs *regs = guest_cpu_regs();
    struct vcpu *v = current_vcpu();
    struct iret_context c;

    if (copy_from_guest(&c, regs->rsp, sizeof(c))) {
        domain_crash(v->domain, "fault reading the iret frame");
        return -EFAULT;
    }
    /*
     * Only the low 16 bits are a selector (bounces keep the upcall mask
     * above); privilege is ring 3 whatever the RPL says. A selector the
     * CPU would refuse must be refused here, not fault in our own iretq.
     */
    c.cs &= 0xffff;
    c.ss &= 0xffff;
    if (!pv_selector_usable(v, (uint16_t)(c.cs | 3), true) ||
        !pv_selector_usable(v, (uint16_t)(c.ss | 3), false) || !is_canonical(c.rip)) {
        char why[96];

        snprintf(why, sizeof(why), "iret to a bad frame: cs %#lx ss %#lx rip %#lx",
                 (unsigned long)c.cs, (unsigned long)c.ss, (unsigned long)c.rip);
        domain_crash(v->domain, why);
        return -EINVAL;
    }
    if ((c.cs & 3) == 3 && v->arch.kernel_mode) {
        if (!v->arch.guest_table_user) {
            domain_crash(v->domain, "iret to user mode with no user page tables");
            return -EINVAL;
        }
        pv_toggle_guest_mode(v);
    }
    regs->rip = c.rip;
    regs->cs = c.cs | 3;
    regs->rflags = (c.rflags & GUEST_RFLAGS_MASK) | X86_EFLAGS_IF | 2;
    regs->rsp = c.rsp;
    regs->ss = c.ss | 3;
    if (!(c.flags & VGCF_in_syscall)) {
        regs->r11 = c.r11;
        regs->rcx = c.rcx;
    }
    v->vcpu_info->evtchn_upcall_mask = !(c.rflags & X86_EFLAGS_IF);
    return (long)c.rax;
}
