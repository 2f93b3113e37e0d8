/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU timer queue: a list sorted by expiry.
 *
 * A CPU has few timers armed at once (a handful per vCPU plus the
 * scheduler's), so a sorted list beats a heap on simplicity and is fast
 * enough: next and pop are O(1), arming is O(n). Arming walks from the
 * tail, since a new expiry is usually later than those already queued.
 *
 * Invariant: t->queued is true exactly when t is linked on some queue,
 * and each queue is sorted by expires, with equal expiries in the order
 * they were armed (FIFO).
 *
 * Locking: none inside; the caller holds the queue's lock.
 */
#include <xenolith/timer_queue.h>

void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
    list_init(&t->link);
    t->expires = TIME_NEVER;
    t->fn = fn;
    t->data = data;
    t->queued = false;
}

void timer_queue_init(struct timer_queue *q)
{
    list_init(&q->timers);
}

bool timer_queue_remove(struct timer_queue *q, struct timer *t)
{
    (void)q; /* the list is doubly linked: t unlinks itself */
    if (!t->queued)
        return false;
    list_del(&t->link);
    t->queued = false;
    return true;
}

bool timer_queue_add(struct timer_queue *q, struct timer *t, s_time_t expires)
{
    struct list_head *pos;

    timer_queue_remove(q, t);
    t->expires = expires;
    /* Stop at the last timer not later than t: t goes after it (FIFO). */
    for (pos = q->timers.prev; pos != &q->timers; pos = pos->prev) {
        if (list_entry(pos, struct timer, link)->expires <= expires)
            break;
    }
    list_add(&t->link, pos);
    t->queued = true;
    return q->timers.next == &t->link;
}

s_time_t timer_queue_next(const struct timer_queue *q)
{
    if (list_empty(&q->timers))
        return TIME_NEVER;
    return list_first_entry(&q->timers, struct timer, link)->expires;
}

struct timer *timer_queue_pop_expired(struct timer_queue *q, s_time_t now)
{
    struct timer *t;

    if (list_empty(&q->timers))
        return NULL;
    t = list_first_entry(&q->timers, struct timer, link);
    if (t->expires > now)
        return NULL;
    list_del(&t->link);
    t->queued = false;
    return t;
}
