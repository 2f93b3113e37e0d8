/* SPDX-License-Identifier: MIT */
/*
 * A tiny discrete-event simulator for the credit scheduler's pure logic
 * (test_sched_credit.c): M pCPUs run N vCPUs in simulated time, with the
 * tick every params.tick, accounting every params.period (all at time 0
 * plus a multiple, or each at its own phase: sim_set_phases), pick_next
 * at slice ends and wherever the scheduler asks for a tickle. A vCPU either
 * spins (burst 0) or runs `burst` of CPU and then blocks for `sleep`.
 *
 * The simulator measures run time itself (not from the scheduler's
 * counters) and fails the running cmocka test on any broken invariant:
 * hard affinity on every decision, queue order and membership, blocked
 * vCPUs on no queue, no offline pCPU running anything.
 */
#ifndef TEST_SCHED_SIM_H
#define TEST_SCHED_SIM_H

#include <xenolith/sched_credit.h>

#define SIM_MAX_VCPUS 160

struct sim_vcpu {
    struct csched_vcpu cv;
    s_time_t burst, sleep;   /* burst 0: CPU-bound */
    s_time_t burst_left;     /* CPU left before it blocks */
    s_time_t wake_at;        /* while blocked by the simulator */
    bool blocked, removed;   /* blocked: waits for wake_at */
    s_time_t ran;            /* measured run time */
    s_time_t ran_soft;       /* of which on a pCPU of its soft affinity */
    uint64_t ran_on;         /* pCPUs it ran on */
    s_time_t wait_since;     /* runnable, not running, since (or TIME_NEVER) */
    s_time_t max_wait;       /* longest runnable-but-waiting stretch */
    s_time_t under_since;    /* waiting while UNDER or BOOST, since */
    s_time_t max_under_wait; /* longest such stretch */
    s_time_t woke_at;        /* last wake not yet followed by running */
    s_time_t max_wake_lat;   /* longest wake-to-run latency */
    unsigned int wakes;
};

struct sim {
    struct csched_system sys;
    struct csched_pcpu pcpus[CSCHED_MAX_PCPUS];
    s_time_t slice_end[CSCHED_MAX_PCPUS];  /* TIME_NEVER: idle */
    s_time_t busy[CSCHED_MAX_PCPUS];       /* measured busy time per pCPU */
    s_time_t tick_phase[CSCHED_MAX_PCPUS]; /* ticks at phase + k * tick */
    s_time_t acct_phase;                   /* accounting at phase + k * period */
    s_time_t late;                         /* every timer fires this late */
    struct sim_vcpu *v[SIM_MAX_VCPUS];
    unsigned int nr;
    s_time_t now;
    uint64_t resched; /* pCPUs to pick_next at now */
    unsigned long decisions, switches;
};

/* p NULL: default parameters. Time starts at 0. */
void sim_init(struct sim *s, unsigned int nr_pcpus, uint64_t online, const struct csched_params *p);
/*
 * Offsets the ticks of each pCPU (tick_phases[cpu]) and the accounting from
 * time 0, as unsynchronized timers are on a real machine. Each offset
 * must be below its interval; 0 (the default) fires them together.
 */
void sim_set_phases(struct sim *s, const s_time_t *tick_phases, s_time_t acct_phase);
/*
 * Every timer fires `late` after it is due, as on a real machine, and the
 * periodic ones are re-armed from when they fired: ticks come every
 * tick + late, accounting every period + late, slices end late.
 */
void sim_set_late(struct sim *s, s_time_t late);
void sim_dom(struct sim *s, struct csched_domain *d, unsigned int weight, unsigned int cap);
/* Adds v to d and wakes it now (burst 0: spins; else burst/sleep cycles). */
void sim_add(struct sim *s, struct sim_vcpu *v, struct csched_domain *d, s_time_t burst,
             s_time_t sleep);
/* As sim_add, with affinity set before the first wake. */
void sim_add_pinned(struct sim *s, struct sim_vcpu *v, struct csched_domain *d, s_time_t burst,
                    s_time_t sleep, uint64_t hard, uint64_t soft);
/* Takes v out for good (running or queued), as domain destruction would. */
void sim_remove(struct sim *s, struct sim_vcpu *v);
void sim_online(struct sim *s, unsigned int cpu);
void sim_set_affinity(struct sim *s, struct sim_vcpu *v, uint64_t hard, uint64_t soft);
void sim_run(struct sim *s, s_time_t duration);
/* Zeroes the measurements, to measure a later phase alone. */
void sim_reset_stats(struct sim *s);
/* v's measured share of one pCPU over `over`, in per mille. */
unsigned int sim_permille(const struct sim_vcpu *v, s_time_t over);

#endif
