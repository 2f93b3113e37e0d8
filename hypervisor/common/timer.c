/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU software timers: a timer_queue per CPU, with the hardware
 * one-shot timer always programmed for the queue's earliest expiry.
 *
 * Locking: each queue is touched only by its own CPU, with interrupts off.
 */
#include <xenolith/bug.h>
#include <xenolith/smp.h>
#include <xenolith/spinlock.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>

static struct timer_queue queues[NR_CPUS];

void timer_init_cpu(unsigned int cpu)
{
    timer_queue_init(&queues[cpu]);
}

void timer_set(struct timer *t, s_time_t expires)
{
    unsigned long flags = local_irq_save();
    struct timer_queue *q = &queues[smp_processor_id()];

    if (timer_queue_add(q, t, expires))
        arch_timer_program(expires);
    local_irq_restore(flags);
}

void timer_cancel(struct timer *t)
{
    unsigned long flags = local_irq_save();

    timer_queue_remove(&queues[smp_processor_id()], t);
    local_irq_restore(flags);
}

void timer_softirq(void)
{
    struct timer_queue *q = &queues[smp_processor_id()];
    struct timer *t;

    ASSERT(!local_irq_is_enabled());
    while ((t = timer_queue_pop_expired(q, NOW())) != NULL)
        t->fn(t->data);
    arch_timer_program(timer_queue_next(q));
}
