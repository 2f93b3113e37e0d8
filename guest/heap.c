/* SPDX-License-Identifier: MIT */
/*
 * Kernel heap. Sizes are rounded up to a power of two from 16 to 2048
 * bytes; each class keeps a free list of blocks, refilled by cutting a
 * whole frame into blocks of that class. The caller passes the size back
 * to heap_free (as with a slab cache), so blocks need no header. Frames
 * are never returned: the heap only serves small long-lived objects.
 */
#include <guest/heap.h>
#include <guest/mm.h>
#include <xenolith/compiler.h>
#include <xenolith/string.h>

#define HEAP_MIN_SHIFT 4
#define HEAP_CLASSES   8 /* 16 .. 2048 */

struct heap_block {
    struct heap_block *next;
};

static struct heap_block *heap_lists[HEAP_CLASSES];
static unsigned long heap_used;

static int heap_class(size_t size)
{
    int c = 0;

    if (size == 0 || size > HEAP_MAX_SIZE)
        return -1;
    while ((1UL << (c + HEAP_MIN_SHIFT)) < size)
        c++;
    return c;
}

static bool heap_refill(int c)
{
    unsigned long pfn = mm_page_alloc();
    size_t bsize = 1UL << (c + HEAP_MIN_SHIFT);
    char *page;

    if (!pfn)
        return false;
    page = mm_pfn_to_virt(pfn);
    for (size_t off = 0; off < PAGE_SIZE; off += bsize) {
        struct heap_block *b = (struct heap_block *)(page + off);

        b->next = heap_lists[c];
        heap_lists[c] = b;
    }
    return true;
}

void heap_init(void)
{
    memset(heap_lists, 0, sizeof(heap_lists));
    heap_used = 0;
}

void *heap_alloc(size_t size)
{
    int c = heap_class(size);
    struct heap_block *b;

    if (c < 0 || (!heap_lists[c] && !heap_refill(c)))
        return NULL;
    b = heap_lists[c];
    heap_lists[c] = b->next;
    heap_used++;
    memset(b, 0, 1UL << (c + HEAP_MIN_SHIFT));
    return b;
}

void heap_free(void *p, size_t size)
{
    int c = heap_class(size);
    struct heap_block *b = p;

    if (!p || c < 0)
        return;
    b->next = heap_lists[c];
    heap_lists[c] = b;
    heap_used--;
}

unsigned long heap_in_use(void)
{
    return heap_used;
}
