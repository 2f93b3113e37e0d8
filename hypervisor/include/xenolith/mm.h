/* SPDX-License-Identifier: MIT */
/*
 * Machine memory: the frame table (one struct page_info per frame), the
 * buddy heap over it, and the hypervisor's own heap (xmalloc).
 *
 * Locking: heap_lock serializes the buddy heap and the xmalloc heap.
 */
#ifndef XENOLITH_MM_H
#define XENOLITH_MM_H

#include <xenolith/page.h>
#include <xenolith/spinlock.h>
#include <xenolith/types.h>
#include <asm/page.h>

extern struct page_info *frame_table;
/*
 * Serializes every change to a frame's references and type, so to guest
 * page tables and grant mappings (the arch code calls it pv_mm_lock).
 * Never taken in interrupt context.
 */
extern spinlock_t frame_lock;
extern unsigned long max_page; /* frames covered by the frame table */

static inline struct page_info *mfn_to_page(unsigned long mfn)
{
    return &frame_table[mfn];
}

static inline unsigned long page_to_mfn(const struct page_info *pg)
{
    return (unsigned long)(pg - frame_table);
}

static inline void *page_to_virt(const struct page_info *pg)
{
    return __va((paddr_t)page_to_mfn(pg) << PAGE_SHIFT);
}

/* Sets up the heap over frame_table and hands it frames [start, end). */
void heap_init(struct page_info *frames, unsigned long nr_frames);
void heap_add_free_range(unsigned long start, unsigned long end);

/* Frames for the hypervisor's own use; NULL when memory is exhausted. */
struct page_info *alloc_frames(unsigned int order, unsigned long limit_mfn);
void free_frames(struct page_info *pg, unsigned int order);
void *alloc_xenheap_pages(unsigned int order);
void free_xenheap_pages(void *va, unsigned int order);
/* nr contiguous pages exactly (the rest of the power-of-two block is freed). */
void *alloc_xenheap_pages_exact(unsigned long nr);
void free_xenheap_pages_exact(void *va, unsigned long nr);

void *xmalloc_bytes(size_t size, size_t align);
void *xzalloc_bytes(size_t size, size_t align);
void xfree(void *p);
#define xmalloc(type) ((type *)xmalloc_bytes(sizeof(type), _Alignof(type)))
#define xzalloc(type) ((type *)xzalloc_bytes(sizeof(type), _Alignof(type)))

unsigned long heap_free_frames(void);
unsigned long heap_total_frames(void);
size_t xmalloc_bytes_in_use(void);

#endif
