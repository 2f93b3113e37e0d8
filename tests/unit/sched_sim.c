/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler simulator (sched_sim.h). Deterministic: events at
 * the same instant are handled in a fixed order (bursts ending, wakes,
 * ticks, accounting, slice ends), pCPUs in ascending order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sched_sim.h"

#define BIT(cpu) (1ull << (cpu))

static struct sim_vcpu *sim_of(struct csched_vcpu *cv)
{
    return cv ? (struct sim_vcpu *)cv->owner : NULL;
}

void sim_init(struct sim *s, unsigned int nr_pcpus, uint64_t online, const struct csched_params *p)
{
    struct csched_params def;
    unsigned int cpu;

    csched_params_default(&def);
    memset(s, 0, sizeof(*s));
    assert_int_equal(csched_init(&s->sys, p ? p : &def, s->pcpus, nr_pcpus, online, 0), 0);
    for (cpu = 0; cpu < CSCHED_MAX_PCPUS; cpu++)
        s->slice_end[cpu] = TIME_NEVER;
}

void sim_set_phases(struct sim *s, const s_time_t *tick_phases, s_time_t acct_phase)
{
    unsigned int cpu;

    for (cpu = 0; cpu < s->sys.nr_pcpus; cpu++) {
        assert_true(tick_phases[cpu] < s->sys.params.tick);
        s->tick_phase[cpu] = tick_phases[cpu];
    }
    assert_true(acct_phase < s->sys.params.period);
    s->acct_phase = acct_phase;
}

void sim_set_late(struct sim *s, s_time_t late)
{
    s->late = late;
}

/* The first instant after now that is phase + k * interval. */
static s_time_t next_at(s_time_t now, s_time_t interval, s_time_t phase)
{
    return now < phase ? phase : ((now - phase) / interval + 1) * interval + phase;
}

static bool due(s_time_t now, s_time_t interval, s_time_t phase)
{
    return now >= phase && (now - phase) % interval == 0;
}

void sim_dom(struct sim *s, struct csched_domain *d, unsigned int weight, unsigned int cap)
{
    assert_int_equal(csched_dom_init(&s->sys, d, weight, cap), 0);
}

static void schedule_all(struct sim *s);
static void track(struct sim *s);

void sim_add_pinned(struct sim *s, struct sim_vcpu *v, struct csched_domain *d, s_time_t burst,
                    s_time_t sleep, uint64_t hard, uint64_t soft)
{
    uint64_t tickle;

    assert_true(s->nr < SIM_MAX_VCPUS);
    memset(v, 0, sizeof(*v));
    v->burst = v->burst_left = burst;
    v->sleep = sleep;
    v->wait_since = v->woke_at = v->under_since = TIME_NEVER;
    csched_vcpu_init(&s->sys, d, &v->cv, v, s->nr % s->sys.nr_pcpus);
    assert_int_equal(csched_vcpu_set_affinity(&s->sys, &v->cv, hard, soft, &tickle), 0);
    s->v[s->nr++] = v;
    s->resched |= csched_vcpu_wake(&s->sys, &v->cv, s->now);
    schedule_all(s);
    track(s);
}

void sim_add(struct sim *s, struct sim_vcpu *v, struct csched_domain *d, s_time_t burst,
             s_time_t sleep)
{
    sim_add_pinned(s, v, d, burst, sleep, ~0ull, ~0ull);
}

void sim_remove(struct sim *s, struct sim_vcpu *v)
{
    s->resched |= csched_vcpu_sleep(&s->sys, &v->cv, s->now);
    v->removed = true;
    schedule_all(s);
    csched_vcpu_destroy(&s->sys, &v->cv);
    track(s);
}

void sim_online(struct sim *s, unsigned int cpu)
{
    s->resched |= csched_pcpu_online(&s->sys, cpu);
    schedule_all(s);
    track(s);
}

void sim_set_affinity(struct sim *s, struct sim_vcpu *v, uint64_t hard, uint64_t soft)
{
    uint64_t tickle;

    assert_int_equal(csched_vcpu_set_affinity(&s->sys, &v->cv, hard, soft, &tickle), 0);
    s->resched |= tickle;
    schedule_all(s);
    track(s);
}

/* Every queue sorted and counted; runnable <=> queued or current. */
static void check_invariants(const struct sim *s)
{
    unsigned int cpu, i, n, queued = 0;
    const struct csched_vcpu *cv, *prev;

    for (cpu = 0; cpu < s->sys.nr_pcpus; cpu++) {
        n = 0;
        prev = NULL;
        list_for_each_entry(cv, &s->pcpus[cpu].runq, runq_link)
        {
            assert_true(cv->runnable && cv->pcpu == cpu);
            assert_true(!prev || prev->pri >= cv->pri);
            prev = cv;
            n++;
        }
        assert_int_equal(n, s->pcpus[cpu].nr_queued);
        queued += n;
        if (!(s->sys.online & BIT(cpu)))
            assert_null(s->pcpus[cpu].curr);
    }
    for (i = n = 0; i < s->nr; i++) {
        cv = &s->v[i]->cv;
        if (s->v[i]->removed)
            continue;
        assert_int_equal(cv->runnable, !s->v[i]->blocked);
        if (cv->runnable)
            n += s->pcpus[cv->pcpu].curr != cv;
        else
            assert_true(list_empty(&cv->runq_link));
    }
    assert_int_equal(n, queued);
}

/* pick_next wherever asked, checking each decision, until nobody asks. */
static void schedule_all(struct sim *s)
{
    unsigned int cpu, rounds = 0;
    struct csched_decision dec;
    struct csched_vcpu *prev;

    while (s->resched) {
        assert_true(++rounds < 100000);
        cpu = (unsigned int)__builtin_ctzll(s->resched);
        s->resched &= ~BIT(cpu);
        prev = s->pcpus[cpu].curr;
        dec = csched_pick_next(&s->sys, cpu, s->now);
        s->decisions++;
        s->switches += dec.next != prev;
        s->resched |= dec.tickle;
        s->slice_end[cpu] = TIME_NEVER;
        if (!dec.next)
            continue;
        /* The property the whole model hangs on: hard affinity holds. */
        assert_true(dec.next->hard & BIT(cpu));
        assert_true(s->sys.online & BIT(cpu));
        assert_true(dec.next->pcpu == cpu && dec.next->runnable);
        assert_ptr_equal(s->pcpus[cpu].curr, dec.next);
        assert_true(dec.slice > 0 && dec.slice <= s->sys.params.slice);
        s->slice_end[cpu] = s->now + dec.slice + s->late;
    }
    check_invariants(s);
}

/* Latency bookkeeping after the state at s->now settled. */
static void track(struct sim *s)
{
    struct sim_vcpu *v;
    unsigned int i;
    bool running;

    for (i = 0; i < s->nr; i++) {
        v = s->v[i];
        running = s->pcpus[v->cv.pcpu].curr == &v->cv;
        if (running) {
            if (v->wait_since != TIME_NEVER)
                v->max_wait = MAX(v->max_wait, s->now - v->wait_since);
            if (v->woke_at != TIME_NEVER) {
                v->max_wake_lat = MAX(v->max_wake_lat, s->now - v->woke_at);
            }
            if (v->under_since != TIME_NEVER)
                v->max_under_wait = MAX(v->max_under_wait, s->now - v->under_since);
            v->wait_since = v->woke_at = v->under_since = TIME_NEVER;
            continue;
        }
        if (!v->cv.runnable) {
            v->wait_since = v->under_since = TIME_NEVER;
            continue;
        }
        if (v->wait_since == TIME_NEVER)
            v->wait_since = s->now;
        if (v->cv.pri < CSCHED_PRI_UNDER)
            v->under_since = TIME_NEVER;
        else if (v->under_since == TIME_NEVER)
            v->under_since = s->now;
    }
}

static s_time_t next_event(const struct sim *s, s_time_t end)
{
    const struct csched_params *p = &s->sys.params;
    s_time_t t = MIN(end, next_at(s->now, p->period + s->late, s->acct_phase));
    struct sim_vcpu *v;
    unsigned int i;

    for (i = 0; i < s->sys.nr_pcpus; i++) {
        t = MIN(t, next_at(s->now, p->tick + s->late, s->tick_phase[i]));
        t = MIN(t, s->slice_end[i]);
        v = sim_of(s->pcpus[i].curr);
        if (v && v->burst)
            t = MIN(t, s->now + v->burst_left);
    }
    for (i = 0; i < s->nr; i++) {
        if (s->v[i]->blocked)
            t = MIN(t, s->v[i]->wake_at);
    }
    assert_true(t > s->now);
    return t;
}

static void advance(struct sim *s, s_time_t t)
{
    s_time_t dt = t - s->now;
    struct sim_vcpu *v;
    unsigned int cpu;

    for (cpu = 0; cpu < s->sys.nr_pcpus; cpu++) {
        v = sim_of(s->pcpus[cpu].curr);
        if (!v)
            continue;
        s->busy[cpu] += dt;
        v->ran += dt;
        v->ran_on |= BIT(cpu);
        if (v->cv.soft & BIT(cpu))
            v->ran_soft += dt;
        if (v->burst)
            v->burst_left -= dt;
    }
    s->now = t;
}

static void events(struct sim *s)
{
    const struct csched_params *p = &s->sys.params;
    struct sim_vcpu *v;
    unsigned int i;

    for (i = 0; i < s->sys.nr_pcpus; i++) {
        v = sim_of(s->pcpus[i].curr);
        if (v && v->burst && v->burst_left == 0) {
            s->resched |= csched_vcpu_sleep(&s->sys, &v->cv, s->now);
            v->blocked = true;
            v->wake_at = s->now + v->sleep;
        }
    }
    for (i = 0; i < s->nr; i++) {
        v = s->v[i];
        if (v->blocked && v->wake_at == s->now) {
            v->blocked = false;
            v->burst_left = v->burst;
            v->woke_at = s->now;
            v->wakes++;
            s->resched |= csched_vcpu_wake(&s->sys, &v->cv, s->now);
        }
    }
    for (i = 0; i < s->sys.nr_pcpus; i++) {
        if (due(s->now, p->tick + s->late, s->tick_phase[i]) && (s->sys.online & BIT(i)) &&
            csched_tick(&s->sys, i, s->now))
            s->resched |= BIT(i);
    }
    if (due(s->now, p->period + s->late, s->acct_phase))
        s->resched |= csched_account(&s->sys, s->now);
    for (i = 0; i < s->sys.nr_pcpus; i++) {
        if (s->slice_end[i] == s->now)
            s->resched |= BIT(i);
    }
}

void sim_run(struct sim *s, s_time_t duration)
{
    s_time_t end = s->now + duration;

    while (s->now < end) {
        advance(s, next_event(s, end));
        events(s);
        schedule_all(s);
        track(s);
    }
}

void sim_reset_stats(struct sim *s)
{
    unsigned int i;

    for (i = 0; i < s->nr; i++) {
        s->v[i]->ran = s->v[i]->ran_soft = 0;
        s->v[i]->max_wait = s->v[i]->max_wake_lat = s->v[i]->max_under_wait = 0;
        s->v[i]->ran_on = 0;
        s->v[i]->wakes = 0;
    }
    for (i = 0; i < CSCHED_MAX_PCPUS; i++)
        s->busy[i] = 0;
    s->decisions = s->switches = 0;
}

unsigned int sim_permille(const struct sim_vcpu *v, s_time_t over)
{
    return (unsigned int)((v->ran * 1000 + over / 2) / over);
}
