/* SPDX-License-Identifier: MIT */
/*
 * Binary buddy allocator over the frame table.
 *
 * Invariants (checked by tests/unit/test_page_alloc.c after every step):
 *  - a free block of order k starts at a pfn aligned to 2^k, lies inside
 *    the table, and its first frame is on free[k] with order k;
 *  - every frame of a free block is in state free; all but the first have
 *    order PAGE_ORDER_TAIL, so "state free and order k" identifies a block
 *    head of order k in O(1), which is what merging needs;
 *  - two free buddies of the same order below PAGE_MAX_ORDER do not
 *    coexist: freeing merges them at once;
 *  - free_pages is the number of frames in free blocks.
 * Marking every frame of a free block (not only the first) is what lets
 * page_free() reject a double free that names a tail frame.
 *
 * Locking: none; the caller serializes all calls on one heap.
 */
#include <xenolith/bug.h>
#include <xenolith/errno.h>
#include <xenolith/page_alloc.h>

/* Frames of a block leaving the heap: allocated, clean, unowned. */
static void mark_inuse(struct page_info *pg, unsigned long nr)
{
    for (; nr; nr--, pg++) {
        list_init(&pg->list);
        pg->count_info = PGC_state_inuse;
        pg->type_info = PGT_none;
        pg->owner = PAGE_OWNER_INVALID;
        pg->order = 0;
    }
}

/* Frames entering the heap: free, unowned, all tails until linked. */
static void mark_free(struct page_info *pg, unsigned long nr)
{
    for (; nr; nr--, pg++) {
        pg->count_info = PGC_state_free;
        pg->type_info = PGT_none;
        pg->owner = PAGE_OWNER_INVALID;
        pg->order = PAGE_ORDER_TAIL;
    }
}

/*
 * Links the free frames [pfn, pfn + 2^order) as a block, first merging it
 * with its buddy for as long as the buddy is a free block of equal order.
 */
static void block_insert(struct page_heap *h, unsigned long pfn, unsigned int order)
{
    struct page_info *head;

    ASSERT((pfn & ((1UL << order) - 1)) == 0);
    while (order < PAGE_MAX_ORDER) {
        unsigned long buddy_pfn = pfn ^ (1UL << order);
        struct page_info *buddy;

        if (buddy_pfn >= h->nr_frames)
            break;
        buddy = &h->frames[buddy_pfn];
        if (page_state(buddy) != PGC_state_free || buddy->order != order)
            break;
        list_del(&buddy->list);
        buddy->order = PAGE_ORDER_TAIL;
        h->frames[pfn].order = PAGE_ORDER_TAIL;
        pfn &= ~(1UL << order);
        order++;
    }
    head = &h->frames[pfn];
    head->order = (uint8_t)order;
    list_add(&head->list, &h->free[order]);
}

void page_heap_init(struct page_heap *h, struct page_info *frames, unsigned long nr_frames)
{
    unsigned long i;
    unsigned int k;

    h->frames = frames;
    h->nr_frames = nr_frames;
    for (k = 0; k <= PAGE_MAX_ORDER; k++)
        list_init(&h->free[k]);
    h->free_pages = 0;
    h->total_pages = 0;
    for (i = 0; i < nr_frames; i++) {
        struct page_info *pg = &frames[i];

        list_init(&pg->list);
        pg->count_info = PGC_state_reserved;
        pg->type_info = PGT_none;
        pg->owner = PAGE_OWNER_INVALID;
        pg->order = 0;
        for (k = 0; k < sizeof(pg->pad); k++)
            pg->pad[k] = 0;
    }
}

/* Largest order whose block starts at pfn and ends at or before end. */
static unsigned int max_block_order(unsigned long pfn, unsigned long end)
{
    unsigned int order = 0;

    while (order < PAGE_MAX_ORDER && !(pfn & (1UL << order)) && end - pfn >= (2UL << order))
        order++;
    return order;
}

/* Frees the reserved run [pfn, end) into the heap. */
static void add_run(struct page_heap *h, unsigned long pfn, unsigned long end)
{
    while (pfn < end) {
        unsigned int order = max_block_order(pfn, end);
        unsigned long nr = 1UL << order;

        mark_free(&h->frames[pfn], nr);
        block_insert(h, pfn, order);
        h->free_pages += nr;
        h->total_pages += nr;
        pfn += nr;
    }
}

void page_heap_add_range(struct page_heap *h, unsigned long pfn, unsigned long nr)
{
    unsigned long end;

    if (pfn >= h->nr_frames)
        return;
    end = nr > h->nr_frames - pfn ? h->nr_frames : pfn + nr;
    while (pfn < end) {
        unsigned long run_end = pfn;

        while (run_end < end && page_state(&h->frames[run_end]) == PGC_state_reserved)
            run_end++;
        if (run_end == pfn) {
            pfn++; /* already the heap's: leave it be */
            continue;
        }
        add_run(h, pfn, run_end);
        pfn = run_end;
    }
}

/*
 * A block on free[k] from which 2^order frames can be taken below limit.
 * Splitting keeps the lowest part, so the block's start is what matters.
 */
static struct page_info *find_block(struct page_heap *h, unsigned int k, unsigned int order,
                                    unsigned long limit)
{
    struct page_info *pg;

    if (list_empty(&h->free[k]))
        return NULL;
    if (!limit)
        return list_first_entry(&h->free[k], struct page_info, list);
    list_for_each_entry(pg, &h->free[k], list)
    {
        if (page_to_pfn(h, pg) + (1UL << order) <= limit)
            return pg;
    }
    return NULL;
}

struct page_info *page_alloc(struct page_heap *h, unsigned int order, unsigned long limit_pfn)
{
    struct page_info *pg = NULL;
    unsigned long pfn;
    unsigned int k;

    if (order > PAGE_MAX_ORDER)
        return NULL;
    if (limit_pfn >= h->nr_frames)
        limit_pfn = 0; /* every frame is below it: no limit */
    for (k = order; k <= PAGE_MAX_ORDER && !pg; k++)
        pg = find_block(h, k, order, limit_pfn);
    if (!pg)
        return NULL;
    k--;
    list_del(&pg->list);
    pfn = page_to_pfn(h, pg);
    /* Split: the upper half of each level goes back as a free block. */
    while (k > order) {
        struct page_info *upper;

        k--;
        upper = &h->frames[pfn + (1UL << k)];
        upper->order = (uint8_t)k;
        list_add(&upper->list, &h->free[k]);
    }
    mark_inuse(pg, 1UL << order);
    h->free_pages -= 1UL << order;
    return pg;
}

/*
 * The pfn of pg if it names a block of 2^order in-use frames of this
 * heap, aligned for order; else ~0UL. Reads only, so a refused free
 * changes nothing.
 */
static unsigned long checked_block_pfn(const struct page_heap *h, const struct page_info *pg,
                                       unsigned int order)
{
    /* Unsigned arithmetic, so a pointer below frames also lands out of range. */
    uintptr_t off = (uintptr_t)pg - (uintptr_t)h->frames;
    unsigned long pfn = (unsigned long)(off / sizeof(*pg));
    unsigned long nr = 1UL << order, i;

    if (off % sizeof(*pg) || pfn >= h->nr_frames || h->nr_frames - pfn < nr || (pfn & (nr - 1)))
        return ~0UL;
    for (i = 0; i < nr; i++) {
        if (page_state(&h->frames[pfn + i]) != PGC_state_inuse)
            return ~0UL;
    }
    return pfn;
}

int page_free(struct page_heap *h, struct page_info *pg, unsigned int order)
{
    unsigned long pfn;

    if (order > PAGE_MAX_ORDER)
        return -EINVAL;
    pfn = checked_block_pfn(h, pg, order);
    if (pfn == ~0UL)
        return -EINVAL;
    mark_free(&h->frames[pfn], 1UL << order);
    block_insert(h, pfn, order);
    h->free_pages += 1UL << order;
    return 0;
}
