/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU software timers on top of the one-shot LAPIC timer. A timer runs
 * on the CPU it was set on, from the timer interrupt, with interrupts off.
 */
#ifndef XENOLITH_TIMER_H
#define XENOLITH_TIMER_H

#include <xenolith/timer_queue.h>

/* Arms t on this CPU to fire at system time `expires` (re-arms if set). */
void timer_set(struct timer *t, s_time_t expires);
/* Disarms t wherever it was set, from any CPU; safe if not armed. On
 * return its function is not running (unless t is the caller's own). */
void timer_cancel(struct timer *t);
/* Called from the timer interrupt: runs every expired timer. */
void timer_softirq(void);
void timer_init_cpu(unsigned int cpu);

/* Arch hook: make this CPU's timer interrupt fire at `expires`. */
void arch_timer_program(s_time_t expires);

#endif
