/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: which vCPU each pCPU runs. The core (schedule.c) keeps
 * per-CPU state, the idle vCPUs and the time slice; a policy plugs in
 * through struct scheduler (sched_rr.c: round robin).
 *
 * Locking: each pCPU has a schedule lock, taken with interrupts off,
 * that protects its run queue and the run state of vCPUs assigned to it.
 */
#ifndef XENOLITH_SCHED_H
#define XENOLITH_SCHED_H

#include <xenolith/types.h>

struct vcpu;
struct domain;

struct scheduler {
    const char *name;
    void (*init_cpu)(unsigned int cpu);
    /* v is runnable and not running: queue it on v->processor. */
    void (*insert)(struct vcpu *v);
    /* Take v off its queue if it is there. */
    void (*remove)(struct vcpu *v);
    /* The next vCPU for cpu (NULL: idle); prev is still runnable if it
     * is not idle and its run_state says so. */
    struct vcpu *(*pick_next)(unsigned int cpu, struct vcpu *prev);
};

extern const struct scheduler sched_rr_ops;

#define SCHED_SLICE_NS 10000000ull /* 10 ms */

/* The scheduler named by sched= (default "rr"). */
const char *sched_chosen_name(void);
void sched_init(void);
void sched_init_cpu(unsigned int cpu);
/* Puts a vCPU that was offline on a pCPU and makes it runnable. */
void sched_start_vcpu(struct vcpu *v);
void sched_wake(struct vcpu *v);
/* The current vCPU waits for an event; takes effect on the way out. */
void sched_block(void);
void sched_yield(void);
/* Takes v out of scheduling for good (shutdown); it stops at its next exit. */
void sched_remove_vcpu(struct vcpu *v);
/* Arch hook, after prev's state is saved and before next runs. */
void sched_switched_out(struct vcpu *prev);
void __attribute__((noreturn)) idle_loop(void);

/* Arch: saves prev, loads next, and continues next (never returns). */
void __attribute__((noreturn)) context_switch(struct vcpu *prev, struct vcpu *next);

#endif
