/* SPDX-License-Identifier: MIT */
/*
 * Deferred work per CPU, run with interrupts on before returning to a
 * guest and from the idle loop: scheduling, reaping dead domains.
 */
#ifndef XENOLITH_SOFTIRQ_H
#define XENOLITH_SOFTIRQ_H

#include <xenolith/types.h>

enum softirq {
    SCHEDULE_SOFTIRQ,
    DOMAIN_REAP_SOFTIRQ,
    CONSOLE_RING_SOFTIRQ,
    CONSOLE_INPUT_SOFTIRQ,
    NR_SOFTIRQS,
};

void softirq_register(enum softirq nr, void (*handler)(void));
void raise_softirq(enum softirq nr);
/* Raises nr on another CPU and interrupts it so it notices. */
void cpu_raise_softirq(unsigned int cpu, enum softirq nr);
bool softirq_pending(unsigned int cpu);
void do_softirq(void);

/* Arch hook: interrupt a CPU (any vector that returns through the exit path). */
void arch_kick_cpu(unsigned int cpu);

#endif
