/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's small-object heap (hypervisor/common/xmalloc.c), built
 * on a page source so it stays pure logic: the hypervisor plugs in its
 * page allocator, the unit tests a pool that can be made to run dry.
 *
 * Requests up to 2048 bytes come from size classes 16, 32, ..., 2048,
 * each slab a single page with a header at its start; bigger (or more
 * aligned) requests take 2^order pages with a header at their start.
 *
 * Locking: none inside; the caller serializes every call on a heap.
 */
#ifndef XENOLITH_XMALLOC_H
#define XENOLITH_XMALLOC_H

#include <xenolith/list.h>
#include <xenolith/types.h>

#define XHEAP_MIN_SHIFT  4  /* smallest class: 16 bytes */
#define XHEAP_MAX_SHIFT  11 /* largest class: 2048 bytes */
#define XHEAP_NR_CLASSES (XHEAP_MAX_SHIFT - XHEAP_MIN_SHIFT + 1)

struct xheap_page_source {
    /* 2^order contiguous pages, page aligned, or NULL. */
    void *(*alloc_pages)(void *ctx, unsigned int order);
    void (*free_pages)(void *ctx, void *va, unsigned int order);
    void *ctx;
};

struct xheap {
    struct xheap_page_source src;
    /* Per class: slab pages with at least one free object. */
    struct list_head partial[XHEAP_NR_CLASSES];
    size_t bytes_in_use;
};

void xheap_init(struct xheap *h, const struct xheap_page_source *src);

/*
 * size bytes aligned to align (a power of two up to PAGE_SIZE; 0 means
 * no constraint beyond the 16 bytes every object gets), or NULL for size
 * 0, a bad align, a size beyond what one 2^PAGE_MAX_ORDER block holds, or
 * when the page source runs dry. A failed call changes nothing.
 */
void *xheap_alloc(struct xheap *h, size_t size, size_t align);

/*
 * 0, also for NULL; -EINVAL with nothing changed when p is not an object
 * this heap handed out and still holds: a double free, a pointer into the
 * middle of an object or a header, or memory with no heap header. p must
 * lie in memory that can be read (its page, or the page before it when p
 * is page aligned): the header is looked up there. Once every object of a
 * slab page is free, the page goes back to the source.
 */
int xheap_free(struct xheap *h, void *p);

/* Bytes held by live objects: the class size for small, the request for large. */
size_t xheap_bytes_in_use(const struct xheap *h);

#endif
