/* SPDX-License-Identifier: MIT */
/*
 * The small-object heap, over a test page source: a static pool of pages
 * that records every page handed out, checks every page given back, can be
 * capped to run dry after N pages, and poisons pages it gets back so a
 * stale header can never look valid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/errno.h>
#include <xenolith/page.h>
#include <xenolith/xmalloc.h>

#define POOL_PAGES 512
#define POISON     0xdb

static unsigned char pool[POOL_PAGES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
/* Readable memory the heap never handed out, for "foreign pointer" cases. */
static unsigned char foreign[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct pool_src {
    unsigned char used[POOL_PAGES];
    unsigned char head_order[POOL_PAGES]; /* order + 1 at a block's first page */
    unsigned long pages_out;              /* pages currently handed out */
    unsigned long max_pages;              /* alloc fails beyond this many out */
    unsigned long allocs, frees, refusals;
    bool keep_contents; /* skip poisoning returned pages */
};

static struct pool_src src;

static void *pool_alloc(void *ctx, unsigned int order)
{
    struct pool_src *s = ctx;
    unsigned long n = 1UL << order, start, i;

    if (s->pages_out + n > s->max_pages) {
        s->refusals++;
        return NULL;
    }
    for (start = 0; start + n <= POOL_PAGES; start++) {
        for (i = 0; i < n && !s->used[start + i]; i++)
            ;
        if (i < n)
            continue;
        memset(s->used + start, 1, n);
        s->head_order[start] = (unsigned char)(order + 1);
        s->pages_out += n;
        s->allocs++;
        /* Fresh pages hold garbage, as real ones would. */
        memset(pool + start * PAGE_SIZE, 0x6b, n * PAGE_SIZE);
        return pool + start * PAGE_SIZE;
    }
    s->refusals++;
    return NULL;
}

static void pool_free(void *ctx, void *va, unsigned int order)
{
    struct pool_src *s = ctx;
    uintptr_t off = (uintptr_t)va - (uintptr_t)pool;
    unsigned long start = off / PAGE_SIZE, n = 1UL << order;

    /* The heap must only return what it got, whole, with the same order. */
    assert_true(off < sizeof(pool) && off % PAGE_SIZE == 0);
    assert_int_equal(s->head_order[start], order + 1);
    s->head_order[start] = 0;
    memset(s->used + start, 0, n);
    if (!s->keep_contents)
        memset(va, POISON, n * PAGE_SIZE);
    s->pages_out -= n;
    s->frees++;
}

static struct xheap heap;

static int setup(void **state)
{
    const struct xheap_page_source ps = {pool_alloc, pool_free, &src};

    (void)state;
    memset(&src, 0, sizeof(src));
    src.max_pages = POOL_PAGES;
    memset(foreign, 0, sizeof(foreign));
    xheap_init(&heap, &ps);
    return 0;
}

/* Each test leaves nothing allocated and every page back in the source. */
static int teardown(void **state)
{
    (void)state;
    assert_int_equal(xheap_bytes_in_use(&heap), 0);
    assert_int_equal(src.pages_out, 0);
    return 0;
}

static size_t class_of(size_t size)
{
    size_t c = 16;

    while (c < size)
        c *= 2;
    return c;
}

/*
 * One allocation of size: accounted at its class size, aligned to it (so
 * at least 16), and a second object of a class in a fresh slab sits
 * exactly one class size above the first. The slab page goes back after.
 */
static void check_class(size_t size)
{
    size_t c = class_of(size);
    unsigned char *a = xheap_alloc(&heap, size, 0);
    unsigned char *b = c < 2048 ? xheap_alloc(&heap, size, 0) : NULL;

    assert_non_null(a);
    assert_int_equal((uintptr_t)a % c, 0);
    memset(a, 0x11, size);
    if (b) {
        assert_int_equal(b - a, c);
        assert_int_equal(xheap_bytes_in_use(&heap), 2 * c);
        assert_int_equal(xheap_free(&heap, b), 0);
    } else {
        assert_int_equal(xheap_bytes_in_use(&heap), c);
    }
    assert_int_equal(src.pages_out, 1);
    assert_int_equal(xheap_free(&heap, a), 0);
    assert_int_equal(src.pages_out, 0);
}

/* Sizes 1-64 one by one, then a spread up to 2048 and each power of two. */
static void test_size_classes(void **state)
{
    size_t size;

    (void)state;
    for (size = 1; size <= 2048; size += size < 64 ? 1 : 37)
        check_class(size);
    for (size = 16; size <= 2048; size *= 2)
        check_class(size);
}

/*
 * Every power-of-two alignment up to PAGE_SIZE is honoured for small and
 * large sizes, objects do not overlap (each keeps its fill pattern), and
 * bad alignments are refused.
 */
static void test_alignment(void **state)
{
    static const size_t sizes[] = {1, 24, 100, 2048, 3000, 5000};
    unsigned char *p[13 * 6];
    size_t align, i, j, n = 0;

    (void)state;
    for (align = 1; align <= PAGE_SIZE; align *= 2)
        for (i = 0; i < 6; i++) {
            p[n] = xheap_alloc(&heap, sizes[i], align);
            assert_non_null(p[n]);
            assert_int_equal((uintptr_t)p[n] % align, 0);
            memset(p[n], (int)n, sizes[i]);
            n++;
        }
    for (j = 0; j < n; j++) {
        size_t size = sizes[j % 6];

        for (i = 0; i < size; i++)
            assert_int_equal(p[j][i], (unsigned char)j);
        assert_int_equal(xheap_free(&heap, p[j]), 0);
    }
    assert_null(xheap_alloc(&heap, 16, 3));
    assert_null(xheap_alloc(&heap, 16, 48));
    assert_null(xheap_alloc(&heap, 16, 2 * PAGE_SIZE));
    assert_int_equal(src.allocs, src.frees);
}

/*
 * Large requests take 2^order pages sized for header + object, are
 * accounted at their requested size, and give all their pages back.
 */
static void test_large(void **state)
{
    void *a, *b, *c;

    (void)state;
    a = xheap_alloc(&heap, 2049, 0);
    assert_int_equal(src.pages_out, 1); /* fits one page with its header */
    b = xheap_alloc(&heap, 5000, 0);
    assert_int_equal(src.pages_out, 1 + 2);
    c = xheap_alloc(&heap, 100 * PAGE_SIZE, 0);
    assert_int_equal(src.pages_out, 1 + 2 + 128);
    assert_true(a && b && c);
    /* Large objects get the same 16-byte minimum alignment as small ones. */
    assert_int_equal((uintptr_t)a % 16, 0);
    assert_int_equal((uintptr_t)b % 16, 0);
    assert_int_equal(xheap_bytes_in_use(&heap), 2049 + 5000 + 100 * PAGE_SIZE);
    memset(c, 0x22, 100 * PAGE_SIZE);
    assert_int_equal(xheap_free(&heap, b), 0);
    assert_int_equal(src.pages_out, 1 + 128);
    assert_int_equal(xheap_free(&heap, c), 0);
    assert_int_equal(xheap_free(&heap, a), 0);
}

/* Page-aligned page-sized objects: the header sits in the page below. */
static void test_page_aligned(void **state)
{
    unsigned char *p, *q;

    (void)state;
    p = xheap_alloc(&heap, PAGE_SIZE, PAGE_SIZE);
    q = xheap_alloc(&heap, 1, PAGE_SIZE);
    assert_true(p && q);
    assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
    assert_int_equal((uintptr_t)q % PAGE_SIZE, 0);
    memset(p, 0x33, PAGE_SIZE);
    assert_int_equal(src.pages_out, 4);
    assert_int_equal(xheap_free(&heap, p), 0);
    assert_int_equal(xheap_free(&heap, q), 0);
}

/* Size 0 and sizes no block can hold are NULL without asking the source. */
static void test_absurd_sizes(void **state)
{
    (void)state;
    assert_null(xheap_alloc(&heap, 0, 0));
    assert_null(xheap_alloc(&heap, SIZE_MAX, 0));
    assert_null(xheap_alloc(&heap, SIZE_MAX - 8, 16));
    assert_null(xheap_alloc(&heap, SIZE_MAX - PAGE_SIZE + 1, PAGE_SIZE));
    assert_null(xheap_alloc(&heap, (size_t)PAGE_SIZE << PAGE_MAX_ORDER, 0));
    assert_int_equal(src.allocs + src.refusals, 0);
}

/*
 * A source that runs dry after 3 pages: small allocations fill exactly
 * those pages, then fail (also large ones) without changing the heap;
 * freeing one object makes room again without a new page.
 */
static void test_oom(void **state)
{
    static void *objs[3 * PAGE_SIZE / 16];
    size_t n = 0, bytes;
    void *p;

    (void)state;
    src.max_pages = 3;
    while ((p = xheap_alloc(&heap, 16, 0)) != NULL) {
        assert_true(n < ARRAY_SIZE(objs));
        objs[n++] = p;
    }
    assert_int_equal(src.pages_out, 3);
    /* Each page loses at most a 64-byte header's worth of slots. */
    assert_true(n >= 3 * (PAGE_SIZE - 64) / 16);
    bytes = xheap_bytes_in_use(&heap);
    assert_int_equal(bytes, n * 16);
    assert_null(xheap_alloc(&heap, 16, 0));
    assert_null(xheap_alloc(&heap, 64, 0)); /* a new class needs a page too */
    assert_null(xheap_alloc(&heap, 10000, 0));
    assert_int_equal(xheap_bytes_in_use(&heap), bytes);
    assert_int_equal(xheap_free(&heap, objs[n / 2]), 0);
    objs[n / 2] = xheap_alloc(&heap, 16, 0);
    assert_non_null(objs[n / 2]);
    assert_int_equal(src.pages_out, 3);
    while (n)
        assert_int_equal(xheap_free(&heap, objs[--n]), 0);
}

/* A source that fails at once: every request is NULL, the heap stays empty. */
static void test_oom_immediate(void **state)
{
    void *p;

    (void)state;
    src.max_pages = 0;
    assert_null(xheap_alloc(&heap, 1, 0));
    assert_null(xheap_alloc(&heap, 4096, 0));
    assert_int_equal(xheap_bytes_in_use(&heap), 0);
    /* The failure left no half-built slab behind: a later success is normal. */
    src.max_pages = 1;
    p = xheap_alloc(&heap, 1, 0);
    assert_non_null(p);
    assert_int_equal(src.pages_out, 1);
    assert_int_equal(xheap_bytes_in_use(&heap), 16);
    assert_int_equal(xheap_free(&heap, p), 0);
}

/*
 * Double frees are refused with nothing changed: while the slab is live
 * (caught by the bitmap), after it went back (magic wiped), and for large
 * blocks.
 */
static void test_double_free(void **state)
{
    void *a, *b, *c, *l;
    size_t bytes;

    (void)state;
    a = xheap_alloc(&heap, 32, 0);
    b = xheap_alloc(&heap, 32, 0);
    l = xheap_alloc(&heap, 9000, 0);
    assert_true(a && b && l);
    assert_int_equal(xheap_free(&heap, a), 0);
    bytes = xheap_bytes_in_use(&heap);
    assert_int_equal(xheap_free(&heap, a), -EINVAL);
    assert_int_equal(xheap_bytes_in_use(&heap), bytes);
    /* The free list was not corrupted: a comes back once, then the next slot. */
    assert_ptr_equal(xheap_alloc(&heap, 32, 0), a);
    c = xheap_alloc(&heap, 32, 0);
    assert_ptr_equal(c, (char *)b + 32);
    assert_int_equal(xheap_free(&heap, l), 0);
    assert_int_equal(xheap_free(&heap, l), -EINVAL);
    /* Free the three live 32-byte objects; the slab goes back. */
    assert_int_equal(xheap_free(&heap, a), 0);
    assert_int_equal(xheap_free(&heap, b), 0);
    assert_int_equal(xheap_free(&heap, c), 0);
    assert_int_equal(src.pages_out, 0);
    assert_int_equal(xheap_free(&heap, b), -EINVAL); /* page already returned */
}

/*
 * Pointers the heap never returned are refused with nothing changed:
 * memory without a header, the middle of an object, a slab header, and
 * an offset into a large block. NULL is fine.
 */
static void test_foreign_pointers(void **state)
{
    unsigned char *small, *large;
    uintptr_t page;
    size_t bytes;

    (void)state;
    assert_int_equal(xheap_free(&heap, NULL), 0);
    small = xheap_alloc(&heap, 64, 0);
    large = xheap_alloc(&heap, 3000, 0);
    assert_true(small && large);
    bytes = xheap_bytes_in_use(&heap);
    page = (uintptr_t)small & PAGE_MASK;
    assert_int_equal(xheap_free(&heap, foreign + 100), -EINVAL);
    assert_int_equal(xheap_free(&heap, foreign + PAGE_SIZE), -EINVAL); /* page aligned */
    assert_int_equal(xheap_free(&heap, small + 1), -EINVAL);
    assert_int_equal(xheap_free(&heap, small + 16), -EINVAL);         /* 16-aligned, not 64 */
    assert_int_equal(xheap_free(&heap, (void *)(page + 8)), -EINVAL); /* header */
    assert_int_equal(xheap_free(&heap, small + 64), -EINVAL);         /* a free slot */
    assert_int_equal(xheap_free(&heap, large + 16), -EINVAL);
    assert_int_equal(xheap_free(&heap, large - 8), -EINVAL);
    assert_int_equal(xheap_bytes_in_use(&heap), bytes);
    assert_int_equal(xheap_free(&heap, small), 0);
    assert_int_equal(xheap_free(&heap, large), 0);
}

/*
 * Slab pages come and go with their objects: two pages' worth of 64-byte
 * objects take two pages; emptying one returns it, a full page that gets
 * a slot back serves the next request without a new page.
 */
static void test_pages_returned(void **state)
{
    static void *objs[2 * PAGE_SIZE / 64];
    size_t per_page = 0, n, i;
    void *first;

    (void)state;
    first = xheap_alloc(&heap, 64, 0);
    objs[per_page++] = first;
    while (src.pages_out == 1)
        objs[per_page++] = xheap_alloc(&heap, 64, 0);
    per_page--; /* the last one opened page two */
    assert_true(per_page >= (PAGE_SIZE - 64) / 64);
    for (n = per_page + 1; n < 2 * per_page; n++)
        objs[n] = xheap_alloc(&heap, 64, 0);
    assert_int_equal(src.pages_out, 2);
    /* Page one is full; freeing one slot and allocating reuses it. */
    assert_int_equal(xheap_free(&heap, objs[3]), 0);
    objs[3] = xheap_alloc(&heap, 64, 0);
    assert_int_equal(src.pages_out, 2);
    for (i = 0; i < per_page; i++)
        assert_int_equal(xheap_free(&heap, objs[i]), 0);
    assert_int_equal(src.pages_out, 1);
    for (i = per_page; i < n; i++)
        assert_int_equal(xheap_free(&heap, objs[i]), 0);
    assert_int_equal(src.pages_out, 0);
    assert_int_equal(src.allocs, src.frees);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct live_obj {
    unsigned char *p;
    size_t size;
    size_t accounted; /* what xheap_bytes_in_use counts for it */
    unsigned char fill;
};

static void check_fill(const struct live_obj *o)
{
    size_t i;

    for (i = 0; i < o->size; i++)
        if (o->p[i] != o->fill)
            fail_msg("object %p of %zu bytes overwritten at %zu", (void *)o->p, o->size, i);
}

/*
 * Random sizes (mostly small, some multi-page) and alignments, random
 * frees, with a capped source so OOM happens too. Every object keeps its
 * own fill until freed (no overlap), the byte count matches a model, and
 * everything goes back to the source at the end.
 */
static void test_stress(void **state)
{
    enum { STEPS = 20000, MAXLIVE = 700 };
    static struct live_obj live[MAXLIVE];
    size_t nlive = 0, model = 0, step, i;

    (void)state;
    rng_state = 0x2545f4914f6cdd1dULL;
    src.max_pages = 200;
    for (step = 0; step < STEPS; step++) {
        if (nlive < MAXLIVE && (nlive == 0 || rng() % 100 < 55)) {
            size_t size = rng() % 10 ? 1 + rng() % 600 : 1 + rng() % (5 * PAGE_SIZE);
            size_t align = rng() % 4 ? 0 : (size_t)1 << (rng() % 13);
            size_t need = size > align ? size : align;
            unsigned char *p = xheap_alloc(&heap, size, align);

            if (!p) {
                assert_int_equal(xheap_bytes_in_use(&heap), model);
                continue;
            }
            assert_int_equal((uintptr_t)p % (align ? align : 16), 0);
            live[nlive] = (struct live_obj){p, size, need > 2048 ? size : class_of(need),
                                            (unsigned char)(step | 1)};
            memset(p, live[nlive].fill, size);
            model += live[nlive].accounted;
            nlive++;
        } else {
            size_t v = rng() % nlive;

            check_fill(&live[v]);
            assert_int_equal(xheap_free(&heap, live[v].p), 0);
            model -= live[v].accounted;
            live[v] = live[--nlive];
        }
        assert_int_equal(xheap_bytes_in_use(&heap), model);
        if (step % 512 == 0)
            for (i = 0; i < nlive; i++)
                check_fill(&live[i]);
    }
    while (nlive) {
        check_fill(&live[--nlive]);
        assert_int_equal(xheap_free(&heap, live[nlive].p), 0);
    }
    assert_true(src.refusals > 0); /* the cap was actually hit */
}

/*
 * A returned page keeps no valid header even when its new owner leaves
 * the bytes alone (this source does not poison here): the heap wipes the
 * header magic itself, so stale frees of slab and large objects fail.
 */
static void test_returned_headers_wiped(void **state)
{
    uint32_t slab_word, large_word;
    unsigned char *small, *large;

    (void)state;
    src.keep_contents = true;
    small = xheap_alloc(&heap, 128, 0);
    large = xheap_alloc(&heap, 3 * PAGE_SIZE, 0);
    assert_true(small && large);
    memcpy(&slab_word, (void *)((uintptr_t)small & PAGE_MASK), sizeof(slab_word));
    memcpy(&large_word, (void *)((uintptr_t)large & PAGE_MASK), sizeof(large_word));
    assert_int_equal(xheap_free(&heap, small), 0);
    assert_int_equal(xheap_free(&heap, large), 0);
    assert_int_equal(src.pages_out, 0);
    assert_memory_not_equal((void *)((uintptr_t)small & PAGE_MASK), &slab_word, 4);
    assert_memory_not_equal((void *)((uintptr_t)large & PAGE_MASK), &large_word, 4);
    assert_int_equal(xheap_free(&heap, small), -EINVAL);
    assert_int_equal(xheap_free(&heap, large), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_size_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_aligned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absurd_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oom_immediate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_pointers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pages_returned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_returned_headers_wiped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
