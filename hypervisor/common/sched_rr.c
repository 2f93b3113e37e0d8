/* SPDX-License-Identifier: MIT */
/*
 * Round-robin scheduling: one FIFO run queue per pCPU; the running vCPU
 * goes to the tail when its slice ends, yields or a vCPU wakes behind it.
 *
 * Locking: called with the pCPU's schedule lock held (schedule.c).
 */
#include <xenolith/domain.h>
#include <xenolith/list.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>

static struct list_head runq[NR_CPUS];

static void rr_init_cpu(unsigned int cpu)
{
    list_init(&runq[cpu]);
}

static void rr_insert(struct vcpu *v)
{
    if (list_empty(&v->runq_link))
        list_add_tail(&v->runq_link, &runq[v->processor]);
}

static void rr_remove(struct vcpu *v)
{
    if (!list_empty(&v->runq_link))
        list_del(&v->runq_link);
}

static struct vcpu *rr_pick_next(unsigned int cpu, struct vcpu *prev)
{
    struct vcpu *next;

    if (!is_idle_vcpu(prev) && prev->run_state == VCPU_runnable)
        rr_insert(prev);
    if (list_empty(&runq[cpu]))
        return NULL;
    next = list_first_entry(&runq[cpu], struct vcpu, runq_link);
    list_del(&next->runq_link);
    return next;
}

const struct scheduler sched_rr_ops = {
    .name = "rr",
    .init_cpu = rr_init_cpu,
    .insert = rr_insert,
    .remove = rr_remove,
    .pick_next = rr_pick_next,
};
