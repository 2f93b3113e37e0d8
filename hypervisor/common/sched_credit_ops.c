/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler (sched=credit, the default) plugged into the core:
 * each domain and vCPU carries its csched_* object, and the hooks call
 * the pure decision logic of sched_credit.c.
 *
 * Locking: the scheduler lock (schedule.c) is held around every hook.
 */
#define __XEN_TOOLS__ 1 /* XEN_SCHEDULER_* are in the tools-only domctl.h */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/sched.h>
#include <xenolith/sched_credit.h>
#include <xenolith/smp.h>
#include <xenolith/time.h>
#include <xen/domctl.h>

static struct csched_system sys;
static struct csched_pcpu pcpus[NR_CPUS];

static struct csched_vcpu *cv(const struct vcpu *v)
{
    return v->sched_priv;
}

/* Xen's sched_credit_tslice_ms=: the longest a vCPU runs before others get a turn. */
static unsigned long opt_tslice_ms = 30;
UINT_PARAM("sched_credit_tslice_ms", opt_tslice_ms);

#define TSLICE_MS_MIN 1 /* as Xen's XEN_SYSCTL_CSCHED_TSLICE_MIN/MAX */
#define TSLICE_MS_MAX 1000

static int credit_init(s_time_t now)
{
    struct csched_params p;

    csched_params_default(&p);
    if (opt_tslice_ms >= TSLICE_MS_MIN && opt_tslice_ms <= TSLICE_MS_MAX)
        p.slice = MILLISECS(opt_tslice_ms);
    else
        printk(XENLOG_WARNING "WARNING: sched_credit_tslice_ms=%lu: out of %u..%u, 30 used\n",
               opt_tslice_ms, TSLICE_MS_MIN, TSLICE_MS_MAX);
    printk("Credit scheduler: time slice %lu ms\n", (unsigned long)(p.slice / MILLISECS(1)));
    /* The boot CPU is online already; the others join through init_cpu. */
    return csched_init(&sys, &p, pcpus, NR_CPUS, 1ull << smp_processor_id(), now);
}

static uint64_t credit_init_cpu(unsigned int cpu)
{
    return csched_pcpu_online(&sys, cpu);
}

static int credit_dom_init(struct domain *d)
{
    struct csched_domain *sd = xzalloc(struct csched_domain);

    if (!sd)
        return -ENOMEM;
    if (csched_dom_init(&sys, sd, d->weight, d->cap)) {
        xfree(sd);
        return -EINVAL;
    }
    d->sched_priv = sd;
    return 0;
}

static void credit_dom_destroy(struct domain *d)
{
    if (d->sched_priv)
        csched_dom_destroy(&sys, d->sched_priv);
    xfree(d->sched_priv);
    d->sched_priv = NULL;
}

static int credit_dom_adjust(struct domain *d, unsigned int weight, unsigned int cap)
{
    return csched_dom_adjust(&sys, d->sched_priv, weight, cap);
}

static int credit_vcpu_init(struct vcpu *v)
{
    struct csched_vcpu *c = xzalloc(struct csched_vcpu);

    if (!c)
        return -ENOMEM;
    csched_vcpu_init(&sys, v->domain->sched_priv, c, v, 0);
    v->sched_priv = c;
    return 0;
}

static void credit_vcpu_destroy(struct vcpu *v)
{
    if (v->sched_priv)
        csched_vcpu_destroy(&sys, v->sched_priv);
    xfree(v->sched_priv);
    v->sched_priv = NULL;
}

static uint64_t credit_wake(struct vcpu *v, s_time_t now)
{
    uint64_t tickle = csched_vcpu_wake(&sys, cv(v), now);

    v->processor = cv(v)->pcpu;
    return tickle;
}

static uint64_t credit_sleep(struct vcpu *v, s_time_t now)
{
    return csched_vcpu_sleep(&sys, cv(v), now);
}

static void credit_yield(struct vcpu *v)
{
    csched_vcpu_yield(&sys, cv(v));
}

static int credit_set_affinity(struct vcpu *v, uint64_t hard, uint64_t soft, uint64_t *tickle)
{
    return csched_vcpu_set_affinity(&sys, cv(v), hard, soft, tickle);
}

static struct vcpu *credit_pick_next(unsigned int cpu, s_time_t now, s_time_t *slice,
                                     uint64_t *tickle)
{
    struct csched_decision dec = csched_pick_next(&sys, cpu, now);

    *slice = dec.slice;
    *tickle = dec.tickle;
    return dec.next ? dec.next->owner : NULL;
}

static bool credit_tick(unsigned int cpu, s_time_t now)
{
    return csched_tick(&sys, cpu, now);
}

static uint64_t credit_account(s_time_t now)
{
    return csched_account(&sys, now);
}

const struct scheduler sched_credit_ops = {
    .name = "credit",
    .xen_id = XEN_SCHEDULER_CREDIT,
    .init = credit_init,
    .init_cpu = credit_init_cpu,
    .dom_init = credit_dom_init,
    .dom_destroy = credit_dom_destroy,
    .dom_adjust = credit_dom_adjust,
    .vcpu_init = credit_vcpu_init,
    .vcpu_destroy = credit_vcpu_destroy,
    .set_affinity = credit_set_affinity,
    .wake = credit_wake,
    .sleep = credit_sleep,
    .yield = credit_yield,
    .pick_next = credit_pick_next,
    .tick = credit_tick,
    .account = credit_account,
    .tick_period = MILLISECS(10),
    .account_period = MILLISECS(30),
};
