/* SPDX-License-Identifier: MIT */
/* CPU numbering, the online map, and running a function on other CPUs. */
#ifndef XENOLITH_SMP_H
#define XENOLITH_SMP_H

#include <xenolith/types.h>
#include <asm/config.h>
#include <asm/current.h>

typedef struct {
    uint64_t bits;
} cpumask_t;
_Static_assert(NR_CPUS <= 64, "cpumask_t holds 64 CPUs");

static inline bool cpumask_test(const cpumask_t *m, unsigned int cpu)
{
    return (__atomic_load_n(&m->bits, __ATOMIC_RELAXED) >> cpu) & 1;
}

static inline void cpumask_set(cpumask_t *m, unsigned int cpu)
{
    __atomic_fetch_or(&m->bits, 1ull << cpu, __ATOMIC_SEQ_CST);
}

static inline void cpumask_clear(cpumask_t *m, unsigned int cpu)
{
    __atomic_fetch_and(&m->bits, ~(1ull << cpu), __ATOMIC_SEQ_CST);
}

static inline unsigned int cpumask_weight(const cpumask_t *m)
{
    uint64_t b = __atomic_load_n(&m->bits, __ATOMIC_RELAXED);
    unsigned int n = 0;

    for (; b; b &= b - 1) /* no libgcc: count by clearing the lowest bit */
        n++;
    return n;
}

#define for_each_cpu(cpu, mask)                                                                    \
    for ((cpu) = 0; (cpu) < NR_CPUS; (cpu)++)                                                      \
        if (cpumask_test((mask), (cpu)))

extern cpumask_t cpu_online_map;
extern unsigned int nr_cpus_present;

static inline unsigned int smp_processor_id(void)
{
    return get_cpu_info()->processor_id;
}

/*
 * Runs fn(arg) on every online CPU in mask except the caller, from an
 * interrupt; returns when all have finished if wait is set. Interrupts
 * must be enabled (a CPU spinning with them off would deadlock with us).
 */
void smp_call_function(const cpumask_t *mask, void (*fn)(void *), void *arg, bool wait);
/* Stops every other CPU, even one spinning with interrupts off (NMI). */
void smp_stop_others(void);

#endif
