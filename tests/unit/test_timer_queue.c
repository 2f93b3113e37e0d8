/* SPDX-License-Identifier: MIT */
/* The per-CPU timer queue: ordering, FIFO ties, re-arming, removal, expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xenolith/timer_queue.h>

static void dummy_fn(void *data)
{
    (void)data;
}

/* Pops everything due at now; writes the popped timers' data ids to out. */
static size_t drain(struct timer_queue *q, s_time_t now, int *out, size_t max)
{
    struct timer *t;
    size_t n = 0;

    while ((t = timer_queue_pop_expired(q, now)) != NULL) {
        assert_false(t->queued);
        assert_true(n < max);
        out[n++] = *(int *)t->data;
    }
    return n;
}

/* An idle queue has no next expiry and nothing to pop, even at the end of time. */
static void test_empty(void **state)
{
    struct timer_queue q;

    (void)state;
    timer_queue_init(&q);
    assert_true(timer_queue_next(&q) == TIME_NEVER);
    assert_null(timer_queue_pop_expired(&q, TIME_NEVER));
}

/* timer_init records fn/data and leaves the timer unqueued. */
static void test_init(void **state)
{
    struct timer t;
    int id = 1;

    (void)state;
    timer_init(&t, dummy_fn, &id);
    assert_false(t.queued);
    assert_ptr_equal(t.fn, dummy_fn);
    assert_ptr_equal(t.data, &id);
}

/* Timers armed out of order pop in expiry order; add reports a new head only. */
static void test_ordering(void **state)
{
    static const s_time_t when[] = {50, 10, 40, 20, 30};
    static const bool new_head[] = {true, true, false, false, false};
    struct timer_queue q;
    struct timer t[5];
    int ids[5], out[5];
    size_t i;

    (void)state;
    timer_queue_init(&q);
    for (i = 0; i < 5; i++) {
        ids[i] = (int)when[i];
        timer_init(&t[i], dummy_fn, &ids[i]);
        assert_int_equal(timer_queue_add(&q, &t[i], when[i]), new_head[i]);
        assert_true(t[i].queued);
    }
    assert_true(timer_queue_next(&q) == 10);
    assert_int_equal(drain(&q, 100, out, 5), 5);
    for (i = 0; i < 5; i++)
        assert_int_equal(out[i], 10 * (int)(i + 1));
    assert_true(timer_queue_next(&q) == TIME_NEVER);
}

/* Equal expiries pop in arming order, also when armed around other times. */
static void test_ties_fifo(void **state)
{
    struct timer_queue q;
    struct timer t[6];
    int ids[6] = {0, 1, 2, 3, 4, 5}, out[6];
    static const s_time_t when[] = {100, 50, 100, 100, 50, 200};
    static const int expect[] = {1, 4, 0, 2, 3, 5};
    size_t i;

    (void)state;
    timer_queue_init(&q);
    for (i = 0; i < 6; i++) {
        timer_init(&t[i], dummy_fn, &ids[i]);
        timer_queue_add(&q, &t[i], when[i]);
    }
    assert_int_equal(drain(&q, 1000, out, 6), 6);
    for (i = 0; i < 6; i++)
        assert_int_equal(out[i], expect[i]);
}

/* A tie with the head is not a new head: the hardware needs no reprogramming. */
static void test_tie_with_head_is_not_new_head(void **state)
{
    struct timer_queue q;
    struct timer a, b;
    int ia = 0, ib = 1;

    (void)state;
    timer_queue_init(&q);
    timer_init(&a, dummy_fn, &ia);
    timer_init(&b, dummy_fn, &ib);
    assert_true(timer_queue_add(&q, &a, 10));
    assert_false(timer_queue_add(&q, &b, 10));
}

/* Re-arming a queued timer moves it (no duplicate entry) and reports the head. */
static void test_rearm(void **state)
{
    struct timer_queue q;
    struct timer a, b;
    int ia = 0, ib = 1, out[4];

    (void)state;
    timer_queue_init(&q);
    timer_init(&a, dummy_fn, &ia);
    timer_init(&b, dummy_fn, &ib);
    timer_queue_add(&q, &a, 10);
    timer_queue_add(&q, &b, 20);
    /* a moves behind b: b becomes the head, but add reports on a only. */
    assert_false(timer_queue_add(&q, &a, 30));
    assert_true(timer_queue_next(&q) == 20);
    /* a moves back in front. */
    assert_true(timer_queue_add(&q, &a, 5));
    assert_true(timer_queue_next(&q) == 5);
    /* Re-arming the head at the same time keeps it the head. */
    assert_true(timer_queue_add(&q, &a, 5));
    assert_int_equal(drain(&q, 100, out, 4), 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 1);
}

/* remove says whether the timer was queued; it is safe on an idle timer. */
static void test_remove(void **state)
{
    struct timer_queue q;
    struct timer a, b, idle;
    int ia = 0, ib = 1, ii = 2, out[2];

    (void)state;
    timer_queue_init(&q);
    timer_init(&a, dummy_fn, &ia);
    timer_init(&b, dummy_fn, &ib);
    timer_init(&idle, dummy_fn, &ii);
    assert_false(timer_queue_remove(&q, &idle));
    timer_queue_add(&q, &a, 10);
    timer_queue_add(&q, &b, 20);
    assert_true(timer_queue_remove(&q, &a));
    assert_false(a.queued);
    assert_false(timer_queue_remove(&q, &a)); /* twice: no list corruption */
    assert_true(timer_queue_next(&q) == 20);
    assert_int_equal(drain(&q, 100, out, 2), 1);
    assert_int_equal(out[0], 1);
    /* A popped timer is no longer queued either. */
    assert_false(timer_queue_remove(&q, &b));
}

/* pop_expired takes expires == now, leaves expires == now + 1, one at a time. */
static void test_pop_boundaries(void **state)
{
    struct timer_queue q;
    struct timer a, b, c;
    int ia = 0, ib = 1, ic = 2;

    (void)state;
    timer_queue_init(&q);
    timer_init(&a, dummy_fn, &ia);
    timer_init(&b, dummy_fn, &ib);
    timer_init(&c, dummy_fn, &ic);
    timer_queue_add(&q, &a, 100);
    timer_queue_add(&q, &b, 101);
    timer_queue_add(&q, &c, 0);
    assert_ptr_equal(timer_queue_pop_expired(&q, 0), &c); /* time 0 is a time */
    assert_null(timer_queue_pop_expired(&q, 99));
    assert_ptr_equal(timer_queue_pop_expired(&q, 100), &a);
    assert_null(timer_queue_pop_expired(&q, 100));
    assert_true(timer_queue_next(&q) == 101);
    assert_ptr_equal(timer_queue_pop_expired(&q, 101), &b);
    assert_null(timer_queue_pop_expired(&q, 101));
}

/* A popped timer is idle and can be armed again (a periodic timer's handler does this). */
static void test_rearm_after_pop(void **state)
{
    struct timer_queue q;
    struct timer a;
    int ia = 0;

    (void)state;
    timer_queue_init(&q);
    timer_init(&a, dummy_fn, &ia);
    timer_queue_add(&q, &a, 10);
    assert_ptr_equal(timer_queue_pop_expired(&q, 10), &a);
    assert_true(timer_queue_add(&q, &a, 20));
    assert_true(timer_queue_next(&q) == 20);
    assert_null(timer_queue_pop_expired(&q, 19));
    assert_ptr_equal(timer_queue_pop_expired(&q, 20), &a);
}

/* next follows the head through adds and removes of the head. */
static void test_next_tracks_head(void **state)
{
    struct timer_queue q;
    struct timer a, b;
    int ia = 0, ib = 1;

    (void)state;
    timer_queue_init(&q);
    timer_init(&a, dummy_fn, &ia);
    timer_init(&b, dummy_fn, &ib);
    timer_queue_add(&q, &a, 500);
    assert_true(timer_queue_next(&q) == 500);
    timer_queue_add(&q, &b, 300);
    assert_true(timer_queue_next(&q) == 300);
    timer_queue_remove(&q, &b);
    assert_true(timer_queue_next(&q) == 500);
    timer_queue_remove(&q, &a);
    assert_true(timer_queue_next(&q) == TIME_NEVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_ordering),
        cmocka_unit_test(test_ties_fifo),
        cmocka_unit_test(test_tie_with_head_is_not_new_head),
        cmocka_unit_test(test_rearm),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_pop_boundaries),
        cmocka_unit_test(test_rearm_after_pop),
        cmocka_unit_test(test_next_tracks_head),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
