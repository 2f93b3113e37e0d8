/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler as a whole, in simulated time (sched_sim.c: ticks
 * every 10 ms, accounting every 30 ms, pick_next at slice ends and
 * tickles; hard affinity and queue invariants asserted on every
 * decision): weights, caps, boost, affinity, starvation, balancing, idle,
 * removal, weight changes, extremes. Shares are in per mille of one pCPU;
 * the measured ones are printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <xenolith/time.h>

#include "sched_sim.h"

#define BIT(cpu) (1ull << (cpu))
#define TICK     MILLISECS(10)
#define PERIOD   MILLISECS(30)

static struct sim S;
static struct sim_vcpu V[SIM_MAX_VCPUS];
static struct csched_domain D[SIM_MAX_VCPUS];

static void check_share(const char *what, unsigned int got, unsigned int want, unsigned int tol)
{
    printf("    %-40s %4u per mille (want %u +- %u)\n", what, got, want, tol);
    assert_in_range(got, want - tol, want + tol);
}

/* Weights 256/512/1024 on one pCPU get 1/7, 2/7, 4/7 over 10 s. */
static void test_weights_one_pcpu(void **state)
{
    static const unsigned int w[] = {256, 512, 1024}, want[] = {143, 286, 571};
    unsigned int i;

    (void)state;
    sim_init(&S, 1, 1, NULL);
    for (i = 0; i < 3; i++) {
        sim_dom(&S, &D[i], w[i], 0);
        sim_add(&S, &V[i], &D[i], 0, 0);
    }
    sim_run(&S, SECONDS(10));
    for (i = 0; i < 3; i++)
        check_share(i == 0   ? "256"
                    : i == 1 ? "512"
                             : "1024",
                    sim_permille(&V[i], SECONDS(10)), want[i], 20);
}

/*
 * Two pCPUs, four vCPUs: domains of weight 256 (1 vCPU), 512 (1 vCPU),
 * 1024 (2 vCPUs) share the machine 1/7, 2/7, 4/7.
 */
static void test_weights_two_pcpus(void **state)
{
    s_time_t t = SECONDS(10);

    (void)state;
    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 256, 0);
    sim_dom(&S, &D[1], 512, 0);
    sim_dom(&S, &D[2], 1024, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_add(&S, &V[1], &D[1], 0, 0);
    sim_add(&S, &V[2], &D[2], 0, 0);
    sim_add(&S, &V[3], &D[2], 0, 0);
    sim_run(&S, t);
    check_share("256 (of the machine)", sim_permille(&V[0], 2 * t), 143, 20);
    check_share("512 (of the machine)", sim_permille(&V[1], 2 * t), 286, 20);
    check_share("1024, 2 vCPUs (of the machine)",
                sim_permille(&V[2], 2 * t) + sim_permille(&V[3], 2 * t), 571, 20);
}

/*
 * Credit a domain cannot use goes to the others: on two pCPUs, weight
 * 1024 is entitled to 4/3 of a pCPU but one vCPU can use only one; the
 * two 256s share the rest (half a pCPU each), and the 1024 keeps a whole
 * pCPU instead of round-robining with OVER neighbours.
 */
static void test_unused_credit_redistributed(void **state)
{
    s_time_t t = SECONDS(10);

    (void)state;
    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 1024, 0);
    sim_dom(&S, &D[1], 256, 0);
    sim_dom(&S, &D[2], 256, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_add(&S, &V[1], &D[1], 0, 0);
    sim_add(&S, &V[2], &D[2], 0, 0);
    sim_run(&S, t);
    check_share("1024 beside 2 x 256 on 2 pCPUs", sim_permille(&V[0], t), 1000, 20);
    check_share("256", sim_permille(&V[1], t), 500, 20);
    check_share("256", sim_permille(&V[2], t), 500, 20);
}

/*
 * Every 2 s window is fair, not just a long run (issue 4; the QEMU twin
 * is tests/integration/test_fairness.py): spinners of weight 256/512/1024
 * on one pCPU, and 256/512/1024/2048 on two, started at staggered times,
 * with each pCPU's tick and the accounting at their own phase as on a
 * real machine, some with timers firing late. Each share of the total
 * run time must be within 5% of its ideal (relative) in each of four 2 s
 * windows after the first second.
 * Regressions: the 2048 (entitled to a whole pCPU) used to go OVER late in
 * each period and lose up to 17% of a window to OVER-stealing (and, with
 * late timers, 1/7 of its pCPU to the 512); the 256 swung by a 30 ms
 * slice (+-5.5%); the 1024 lost 9% at the credit limit behind FIFO.
 */
/* Times in us. */
struct window_case {
    unsigned int pcpus;
    s_time_t tick_phase[2], acct_phase;
    s_time_t gap[4]; /* before each domain starts */
    s_time_t late;   /* every timer fires this late (sim_set_late) */
};

static void test_fair_2s_windows(void **state)
{
    static const unsigned int w[] = {256, 512, 1024, 2048};
    static const unsigned int ideal1[] = {1000000 / 7, 2000000 / 7, 4000000 / 7};
    static const unsigned int ideal2[] = {1000000 / 14, 2000000 / 14, 4000000 / 14, 500000};
    static const struct window_case cases[] = {
        {1, {0, 0}, 0, {37000, 11000, 11000}, 0},
        {1, {3100, 0}, 23100, {50000, 9000, 31000}, 0},
        {2, {0, 5000}, 0, {37000, 11000, 11000, 11000}, 0},
        {2, {9900, 100}, 29900, {37065, 11000, 11000, 11000}, 0},
        {2, {2559, 4505}, 2559, {26799, 92734, 54819, 74315}, 0},
        {2, {3606, 1784}, 23606, {52298, 56190, 80524, 42590}, 0},
        {2, {5036, 7069}, 15036, {40634, 34158, 65725, 20356}, 0},
        {2, {4807, 6340}, 4807, {86742, 95354, 90244, 3124}, 0},
        /* Timers 20 us late, as in QEMU: 2048's credit dipped below 0 just before each
         * refill, and the 512 (0.2155 of the machine) took 1/7 of its pCPU (0.429). */
        {2, {2597, 1538}, 22597, {69841, 92350, 65193, 41500}, 20},
        {2, {4393, 89}, 24393, {18184, 53195, 96776, 55805}, 20},
        {1, {3100, 0}, 23100, {50000, 9000, 31000}, 500},
        {2, {2218, 2160}, 22218, {85273, 81776, 68850, 47255}, 20},
        {2, {2218, 2160}, 22218, {85273, 81776, 68850, 47255}, 1000},
    };
    unsigned int c, i, k, n, share, err, worst = 0;
    const unsigned int *ideal;
    s_time_t total, phases[2];

    (void)state;
    for (c = 0; c < ARRAY_SIZE(cases); c++) {
        n = cases[c].pcpus + 2;
        ideal = cases[c].pcpus == 1 ? ideal1 : ideal2;
        sim_init(&S, cases[c].pcpus, BIT(cases[c].pcpus) - 1, NULL);
        phases[0] = MICROSECS(cases[c].tick_phase[0]);
        phases[1] = MICROSECS(cases[c].tick_phase[1]);
        sim_set_phases(&S, phases, MICROSECS(cases[c].acct_phase));
        sim_set_late(&S, MICROSECS(cases[c].late));
        for (i = 0; i < n; i++) {
            /* Booted one after another, as the boot domains are. */
            sim_run(&S, MICROSECS(cases[c].gap[i]));
            sim_dom(&S, &D[i], w[i], 0);
            sim_add(&S, &V[i], &D[i], 0, 0);
        }
        sim_run(&S, SECONDS(1) - S.now);
        for (k = 0; k < 4; k++) {
            sim_reset_stats(&S);
            sim_run(&S, SECONDS(2));
            for (i = total = 0; i < n; i++)
                total += V[i].ran;
            for (i = 0; i < n; i++) {
                share = (unsigned int)(V[i].ran * 1000000 / total); /* ppm */
                err = (unsigned int)((share > ideal[i] ? share - ideal[i] : ideal[i] - share) *
                                     1000 / ideal[i]);
                worst = MAX(worst, err);
                if (err > 50)
                    printf("    case %u window %u: weight %u got %u ppm, ideal %u\n", c, k, w[i],
                           share, ideal[i]);
                assert_true(err <= 50);
            }
        }
    }
    printf("    worst share error over %zu x 4 windows: %u per mille of ideal\n", ARRAY_SIZE(cases),
           worst);
}

/* A CPU-bound domain capped at 25% gets 25% even with the pCPU otherwise idle. */
static void test_cap_alone(void **state)
{
    (void)state;
    sim_init(&S, 1, 1, NULL);
    sim_dom(&S, &D[0], 256, 25);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_run(&S, SECONDS(10));
    check_share("cap 25, alone", sim_permille(&V[0], SECONDS(10)), 250, 20);
}

/* Capped at 25% beside an uncapped equal-weight domain: 25% / 75% (the cap binds). */
static void test_cap_with_competitor(void **state)
{
    (void)state;
    sim_init(&S, 1, 1, NULL);
    sim_dom(&S, &D[0], 256, 25);
    sim_dom(&S, &D[1], 256, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_add(&S, &V[1], &D[1], 0, 0);
    sim_run(&S, SECONDS(10));
    check_share("cap 25 beside uncapped", sim_permille(&V[0], SECONDS(10)), 250, 20);
    check_share("uncapped beside cap 25", sim_permille(&V[1], SECONDS(10)), 750, 20);
}

/* A cap is per domain: two vCPUs capped at 50% share 50% of one pCPU. */
static void test_cap_two_vcpus(void **state)
{
    s_time_t t = SECONDS(10);

    (void)state;
    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 256, 50);
    sim_dom(&S, &D[1], 256, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_add(&S, &V[1], &D[0], 0, 0);
    sim_add(&S, &V[2], &D[1], 0, 0);
    sim_run(&S, t);
    check_share("cap 50, 2 vCPUs together", sim_permille(&V[0], t) + sim_permille(&V[1], t), 500,
                20);
    check_share("uncapped beside them", sim_permille(&V[2], t), 1000, 20);
}

/*
 * Boost: a vCPU that runs 1 ms and sleeps 19 ms shares pCPU 0 with a
 * spinner that is UNDER most of the time (it gets half of two pCPUs'
 * credit), so only BOOST lets the waker preempt it. It runs within one
 * tick of every wake (in fact at once), so it gets all it asks for (5%).
 */
static void test_boost_latency(void **state)
{
    s_time_t t = SECONDS(5);

    (void)state;
    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 256, 0);
    sim_dom(&S, &D[1], 256, 0);
    sim_dom(&S, &D[2], 256, 0);
    sim_add_pinned(&S, &V[0], &D[0], 0, 0, BIT(0), BIT(0));
    sim_add_pinned(&S, &V[1], &D[1], 0, 0, BIT(1), BIT(1));
    sim_add_pinned(&S, &V[2], &D[2], MILLISECS(1), MILLISECS(19), BIT(0), BIT(0));
    /* Before the first accounting nobody has credit: the waker is OVER. */
    sim_run(&S, 2 * PERIOD);
    sim_reset_stats(&S);
    sim_run(&S, t);
    printf("    waker: %u wakes, max wake-to-run %llu ns\n", V[2].wakes,
           (unsigned long long)V[2].max_wake_lat);
    assert_true(V[2].wakes >= 240);
    assert_true(V[2].max_wake_lat <= TICK);
    check_share("1 ms / 19 ms waker", sim_permille(&V[2], t), 50, 3);
    check_share("spinner beside it", sim_permille(&V[0], t), 950, 5);
}

/* Deterministic masks for the affinity tests (no randomness). */
static uint64_t mask_of(unsigned int i, unsigned int nr_pcpus)
{
    uint64_t all = nr_pcpus == 64 ? ~0ull : BIT(nr_pcpus) - 1;
    uint64_t m = (0x9e3779b97f4a7c15ull * (i + 1)) >> (64 - nr_pcpus);

    return (m & all) ? m & all : BIT(i % nr_pcpus);
}

/*
 * Hard affinity is never violated (the simulator asserts it on every
 * decision), before and after affinities change at run time, with
 * spinners and sleepers mixed; every vCPU still runs.
 */
static void test_hard_affinity(void **state)
{
    unsigned int i;

    (void)state;
    sim_init(&S, 4, 0xf, NULL);
    sim_dom(&S, &D[0], 256, 0);
    sim_dom(&S, &D[1], 512, 0);
    for (i = 0; i < 12; i++)
        sim_add_pinned(&S, &V[i], &D[i % 2], i % 3 ? 0 : MILLISECS(3), MILLISECS(7), mask_of(i, 4),
                       mask_of(i + 20, 4));
    sim_run(&S, SECONDS(2));
    for (i = 0; i < 12; i++) {
        assert_true((V[i].ran_on & ~V[i].cv.hard) == 0);
        assert_true(V[i].ran > 0);
    }
    for (i = 0; i < 12; i++)
        sim_set_affinity(&S, &V[i], mask_of(i + 40, 4), mask_of(i + 60, 4));
    sim_reset_stats(&S);
    sim_run(&S, SECONDS(2));
    for (i = 0; i < 12; i++) {
        assert_true((V[i].ran_on & ~V[i].cv.hard) == 0);
        assert_true(V[i].ran > 0);
    }
}

/*
 * Soft affinity is preferred: two spinners with soft affinity for
 * different pCPUs stay there; sleepers run mostly on their soft pCPU
 * (an idle pCPU elsewhere may still win: work conservation first).
 */
static void test_soft_affinity(void **state)
{
    s_time_t t = SECONDS(2), soft = 0, all = 0;
    unsigned int i;

    (void)state;
    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 256, 0);
    sim_add_pinned(&S, &V[0], &D[0], 0, 0, 3, BIT(1));
    sim_add_pinned(&S, &V[1], &D[0], 0, 0, 3, BIT(0));
    sim_run(&S, t);
    assert_true(V[0].ran_on == BIT(1) && V[1].ran_on == BIT(0));

    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 256, 0);
    for (i = 0; i < 4; i++)
        sim_add_pinned(&S, &V[i], &D[0], MILLISECS(2), MILLISECS(8), 3, BIT(i % 2));
    sim_run(&S, t);
    for (i = 0; i < 4; i++) {
        soft += V[i].ran_soft;
        all += V[i].ran;
    }
    check_share("sleepers' time on their soft pCPU", (unsigned int)(soft * 1000 / all), 1000, 150);
}

/*
 * No starvation: five weights from 256 to 4096 and two sleepers on two
 * pCPUs; every vCPU runs, and one waiting while UNDER (or BOOST) gets a
 * pCPU within two slices (measured: ~32 ms). OVER vCPUs wait longer by
 * design: their turn comes when their weight's credit arrives.
 */
static void test_no_starvation(void **state)
{
    s_time_t bound = 0;
    unsigned int i;

    (void)state;
    sim_init(&S, 2, 3, NULL);
    for (i = 0; i < 7; i++) {
        sim_dom(&S, &D[i], 256u << (i % 5), 0);
        sim_add(&S, &V[i], &D[i], i < 5 ? 0 : MILLISECS(2), MILLISECS(5));
    }
    sim_run(&S, SECONDS(5));
    for (i = 0; i < 7; i++) {
        assert_true(V[i].ran > 0);
        bound = MAX(bound, V[i].max_under_wait);
        printf("    weight %4u %s: longest wait %3llu ms, UNDER %3llu ms\n", D[i].weight,
               V[i].burst ? "sleeper" : "spinner", (unsigned long long)(V[i].max_wait / 1000000),
               (unsigned long long)(V[i].max_under_wait / 1000000));
    }
    assert_true(bound <= 2 * MILLISECS(30));
}

/*
 * Weight 1 against 65535: the heavy one gets nearly all; the light one
 * runs, but never more than a period beyond its entitlement (the credit
 * floor is one period of debt).
 */
static void test_weight_extremes(void **state)
{
    s_time_t t = SECONDS(10);

    (void)state;
    sim_init(&S, 1, 1, NULL);
    sim_dom(&S, &D[0], 1, 0);
    sim_dom(&S, &D[1], 65535, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_add(&S, &V[1], &D[1], 0, 0);
    sim_run(&S, t);
    printf("    weight 1: %llu us in 10 s; longest wait %llu ms\n",
           (unsigned long long)(V[0].ran / 1000), (unsigned long long)(V[0].max_wait / 1000000));
    assert_true(V[0].ran > 0 && V[0].ran <= PERIOD + t / 65536);
    check_share("65535 vs 1", sim_permille(&V[1], t), 1000, 20);
}

/*
 * Migration under imbalance: three spinners start on pCPU 0 alone; once
 * pCPU 1 comes online, stealing spreads them to 2/3 of a pCPU each.
 */
static void test_migration_balances(void **state)
{
    s_time_t t = SECONDS(9);
    unsigned int i;

    (void)state;
    sim_init(&S, 2, 1, NULL);
    sim_dom(&S, &D[0], 256, 0);
    for (i = 0; i < 3; i++)
        sim_add(&S, &V[i], &D[0], 0, 0);
    sim_run(&S, SECONDS(1));
    assert_int_equal(S.busy[1], 0);
    sim_online(&S, 1);
    sim_reset_stats(&S);
    sim_run(&S, t);
    check_share("pCPU 1 busy", (unsigned int)(S.busy[1] * 1000 / t), 1000, 5);
    for (i = 0; i < 3; i++)
        check_share("spinner after balancing", sim_permille(&V[i], t), 667, 30);
}

/*
 * An idle pCPU gets nothing when nothing can run: no vCPUs; a single
 * spinner (never stolen while it runs); everybody blocked (no queues).
 */
static void test_idle_gets_nothing(void **state)
{
    (void)state;
    sim_init(&S, 2, 3, NULL);
    sim_run(&S, SECONDS(1));
    assert_true(S.busy[0] == 0 && S.busy[1] == 0);
    assert_int_equal(S.switches, 0);

    sim_dom(&S, &D[0], 256, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_run(&S, SECONDS(1));
    assert_true(S.busy[0] + S.busy[1] == SECONDS(1));
    assert_int_equal(__builtin_popcountll(V[0].ran_on), 1);

    sim_init(&S, 2, 3, NULL);
    sim_dom(&S, &D[0], 256, 0);
    sim_add(&S, &V[0], &D[0], MILLISECS(1), MILLISECS(100));
    sim_add(&S, &V[1], &D[0], MILLISECS(1), MILLISECS(100));
    sim_run(&S, MILLISECS(50));
    assert_true(S.pcpus[0].curr == NULL && S.pcpus[1].curr == NULL);
    assert_true(S.pcpus[0].nr_queued == 0 && S.pcpus[1].nr_queued == 0);
    assert_true(S.busy[0] + S.busy[1] == MILLISECS(2));
}

/* Removing a running and a queued vCPU mid-run: the survivor gets the pCPU. */
static void test_remove_in_sim(void **state)
{
    struct sim_vcpu *running;
    unsigned int i;

    (void)state;
    sim_init(&S, 1, 1, NULL);
    sim_dom(&S, &D[0], 256, 0);
    for (i = 0; i < 3; i++)
        sim_add(&S, &V[i], &D[0], 0, 0);
    sim_run(&S, SECONDS(1) + MILLISECS(5));
    running = (struct sim_vcpu *)S.pcpus[0].curr->owner;
    sim_remove(&S, running);
    for (i = 0; i < 3 && (&V[i] == running); i++)
        ;
    sim_remove(&S, &V[i]); /* queued */
    sim_reset_stats(&S);
    sim_run(&S, SECONDS(1));
    for (i = 0; i < 3; i++) {
        if (!V[i].removed)
            check_share("survivor", sim_permille(&V[i], SECONDS(1)), 1000, 0);
        else
            assert_true(V[i].ran == 0);
    }
}

/* A weight change at run time takes effect: 1:1, then 1:3. */
static void test_weight_change(void **state)
{
    (void)state;
    sim_init(&S, 1, 1, NULL);
    sim_dom(&S, &D[0], 256, 0);
    sim_dom(&S, &D[1], 256, 0);
    sim_add(&S, &V[0], &D[0], 0, 0);
    sim_add(&S, &V[1], &D[1], 0, 0);
    sim_run(&S, SECONDS(3));
    check_share("256 vs 256", sim_permille(&V[0], SECONDS(3)), 500, 20);
    assert_int_equal(csched_dom_adjust(&S.sys, &D[1], 768, 0), 0);
    sim_reset_stats(&S);
    sim_run(&S, SECONDS(6));
    check_share("256 vs 768", sim_permille(&V[0], SECONDS(6)), 250, 20);
    check_share("768 vs 256", sim_permille(&V[1], SECONDS(6)), 750, 20);
}

/*
 * 64 pCPUs (all mask bits, pCPU 63 included), 128 equal spinners: half a
 * pCPU each; one pinned to pCPU 63 only ever runs there.
 */
static void test_64_pcpus(void **state)
{
    s_time_t t = SECONDS(1);
    unsigned int i, lo = 1000, hi = 0, p;

    (void)state;
    sim_init(&S, 64, ~0ull, NULL);
    sim_dom(&S, &D[0], 256, 0);
    for (i = 0; i < 128; i++)
        sim_add_pinned(&S, &V[i], &D[0], 0, 0, i == 0 ? BIT(63) : ~0ull, ~0ull);
    sim_run(&S, t);
    assert_true(V[0].ran_on == BIT(63));
    for (i = 0; i < 128; i++) {
        p = sim_permille(&V[i], t);
        lo = MIN(lo, p);
        hi = MAX(hi, p);
    }
    printf("    128 vCPUs on 64 pCPUs: shares %u..%u per mille\n", lo, hi);
    assert_true(lo >= 450 && hi <= 550);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights_one_pcpu),
        cmocka_unit_test(test_weights_two_pcpus),
        cmocka_unit_test(test_unused_credit_redistributed),
        cmocka_unit_test(test_fair_2s_windows),
        cmocka_unit_test(test_cap_alone),
        cmocka_unit_test(test_cap_with_competitor),
        cmocka_unit_test(test_cap_two_vcpus),
        cmocka_unit_test(test_boost_latency),
        cmocka_unit_test(test_hard_affinity),
        cmocka_unit_test(test_soft_affinity),
        cmocka_unit_test(test_no_starvation),
        cmocka_unit_test(test_weight_extremes),
        cmocka_unit_test(test_migration_balances),
        cmocka_unit_test(test_idle_gets_nothing),
        cmocka_unit_test(test_remove_in_sim),
        cmocka_unit_test(test_weight_change),
        cmocka_unit_test(test_64_pcpus),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
