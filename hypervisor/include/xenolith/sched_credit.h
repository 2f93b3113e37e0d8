/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler's decisions (hypervisor/common/sched_credit.c), as
 * pure logic: every object is allocated by the caller, time comes in as
 * s_time_t, and the effects on other pCPUs come back as "tickle" masks
 * (bit i: pCPU i must call csched_pick_next soon). docs/scheduler.md has
 * the model and the hooks that plug it into struct scheduler.
 *
 * Credit is counted in nanoseconds of pCPU time: a vCPU with credit >= 0
 * is UNDER its share, below 0 it is OVER (never, while its domain is full:
 * entitled to a whole pCPU per vCPU). BOOST (woken from blocking while
 * UNDER) outranks UNDER until the vCPU's next tick or descheduling.
 *
 * Locking: caller serializes. Every call may read or change any pCPU's
 * run queue (wake placement, stealing, accounting), so the caller holds
 * whatever lock covers all of them.
 */
#ifndef XENOLITH_SCHED_CREDIT_H
#define XENOLITH_SCHED_CREDIT_H

#include <xenolith/list.h>
#include <xenolith/types.h>

#define CSCHED_MAX_PCPUS      64 /* pCPU masks are uint64_t */
#define CSCHED_WEIGHT_MIN     1
#define CSCHED_WEIGHT_MAX     65535
#define CSCHED_WEIGHT_DEFAULT 256
#define CSCHED_CAP_MAX        (100 * CSCHED_MAX_PCPUS) /* % of one pCPU */

/* Higher runs first. */
enum csched_pri {
    CSCHED_PRI_IDLE,  /* only for an idle pCPU: nothing to run */
    CSCHED_PRI_OVER,  /* used more than its share: credit < 0 */
    CSCHED_PRI_UNDER, /* credit >= 0 */
    CSCHED_PRI_BOOST, /* woke while UNDER; until its next tick/deschedule */
};

struct csched_params {
    s_time_t period;      /* accounting period (30 ms) */
    s_time_t tick;        /* debit tick (10 ms) */
    s_time_t slice;       /* time slice (30 ms) */
    s_time_t boost_slice; /* slice while a BOOST vCPU waits behind (2 ms) */
    s_time_t min_slice;   /* shortest slice cut to an UNDER vCPU's credit (1 ms) */
};

struct csched_domain {
    struct list_head link;  /* in csched_system.domains */
    struct list_head vcpus; /* its csched_vcpu.dom_link */
    unsigned int weight;    /* CSCHED_WEIGHT_MIN..MAX */
    unsigned int cap;       /* % of one pCPU per period; 0: no cap */
    int64_t cap_budget;     /* ns it may still run this period (capped) */
    bool parked;            /* over its cap: not picked until refilled */
    bool active;            /* had an active vCPU at the last accounting */
    bool full;              /* entitled to a pCPU per active vCPU: never OVER */
    /* Accounting scratch, valid during csched_account only. */
    unsigned int nr_active;
    int64_t peak, share;
    int64_t whole; /* a pCPU per active vCPU; INT64_MAX if the cap is below */
    bool saturated;
};

struct csched_vcpu {
    struct list_head runq_link; /* on pcpus[pcpu].runq while queued */
    struct list_head dom_link;  /* in dom->vcpus */
    struct csched_domain *dom;
    void *owner;         /* the caller's vCPU */
    unsigned int pcpu;   /* queued on, running on, or last ran on */
    uint64_t hard, soft; /* affinity masks of pCPUs */
    int64_t credit;      /* ns; clamped to one period either way */
    enum csched_pri pri; /* never IDLE */
    bool runnable;       /* queued, running, or running until picked off */
    bool yielded;        /* requeue behind its priority's vCPUs, whatever its credit */
    s_time_t last_debit; /* while current: run time before this is debited */
    s_time_t ran_period; /* ran since the last accounting */
    s_time_t runtime;    /* ran in total */
};

struct csched_pcpu {
    struct list_head runq;    /* by pri; UNDER by credit, most first; else FIFO */
    struct csched_vcpu *curr; /* NULL: idle */
    unsigned int nr_queued;
};

struct csched_system {
    struct csched_params params;
    struct csched_pcpu *pcpus; /* nr_pcpus of them, caller-allocated */
    unsigned int nr_pcpus;
    uint64_t online;
    struct list_head domains; /* every csched_domain */
    s_time_t last_acct;
    /* Totals of the last accounting. */
    unsigned int nr_active_domains, nr_active_vcpus;
    uint64_t active_weight;
};

/* What a pCPU runs next: next NULL means idle (no slice timer needed). */
struct csched_decision {
    struct csched_vcpu *next;
    s_time_t slice;
    uint64_t tickle; /* other pCPUs to poke (idle ones that can steal) */
};

void csched_params_default(struct csched_params *p);
/* -EINVAL on bad params, nr_pcpus or online mask. */
int csched_init(struct csched_system *sys, const struct csched_params *p, struct csched_pcpu *pcpus,
                unsigned int nr_pcpus, uint64_t online, s_time_t now);
/* cpu joins scheduling; returns the tickle mask (cpu itself). */
uint64_t csched_pcpu_online(struct csched_system *sys, unsigned int cpu);

/* -EINVAL if weight or cap is out of range. Effective at next accounting. */
int csched_dom_init(struct csched_system *sys, struct csched_domain *d, unsigned int weight,
                    unsigned int cap);
int csched_dom_adjust(struct csched_system *sys, struct csched_domain *d, unsigned int weight,
                      unsigned int cap);
/* d has no vCPUs left. */
void csched_dom_destroy(struct csched_system *sys, struct csched_domain *d);

/* v starts blocked, credit 0, any pCPU; last on cpu. */
void csched_vcpu_init(struct csched_system *sys, struct csched_domain *d, struct csched_vcpu *v,
                      void *owner, unsigned int cpu);
/* v is not runnable and no pCPU's current. */
void csched_vcpu_destroy(struct csched_system *sys, struct csched_vcpu *v);
/* v becomes runnable: placed, queued, boosted if UNDER. Returns tickles. */
uint64_t csched_vcpu_wake(struct csched_system *sys, struct csched_vcpu *v, s_time_t now);
/*
 * v stops being runnable (block, pause, removal). Dequeued if queued; if
 * running, it stays current until its pCPU's next pick_next, which is
 * returned as a tickle.
 */
uint64_t csched_vcpu_sleep(struct csched_system *sys, struct csched_vcpu *v, s_time_t now);
/* -EINVAL if hard has no online pCPU; else moves v if needed, *tickle set. */
int csched_vcpu_set_affinity(struct csched_system *sys, struct csched_vcpu *v, uint64_t hard,
                             uint64_t soft, uint64_t *tickle);

/* The current vCPU v yields: its next requeue puts it behind every vCPU of
 * its priority, as Xen's, even UNDER ones with less credit. */
void csched_vcpu_yield(struct csched_system *sys, struct csched_vcpu *v);
/* Deschedules the current vCPU (requeued if runnable) and picks the next. */
struct csched_decision csched_pick_next(struct csched_system *sys, unsigned int cpu, s_time_t now);
/* Debits the current vCPU, ends its boost; true: cpu must reschedule. */
bool csched_tick(struct csched_system *sys, unsigned int cpu, s_time_t now);
/* Hands out a period's credit, refills caps. Returns tickles. */
uint64_t csched_account(struct csched_system *sys, s_time_t now);

#endif
