/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU software timers: a timer_queue per CPU, with the hardware
 * one-shot timer always programmed for the queue's earliest expiry.
 * Timers are armed on the CPU that runs the code arming them; another
 * CPU may cancel one (a domain being destroyed elsewhere).
 *
 * Locking: queue_lock[cpu] protects queues[cpu], taken with interrupts
 * off; a timer's function runs without it, so it may re-arm itself.
 */
#include <xenolith/bug.h>
#include <xenolith/smp.h>
#include <xenolith/spinlock.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>

static struct timer_queue queues[NR_CPUS];
static spinlock_t queue_lock[NR_CPUS];
static struct timer *running[NR_CPUS]; /* whose function runs right now */

void timer_init_cpu(unsigned int cpu)
{
    spin_lock_init(&queue_lock[cpu]);
    timer_queue_init(&queues[cpu]);
}

void timer_set(struct timer *t, s_time_t expires)
{
    unsigned int cpu = smp_processor_id();
    unsigned long flags;

    /* Armed on another pCPU before (its vCPU moved): take it off there first. */
    if (READ_ONCE(t->queued) && t->cpu != cpu)
        timer_cancel(t);
    flags = spin_lock_irqsave(&queue_lock[cpu]);
    t->cpu = cpu;
    if (timer_queue_add(&queues[cpu], t, expires))
        arch_timer_program(expires);
    spin_unlock_irqrestore(&queue_lock[cpu], flags);
}

/*
 * From any pCPU. On return t is neither queued nor running anywhere
 * (unless it is the caller), so its memory may be freed.
 */
void timer_cancel(struct timer *t)
{
    unsigned int cpu = READ_ONCE(t->cpu);
    unsigned long flags = spin_lock_irqsave(&queue_lock[cpu]);

    /* Left programmed, the hardware timer just fires once for nothing. */
    timer_queue_remove(&queues[cpu], t);
    while (running[cpu] == t && cpu != smp_processor_id()) {
        spin_unlock(&queue_lock[cpu]);
        cpu_relax();
        spin_lock(&queue_lock[cpu]);
    }
    spin_unlock_irqrestore(&queue_lock[cpu], flags);
}

void timer_softirq(void)
{
    unsigned int cpu = smp_processor_id();
    struct timer *t;

    ASSERT(!local_irq_is_enabled());
    spin_lock(&queue_lock[cpu]);
    while ((t = timer_queue_pop_expired(&queues[cpu], NOW())) != NULL) {
        running[cpu] = t;
        spin_unlock(&queue_lock[cpu]);
        t->fn(t->data);
        spin_lock(&queue_lock[cpu]);
        running[cpu] = NULL;
    }
    arch_timer_program(timer_queue_next(&queues[cpu]));
    spin_unlock(&queue_lock[cpu]);
}
