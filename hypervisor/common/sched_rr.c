/* SPDX-License-Identifier: MIT */
/*
 * Round-robin scheduling (sched=rr), for tests: one FIFO run queue per
 * pCPU, no migration, equal 10 ms slices, weights ignored.
 *
 * Locking: the scheduler lock (schedule.c) is held around every hook.
 */
#define __XEN_TOOLS__ 1 /* XEN_SCHEDULER_* are in the tools-only domctl.h */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/list.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/time.h>
#include <xen/domctl.h>

static struct list_head runq[NR_CPUS];
static struct vcpu *curr[NR_CPUS];
static unsigned int next_cpu;

static uint64_t rr_init_cpu(unsigned int cpu)
{
    list_init(&runq[cpu]);
    return 0;
}

static int rr_vcpu_init(struct vcpu *v)
{
    /* vCPUs are spread over the online pCPUs in turn and stay there. */
    do {
        v->processor = next_cpu++ % NR_CPUS;
    } while (!cpumask_test(&cpu_online_map, v->processor));
    return 0;
}

static uint64_t rr_wake(struct vcpu *v, s_time_t now)
{
    (void)now;
    if (curr[v->processor] != v && list_empty(&v->runq_link))
        list_add_tail(&v->runq_link, &runq[v->processor]);
    return curr[v->processor] ? 0 : 1ull << v->processor;
}

static uint64_t rr_sleep(struct vcpu *v, s_time_t now)
{
    (void)now;
    if (!list_empty(&v->runq_link))
        list_del(&v->runq_link);
    return curr[v->processor] == v ? 1ull << v->processor : 0;
}

static struct vcpu *rr_pick_next(unsigned int cpu, s_time_t now, s_time_t *slice, uint64_t *tickle)
{
    struct vcpu *prev = curr[cpu], *next = NULL;

    (void)now;
    *tickle = 0;
    *slice = MILLISECS(10);
    if (prev && prev->run_state == VCPU_runnable && list_empty(&prev->runq_link))
        list_add_tail(&prev->runq_link, &runq[cpu]);
    if (!list_empty(&runq[cpu])) {
        next = list_first_entry(&runq[cpu], struct vcpu, runq_link);
        list_del(&next->runq_link);
    }
    curr[cpu] = next;
    return next;
}

static void rr_vcpu_destroy(struct vcpu *v)
{
    rr_sleep(v, 0);
}

static int rr_dom_init(struct domain *d)
{
    (void)d;
    return 0;
}

static void rr_dom_destroy(struct domain *d)
{
    (void)d;
}

static int rr_dom_adjust(struct domain *d, unsigned int weight, unsigned int cap)
{
    (void)d, (void)weight;
    return cap ? -EOPNOTSUPP : 0; /* no caps in round robin */
}

static int rr_init(s_time_t now)
{
    (void)now;
    return 0;
}

const struct scheduler sched_rr_ops = {
    .name = "rr",
    /* Xen has no round robin. Its null scheduler is the one whose
     * toolstack interface matches: no per-domain parameters to ask for. */
    .xen_id = XEN_SCHEDULER_NULL,
    .init = rr_init,
    .init_cpu = rr_init_cpu,
    .dom_init = rr_dom_init,
    .dom_destroy = rr_dom_destroy,
    .dom_adjust = rr_dom_adjust,
    .vcpu_init = rr_vcpu_init,
    .vcpu_destroy = rr_vcpu_destroy,
    .wake = rr_wake,
    .sleep = rr_sleep,
    .pick_next = rr_pick_next,
};
