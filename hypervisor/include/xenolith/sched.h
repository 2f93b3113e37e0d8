/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: which vCPU each pCPU runs. The core (schedule.c) keeps
 * the idle vCPUs, the timers (slice, tick, accounting) and the context
 * switches; a policy plugs in through struct scheduler: credit
 * (sched_credit_ops.c over the pure sched_credit.c, the default) or
 * round robin (sched_rr.c).
 *
 * Locking: one scheduler lock, taken with interrupts off, around every
 * policy call; policies may look at and change any pCPU's queues.
 * A returned mask means "raise SCHEDULE_SOFTIRQ on these pCPUs".
 */
#ifndef XENOLITH_SCHED_H
#define XENOLITH_SCHED_H

#include <xenolith/types.h>

struct vcpu;
struct domain;

struct scheduler {
    const char *name;
    unsigned int xen_id; /* XEN_SCHEDULER_* (public/domctl.h) for XEN_SYSCTL_sched_id */
    int (*init)(s_time_t now);
    uint64_t (*init_cpu)(unsigned int cpu);
    int (*dom_init)(struct domain *d);
    void (*dom_destroy)(struct domain *d);
    /* New weight and cap (% of a pCPU, 0 none); -EINVAL for bad values. */
    int (*dom_adjust)(struct domain *d, unsigned int weight, unsigned int cap);
    int (*vcpu_init)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    /* v became runnable: place and queue it (sets v->processor). */
    uint64_t (*wake)(struct vcpu *v, s_time_t now);
    /* v blocked or went offline: off its queue, or off its pCPU at the next pick. */
    uint64_t (*sleep)(struct vcpu *v, s_time_t now);
    /* optional: v, current, yields; its pCPU's next pick_next follows. */
    void (*yield)(struct vcpu *v);
    /* optional: pCPUs v may run on (hard) and prefers (soft); -EINVAL if it
     * could run nowhere. *tickle: pCPUs that must pick again. */
    int (*set_affinity)(struct vcpu *v, uint64_t hard, uint64_t soft, uint64_t *tickle);
    /* The next vCPU for cpu (NULL: idle) and how long it may run. */
    struct vcpu *(*pick_next)(unsigned int cpu, s_time_t now, s_time_t *slice, uint64_t *tickle);
    bool (*tick)(unsigned int cpu, s_time_t now); /* optional: true to reschedule */
    uint64_t (*account)(s_time_t now);            /* optional */
    s_time_t tick_period, account_period;         /* 0: no such timer */
};

extern const struct scheduler sched_rr_ops;
extern const struct scheduler sched_credit_ops;

/* The scheduler named by sched= (default "credit"). */
const char *sched_chosen_name(void);
/* Its XEN_SCHEDULER_* number, what XEN_SYSCTL_sched_id answers. */
unsigned int sched_id(void);
void sched_init(void);
void sched_init_cpu(unsigned int cpu);
int sched_domain_init(struct domain *d);
void sched_domain_destroy(struct domain *d);
int sched_adjust(struct domain *d, unsigned int weight, unsigned int cap);
/* Hard and soft affinity (pCPU bitmaps) of v: 0, -EINVAL, or -EOPNOTSUPP
 * when the scheduler has none. */
int sched_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft);
/* Puts a vCPU that was offline on a pCPU and makes it runnable. */
void sched_start_vcpu(struct vcpu *v);
void sched_wake(struct vcpu *v);
/* The current vCPU waits for an event; takes effect on the way out. */
void sched_block(void);
void sched_yield(void);
/* Neither on a pCPU nor picked by one and being loaded (the reaper's test). */
bool sched_vcpu_off_cpus(const struct vcpu *v);
/* Takes v out of scheduling for good (shutdown); it stops at its next exit. */
void sched_remove_vcpu(struct vcpu *v);
/* Arch hook, after prev's state is saved and before next runs. */
void sched_switched_out(struct vcpu *prev);
void __attribute__((noreturn)) idle_loop(void);

/* Arch: saves prev, loads next, and continues next (never returns). */
void __attribute__((noreturn)) context_switch(struct vcpu *prev, struct vcpu *next);

#endif
