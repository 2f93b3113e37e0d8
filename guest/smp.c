/* SPDX-License-Identifier: MIT */
/*
 * The guest's other vCPUs (see smp.h). vCPU 0 gives each a starting
 * context: its own stack, our page tables, trap table and callbacks, and
 * a kernel GS base pointing at its struct smp_cpu. It then lives in
 * smp_idle_loop(): posted work first, then kernel threads, then a block
 * in Xen with events masked until the block itself unmasks them, so a
 * wake-up IPI sent in between is never lost.
 */
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/traps.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

struct smp_cpu smp_cpus[SMP_MAX_VCPUS];
unsigned int smp_nr_vcpus = 1;

#define SMP_STACK_PAGES (KERNEL_STACK_SIZE / PAGE_SIZE)
#define SMP_WAIT_TRIES  100000 /* SCHEDOP_yields before a wait gives up */

extern char event_entry[], failsafe_entry[], syscall_entry[];

void smp_init(void)
{
    struct smp_cpu *c = &smp_cpus[0];
    long rc;

    for (unsigned int i = 0; i < SMP_MAX_VCPUS; i++) {
        smp_cpus[i].self = &smp_cpus[i];
        smp_cpus[i].id = i;
        smp_cpus[i].vcpu_info = &kernel_shared_info->vcpu_info[i];
    }
    c->online = true;
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)c);
    if (rc)
        panic("set_segment_base(GS_KERNEL): %ld", rc);
    while (smp_nr_vcpus < SMP_MAX_VCPUS &&
           HYPERVISOR_vcpu_op(VCPUOP_is_up, smp_nr_vcpus, NULL) >= 0)
        smp_nr_vcpus++;
}

static __noreturn void smp_idle_loop(struct smp_cpu *c)
{
    sched_idle_init(c);
    WRITE_ONCE(c->online, true);
    for (;;) {
        smp_fn_t fn;

        evtchn_upcall_disable();
        fn = __atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE);
        if (fn) {
            evtchn_upcall_enable();
            fn(c->call_arg);
            __atomic_store_n(&c->call_fn, NULL, __ATOMIC_RELEASE);
            continue;
        }
        if (sched_run_threads())
            continue;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL); /* unmasks events */
    }
}

int smp_vcpu_context(unsigned int id, struct vcpu_guest_context *ctx)
{
    struct smp_cpu *c = &smp_cpus[id];
    unsigned long top;

    if (id == 0 || id >= SMP_MAX_VCPUS)
        return -EINVAL;
    if (!c->stack_pfn && !(c->stack_pfn = mm_pages_alloc(SMP_STACK_PAGES)))
        return -ENOMEM;
    top = (unsigned long)mm_pfn_to_virt(c->stack_pfn) + KERNEL_STACK_SIZE;
    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = VGCF_in_kernel | VGCF_failsafe_disables_events | VGCF_syscall_disables_events;
    ctx->user_regs.rip = (unsigned long)smp_idle_loop;
    ctx->user_regs.rdi = (unsigned long)c;
    ctx->user_regs.rsp = top - 8; /* as if called: the ABI's alignment at entry */
    ctx->user_regs.cs = FLAT_KERNEL_CS;
    ctx->user_regs.ss = FLAT_KERNEL_SS;
    ctx->user_regs.rflags = 0x200;
    ctx->kernel_ss = FLAT_KERNEL_SS;
    ctx->kernel_sp = top;
    ctx->gs_base_kernel = (unsigned long)c;
    ctx->ctrlreg[3] = xen_pfn_to_cr3(mm_kernel_l4_mfn);
    ctx->event_callback_eip = (unsigned long)event_entry;
    ctx->failsafe_callback_eip = (unsigned long)failsafe_entry;
    ctx->syscall_callback_eip = (unsigned long)syscall_entry;
    traps_fill_context(ctx->trap_ctxt);
    return 0;
}

long smp_start(unsigned int id)
{
    static struct vcpu_guest_context ctx; /* vCPU 0 only: no need for a stack copy */
    long rc = smp_vcpu_context(id, &ctx);

    if (!rc)
        rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, id, &ctx);
    if (!rc && !smp_cpus[id].wake_port) {
        rc = evtchn_bind_ipi(id);
        if (rc > 0) {
            smp_cpus[id].wake_port = (evtchn_port_t)rc;
            rc = evtchn_op_unmask(smp_cpus[id].wake_port);
        }
    }
    if (!rc)
        rc = HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
    if (!rc && !smp_wait_online(id))
        rc = -ETIMEDOUT;
    return rc;
}

static bool smp_wait_for(const bool *flag)
{
    for (unsigned int i = 0; i < SMP_WAIT_TRIES; i++) {
        if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
            return true;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return false;
}

bool smp_wait_online(unsigned int id)
{
    return id < SMP_MAX_VCPUS && smp_wait_for(&smp_cpus[id].online);
}

bool smp_post(unsigned int id, smp_fn_t fn, void *arg)
{
    struct smp_cpu *c = &smp_cpus[id];

    if (id >= SMP_MAX_VCPUS || !READ_ONCE(c->online) || !c->wake_port ||
        __atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE))
        return false;
    c->call_arg = arg;
    __atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
    evtchn_send(c->wake_port);
    return true;
}

bool smp_wait_done(unsigned int id)
{
    for (unsigned int i = 0; id < SMP_MAX_VCPUS && i < SMP_WAIT_TRIES; i++) {
        if (!__atomic_load_n(&smp_cpus[id].call_fn, __ATOMIC_ACQUIRE))
            return true;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return false;
}

void smp_wake_idle(void)
{
    unsigned int self = smp_this_cpu()->id;

    for (unsigned int i = 1; i < smp_nr_vcpus; i++)
        if (i != self && READ_ONCE(smp_cpus[i].online) && smp_cpus[i].wake_port)
            evtchn_send(smp_cpus[i].wake_port);
}
