/* SPDX-License-Identifier: MIT */
/*
 * The scheduler core: idle vCPUs, the per-CPU schedule lock and slice
 * timer, wake/block/yield, and the SCHEDULE softirq that picks the next
 * vCPU and switches to it. "sched=rr" picks the policy (the credit
 * scheduler is planned; until it exists, asking for it is a warning).
 *
 * Locking: sched_lock[cpu] protects cpu's run queue and the run_state of
 * the vCPUs assigned to cpu. Taken with interrupts off.
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/page.h>
#include <xenolith/errno.h>
#include <xenolith/param.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/softirq.h>
#include <xenolith/string.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>

static const struct scheduler *const schedulers[] = {&sched_rr_ops};
static const struct scheduler *ops = &sched_rr_ops;

static struct domain idle_domain = {.domain_id = PAGE_OWNER_IDLE, .name = "idle"};
static struct vcpu idle_vcpus[NR_CPUS];
static spinlock_t sched_lock[NR_CPUS];
static struct timer slice_timer[NR_CPUS];
static unsigned int next_placement;

static int parse_sched(const char *v)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(schedulers); i++) {
        if (!strcmp(v, schedulers[i]->name)) {
            ops = schedulers[i];
            return 0;
        }
    }
    return -EINVAL;
}
CUSTOM_PARAM("sched", parse_sched);

const char *sched_chosen_name(void)
{
    return ops->name;
}

struct vcpu *current_vcpu(void)
{
    return get_cpu_info()->current_vcpu;
}

bool is_idle_vcpu(const struct vcpu *v)
{
    return v->domain == &idle_domain;
}

static void slice_expired(void *data)
{
    (void)data;
    raise_softirq(SCHEDULE_SOFTIRQ);
}

static void schedule(void)
{
    unsigned int cpu = smp_processor_id();
    struct vcpu *prev = current_vcpu(), *next;
    unsigned long flags = spin_lock_irqsave(&sched_lock[cpu]);

    next = ops->pick_next(cpu, prev);
    if (!next)
        next = &idle_vcpus[cpu];
    if (is_idle_vcpu(next))
        timer_cancel(&slice_timer[cpu]);
    else
        timer_set(&slice_timer[cpu], NOW() + SCHED_SLICE_NS);
    spin_unlock_irqrestore(&sched_lock[cpu], flags);
    if (next == prev)
        return;
    local_irq_disable();
    next->is_running = true;
    get_cpu_info()->current_vcpu = next;
    context_switch(prev, next);
}

void sched_switched_out(struct vcpu *prev)
{
    __atomic_store_n(&prev->is_running, false, __ATOMIC_RELEASE);
    if (!is_idle_vcpu(prev) && prev->domain->state >= DOMSTATE_shutdown)
        cpu_raise_softirq(0, DOMAIN_REAP_SOFTIRQ);
}

void sched_init(void)
{
    softirq_register(SCHEDULE_SOFTIRQ, schedule);
}

void sched_init_cpu(unsigned int cpu)
{
    struct vcpu *idle = &idle_vcpus[cpu];

    spin_lock_init(&sched_lock[cpu]);
    ops->init_cpu(cpu);
    idle->domain = &idle_domain;
    idle->processor = cpu;
    idle->is_running = true;
    idle->run_state = VCPU_runnable;
    list_init(&idle->runq_link);
    timer_init(&slice_timer[cpu], slice_expired, NULL);
    get_cpu_info()->current_vcpu = idle;
}

/* Makes v runnable on its pCPU, and gets that pCPU to look if it idles. */
static void wake_locked(struct vcpu *v)
{
    unsigned int cpu = v->processor;

    v->run_state = VCPU_runnable;
    if (!v->is_running) {
        ops->insert(v);
        if (READ_ONCE(idle_vcpus[cpu].is_running))
            cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
    }
}

void sched_start_vcpu(struct vcpu *v)
{
    unsigned int cpu;
    unsigned long flags;

    /* Spread vCPUs over the online pCPUs in turn. */
    do {
        cpu = __atomic_fetch_add(&next_placement, 1, __ATOMIC_RELAXED) % NR_CPUS;
    } while (!cpumask_test(&cpu_online_map, cpu));
    v->processor = cpu;
    flags = spin_lock_irqsave(&sched_lock[cpu]);
    wake_locked(v);
    spin_unlock_irqrestore(&sched_lock[cpu], flags);
}

void sched_wake(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock[v->processor]);

    if (v->run_state == VCPU_blocked && v->domain->state == DOMSTATE_running)
        wake_locked(v);
    spin_unlock_irqrestore(&sched_lock[v->processor], flags);
}

void vcpu_kick(struct vcpu *v)
{
    if (READ_ONCE(v->run_state) == VCPU_blocked)
        sched_wake(v);
    else if (READ_ONCE(v->is_running) && v->processor != smp_processor_id())
        arch_kick_cpu(v->processor); /* it delivers on its way back to the guest */
}

void sched_block(void)
{
    struct vcpu *v = current_vcpu();
    unsigned long flags = spin_lock_irqsave(&sched_lock[v->processor]);

    v->run_state = VCPU_blocked;
    spin_unlock_irqrestore(&sched_lock[v->processor], flags);
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void sched_yield(void)
{
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void sched_remove_vcpu(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock[v->processor]);

    v->run_state = VCPU_offline;
    ops->remove(v);
    spin_unlock_irqrestore(&sched_lock[v->processor], flags);
    if (v->is_running)
        cpu_raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

void idle_loop(void)
{
    unsigned int cpu = smp_processor_id();

    for (;;) {
        local_irq_enable();
        do_softirq();
        local_irq_disable();
        if (!softirq_pending(cpu))
            safe_halt(); /* sti; hlt: no wake-up is lost in between */
    }
}
