/* SPDX-License-Identifier: MIT */
/*
 * The credit scheduler (hypervisor/common/sched_credit.c), one decision at
 * a time: validation, queue order, boost, placement, stealing, tickles,
 * accounting, caps, removal. Whole-system properties in simulated time
 * are in test_sched_credit_sim.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <xenolith/errno.h>
#include <xenolith/sched_credit.h>
#include <xenolith/time.h>

#define BIT(cpu) (1ull << (cpu))
#define TICK     MILLISECS(10)
#define PERIOD   MILLISECS(30)

/* A system of up to 4 pCPUs, reinitialized by every test. */
static struct csched_system sys;
static struct csched_pcpu pc[4];
static struct csched_domain D[4];
static struct csched_vcpu cv[8];
static struct csched_vcpu load[16]; /* test_placement's busy pCPUs */

static void sys_new(unsigned int nr, uint64_t online)
{
    struct csched_params p;

    csched_params_default(&p);
    assert_int_equal(csched_init(&sys, &p, pc, nr, online, 0), 0);
}

/* A vCPU of domain d woken with the given affinity (not picked yet). */
static uint64_t vcpu_new(unsigned int i, struct csched_domain *d, uint64_t hard, uint64_t soft)
{
    uint64_t tickle;

    csched_vcpu_init(&sys, d, &cv[i], NULL, 0);
    assert_int_equal(csched_vcpu_set_affinity(&sys, &cv[i], hard, soft, &tickle), 0);
    assert_int_equal(tickle, 0);
    return csched_vcpu_wake(&sys, &cv[i], 0);
}

/* Bad parameters, weights, caps and affinities are refused, changing nothing. */
static void test_validation(void **state)
{
    struct csched_params p;
    uint64_t tickle;

    (void)state;
    csched_params_default(&p);
    assert_int_equal(csched_init(&sys, &p, pc, 0, 1, 0), -EINVAL);
    assert_int_equal(csched_init(&sys, &p, pc, 65, 1, 0), -EINVAL);
    assert_int_equal(csched_init(&sys, &p, pc, 2, 0, 0), -EINVAL);
    assert_int_equal(csched_init(&sys, &p, pc, 2, 4, 0), -EINVAL); /* pCPU 2 of 2 */
    p.tick = 0;
    assert_int_equal(csched_init(&sys, &p, pc, 2, 3, 0), -EINVAL);
    csched_params_default(&p);
    p.period = p.tick - 1;
    assert_int_equal(csched_init(&sys, &p, pc, 2, 3, 0), -EINVAL);
    csched_params_default(&p);
    p.min_slice = p.slice + 1;
    assert_int_equal(csched_init(&sys, &p, pc, 2, 3, 0), -EINVAL);
    sys_new(2, 1);
    assert_int_equal(csched_dom_init(&sys, &D[0], 0, 0), -EINVAL);
    assert_int_equal(csched_dom_init(&sys, &D[0], 65536, 0), -EINVAL);
    assert_int_equal(csched_dom_init(&sys, &D[0], 256, CSCHED_CAP_MAX + 1), -EINVAL);
    assert_int_equal(csched_dom_init(&sys, &D[0], 256, 0), 0);
    assert_int_equal(csched_dom_adjust(&sys, &D[0], 0, 0), -EINVAL);
    assert_int_equal(D[0].weight, 256);
    csched_vcpu_init(&sys, &D[0], &cv[0], NULL, 0);
    /* pCPU 1 is offline: a hard affinity of only pCPU 1 could never run. */
    assert_int_equal(csched_vcpu_set_affinity(&sys, &cv[0], BIT(1), BIT(1), &tickle), -EINVAL);
    assert_true(cv[0].hard == ~0ull);
}

/* With nothing runnable, nothing runs: no picks, no tickles, no credit. */
static void test_zero_runnable(void **state)
{
    struct csched_decision dec;

    (void)state;
    sys_new(2, 3);
    assert_int_equal(csched_account(&sys, PERIOD), 0); /* no domains at all */
    assert_int_equal(csched_dom_init(&sys, &D[0], 256, 0), 0);
    csched_vcpu_init(&sys, &D[0], &cv[0], NULL, 0); /* blocked */
    assert_int_equal(csched_account(&sys, 2 * PERIOD), 0);
    assert_int_equal(sys.nr_active_domains, 0);
    assert_int_equal(cv[0].credit, 0);
    dec = csched_pick_next(&sys, 0, 2 * PERIOD);
    assert_null(dec.next);
    assert_int_equal(dec.tickle, 0);
    assert_false(csched_tick(&sys, 1, 2 * PERIOD + TICK));
}

/* Queues run BOOST, then UNDER (by credit), then OVER, else FIFO. */
static void test_runq_order(void **state)
{
    static const unsigned int want[] = {1, 3, 0, 2}, by_credit[] = {1, 0, 2};
    struct csched_decision dec;
    unsigned int i;

    (void)state;
    sys_new(1, 1);
    assert_int_equal(csched_dom_init(&sys, &D[0], 256, 0), 0);
    for (i = 0; i < 4; i++) {
        csched_vcpu_init(&sys, &D[0], &cv[i], NULL, 0);
        cv[i].credit = i % 2 ? 0 : -MILLISECS(1); /* even: OVER; odd: wake BOOST */
        cv[i].pri = i % 2 ? CSCHED_PRI_UNDER : CSCHED_PRI_OVER;
        csched_vcpu_wake(&sys, &cv[i], 0);
    }
    assert_int_equal(pc[0].nr_queued, 4);
    for (i = 0; i < 4; i++) {
        dec = csched_pick_next(&sys, 0, MICROSECS(i));
        assert_ptr_equal(dec.next, &cv[want[i]]);
        csched_vcpu_sleep(&sys, dec.next, MICROSECS(i));
    }
    assert_null(csched_pick_next(&sys, 0, MICROSECS(9)).next);

    /* UNDER goes by credit, most first; equal credit stays FIFO. */
    sys_new(1, 1);
    assert_int_equal(csched_dom_init(&sys, &D[0], 256, 0), 0);
    vcpu_new(3, &D[0], 1, 1);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[3]);
    for (i = 0; i < 3; i++)
        vcpu_new(i, &D[0], 1, 1); /* queued BOOST, in this order */
    for (i = 0; i < 3; i++) {
        cv[i].pri = CSCHED_PRI_UNDER; /* as if their boosts had ended */
        cv[i].credit = i == 1 ? MILLISECS(5) : MILLISECS(1);
    }
    csched_account(&sys, PERIOD); /* re-sorts: the same credit to each */
    csched_vcpu_sleep(&sys, &cv[3], PERIOD);
    for (i = 0; i < 3; i++) {
        dec = csched_pick_next(&sys, 0, PERIOD);
        assert_ptr_equal(dec.next, &cv[by_credit[i]]);
        csched_vcpu_sleep(&sys, dec.next, PERIOD);
    }
}

/*
 * A yield puts the current vCPU behind every vCPU of its priority, even
 * UNDER ones with less credit (as Xen's yield flag); the next requeue is
 * by credit again.
 */
static void test_yield(void **state)
{
    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    vcpu_new(0, &D[0], 1, 1);
    vcpu_new(1, &D[0], 1, 1);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[0]);
    cv[0].pri = cv[1].pri = CSCHED_PRI_UNDER;
    cv[0].credit = MILLISECS(9);
    cv[1].credit = MILLISECS(2);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[0]); /* most credit */
    csched_vcpu_yield(&sys, &cv[0]);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[1]);
    assert_false(cv[0].yielded);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[0]);
    csched_vcpu_yield(&sys, &cv[1]); /* not current: no effect */
    assert_false(cv[1].yielded);
}

/*
 * A vCPU waking UNDER is boosted, preempts an OVER vCPU on its pCPU
 * (tickle), runs next, and loses the boost at its next tick. A vCPU waking
 * OVER gets no boost and does not preempt.
 */
static void test_boost_preempts(void **state)
{
    struct csched_decision dec;

    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    csched_dom_init(&sys, &D[1], 256, 0);
    assert_int_equal(vcpu_new(0, &D[0], 1, 1), BIT(0)); /* idle pCPU: tickled */
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[0]);
    assert_false(csched_tick(&sys, 0, TICK)); /* nothing else to run */
    assert_int_equal(cv[0].pri, CSCHED_PRI_OVER);
    assert_int_equal(cv[0].credit, -TICK);
    csched_vcpu_init(&sys, &D[1], &cv[1], NULL, 0);
    assert_int_equal(csched_vcpu_wake(&sys, &cv[1], TICK + 1), BIT(0));
    assert_int_equal(cv[1].pri, CSCHED_PRI_BOOST);
    dec = csched_pick_next(&sys, 0, TICK + 1);
    assert_ptr_equal(dec.next, &cv[1]);
    assert_true(dec.slice == MILLISECS(30));
    /* Unboosted at its tick: OVER like cv[0], so no preemption; FIFO at the slice end. */
    assert_false(csched_tick(&sys, 0, 2 * TICK));
    assert_int_equal(cv[1].pri, CSCHED_PRI_OVER);
    assert_ptr_equal(csched_pick_next(&sys, 0, TICK + 1 + dec.slice).next, &cv[0]);
    csched_vcpu_sleep(&sys, &cv[1], TICK + 2 + dec.slice);
    assert_int_equal(csched_vcpu_wake(&sys, &cv[1], TICK + 3 + dec.slice), 0); /* OVER */
    assert_int_equal(cv[1].pri, CSCHED_PRI_OVER);
}

/* While a BOOST vCPU waits behind another, the slice shrinks to boost_slice. */
static void test_boost_slice(void **state)
{
    struct csched_decision dec;

    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    vcpu_new(0, &D[0], 1, 1);
    vcpu_new(1, &D[0], 1, 1);
    dec = csched_pick_next(&sys, 0, 0);
    assert_ptr_equal(dec.next, &cv[0]);
    assert_true(dec.slice == MILLISECS(2));
    dec = csched_pick_next(&sys, 0, MILLISECS(2)); /* cv[0] unboosted: behind cv[1] */
    assert_ptr_equal(dec.next, &cv[1]);
    assert_true(dec.slice == MILLISECS(30));
}

/*
 * With another vCPU waiting, an UNDER vCPU's slice ends when its credit
 * does (at least min_slice, 1 ms); alone, it runs a whole slice.
 */
static void test_credit_slice(void **state)
{
    struct csched_decision dec;

    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    vcpu_new(0, &D[0], 1, 1);
    cv[0].pri = CSCHED_PRI_UNDER; /* unboosted: a spinner */
    cv[0].credit = MILLISECS(4);
    dec = csched_pick_next(&sys, 0, 0);
    assert_ptr_equal(dec.next, &cv[0]);
    assert_true(dec.slice == MILLISECS(30)); /* nobody waits */
    vcpu_new(1, &D[0], 1, 1);
    cv[1].pri = CSCHED_PRI_OVER;
    cv[1].credit = -MILLISECS(1);
    dec = csched_pick_next(&sys, 0, 0);
    assert_ptr_equal(dec.next, &cv[0]);
    assert_true(dec.slice == MILLISECS(4));
    cv[0].credit = MICROSECS(200);
    dec = csched_pick_next(&sys, 0, 0);
    assert_true(dec.slice == MILLISECS(1));
}

struct place_case {
    const char *what;
    unsigned int load[4]; /* running + queued spinners pinned there */
    uint64_t hard, soft;
    unsigned int last, want;
};

/* Wake placement: idle in soft, idle in hard, then least loaded (soft, last pCPU break ties). */
static void test_placement(void **state)
{
    static const struct place_case cases[] = {
        {"idle pCPU of soft affinity", {1, 0, 0, 0}, 0xf, BIT(2), 1, 2},
        {"last pCPU if idle", {1, 0, 0, 0}, 0xf, BIT(0), 3, 3},
        {"lowest idle otherwise", {1, 0, 0, 0}, 0xf, BIT(0), 0, 1},
        {"hard affinity first", {0, 0, 0, 0}, BIT(3), BIT(1), 0, 3},
        {"least loaded", {2, 1, 3, 2}, 0xf, 0, 0, 1},
        {"least loaded, soft breaks the tie", {1, 2, 1, 1}, 0xf, BIT(3), 0, 3},
        {"least loaded, last breaks the tie", {1, 2, 1, 1}, 0xf, 0, 2, 2},
        {"busy soft over idle non-hard", {1, 0, 0, 0}, BIT(0), BIT(0), 0, 0},
    };
    unsigned int c, cpu, n, k;

    (void)state;
    for (c = 0; c < ARRAY_SIZE(cases); c++) {
        sys_new(4, 0xf);
        csched_dom_init(&sys, &D[0], 256, 0);
        for (cpu = n = 0; cpu < 4; cpu++) {
            for (k = 0; k < cases[c].load[cpu]; k++, n++) {
                csched_vcpu_init(&sys, &D[0], &load[n], NULL, cpu);
                load[n].hard = BIT(cpu);
                csched_vcpu_wake(&sys, &load[n], 0);
                if (k == 0)
                    csched_pick_next(&sys, cpu, 0);
            }
        }
        csched_vcpu_init(&sys, &D[0], &cv[0], NULL, cases[c].last);
        cv[0].hard = cases[c].hard;
        cv[0].soft = cases[c].soft;
        csched_vcpu_wake(&sys, &cv[0], 0);
        printf("    %-40s -> pCPU %u\n", cases[c].what, cv[0].pcpu);
        assert_int_equal(cv[0].pcpu, cases[c].want);
    }
}

/*
 * An idle pCPU steals from a peer's queue, preferring a vCPU whose soft
 * affinity names it; a pCPU with UNDER work of its own does not steal.
 */
static void test_steal(void **state)
{
    uint64_t tickle;

    (void)state;
    sys_new(2, 3);
    csched_dom_init(&sys, &D[0], 256, 0);
    vcpu_new(0, &D[0], BIT(0), BIT(0));
    csched_pick_next(&sys, 0, 0);
    vcpu_new(1, &D[0], BIT(0), BIT(0)); /* queued on 0 behind cv[0] */
    vcpu_new(2, &D[0], BIT(0), BIT(0));
    csched_vcpu_set_affinity(&sys, &cv[1], 3, BIT(0), &tickle);
    csched_vcpu_set_affinity(&sys, &cv[2], 3, BIT(1), &tickle);
    assert_ptr_equal(csched_pick_next(&sys, 1, 0).next, &cv[2]); /* soft wins over FIFO */
    assert_int_equal(cv[2].pcpu, 1);
    /* pCPU 1 runs UNDER cv[2]; cv[1] is UNDER too: no reason to steal it. */
    csched_vcpu_sleep(&sys, &cv[2], 1);
    vcpu_new(3, &D[0], BIT(1), BIT(1));
    cv[3].pri = CSCHED_PRI_UNDER;
    assert_ptr_equal(csched_pick_next(&sys, 1, 2).next, &cv[3]);
    assert_int_equal(cv[1].pcpu, 0);
}

/* A pick that leaves work waiting pokes an idle pCPU allowed to steal it. */
static void test_idlers_tickled(void **state)
{
    struct csched_decision dec;
    uint64_t tickle;

    (void)state;
    sys_new(2, 3);
    csched_dom_init(&sys, &D[0], 256, 0);
    vcpu_new(0, &D[0], BIT(0), BIT(0));
    csched_pick_next(&sys, 0, 0);
    vcpu_new(1, &D[0], BIT(0), BIT(0));
    assert_int_equal(csched_vcpu_set_affinity(&sys, &cv[0], 3, 3, &tickle), 0);
    assert_int_equal(tickle, 0); /* still allowed where it runs */
    dec = csched_pick_next(&sys, 0, 0);
    assert_ptr_equal(dec.next, &cv[1]);
    assert_int_equal(dec.tickle, BIT(1)); /* cv[0] waits and may run on idle pCPU 1 */
    assert_ptr_equal(csched_pick_next(&sys, 1, 0).next, &cv[0]);
    /* Moving the hard affinity of a queued vCPU away re-places it. */
    vcpu_new(2, &D[0], BIT(0), BIT(0));
    assert_int_equal(csched_vcpu_set_affinity(&sys, &cv[2], BIT(1), 0, &tickle), 0);
    assert_int_equal(cv[2].pcpu, 1);
    assert_int_equal(pc[0].nr_queued, 0);
    assert_int_equal(pc[1].nr_queued, 1);
}

/*
 * Credit is clamped to one period either way: a vCPU that ran 1 s on end
 * does not carry a 1 s debt, one that waited does not hoard.
 */
static void test_credit_clamped(void **state)
{
    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    csched_dom_init(&sys, &D[1], 256, 0);
    vcpu_new(0, &D[0], BIT(0), BIT(0));
    csched_pick_next(&sys, 0, 0);
    vcpu_new(1, &D[1], BIT(0), BIT(0)); /* waits: never picked */
    csched_account(&sys, SECONDS(1));   /* a very late accounting */
    assert_true(cv[0].credit == -(int64_t)PERIOD);
    assert_true(cv[1].credit == (int64_t)PERIOD);
    assert_int_equal(cv[1].pri, CSCHED_PRI_BOOST); /* a boost is kept until it runs */
}

/*
 * Accounting by weight, water-filled: on two pCPUs weight 1024 is owed
 * 4/3 of a pCPU but one vCPU holds at most a period, so the 256s get half
 * a period each, not a third; a vCPU already full (credit = one period)
 * takes nothing and its share goes to the other.
 */
static void test_account_shares(void **state)
{
    (void)state;
    sys_new(2, 3);
    csched_dom_init(&sys, &D[0], 1024, 0);
    csched_dom_init(&sys, &D[1], 256, 0);
    csched_dom_init(&sys, &D[2], 256, 0);
    vcpu_new(0, &D[0], 3, 3);
    vcpu_new(1, &D[1], 3, 3);
    vcpu_new(2, &D[2], 3, 3);
    csched_account(&sys, PERIOD);
    assert_true(cv[0].credit == (int64_t)PERIOD);
    assert_true(cv[1].credit == (int64_t)PERIOD / 2 && cv[2].credit == (int64_t)PERIOD / 2);
    assert_int_equal(sys.nr_active_domains, 3);
    assert_int_equal(sys.active_weight, 1536);

    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    csched_dom_init(&sys, &D[1], 256, 0);
    vcpu_new(0, &D[0], 1, 1);
    vcpu_new(1, &D[1], 1, 1);
    cv[0].credit = PERIOD;
    csched_account(&sys, PERIOD);
    assert_true(cv[0].credit == (int64_t)PERIOD && cv[1].credit == (int64_t)PERIOD);
}

/*
 * A domain whose weight covers a whole pCPU per vCPU (2048 beside
 * 256/512/1024 on two pCPUs: 32 ms owed per 30 ms period) is full: its
 * credit is filled to one period, and only a whole pCPU's worth is taken
 * from the others' total; it is never OVER until the next accounting.
 * Before, it kept the credit it had when it began spinning (here 1 ms),
 * went OVER 1 ms into each period, and the tick handed its pCPU to UNDER
 * work stolen from pCPU 0; with a full credit, a late refill still tipped
 * it below 0 for a moment, and then its slice end did the same.
 */
static void test_full_domain(void **state)
{
    static const unsigned int w[] = {256, 512, 1024, 2048};
    uint64_t tickle;
    unsigned int i;

    (void)state;
    sys_new(2, 3);
    for (i = 0; i < 4; i++)
        assert_int_equal(csched_dom_init(&sys, &D[i], w[i], 0), 0);
    vcpu_new(3, &D[3], BIT(1), BIT(1));
    assert_ptr_equal(csched_pick_next(&sys, 1, 0).next, &cv[3]);
    cv[3].credit = MILLISECS(1); /* what it had when it began to spin */
    for (i = 0; i < 3; i++)
        vcpu_new(i, &D[i], BIT(0), BIT(0));
    csched_pick_next(&sys, 0, 0);
    for (i = 0; i < 3; i++) /* may run on pCPU 1 too: stealable */
        assert_int_equal(csched_vcpu_set_affinity(&sys, &cv[i], 3, BIT(0), &tickle), 0);
    assert_int_equal(pc[0].nr_queued, 2);
    csched_account(&sys, PERIOD);
    assert_true(D[3].full && !D[2].full);
    assert_true(cv[3].credit == (int64_t)PERIOD);
    /* The others share the other pCPU by weight: 256 gets 1/7 of it. */
    assert_true(D[0].share == (int64_t)PERIOD * 256 / 1792);
    /* UNDER work waits on pCPU 0 and may run on pCPU 1: not stolen. */
    assert_false(csched_tick(&sys, 1, PERIOD + TICK));
    assert_false(csched_tick(&sys, 1, PERIOD + 2 * TICK));
    assert_int_equal(cv[3].pri, CSCHED_PRI_UNDER);
    /* The refill comes late (timers do): below 0 it is still not OVER. */
    assert_false(csched_tick(&sys, 1, 2 * PERIOD + MICROSECS(20)));
    assert_true(cv[3].credit < 0);
    assert_int_equal(cv[3].pri, CSCHED_PRI_UNDER);
    assert_ptr_equal(csched_pick_next(&sys, 1, 2 * PERIOD + MICROSECS(30)).next, &cv[3]);
}

/*
 * A vCPU queued behind a full domain's vCPU is stranded: that one never
 * goes OVER, so it keeps its pCPU. The other pCPU takes a stranded UNDER
 * vCPU over its own UNDER work with less credit, and otherwise cuts its
 * UNDER vCPU's slice to its credit as if the stranded one waited there.
 */
static void test_stranded_behind_full(void **state)
{
    struct csched_decision dec;

    (void)state;
    sys_new(2, 3);
    csched_dom_init(&sys, &D[0], 256, 0);
    csched_dom_init(&sys, &D[1], 512, 0);
    csched_dom_init(&sys, &D[3], 2048, 0);
    vcpu_new(3, &D[3], 3, BIT(1));
    vcpu_new(0, &D[0], 3, BIT(0));
    assert_ptr_equal(csched_pick_next(&sys, 1, 0).next, &cv[3]);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[0]);
    vcpu_new(1, &D[1], 3, BIT(1)); /* queued on pCPU 1, behind cv[3] */
    csched_account(&sys, PERIOD);
    assert_true(D[3].full && !D[1].full);
    assert_int_equal(pc[1].nr_queued, 1);
    /* Less credit than pCPU 0's own: stays, but cv[0] gets only its credit. */
    cv[0].credit = MILLISECS(4), cv[0].pri = CSCHED_PRI_UNDER;
    cv[1].credit = MILLISECS(2), cv[1].pri = CSCHED_PRI_UNDER;
    dec = csched_pick_next(&sys, 0, PERIOD);
    assert_ptr_equal(dec.next, &cv[0]);
    assert_true(dec.slice == MILLISECS(4));
    /* More credit than pCPU 0's next: pCPU 0 takes it. */
    cv[1].credit = MILLISECS(6);
    dec = csched_pick_next(&sys, 0, PERIOD);
    assert_ptr_equal(dec.next, &cv[1]);
    assert_int_equal(pc[1].nr_queued, 0);
    assert_int_equal(cv[1].pcpu, 0);
}

/*
 * The tick preempts a vCPU that has just gone OVER for an UNDER one
 * waiting; a capped domain's slice ends when its budget does.
 */
static void test_tick_and_cap_slice(void **state)
{
    struct csched_decision dec;

    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    csched_dom_init(&sys, &D[1], 256, 10); /* 10%: 3 ms per period */
    vcpu_new(0, &D[0], 1, 1);
    vcpu_new(1, &D[0], 1, 1);
    csched_pick_next(&sys, 0, 0);
    csched_account(&sys, PERIOD); /* cv[0] -15 ms (OVER), cv[1] +15 ms (BOOST) */
    assert_ptr_equal(csched_pick_next(&sys, 0, PERIOD).next, &cv[1]);
    cv[0].credit = MILLISECS(5); /* make the waiting one UNDER */
    cv[0].pri = CSCHED_PRI_UNDER;
    assert_false(csched_tick(&sys, 0, PERIOD + TICK));    /* cv[1] UNDER: +5 ms left */
    assert_true(csched_tick(&sys, 0, PERIOD + 2 * TICK)); /* cv[1] OVER now */
    assert_int_equal(cv[1].pri, CSCHED_PRI_OVER);
    vcpu_new(2, &D[1], 1, 1);
    dec = csched_pick_next(&sys, 0, PERIOD + 2 * TICK);
    assert_ptr_equal(dec.next, &cv[2]);
    assert_true(dec.slice == MILLISECS(3));
    assert_true(csched_tick(&sys, 0, PERIOD + 2 * TICK + MILLISECS(3))); /* parked */
    assert_true(D[1].parked);
    assert_ptr_equal(csched_pick_next(&sys, 0, PERIOD + 2 * TICK + MILLISECS(3)).next, &cv[0]);
    csched_account(&sys, 2 * PERIOD); /* budget refilled */
    assert_false(D[1].parked);
}

/* A removed vCPU leaves its queue at once; a running one at the next pick. */
static void test_remove_direct(void **state)
{
    (void)state;
    sys_new(1, 1);
    csched_dom_init(&sys, &D[0], 256, 0);
    vcpu_new(0, &D[0], 1, 1);
    vcpu_new(1, &D[0], 1, 1);
    vcpu_new(2, &D[0], 1, 1);
    assert_ptr_equal(csched_pick_next(&sys, 0, 0).next, &cv[0]);
    assert_int_equal(csched_vcpu_sleep(&sys, &cv[1], 5), 0); /* queued */
    assert_int_equal(pc[0].nr_queued, 1);
    csched_vcpu_destroy(&sys, &cv[1]);
    assert_int_equal(csched_vcpu_sleep(&sys, &cv[0], 7), BIT(0)); /* running */
    assert_ptr_equal(csched_pick_next(&sys, 0, 7).next, &cv[2]);
    csched_vcpu_destroy(&sys, &cv[0]);
    assert_int_equal(csched_vcpu_sleep(&sys, &cv[2], 9), BIT(0));
    assert_null(csched_pick_next(&sys, 0, 9).next);
    csched_vcpu_destroy(&sys, &cv[2]);
    csched_dom_destroy(&sys, &D[0]);
    assert_true(list_empty(&sys.domains));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_zero_runnable),
        cmocka_unit_test(test_runq_order),
        cmocka_unit_test(test_yield),
        cmocka_unit_test(test_boost_preempts),
        cmocka_unit_test(test_boost_slice),
        cmocka_unit_test(test_credit_slice),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_idlers_tickled),
        cmocka_unit_test(test_credit_clamped),
        cmocka_unit_test(test_account_shares),
        cmocka_unit_test(test_full_domain),
        cmocka_unit_test(test_stranded_behind_full),
        cmocka_unit_test(test_tick_and_cap_slice),
        cmocka_unit_test(test_remove_direct),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
