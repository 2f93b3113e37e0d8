/* SPDX-License-Identifier: MIT */
/*
 * VCPUOP_initialise (and XEN_DOMCTL_setvcpucontext, the toolstack's
 * way to it; getvcpucontext reads the state back): a guest gives a vCPU
 * that has never run its whole
 * starting state (registers, virtual IDT, GDT, page-table bases, kernel
 * stack, callbacks, segment bases, debug registers). Every part goes
 * through the same checks as the hypercall that would set it alone; the
 * vCPU is left untouched unless all of them pass.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/string.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define GUEST_RFLAGS_MASK 0x254fd7ull

static bool context_ok(const struct vcpu_guest_context *c)
{
    unsigned int i;

    if (!is_canonical(c->user_regs.rip) || !is_canonical(c->user_regs.rsp) ||
        !is_canonical(c->kernel_sp) || !is_canonical(c->event_callback_eip) ||
        !is_canonical(c->failsafe_callback_eip) || !is_canonical(c->syscall_callback_eip) ||
        !is_canonical(c->fs_base) || !is_canonical(c->gs_base_kernel) ||
        !is_canonical(c->gs_base_user) || c->gdt_ents > FIRST_RESERVED_GDT_ENTRY ||
        c->ldt_ents != 0)
        return false;
    /* Starting in user mode needs the user tables to start on. */
    if (!(c->flags & VGCF_in_kernel) && !c->ctrlreg[1])
        return false;
    for (i = 0; i < 256; i++)
        if (!is_canonical(c->trap_ctxt[i].address))
            return false;
    return true;
}

static void load_registers(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct cpu_regs *r = &v->arch.user_regs;
    const struct cpu_user_regs *g = &c->user_regs;

    r->rax = g->rax, r->rbx = g->rbx, r->rcx = g->rcx, r->rdx = g->rdx;
    r->rsi = g->rsi, r->rdi = g->rdi, r->rbp = g->rbp, r->rsp = g->rsp;
    r->r8 = g->r8, r->r9 = g->r9, r->r10 = g->r10, r->r11 = g->r11;
    r->r12 = g->r12, r->r13 = g->r13, r->r14 = g->r14, r->r15 = g->r15;
    r->rip = g->rip;
    /* As Xen: any selector, at ring 3 (Linux starts on its own GDT's
     * kernel segments). One that cannot be loaded makes the first iretq
     * to the vCPU fault, which ends the domain (pv/entry.S). */
    r->cs = (g->cs | 3) & 0xffff;
    r->ss = (g->ss | 3) & 0xffff;
    r->rflags = (g->rflags & GUEST_RFLAGS_MASK) | 0x202; /* IF on, as for every guest */
    v->arch.iopl = (g->rflags >> 12) & 3;                /* as Xen: IOPL becomes the virtual IOPL */
}

static void load_callbacks(struct vcpu *v, const struct vcpu_guest_context *c)
{
    memcpy(v->arch.trap_table, c->trap_ctxt, sizeof(v->arch.trap_table));
    v->arch.event_cb = (struct pv_callback){c->event_callback_eip, true};
    v->arch.failsafe_cb = (struct pv_callback){c->failsafe_callback_eip,
                                               !!(c->flags & VGCF_failsafe_disables_events)};
    v->arch.syscall_cb =
        (struct pv_callback){c->syscall_callback_eip, !!(c->flags & VGCF_syscall_disables_events)};
    v->arch.kernel_ss = (uint16_t)(c->kernel_ss | 3);
    v->arch.kernel_sp = c->kernel_sp;
    v->arch.fs_base = c->fs_base;
    v->arch.gs_base_kernel = c->gs_base_kernel;
    v->arch.gs_base_user = c->gs_base_user;
}

static void release_baseptr(unsigned long *slot)
{
    struct page_info *pg = *slot ? mfn_to_page(*slot) : NULL;

    *slot = 0;
    if (pg) {
        page_put_type(pg);
        page_put_ref(pg);
    }
}

/*
 * Base pointers, GDT and debug registers: the parts that take references.
 * A refusal gives back what the earlier parts took: a vCPU with a base
 * pointer counts as initialised.
 */
static long load_tables(struct vcpu *v, const struct vcpu_guest_context *c)
{
    unsigned int i;
    long rc;

    spin_lock(&pv_mm_lock);
    rc = pv_new_baseptr(v, c->ctrlreg[3] >> PAGE_SHIFT, false);
    if (!rc && c->ctrlreg[1])
        rc = pv_new_baseptr(v, c->ctrlreg[1] >> PAGE_SHIFT, true);
    spin_unlock(&pv_mm_lock);
    if (!rc)
        rc = pv_set_gdt(v, c->gdt_frames, c->gdt_ents);
    for (i = 0; !rc && i < 8; i++)
        if (i < 4 || i == 7)
            rc = pv_set_debugreg(v, i, c->debugreg[i]);
    if (rc) {
        pv_set_gdt(v, NULL, 0);
        spin_lock(&pv_mm_lock);
        release_baseptr(&v->arch.guest_table);
        release_baseptr(&v->arch.guest_table_user);
        spin_unlock(&pv_mm_lock);
        for (i = 0; i < 4; i++)
            pv_set_debugreg(v, i, 0);
        pv_set_debugreg(v, 7, 0);
    }
    return rc;
}

long pv_vcpu_initialise(struct vcpu *v, uint64_t ctxt)
{
    struct vcpu_guest_context *c;
    long rc;

    if (v->is_up || v->arch.guest_table)
        return -EEXIST;
    c = xmalloc(struct vcpu_guest_context);
    if (!c)
        return -ENOMEM;
    rc = copy_from_guest(c, ctxt, sizeof(*c));
    if (!rc && !context_ok(c))
        rc = -EINVAL;
    if (!rc)
        rc = load_tables(v, c);
    if (!rc) {
        load_registers(v, c);
        load_callbacks(v, c);
        v->arch.kernel_mode = !!(c->flags & VGCF_in_kernel);
        rc = !!(c->flags & VGCF_online);
    }
    xfree(c);
    return rc;
}

/* XEN_DOMCTL_getvcpucontext: the state VCPUOP_initialise would give back
 * (v is not running: its domain is paused, or has not run). */
void pv_vcpu_get_context(const struct vcpu *v, struct vcpu_guest_context *c)
{
    const struct cpu_regs *r = &v->arch.user_regs;
    struct cpu_user_regs *g = &c->user_regs;

    memset(c, 0, sizeof(*c));
    g->rax = r->rax, g->rbx = r->rbx, g->rcx = r->rcx, g->rdx = r->rdx;
    g->rsi = r->rsi, g->rdi = r->rdi, g->rbp = r->rbp, g->rsp = r->rsp;
    g->r8 = r->r8, g->r9 = r->r9, g->r10 = r->r10, g->r11 = r->r11;
    g->r12 = r->r12, g->r13 = r->r13, g->r14 = r->r14, g->r15 = r->r15;
    g->rip = r->rip;
    g->cs = (uint16_t)r->cs;
    g->ss = (uint16_t)r->ss;
    g->rflags =
        (r->rflags & ~0x3000ull) | ((uint64_t)v->arch.iopl << 12); /* IOPL: the virtual one */
    c->flags = (v->arch.kernel_mode ? VGCF_in_kernel : 0) | (v->is_up ? VGCF_online : 0) |
               (v->arch.fpu_initialised ? VGCF_i387_valid : 0) |
               (v->arch.failsafe_cb.mask_events ? VGCF_failsafe_disables_events : 0) |
               (v->arch.syscall_cb.mask_events ? VGCF_syscall_disables_events : 0);
    if (v->arch.fpu_initialised)
        memcpy(&c->fpu_ctxt, v->arch.fpu_state, sizeof(c->fpu_ctxt));
    memcpy(c->trap_ctxt, v->arch.trap_table, sizeof(c->trap_ctxt));
    memcpy(c->gdt_frames, v->arch.gdt_frames, sizeof(v->arch.gdt_frames));
    c->gdt_ents = v->arch.gdt_ents;
    c->ldt_base = v->arch.ldt_base;
    c->ldt_ents = v->arch.ldt_ents;
    c->kernel_ss = v->arch.kernel_ss;
    c->kernel_sp = v->arch.kernel_sp;
    c->ctrlreg[0] = X86_CR0_PE | X86_CR0_PG | (v->arch.fpu_ts ? X86_CR0_TS : 0);
    c->ctrlreg[3] = (uint64_t)v->arch.guest_table << PAGE_SHIFT;
    c->ctrlreg[1] = (uint64_t)v->arch.guest_table_user << PAGE_SHIFT;
    memcpy(c->debugreg, v->arch.debugreg, sizeof(c->debugreg));
    c->event_callback_eip = v->arch.event_cb.address;
    c->failsafe_callback_eip = v->arch.failsafe_cb.address;
    c->syscall_callback_eip = v->arch.syscall_cb.address;
    c->vm_assist = v->domain->arch.vm_assist;
    c->fs_base = v->arch.fs_base;
    c->gs_base_kernel = v->arch.gs_base_kernel;
    c->gs_base_user = v->arch.gs_base_user;
}
