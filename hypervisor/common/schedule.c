/* SPDX-License-Identifier: MIT */
/*
 * The scheduler core (see sched.h): idle vCPUs, the SCHEDULE softirq that
 * asks the policy for the next vCPU and switches to it, wake/block/yield,
 * and three timers: each pCPU's slice end and policy tick, and the
 * policy's accounting on pCPU 0.
 *
 * Locking: sched_lock (interrupts off) around every policy call and
 * every run_state change. A vCPU moving between pCPUs is loaded only
 * after the pCPU it left has saved it (is_running goes false).
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/page.h>
#include <xenolith/param.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/softirq.h>
#include <xenolith/string.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>

static const struct scheduler *const schedulers[] = {&sched_credit_ops, &sched_rr_ops};
static const struct scheduler *ops = &sched_credit_ops;

static struct domain idle_domain = {.domain_id = PAGE_OWNER_IDLE, .name = "idle"};
static struct vcpu idle_vcpus[NR_CPUS];
static DEFINE_SPINLOCK(sched_lock);
static struct timer slice_timer[NR_CPUS], tick_timer[NR_CPUS], account_timer;
/* The vCPU each pCPU picked and is about to load: picked under sched_lock,
 * is_running only a little later (after the pCPU it left has saved it). */
static struct vcpu *loading[NR_CPUS];

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

unsigned int sched_id(void)
{
    return ops->xen_id;
}

struct vcpu *current_vcpu(void)
{
    return get_cpu_info()->current_vcpu;
}

bool is_idle_vcpu(const struct vcpu *v)
{
    return v->domain == &idle_domain;
}

static void tickle(uint64_t mask)
{
    unsigned int cpu;

    for (cpu = 0; mask && cpu < NR_CPUS; cpu++, mask >>= 1)
        if (mask & 1)
            cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
}

static void slice_expired(void *data)
{
    (void)data;
    raise_softirq(SCHEDULE_SOFTIRQ);
}

static void tick_fired(void *data)
{
    unsigned int cpu = smp_processor_id();
    bool resched;

    (void)data;
    spin_lock(&sched_lock);
    resched = ops->tick(cpu, NOW());
    spin_unlock(&sched_lock);
    if (resched)
        raise_softirq(SCHEDULE_SOFTIRQ);
    timer_set(&tick_timer[cpu], NOW() + ops->tick_period);
}

static void account_fired(void *data)
{
    uint64_t mask;

    (void)data;
    spin_lock(&sched_lock);
    mask = ops->account(NOW());
    spin_unlock(&sched_lock);
    tickle(mask);
    timer_set(&account_timer, NOW() + ops->account_period);
}

static void schedule(void)
{
    unsigned int cpu = smp_processor_id();
    struct vcpu *prev = current_vcpu(), *next;
    s_time_t now = NOW(), slice = 0;
    uint64_t mask = 0;
    unsigned long flags = spin_lock_irqsave(&sched_lock);

    next = ops->pick_next(cpu, now, &slice, &mask);
    if (!next)
        next = &idle_vcpus[cpu];
    else
        next->processor = cpu;
    if (next != prev && !is_idle_vcpu(next))
        loading[cpu] = next;
    spin_unlock_irqrestore(&sched_lock, flags);
    tickle(mask & ~(1ull << cpu));
    if (is_idle_vcpu(next))
        timer_cancel(&slice_timer[cpu]);
    else
        timer_set(&slice_timer[cpu], now + slice);
    if (next == prev)
        return;
    local_irq_disable();
    /* A vCPU another pCPU just gave up: wait until it has been saved. */
    while (__atomic_load_n(&next->is_running, __ATOMIC_ACQUIRE))
        cpu_relax();
    next->is_running = true;
    __atomic_store_n(&loading[cpu], NULL, __ATOMIC_RELEASE);
    get_cpu_info()->current_vcpu = next;
    context_switch(prev, next);
}

bool sched_vcpu_off_cpus(const struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    bool off = !__atomic_load_n(&v->is_running, __ATOMIC_ACQUIRE);
    unsigned int cpu;

    for (cpu = 0; off && cpu < NR_CPUS; cpu++)
        off = __atomic_load_n(&loading[cpu], __ATOMIC_ACQUIRE) != v;
    spin_unlock_irqrestore(&sched_lock, flags);
    return off;
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
    BUG_ON(ops->init(NOW()));
    timer_init(&account_timer, account_fired, NULL);
}

void sched_init_cpu(unsigned int cpu)
{
    struct vcpu *idle = &idle_vcpus[cpu];
    unsigned long flags;

    idle->domain = &idle_domain;
    idle->processor = cpu;
    idle->is_running = true;
    idle->run_state = VCPU_runnable;
    list_init(&idle->runq_link);
    get_cpu_info()->current_vcpu = idle;
    timer_init(&slice_timer[cpu], slice_expired, NULL);
    timer_init(&tick_timer[cpu], tick_fired, NULL);
    flags = spin_lock_irqsave(&sched_lock);
    ops->init_cpu(cpu);
    spin_unlock_irqrestore(&sched_lock, flags);
    if (ops->tick)
        timer_set(&tick_timer[cpu], NOW() + ops->tick_period);
    if (ops->account && cpu == 0)
        timer_set(&account_timer, NOW() + ops->account_period);
}

int sched_domain_init(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    unsigned int i;
    int rc = ops->dom_init(d);

    for (i = 0; !rc && i < d->max_vcpus; i++)
        rc = ops->vcpu_init(d->vcpus[i]);
    spin_unlock_irqrestore(&sched_lock, flags);
    return rc;
}

/* After every vCPU of d has left its pCPU for good. */
void sched_domain_destroy(struct domain *d)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    unsigned int i;

    for (i = 0; i < d->max_vcpus; i++)
        ops->vcpu_destroy(d->vcpus[i]);
    ops->dom_destroy(d);
    spin_unlock_irqrestore(&sched_lock, flags);
}

int sched_adjust(struct domain *d, unsigned int weight, unsigned int cap)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    int rc = ops->dom_adjust(d, weight, cap);

    if (!rc) {
        d->weight = weight;
        d->cap = cap;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return rc;
}

int sched_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft)
{
    unsigned long flags;
    uint64_t mask = 0;
    int rc;

    if (!ops->set_affinity)
        return -EOPNOTSUPP;
    flags = spin_lock_irqsave(&sched_lock);
    rc = ops->set_affinity(v, hard, soft, &mask);
    if (!rc) {
        v->affinity_hard = hard;
        v->affinity_soft = soft;
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    tickle(mask);
    return rc;
}

/*
 * Makes v runnable (from blocked or offline) and tells whoever must look.
 * Only in a running domain: pausing and stopping a domain change its state
 * first and then take its vCPUs off under this lock, so a wake-up racing
 * them (a timer firing on another pCPU) either comes before and is undone,
 * or sees the state and does nothing.
 */
static void make_runnable(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    uint64_t mask = 0;

    if (v->run_state != VCPU_runnable &&
        __atomic_load_n(&v->domain->state, __ATOMIC_ACQUIRE) == DOMSTATE_running) {
        v->run_state = VCPU_runnable;
        mask = ops->wake(v, NOW());
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    tickle(mask);
}

void sched_start_vcpu(struct vcpu *v)
{
    make_runnable(v);
}

void sched_wake(struct vcpu *v)
{
    if (READ_ONCE(v->run_state) == VCPU_blocked && v->domain->state == DOMSTATE_running)
        make_runnable(v);
}

void vcpu_kick(struct vcpu *v)
{
    if (READ_ONCE(v->run_state) == VCPU_blocked)
        sched_wake(v);
    else if (READ_ONCE(v->is_running) && v->processor != smp_processor_id())
        arch_kick_cpu(v->processor); /* it delivers on its way back to the guest */
}

/* Leaves the runnable state; the current pCPU or v's will reschedule. */
static void make_not_runnable(struct vcpu *v, enum vcpu_run_state state)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    uint64_t mask = 0;

    if (v->run_state == VCPU_runnable)
        mask = ops->sleep(v, NOW());
    v->run_state = state;
    spin_unlock_irqrestore(&sched_lock, flags);
    tickle(mask);
}

void sched_block(void)
{
    make_not_runnable(current_vcpu(), VCPU_blocked);
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void sched_yield(void)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);

    if (ops->yield && !is_idle_vcpu(current_vcpu()))
        ops->yield(current_vcpu());
    spin_unlock_irqrestore(&sched_lock, flags);
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void sched_remove_vcpu(struct vcpu *v)
{
    make_not_runnable(v, VCPU_offline);
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
