/* SPDX-License-Identifier: MIT */
/*
 * The buddy allocator. pa_check_heap() (page_heap_check.c) verifies every
 * invariant page_alloc.c states; most tests call it after each step, and
 * the stress test after every operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/errno.h>
#include <xenolith/page_alloc.h>

#include "page_heap_check.h"

/* A new heap has every frame reserved and unowned, and nothing to hand out. */
static void test_init_all_reserved(void **state)
{
    struct pa_fixture *f = pa_fixture_new(64);
    unsigned long i;

    (void)state;
    for (i = 0; i < f->nr; i++) {
        assert_int_equal(page_state(&f->frames[i]), PGC_state_reserved);
        assert_int_equal(page_refcount(&f->frames[i]), 0);
        assert_int_equal(f->frames[i].owner, PAGE_OWNER_INVALID);
    }
    assert_int_equal(f->h.free_pages, 0);
    assert_int_equal(f->h.total_pages, 0);
    assert_null(page_alloc(&f->h, 0, 0)); /* OOM is an answer */
    pa_check_heap(f);
    pa_fixture_free(f);
}

/* Allocated frames: in use, no references, no type, no owner yet; order too big is NULL. */
static void test_alloc_fresh_frames(void **state)
{
    struct pa_fixture *f = pa_fixture_new(64);
    struct page_info *pg;
    unsigned long i;

    (void)state;
    page_heap_add_range(&f->h, 0, 64);
    pg = page_alloc(&f->h, 3, 0);
    assert_non_null(pg);
    assert_int_equal(pa_pfn(f, pg) & 7, 0);
    for (i = 0; i < 8; i++) {
        assert_int_equal(page_state(&pg[i]), PGC_state_inuse);
        assert_int_equal(page_refcount(&pg[i]), 0);
        assert_int_equal(pg[i].type_info, 0);
        assert_int_equal(pg[i].owner, PAGE_OWNER_INVALID);
    }
    assert_int_equal(f->h.free_pages, 56);
    assert_null(page_alloc(&f->h, PAGE_MAX_ORDER + 1, 0));
    assert_null(page_alloc(&f->h, 6, 0)); /* 64 frames exist, 56 are free */
    pa_check_heap(f);
    pa_fixture_free(f);
}

/* Expected blocks after adding [0, 1000): the binary digits of 1000. */
static void assert_initial_1000(const struct pa_fixture *f)
{
    static const struct {
        unsigned int order;
        unsigned long pfn;
    } blocks[] = {
        {9, 0}, {8, 512}, {7, 768}, {6, 896}, {5, 960}, {3, 992},
    };
    unsigned long total = 0;
    unsigned int k;
    size_t i;

    for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
        assert_true(pa_has_block(f, blocks[i].order, blocks[i].pfn));
    for (k = 0; k <= PAGE_MAX_ORDER; k++)
        total += pa_nr_blocks(f, k);
    assert_int_equal(total, 6);
    assert_int_equal(f->h.free_pages, 1000);
}

/*
 * A frame that comes back from a previous user with an owner, a type and
 * references set is handed out clean again.
 */
static void test_recycled_frame_is_clean(void **state)
{
    struct pa_fixture *f = pa_fixture_new(4);
    struct page_info *pg;

    (void)state;
    page_heap_add_range(&f->h, 0, 1);
    pg = page_alloc(&f->h, 0, 0);
    assert_non_null(pg);
    page_set_owner(pg, 7);
    page_set_refcount(pg, 3);
    pg->type_info = PGT_writable_page | PGT_validated | 1;
    assert_int_equal(page_free(&f->h, pg, 0), 0);
    assert_int_equal(pg->owner, PAGE_OWNER_INVALID); /* free frames are unowned */
    pg = page_alloc(&f->h, 0, 0);
    assert_non_null(pg);
    assert_int_equal(pg->owner, PAGE_OWNER_INVALID);
    assert_int_equal(page_refcount(pg), 0);
    assert_int_equal(pg->type_info, 0);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/*
 * Exhaustion: order-0 allocations hand out each of the 1000 frames once,
 * then NULL; freeing them all merges back into the original blocks.
 */
static void test_exhaustion_order0(void **state)
{
    struct pa_fixture *f = pa_fixture_new(1000);
    struct page_info **got = calloc(1000, sizeof(*got));
    unsigned char *seen = calloc(1000, 1);
    unsigned long n = 0, i;
    struct page_info *pg;

    (void)state;
    page_heap_add_range(&f->h, 0, 1000);
    assert_initial_1000(f);
    while ((pg = page_alloc(&f->h, 0, 0)) != NULL) {
        assert_true(n < 1000);
        assert_false(seen[pa_pfn(f, pg)]);
        seen[pa_pfn(f, pg)] = 1;
        got[n++] = pg;
    }
    assert_int_equal(n, 1000);
    assert_int_equal(f->h.free_pages, 0);
    pa_check_heap(f);
    /* Free in a scattered order so merging happens at every level. */
    for (i = 0; i < n; i++)
        assert_int_equal(page_free(&f->h, got[(i * 617) % n], 0), 0);
    pa_check_heap(f);
    assert_initial_1000(f);
    free(got);
    free(seen);
    pa_fixture_free(f);
}

/* Exhaustion with order-2 blocks: exactly 250 fit; afterwards even order 0 fails. */
static void test_exhaustion_order2(void **state)
{
    struct pa_fixture *f = pa_fixture_new(1000);
    struct page_info *got[260];
    unsigned long n = 0, i;
    struct page_info *pg;

    (void)state;
    page_heap_add_range(&f->h, 0, 1000);
    while ((pg = page_alloc(&f->h, 2, 0)) != NULL) {
        assert_true(n < 260);
        got[n++] = pg;
    }
    assert_int_equal(n, 250);
    assert_null(page_alloc(&f->h, 0, 0));
    pa_check_heap(f);
    for (i = 0; i < n; i++)
        assert_int_equal(page_free(&f->h, got[n - 1 - i], 2), 0);
    pa_check_heap(f);
    assert_initial_1000(f);
    pa_fixture_free(f);
}

/*
 * Fragmentation: with every other frame free, 32 frames are free but no
 * two adjacent, so order 1 fails while order 0 succeeds; freeing the rest
 * merges everything back into the single order-6 block.
 */
static void test_fragmentation(void **state)
{
    struct pa_fixture *f = pa_fixture_new(64);
    struct page_info *by_pfn[64] = {0};
    struct page_info *pg;
    unsigned long i;
    unsigned int k;

    (void)state;
    page_heap_add_range(&f->h, 0, 64);
    for (i = 0; i < 64; i++) {
        pg = page_alloc(&f->h, 0, 0);
        assert_non_null(pg);
        by_pfn[pa_pfn(f, pg)] = pg;
    }
    for (i = 0; i < 64; i += 2)
        assert_int_equal(page_free(&f->h, by_pfn[i], 0), 0);
    assert_int_equal(f->h.free_pages, 32);
    assert_int_equal(pa_nr_blocks(f, 0), 32);
    pa_check_heap(f);
    assert_null(page_alloc(&f->h, 1, 0));
    pg = page_alloc(&f->h, 0, 0);
    assert_non_null(pg);
    assert_int_equal(pa_pfn(f, pg) % 2, 0); /* one of the freed even frames */
    assert_int_equal(page_free(&f->h, pg, 0), 0);
    for (i = 1; i < 64; i += 2)
        assert_int_equal(page_free(&f->h, by_pfn[i], 0), 0);
    pa_check_heap(f);
    assert_true(pa_has_block(f, 6, 0));
    for (k = 0; k <= PAGE_MAX_ORDER; k++)
        assert_int_equal(pa_nr_blocks(f, k), k == 6);
    pa_fixture_free(f);
}

/* Double free of a block's head: -EINVAL, frame table and heap untouched. */
static void test_double_free_head(void **state)
{
    struct pa_fixture *f = pa_fixture_new(64);
    struct page_info *a, *b;
    struct pa_snapshot s;

    (void)state;
    page_heap_add_range(&f->h, 0, 64);
    a = page_alloc(&f->h, 2, 0);
    b = page_alloc(&f->h, 2, 0); /* keeps a from merging all the way up */
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(page_free(&f->h, a, 2), 0);
    s = pa_snapshot_take(f);
    assert_int_equal(page_free(&f->h, a, 2), -EINVAL);
    assert_int_equal(page_free(&f->h, a, 0), -EINVAL);
    pa_assert_unchanged(f, &s);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/*
 * Double free naming a tail frame of a freed block, and a frame of a
 * block that has since merged with its buddy: both refused, nothing changed.
 */
static void test_double_free_tail(void **state)
{
    struct pa_fixture *f = pa_fixture_new(64);
    struct page_info *a, *b, *keep;
    struct pa_snapshot s;

    (void)state;
    page_heap_add_range(&f->h, 0, 64);
    a = page_alloc(&f->h, 0, 0);
    b = page_alloc(&f->h, 0, 0);
    keep = page_alloc(&f->h, 2, 0);
    assert_true(a && b && keep);
    assert_int_equal(pa_pfn(f, a) ^ 1, pa_pfn(f, b)); /* buddies */
    assert_int_equal(page_free(&f->h, a, 0), 0);
    assert_int_equal(page_free(&f->h, b, 0), 0); /* merges with a */
    assert_int_equal(page_free(&f->h, keep, 2), 0);
    s = pa_snapshot_take(f);
    assert_int_equal(page_free(&f->h, b, 0), -EINVAL); /* now a tail */
    assert_int_equal(page_free(&f->h, keep + 3, 0), -EINVAL);
    assert_int_equal(page_free(&f->h, keep + 2, 1), -EINVAL);
    pa_assert_unchanged(f, &s);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/* Reserved frames (never given to the heap) cannot be freed into it. */
static void test_free_reserved(void **state)
{
    struct pa_fixture *f = pa_fixture_new(16);
    struct pa_snapshot s;

    (void)state;
    page_heap_add_range(&f->h, 0, 8);
    s = pa_snapshot_take(f);
    assert_int_equal(page_free(&f->h, &f->frames[12], 0), -EINVAL);
    assert_int_equal(page_free(&f->h, &f->frames[8], 3), -EINVAL);
    pa_assert_unchanged(f, &s);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/*
 * Frees that name no valid block: misaligned for the order, a block that
 * runs past the table, pointers outside or inside an entry, a bad order,
 * a block that is only partly in use. All refused with nothing changed.
 */
static void test_free_invalid_blocks(void **state)
{
    struct pa_fixture *f = pa_fixture_new(10);
    struct page_info *pg[10];
    struct pa_snapshot s;
    unsigned long i;

    (void)state;
    page_heap_add_range(&f->h, 0, 10);
    for (i = 0; i < 10; i++)
        pg[i] = page_alloc(&f->h, 0, 0);
    assert_null(page_alloc(&f->h, 0, 0));
    assert_int_equal(page_free(&f->h, &f->frames[2], 0), 0); /* 2 free, rest in use */
    s = pa_snapshot_take(f);
    assert_int_equal(page_free(&f->h, &f->frames[1], 1), -EINVAL);  /* misaligned */
    assert_int_equal(page_free(&f->h, &f->frames[6], 2), -EINVAL);  /* misaligned */
    assert_int_equal(page_free(&f->h, &f->frames[8], 2), -EINVAL);  /* past the end */
    assert_int_equal(page_free(&f->h, &f->frames[10], 0), -EINVAL); /* one past */
    assert_int_equal(
        page_free(&f->h, (struct page_info *)((uintptr_t)f->frames - sizeof(*pg[0])), 0),
        -EINVAL); /* before */
    assert_int_equal(page_free(&f->h, (struct page_info *)((char *)&f->frames[4] + 8), 0),
                     -EINVAL); /* mid-entry */
    assert_int_equal(page_free(&f->h, &f->frames[0], PAGE_MAX_ORDER + 1), -EINVAL);
    assert_int_equal(page_free(&f->h, &f->frames[0], 2), -EINVAL); /* frame 2 is free */
    pa_assert_unchanged(f, &s);
    pa_check_heap(f);
    (void)pg;
    pa_fixture_free(f);
}

/*
 * limit_pfn: every block lies wholly below the limit, all 100 frames
 * below it can be had (split from blocks that straddle it), then NULL;
 * without a limit the rest is still available.
 */
static void test_limit_pfn(void **state)
{
    struct pa_fixture *f = pa_fixture_new(1024);
    struct page_info *pg;
    unsigned long n = 0;

    (void)state;
    page_heap_add_range(&f->h, 0, 1024);
    pg = page_alloc(&f->h, 3, 100);
    assert_non_null(pg);
    assert_true(pa_pfn(f, pg) + 8 <= 100);
    while ((pg = page_alloc(&f->h, 0, 100)) != NULL) {
        assert_true(pa_pfn(f, pg) < 100);
        n++;
        pa_check_heap(f);
    }
    assert_int_equal(n, 92);
    assert_null(page_alloc(&f->h, 2, 100));
    pg = page_alloc(&f->h, 0, 0);
    assert_non_null(pg);
    assert_true(pa_pfn(f, pg) >= 100);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/*
 * With only high memory in the heap, a limit at its start finds nothing
 * and a limit one past it finds exactly the first frame; a limit at or
 * beyond nr_frames means no limit.
 */
static void test_limit_pfn_edges(void **state)
{
    struct pa_fixture *f = pa_fixture_new(1024);
    struct page_info *pg;

    (void)state;
    page_heap_add_range(&f->h, 512, 512);
    assert_null(page_alloc(&f->h, 0, 512));
    assert_null(page_alloc(&f->h, 1, 513));
    pg = page_alloc(&f->h, 0, 513);
    assert_non_null(pg);
    assert_int_equal(pa_pfn(f, pg), 512);
    pg = page_alloc(&f->h, 8, 1024);
    assert_non_null(pg);
    assert_int_equal(pa_pfn(f, pg), 768);
    pg = page_alloc(&f->h, 7, 5000);
    assert_non_null(pg);
    assert_int_equal(pa_pfn(f, pg), 640);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/*
 * add_range with odd edges makes maximal aligned blocks, and a later
 * adjacent range merges into them across levels.
 */
static void test_add_range_odd_edges(void **state)
{
    struct pa_fixture *f = pa_fixture_new(1000);

    (void)state;
    page_heap_add_range(&f->h, 3, 10); /* [3, 13) */
    assert_true(pa_has_block(f, 0, 3));
    assert_true(pa_has_block(f, 2, 4));
    assert_true(pa_has_block(f, 2, 8));
    assert_true(pa_has_block(f, 0, 12));
    assert_int_equal(pa_nr_blocks(f, 0) + pa_nr_blocks(f, 1) + pa_nr_blocks(f, 2), 4);
    assert_int_equal(f->h.free_pages, 10);
    pa_check_heap(f);
    page_heap_add_range(&f->h, 13, 3); /* [13, 16): 12-15 merges with 8-11 */
    assert_true(pa_has_block(f, 3, 8));
    assert_true(pa_has_block(f, 2, 4));
    assert_true(pa_has_block(f, 0, 3));
    assert_int_equal(pa_nr_blocks(f, 0), 1);
    assert_int_equal(f->h.total_pages, 13);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/*
 * Holes stay reserved and are never handed out; re-adding free or in-use
 * frames changes nothing; ranges past the table are cut or ignored, even
 * when pfn + nr would overflow.
 */
static void test_add_range_holes_and_bounds(void **state)
{
    struct pa_fixture *f = pa_fixture_new(1000);
    struct page_info *pg, *used;
    unsigned long n = 0;

    (void)state;
    page_heap_add_range(&f->h, 100, 50);
    page_heap_add_range(&f->h, 200, 10);
    used = page_alloc(&f->h, 0, 0);
    assert_non_null(used);
    page_heap_add_range(&f->h, 100, 50); /* again, incl. the in-use frame */
    page_heap_add_range(&f->h, 200, 10);
    assert_int_equal(f->h.total_pages, 60);
    assert_int_equal(page_state(used), PGC_state_inuse);
    pa_check_heap(f);
    assert_int_equal(page_free(&f->h, used, 0), 0);
    page_heap_add_range(&f->h, 990, 100);  /* cut at 1000 */
    page_heap_add_range(&f->h, 5000, 10);  /* wholly beyond: ignored */
    page_heap_add_range(&f->h, 995, ~0UL); /* pfn + nr overflows */
    assert_int_equal(f->h.total_pages, 70);
    pa_check_heap(f);
    while ((pg = page_alloc(&f->h, 0, 0)) != NULL) {
        unsigned long pfn = pa_pfn(f, pg);

        assert_true((pfn >= 100 && pfn < 150) || (pfn >= 200 && pfn < 210) || pfn >= 990);
        n++;
    }
    assert_int_equal(n, 70);
    pa_fixture_free(f);
}

/*
 * Blocks never exceed PAGE_MAX_ORDER: 2^21 frames become two order-20
 * blocks that stay apart, and an order-20 allocation works.
 */
static void test_max_order(void **state)
{
    unsigned long nr = 2UL << PAGE_MAX_ORDER;
    struct pa_fixture *f = pa_fixture_new(nr);
    struct page_info *pg;

    (void)state;
    page_heap_add_range(&f->h, 0, nr);
    assert_int_equal(pa_nr_blocks(f, PAGE_MAX_ORDER), 2);
    pg = page_alloc(&f->h, PAGE_MAX_ORDER, 0);
    assert_non_null(pg);
    assert_int_equal(page_free(&f->h, pg, PAGE_MAX_ORDER), 0);
    assert_int_equal(pa_nr_blocks(f, PAGE_MAX_ORDER), 2);
    pa_check_heap(f);
    pa_fixture_free(f);
}

/* Deterministic PRNG (xorshift64), so failures reproduce on any libc. */
static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

struct live_block {
    struct page_info *pg;
    unsigned int order;
};

/*
 * Random allocs (orders 0-6, sometimes with a limit) and frees on a heap
 * with holes, checking all invariants after each step and that no frame
 * is ever handed out twice; at the end everything merges back.
 */
static void test_stress(void **state)
{
    enum { NR = 2048, STEPS = 6000, MAXLIVE = 600 };
    struct pa_fixture *f = pa_fixture_new(NR);
    static struct live_block live[MAXLIVE];
    static unsigned char owned[NR];
    unsigned long step, i, nlive = 0, initial[PAGE_MAX_ORDER + 1];
    unsigned int k;

    (void)state;
    rng_state = 0x9e3779b97f4a7c15ULL;
    memset(owned, 0, sizeof(owned));
    page_heap_add_range(&f->h, 1, 700);
    page_heap_add_range(&f->h, 777, 1000);
    page_heap_add_range(&f->h, 1800, 248);
    for (k = 0; k <= PAGE_MAX_ORDER; k++)
        initial[k] = pa_nr_blocks(f, k);
    for (step = 0; step < STEPS; step++) {
        if (nlive < MAXLIVE && (nlive == 0 || rng() % 100 < 55)) {
            unsigned int order = (unsigned int)(rng() % 7);
            unsigned long limit = rng() % 4 == 0 ? rng() % NR : 0;
            struct page_info *pg = page_alloc(&f->h, order, limit);

            if (pg) {
                unsigned long pfn = pa_pfn(f, pg);

                assert_int_equal(pfn & ((1UL << order) - 1), 0);
                assert_true(!limit || pfn + (1UL << order) <= limit);
                for (i = 0; i < (1UL << order); i++) {
                    assert_false(owned[pfn + i]);
                    owned[pfn + i] = 1;
                }
                live[nlive++] = (struct live_block){pg, order};
            }
        } else {
            unsigned long victim = rng() % nlive, pfn = pa_pfn(f, live[victim].pg);

            for (i = 0; i < (1UL << live[victim].order); i++)
                owned[pfn + i] = 0;
            assert_int_equal(page_free(&f->h, live[victim].pg, live[victim].order), 0);
            live[victim] = live[--nlive];
        }
        pa_check_heap(f);
    }
    while (nlive) {
        nlive--;
        assert_int_equal(page_free(&f->h, live[nlive].pg, live[nlive].order), 0);
    }
    pa_check_heap(f);
    assert_int_equal(f->h.free_pages, f->h.total_pages);
    for (k = 0; k <= PAGE_MAX_ORDER; k++)
        assert_int_equal(pa_nr_blocks(f, k), initial[k]);
    pa_fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_all_reserved),
        cmocka_unit_test(test_alloc_fresh_frames),
        cmocka_unit_test(test_recycled_frame_is_clean),
        cmocka_unit_test(test_exhaustion_order0),
        cmocka_unit_test(test_exhaustion_order2),
        cmocka_unit_test(test_fragmentation),
        cmocka_unit_test(test_double_free_head),
        cmocka_unit_test(test_double_free_tail),
        cmocka_unit_test(test_free_reserved),
        cmocka_unit_test(test_free_invalid_blocks),
        cmocka_unit_test(test_limit_pfn),
        cmocka_unit_test(test_limit_pfn_edges),
        cmocka_unit_test(test_add_range_odd_edges),
        cmocka_unit_test(test_add_range_holes_and_bounds),
        cmocka_unit_test(test_max_order),
        cmocka_unit_test(test_stress),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
