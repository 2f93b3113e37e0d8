/* SPDX-License-Identifier: MIT */
/*
 * vCPU context on x86-64: initial state, context switch, guest
 * kernel/user mode toggling, the per-CPU SYSCALL entry stubs.
 *
 * While a PV vCPU runs: MSR_GS_BASE holds the GS base of its current
 * mode and MSR_SHADOW_GS_BASE the other one, so a mode toggle is a
 * swapgs; CR3 holds the L4 of its current mode.
 */
#include <xenolith/bug.h>
#include <xenolith/domain.h>
#include <xenolith/vtimer.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/softirq.h>
#include <xenolith/string.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/guest_access.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/smp.h>

#define FMASK_BITS 0x47700 /* TF IF DF NT AC: cleared on SYSCALL */
#define STAR_VALUE (((uint64_t)(FLAT_RING3_CS32 & ~3) << 48) | ((uint64_t)HYPERVISOR_CS << 32))

extern void pv_syscall_entry(void);

/* Default FPU image: FCW 0x37f (all exceptions masked), MXCSR 0x1f80. */
static void fpu_init_state(uint8_t *image)
{
    memset(image, 0, 512);
    image[0] = 0x7f;
    image[1] = 0x03;
    image[24] = 0x80;
    image[25] = 0x1f;
}

void arch_vcpu_init(struct vcpu *v)
{
    struct cpu_regs *r = &v->arch.user_regs;

    r->cs = FLAT_RING3_CS64;
    r->ss = FLAT_RING3_SS64;
    r->rflags = X86_EFLAGS_IF; /* guests always run with interrupts on */
    v->arch.kernel_mode = true;
    v->arch.debugreg[6] = 0xffff0ff0; /* DR6's reset value */
    v->arch.kernel_ss = FLAT_RING3_SS64;
    fpu_init_state(v->arch.fpu_state);
}

void pv_load_cr3(const struct vcpu *v)
{
    unsigned long mfn = v->arch.kernel_mode ? v->arch.guest_table : v->arch.guest_table_user;

    BUG_ON(!mfn);
    write_cr3((paddr_t)mfn << PAGE_SHIFT);
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    v->arch.kernel_mode = !v->arch.kernel_mode;
    __asm__ __volatile__("swapgs" ::: "memory");
    pv_load_cr3(v);
}

static void save_guest_state(struct vcpu *v)
{
    uint64_t gs = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_SHADOW_GS_BASE);

    v->arch.user_regs = *guest_cpu_regs();
    __asm__ __volatile__("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                         : "=m"(v->arch.sel[0]), "=m"(v->arch.sel[1]), "=m"(v->arch.sel[2]),
                           "=m"(v->arch.sel[3]));
    v->arch.fs_base = rdmsr(MSR_FS_BASE);
    v->arch.gs_base_kernel = v->arch.kernel_mode ? gs : shadow;
    v->arch.gs_base_user = v->arch.kernel_mode ? shadow : gs;
    clts();
    __asm__ __volatile__("fxsave64 %0" : "=m"(v->arch.fpu_state));
}

static void load_guest_state(struct vcpu *v)
{
    unsigned int i;
    bool refused = false;

    *guest_cpu_regs() = v->arch.user_regs;
    gdt_load_guest_frames(v->arch.gdt_frames,
                          (v->arch.gdt_ents + PAGE_SIZE / 8 - 1) / (PAGE_SIZE / 8));
    /* Selectors first: loading fs/gs resets their bases, restored next. */
    for (i = 0; i < 4; i++)
        if (load_data_selector(i, v->arch.sel[i]) != 0) {
            load_data_selector(i, 0); /* as Xen: null, never what the last vCPU left */
            refused = true;
        }
    wrmsr(MSR_FS_BASE, v->arch.fs_base);
    wrmsr(MSR_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user);
    wrmsr(MSR_SHADOW_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel);
    clts();
    __asm__ __volatile__("fxrstor64 %0" ::"m"(v->arch.fpu_state));
    if (v->arch.fpu_ts)
        write_cr0(read_cr0() | X86_CR0_TS);
    pv_load_debugregs(v);
    pv_load_cr3(v);
    pv_update_vcpu_time(v);
    vtimer_start(v);
    if (refused)
        pv_failsafe(v, v->arch.sel); /* on the guest's stack: its tables are loaded */
}

void context_switch(struct vcpu *prev, struct vcpu *next)
{
    ASSERT(!local_irq_is_enabled());
    if (!is_idle_vcpu(prev)) {
        save_guest_state(prev);
        vcpu_runstate_change(prev, prev->run_state == VCPU_runnable  ? RUNSTATE_runnable
                                   : prev->run_state == VCPU_blocked ? RUNSTATE_blocked
                                                                     : RUNSTATE_offline);
    }
    /*
     * prev is "switched out" (sched_switched_out: another pCPU may load it,
     * the reaper may free its domain's page tables) only once this pCPU
     * runs on other tables: before, a reaper on CPU 0 could free and zero
     * the L4 still in CR3 here, and the next page walk would fault with
     * no mapping left to handle it (a triple fault, seen creating and
     * destroying domains in a loop).
     */
    if (is_idle_vcpu(next)) {
        gdt_load_guest_frames(NULL, 0); /* no stale view of a guest's frames */
        pv_load_debugregs(NULL);
        write_cr3(__pa(idle_pg_table));
        sched_switched_out(prev);
        reset_stack_and_jump(idle_loop);
    }
    load_guest_state(next);
    sched_switched_out(prev);
    vcpu_runstate_change(next, RUNSTATE_running);
    reset_stack_and_jump(pv_ret_to_guest);
}

void arch_domain_init(struct domain *d)
{
    pv_set_wallclock(d);
}

void arch_vcpu_time_update(struct vcpu *v)
{
    pv_update_vcpu_time(v);
}

long arch_vcpu_initialise(struct vcpu *v, uint64_t ctxt)
{
    return pv_vcpu_initialise(v, ctxt);
}

void arch_vcpu_get_context(const struct vcpu *v, struct vcpu_guest_context *c)
{
    pv_vcpu_get_context(v, c);
}

bool arch_vcpu_initialised(const struct vcpu *v)
{
    return v->arch.guest_table != 0;
}

void arch_domain_relinquish(struct domain *d)
{
    pv_domain_relinquish(d);
}

void arch_kick_cpu(unsigned int cpu)
{
    apic_send_ipi(cpu_apic_id(cpu), VECTOR_EVENT_CHECK);
}

/*
 * SYSCALL does not switch stacks, and the guest owns GS, so each pCPU
 * gets its own stub that knows its stack: save %rax, move the guest %rsp
 * into %rax, load this pCPU's stack, jump to pv_syscall_entry.
 */
static void pv_write_syscall_stub(uint8_t *p, struct cpu_info *ci)
{
    uint64_t scratch = (uint64_t)&ci->syscall_scratch, target = (uint64_t)pv_syscall_entry;

    *p++ = 0x48, *p++ = 0xa3; /* movabs %rax, scratch */
    memcpy(p, &scratch, 8), p += 8;
    *p++ = 0x48, *p++ = 0x89, *p++ = 0xe0; /* mov %rsp, %rax */
    *p++ = 0x48, *p++ = 0xbc;              /* movabs $ci, %rsp */
    memcpy(p, &ci, 8), p += 8;
    *p++ = 0xff, *p++ = 0x25; /* jmp *0(%rip) */
    memset(p, 0, 4), p += 4;
    memcpy(p, &target, 8);
}

int pv_cpu_init(unsigned int cpu)
{
    uint8_t *page = alloc_xenheap_pages(0);
    uint64_t stub = STUBS_VIRT_START + (uint64_t)cpu * PAGE_SIZE;

    if (!page)
        return -1;
    memset(page, 0xcc, PAGE_SIZE); /* int3 around the stub */
    pv_write_syscall_stub(page, get_cpu_info());
    if (map_pages_to_xen(stub, __pa(page), PAGE_SIZE, PAGE_HYPERVISOR_RX))
        return -1;
    wrmsr(MSR_STAR, STAR_VALUE);
    wrmsr(MSR_LSTAR, stub);
    wrmsr(MSR_CSTAR, stub);
    wrmsr(MSR_FMASK, FMASK_BITS);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
    return 0;
}
