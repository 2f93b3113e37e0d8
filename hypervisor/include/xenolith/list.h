/* SPDX-License-Identifier: MIT */
/* Intrusive circular doubly-linked list. */
#ifndef XENOLITH_LIST_H
#define XENOLITH_LIST_H

#include <xenolith/compiler.h>
#include <xenolith/types.h>

struct list_head {
    struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                                       \
    {                                                                                              \
        &(name), &(name)                                                                           \
    }

static inline void list_init(struct list_head *h)
{
    h->next = h;
    h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
    return h->next == h;
}

static inline void list_insert_between(struct list_head *n, struct list_head *prev,
                                       struct list_head *next)
{
    n->prev = prev;
    n->next = next;
    prev->next = n;
    next->prev = n;
}

/* Insert n right after pos (at the head when pos is the list head). */
static inline void list_add(struct list_head *n, struct list_head *pos)
{
    list_insert_between(n, pos, pos->next);
}

/* Insert n right before pos (at the tail when pos is the list head). */
static inline void list_add_tail(struct list_head *n, struct list_head *pos)
{
    list_insert_between(n, pos->prev, pos);
}

/*
 * list_add_tail() for a list that one CPU walks forward without the lock
 * the writers take: n is whole before its predecessor points to it.
 */
static inline void list_add_tail_published(struct list_head *n, struct list_head *pos)
{
    n->prev = pos->prev;
    n->next = pos;
    __atomic_store_n(&pos->prev->next, n, __ATOMIC_RELEASE);
    pos->prev = n;
}

static inline void list_del(struct list_head *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n;
    n->prev = n;
}

#define list_entry(ptr, type, member)     container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)

#define list_for_each_entry(pos, head, member)                                                     \
    for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head);         \
         pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, tmp, head, member)                                           \
    for (pos = list_entry((head)->next, __typeof__(*pos), member),                                 \
        tmp = list_entry(pos->member.next, __typeof__(*pos), member);                              \
         &pos->member != (head);                                                                   \
         pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))

#endif
