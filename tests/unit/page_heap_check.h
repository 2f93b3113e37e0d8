/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for the buddy allocator (test_page_alloc.c): a heap over a
 * malloc'd frame table, an invariant checker, and state snapshots. They
 * fail the running cmocka test on any violation.
 */
#ifndef TEST_PAGE_HEAP_CHECK_H
#define TEST_PAGE_HEAP_CHECK_H

#include <xenolith/page_alloc.h>

struct pa_fixture {
    struct page_heap h;
    struct page_info *frames;
    unsigned long nr;
};

/* The whole state (frame table + heap struct), to prove a call changed nothing. */
struct pa_snapshot {
    struct page_heap h;
    struct page_info *frames;
};

/* A heap over nr frames, all reserved; frames start as garbage. */
struct pa_fixture *pa_fixture_new(unsigned long nr);
void pa_fixture_free(struct pa_fixture *f);
unsigned long pa_pfn(const struct pa_fixture *f, const struct page_info *pg);

/* Fails the test unless every invariant of page_alloc.c holds. */
void pa_check_heap(const struct pa_fixture *f);

/* Number of blocks on free[k]; whether free[k] holds a block at pfn. */
unsigned long pa_nr_blocks(const struct pa_fixture *f, unsigned int k);
bool pa_has_block(const struct pa_fixture *f, unsigned int k, unsigned long pfn);

/* pa_assert_unchanged() fails the test if anything changed since the snapshot. */
struct pa_snapshot pa_snapshot_take(const struct pa_fixture *f);
void pa_assert_unchanged(const struct pa_fixture *f, struct pa_snapshot *s);

#endif
