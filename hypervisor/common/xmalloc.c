/* SPDX-License-Identifier: MIT */
/*
 * Small-object heap over a page source.
 *
 * Slab pages: a struct slab_hdr at offset 0, then objects of one class
 * size at multiples of that size (so each is aligned to its size, which is
 * how alignments up to 2048 are met). Free objects form a singly linked
 * list through their first word; the in-use bitmap is the authority on
 * which objects are live, so a double free or a stray pointer is caught
 * before it can corrupt the list. A slab is on its class's partial list
 * exactly when it has a free object; when its last object is freed it
 * goes back to the source with its magic wiped.
 *
 * Large blocks: 2^order pages, a struct large_hdr at offset 0, the object
 * at hdr->offset (PAGE_SIZE when the caller asks for page alignment). So a
 * page-aligned pointer can only be such an object, and its header is one
 * page below; any other pointer has its header at the start of its page.
 *
 * Locking: none; the caller serializes all calls on one heap.
 */
#include <xenolith/bug.h>
#include <xenolith/errno.h>
#include <xenolith/page.h>
#include <xenolith/xmalloc.h>

#define SLAB_MAGIC    0x58534c42u /* "XSLB" */
#define LARGE_MAGIC   0x584c5247u /* "XLRG" */
#define SLAB_MAX_OBJS (PAGE_SIZE >> XHEAP_MIN_SHIFT)
#define LARGE_MAX     ((size_t)PAGE_SIZE << PAGE_MAX_ORDER)

struct slab_hdr {
    uint32_t magic;
    uint16_t shift; /* objects are 1 << shift bytes */
    uint16_t nr_used;
    struct list_head link;              /* on h->partial[] while not full */
    void *free;                         /* first free object, or NULL */
    uint64_t inuse[SLAB_MAX_OBJS / 64]; /* bit i: object at i << shift is live */
};

struct large_hdr {
    uint32_t magic;
    uint32_t order;
    size_t offset; /* of the object from the block start */
    size_t size;   /* as requested */
};

_Static_assert(sizeof(struct slab_hdr) <= 64, "slab header must fit in 64 bytes");

/* The first object slot lies past the header, at a multiple of the class size. */
static uintptr_t slab_first_offset(unsigned int shift)
{
    uintptr_t size = (uintptr_t)1 << shift;

    return ALIGN_UP((uintptr_t)sizeof(struct slab_hdr), size);
}

void xheap_init(struct xheap *h, const struct xheap_page_source *src)
{
    unsigned int i;

    h->src = *src;
    for (i = 0; i < XHEAP_NR_CLASSES; i++)
        list_init(&h->partial[i]);
    h->bytes_in_use = 0;
}

size_t xheap_bytes_in_use(const struct xheap *h)
{
    return h->bytes_in_use;
}

/* Takes a page from the source and threads all its slots onto the free list. */
static struct slab_hdr *slab_new(struct xheap *h, unsigned int shift)
{
    struct slab_hdr *s = h->src.alloc_pages(h->src.ctx, 0);
    uintptr_t size = (uintptr_t)1 << shift, off;
    void **next;
    unsigned int i;

    if (!s)
        return NULL;
    ASSERT(((uintptr_t)s & ~PAGE_MASK) == 0);
    s->magic = SLAB_MAGIC;
    s->shift = (uint16_t)shift;
    s->nr_used = 0;
    for (i = 0; i < ARRAY_SIZE(s->inuse); i++)
        s->inuse[i] = 0;
    /* Ascending order, so objects are handed out from the low end. */
    next = &s->free;
    for (off = slab_first_offset(shift); off + size <= PAGE_SIZE; off += size) {
        *next = (char *)s + off;
        next = (void **)((char *)s + off);
    }
    *next = NULL;
    list_add(&s->link, &h->partial[shift - XHEAP_MIN_SHIFT]);
    return s;
}

static void *slab_alloc(struct xheap *h, unsigned int shift)
{
    struct list_head *partial = &h->partial[shift - XHEAP_MIN_SHIFT];
    struct slab_hdr *s;
    uintptr_t idx;
    void *obj;

    if (list_empty(partial)) {
        s = slab_new(h, shift);
        if (!s)
            return NULL;
    } else {
        s = list_first_entry(partial, struct slab_hdr, link);
    }
    obj = s->free;
    s->free = *(void **)obj;
    idx = ((uintptr_t)obj - (uintptr_t)s) >> shift;
    s->inuse[idx / 64] |= 1ULL << (idx % 64);
    s->nr_used++;
    if (!s->free)
        list_del(&s->link); /* full: nothing left to hand out */
    h->bytes_in_use += (size_t)1 << shift;
    return obj;
}

static void *large_alloc(struct xheap *h, size_t size, size_t align)
{
    size_t offset = ALIGN_UP(sizeof(struct large_hdr), align);
    struct large_hdr *l;
    unsigned int order = 0;

    if (size > LARGE_MAX - offset)
        return NULL;
    while (((size_t)PAGE_SIZE << order) < offset + size)
        order++;
    l = h->src.alloc_pages(h->src.ctx, order);
    if (!l)
        return NULL;
    ASSERT(((uintptr_t)l & ~PAGE_MASK) == 0);
    l->magic = LARGE_MAGIC;
    l->order = order;
    l->offset = offset;
    l->size = size;
    h->bytes_in_use += size;
    return (char *)l + offset;
}

void *xheap_alloc(struct xheap *h, size_t size, size_t align)
{
    size_t need;
    unsigned int shift = XHEAP_MIN_SHIFT;

    if (size == 0 || (align & (align - 1)) || align > PAGE_SIZE)
        return NULL;
    /* Every object is at least 16-byte aligned, large ones included. */
    if (align < ((size_t)1 << XHEAP_MIN_SHIFT))
        align = (size_t)1 << XHEAP_MIN_SHIFT;
    need = size > align ? size : align;
    if (need > ((size_t)1 << XHEAP_MAX_SHIFT))
        return large_alloc(h, size, align);
    while (((size_t)1 << shift) < need)
        shift++;
    return slab_alloc(h, shift);
}

static int slab_free(struct xheap *h, struct slab_hdr *s, void *p)
{
    uintptr_t off = (uintptr_t)p - (uintptr_t)s, idx;
    unsigned int shift = s->shift;
    bool was_full = s->free == NULL;
    uint64_t bit;

    if (shift < XHEAP_MIN_SHIFT || shift > XHEAP_MAX_SHIFT || (off & (((uintptr_t)1 << shift) - 1)))
        return -EINVAL;
    /*
     * Not live: a double free, or a slot that overlaps the header (its
     * bit is never set).
     */
    idx = off >> shift;
    bit = 1ULL << (idx % 64);
    if (!(s->inuse[idx / 64] & bit))
        return -EINVAL;
    s->inuse[idx / 64] &= ~bit;
    *(void **)p = s->free;
    s->free = p;
    s->nr_used--;
    h->bytes_in_use -= (size_t)1 << shift;
    if (s->nr_used == 0) {
        list_del(&s->link); /* harmless if it was full, hence unlinked */
        s->magic = 0;       /* a later stale free sees no slab here */
        h->src.free_pages(h->src.ctx, s, 0);
    } else if (was_full) {
        list_add(&s->link, &h->partial[shift - XHEAP_MIN_SHIFT]);
    }
    return 0;
}

static int large_free(struct xheap *h, struct large_hdr *l, void *p)
{
    if (l->magic != LARGE_MAGIC || l->order > PAGE_MAX_ORDER ||
        (uintptr_t)p - (uintptr_t)l != l->offset)
        return -EINVAL;
    h->bytes_in_use -= l->size;
    l->magic = 0;
    h->src.free_pages(h->src.ctx, l, l->order);
    return 0;
}

int xheap_free(struct xheap *h, void *p)
{
    uintptr_t addr = (uintptr_t)p;
    void *page;

    if (!p)
        return 0;
    /* Slab objects never start a page (the header does); large ones may. */
    if ((addr & ~PAGE_MASK) == 0)
        return large_free(h, (struct large_hdr *)(addr - PAGE_SIZE), p);
    page = (void *)(addr & PAGE_MASK);
    switch (*(const uint32_t *)page) {
    case SLAB_MAGIC:
        return slab_free(h, page, p);
    case LARGE_MAGIC:
        return large_free(h, page, p);
    default:
        return -EINVAL;
    }
}
