/* SPDX-License-Identifier: MIT */
/*
 * Binary buddy allocator over the frame table (hypervisor/common/page_alloc.c).
 *
 * A free block of 2^k frames starts at a frame number aligned to 2^k; its
 * first frame sits on free[k] with order k, all its frames are in state
 * free, the others carry order PAGE_ORDER_TAIL. Two free buddies of the
 * same order below PAGE_MAX_ORDER are always merged.
 *
 * Locking: none inside; the caller serializes every call on a heap.
 */
#ifndef XENOLITH_PAGE_ALLOC_H
#define XENOLITH_PAGE_ALLOC_H

#include <xenolith/page.h>

struct page_heap {
    struct page_info *frames; /* frames[pfn], pfn < nr_frames */
    unsigned long nr_frames;
    struct list_head free[PAGE_MAX_ORDER + 1];
    unsigned long free_pages;  /* frames in free blocks */
    unsigned long total_pages; /* frames ever given by add_range */
};

/* Every frame starts reserved, unowned (PAGE_OWNER_INVALID), not in the heap. */
void page_heap_init(struct page_heap *h, struct page_info *frames, unsigned long nr_frames);

/*
 * Gives frames [pfn, pfn + nr) to the heap as free RAM, in maximal aligned
 * blocks merged with free neighbours. Only reserved frames are taken:
 * frames already free or in use are left alone, as are frames beyond
 * nr_frames.
 */
void page_heap_add_range(struct page_heap *h, unsigned long pfn, unsigned long nr);

/*
 * A block of 2^order frames lying entirely below limit_pfn (0: anywhere),
 * or NULL when there is none. Its frames are in use with no references,
 * no type, owner PAGE_OWNER_INVALID; the caller sets the owner. Without a
 * limit this takes O(PAGE_MAX_ORDER) list operations; with one, the free
 * lists are searched for a block low enough.
 */
struct page_info *page_alloc(struct page_heap *h, unsigned int order, unsigned long limit_pfn);

/*
 * Returns the block of 2^order frames starting at pg to the heap: 0, or
 * -EINVAL with nothing changed when pg is not a frame of this heap, is
 * misaligned for order, the block runs past the table, or any of its
 * frames is not in use (a double free, a reserved frame).
 */
int page_free(struct page_heap *h, struct page_info *pg, unsigned int order);

static inline unsigned long page_to_pfn(const struct page_heap *h, const struct page_info *pg)
{
    return (unsigned long)(pg - h->frames);
}

static inline struct page_info *pfn_to_page(const struct page_heap *h, unsigned long pfn)
{
    return h->frames + pfn;
}

#endif
