/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's memory: a buddy heap over the frame table and the
 * small-object heap carved from it. The pure logic lives in page_alloc.c
 * and xmalloc.c; this file adds the lock and the global instances.
 *
 * Locking: heap_lock protects both heaps; it is taken with interrupts
 * off so an interrupt handler may allocate.
 */
#include <xenolith/bug.h>
#include <xenolith/mm.h>
#include <xenolith/page_alloc.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <xenolith/xmalloc.h>

struct page_info *frame_table;
unsigned long max_page;

static struct page_heap frame_heap;
static struct xheap xen_heap;
static DEFINE_SPINLOCK(heap_lock);

static void *xheap_get_pages(void *ctx, unsigned int order)
{
    struct page_info *pg = page_alloc(&frame_heap, order, 0);

    (void)ctx;
    if (!pg)
        return NULL;
    pg->owner = PAGE_OWNER_XEN;
    return page_to_virt(pg);
}

static void xheap_put_pages(void *ctx, void *va, unsigned int order)
{
    (void)ctx;
    BUG_ON(page_free(&frame_heap, mfn_to_page(__pa(va) >> PAGE_SHIFT), order));
}

static const struct xheap_page_source xen_heap_source = {
    .alloc_pages = xheap_get_pages,
    .free_pages = xheap_put_pages,
};

void heap_init(struct page_info *frames, unsigned long nr_frames)
{
    frame_table = frames;
    max_page = nr_frames;
    page_heap_init(&frame_heap, frames, nr_frames);
    xheap_init(&xen_heap, &xen_heap_source);
}

void heap_add_free_range(unsigned long start, unsigned long end)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);

    page_heap_add_range(&frame_heap, start, end - start);
    spin_unlock_irqrestore(&heap_lock, flags);
}

struct page_info *alloc_frames(unsigned int order, unsigned long limit_mfn)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);
    struct page_info *pg = page_alloc(&frame_heap, order, limit_mfn);

    spin_unlock_irqrestore(&heap_lock, flags);
    return pg;
}

/* A bad free is a hypervisor bug (guests never name frames to free here). */
void free_frames(struct page_info *pg, unsigned int order)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);
    int rc = page_free(&frame_heap, pg, order);

    spin_unlock_irqrestore(&heap_lock, flags);
    if (rc)
        panic("free_frames: bad free of mfn %#lx order %u", page_to_mfn(pg), order);
}

void *alloc_xenheap_pages(unsigned int order)
{
    struct page_info *pg = alloc_frames(order, 0);

    if (!pg)
        return NULL;
    pg->owner = PAGE_OWNER_XEN;
    return page_to_virt(pg);
}

void free_xenheap_pages(void *va, unsigned int order)
{
    if (va)
        free_frames(mfn_to_page(__pa(va) >> PAGE_SHIFT), order);
}

void *alloc_xenheap_pages_exact(unsigned long nr)
{
    unsigned int order = 0;
    struct page_info *pg;
    unsigned long i;

    while ((1ul << order) < nr)
        if (++order > PAGE_MAX_ORDER)
            return NULL;
    pg = alloc_frames(order, 0);
    if (!pg)
        return NULL;
    for (i = nr; i < (1ul << order); i++)
        free_frames(pg + i, 0); /* every frame of the block is its own to free */
    for (i = 0; i < nr; i++)
        pg[i].owner = PAGE_OWNER_XEN;
    return page_to_virt(pg);
}

void free_xenheap_pages_exact(void *va, unsigned long nr)
{
    struct page_info *pg = mfn_to_page(__pa(va) >> PAGE_SHIFT);
    unsigned long i;

    for (i = 0; i < nr; i++)
        free_frames(pg + i, 0);
}

void *xmalloc_bytes(size_t size, size_t align)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);
    void *p = xheap_alloc(&xen_heap, size, align);

    spin_unlock_irqrestore(&heap_lock, flags);
    return p;
}

void *xzalloc_bytes(size_t size, size_t align)
{
    void *p = xmalloc_bytes(size, align);

    if (p)
        memset(p, 0, size);
    return p;
}

void xfree(void *p)
{
    unsigned long flags = spin_lock_irqsave(&heap_lock);
    int rc = xheap_free(&xen_heap, p);

    spin_unlock_irqrestore(&heap_lock, flags);
    if (rc)
        panic("xfree: bad free of %p", p);
}

unsigned long heap_free_frames(void)
{
    return READ_ONCE(frame_heap.free_pages);
}

unsigned long heap_total_frames(void)
{
    return READ_ONCE(frame_heap.total_pages);
}

size_t xmalloc_bytes_in_use(void)
{
    return xheap_bytes_in_use(&xen_heap);
}
