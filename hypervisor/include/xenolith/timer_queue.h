/* SPDX-License-Identifier: MIT */
/*
 * A per-CPU queue of software timers (hypervisor/common/timer_queue.c).
 *
 * Pure logic: the arch code owns the lock around each queue, programs the
 * LAPIC timer for timer_queue_next() whenever timer_queue_add() reports a
 * new earliest timer, and runs each popped timer's fn after dropping the
 * lock. Expiry times are absolute system time (ns).
 *
 * Locking: the caller holds the queue's lock for every call, and a timer
 * is only touched under the lock of the queue it is on.
 */
#ifndef XENOLITH_TIMER_QUEUE_H
#define XENOLITH_TIMER_QUEUE_H

#include <xenolith/list.h>
#include <xenolith/types.h>

struct timer {
    struct list_head link; /* in timer_queue.timers while queued */
    s_time_t expires;
    void (*fn)(void *data);
    void *data;
    bool queued;
    unsigned int cpu; /* whose queue it is on (kept by the per-CPU layer) */
};

struct timer_queue {
    struct list_head timers; /* by expires, equal times in arming order */
};

void timer_init(struct timer *t, void (*fn)(void *data), void *data);
void timer_queue_init(struct timer_queue *q);

/*
 * (Re)arms t to expire at expires, taking it off its queue first if it is
 * queued. Returns true when t is now the earliest timer of q, so the
 * caller must reprogram the hardware.
 */
bool timer_queue_add(struct timer_queue *q, struct timer *t, s_time_t expires);

/* Disarms t; returns whether it was queued. Safe on an idle timer. */
bool timer_queue_remove(struct timer_queue *q, struct timer *t);

/* Expiry of the earliest timer, or TIME_NEVER when q is empty. */
s_time_t timer_queue_next(const struct timer_queue *q);

/*
 * Dequeues and returns the earliest timer if it has expires <= now, else
 * NULL. Call in a loop to drain everything due.
 */
struct timer *timer_queue_pop_expired(struct timer_queue *q, s_time_t now);

#endif
