/* SPDX-License-Identifier: MIT */
/*
 * Softirqs: per-CPU pending bits, set from any context, run by
 * do_softirq() with interrupts enabled.
 */
#include <xenolith/bug.h>
#include <xenolith/smp.h>
#include <xenolith/softirq.h>
#include <xenolith/spinlock.h>

static void (*handlers[NR_SOFTIRQS])(void);
static unsigned long pending[NR_CPUS];

void softirq_register(enum softirq nr, void (*handler)(void))
{
    handlers[nr] = handler;
}

void raise_softirq(enum softirq nr)
{
    __atomic_fetch_or(&pending[smp_processor_id()], 1ul << nr, __ATOMIC_SEQ_CST);
}

void cpu_raise_softirq(unsigned int cpu, enum softirq nr)
{
    __atomic_fetch_or(&pending[cpu], 1ul << nr, __ATOMIC_SEQ_CST);
    if (cpu != smp_processor_id())
        arch_kick_cpu(cpu);
}

bool softirq_pending(unsigned int cpu)
{
    return __atomic_load_n(&pending[cpu], __ATOMIC_SEQ_CST) != 0;
}

/* Handlers may not return (a context switch jumps away): each bit is
 * cleared before its handler runs, so nothing is lost or run twice. */
void do_softirq(void)
{
    unsigned int cpu = smp_processor_id();
    unsigned long bits;

    ASSERT(local_irq_is_enabled());
    while ((bits = __atomic_load_n(&pending[cpu], __ATOMIC_SEQ_CST)) != 0) {
        unsigned int nr = (unsigned int)__builtin_ctzl(bits);

        __atomic_fetch_and(&pending[cpu], ~(1ul << nr), __ATOMIC_SEQ_CST);
        if (handlers[nr])
            handlers[nr]();
    }
}
