/* SPDX-License-Identifier: MIT */
/* The boot allocator: range merging, reservation holes, top-down allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xenolith/boot_alloc.h>
#include <xenolith/errno.h>

/* Checks the invariant: sorted, disjoint, non-touching, non-empty ranges. */
static void check_ranges(const struct boot_allocator *ba)
{
    unsigned int i;

    for (i = 0; i < ba->nr; i++) {
        assert_true(ba->ranges[i].start < ba->ranges[i].end);
        if (i)
            assert_true(ba->ranges[i - 1].end < ba->ranges[i].start);
    }
}

static void expect(const struct boot_allocator *ba, const uint64_t (*want)[2], unsigned int n)
{
    unsigned int i;

    check_ranges(ba);
    assert_int_equal(ba->nr, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(ba->ranges[i].start, want[i][0]);
        assert_int_equal(ba->ranges[i].end, want[i][1]);
    }
}

/* Overlapping and touching additions merge; out-of-order ones sort. */
static void test_add_merges(void **state)
{
    static const uint64_t want[][2] = {{1, 20}, {30, 40}};
    struct boot_allocator ba;

    (void)state;
    boot_alloc_init(&ba);
    assert_int_equal(boot_alloc_add(&ba, 30, 40), 0);
    assert_int_equal(boot_alloc_add(&ba, 1, 5), 0);
    assert_int_equal(boot_alloc_add(&ba, 5, 10), 0);  /* touches [1,5) */
    assert_int_equal(boot_alloc_add(&ba, 8, 20), 0);  /* overlaps */
    assert_int_equal(boot_alloc_add(&ba, 12, 12), 0); /* empty: ignored */
    expect(&ba, want, 2);
    assert_int_equal(boot_alloc_free_frames(&ba), 29);
}

/* A reservation inside a range splits it; at the edges it trims; across
 * several ranges it removes what it covers. */
static void test_reserve_holes(void **state)
{
    static const uint64_t want[][2] = {{0, 10}, {12, 50}, {70, 75}};
    struct boot_allocator ba;

    (void)state;
    boot_alloc_init(&ba);
    boot_alloc_add(&ba, 0, 60);
    boot_alloc_add(&ba, 65, 80);
    boot_alloc_add(&ba, 90, 100);
    assert_int_equal(boot_alloc_reserve(&ba, 10, 12), 0);  /* split */
    assert_int_equal(boot_alloc_reserve(&ba, 50, 70), 0);  /* across two */
    assert_int_equal(boot_alloc_reserve(&ba, 75, 200), 0); /* tail and a whole range */
    expect(&ba, want, 3);
}

/* Allocation comes from the top of the highest range under the limit,
 * aligned, and never returns frame 0. */
static void test_take_top_down(void **state)
{
    struct boot_allocator ba;

    (void)state;
    boot_alloc_init(&ba);
    boot_alloc_add(&ba, 0, 100);
    boot_alloc_add(&ba, 200, 300);
    assert_int_equal(boot_alloc_take(&ba, 10, 1, UINT64_MAX), 290);
    assert_int_equal(boot_alloc_take(&ba, 4, 16, UINT64_MAX), 272); /* aligned below 290 */
    assert_int_equal(boot_alloc_take(&ba, 10, 1, 150), 90);         /* limit skips the high range */
    assert_int_equal(boot_alloc_take(&ba, 200, 1, UINT64_MAX), 0);  /* too big anywhere */
    assert_int_equal(boot_alloc_take(&ba, 90, 1, 150), 0);          /* would need frame 0 */
    assert_int_equal(boot_alloc_take(&ba, 0, 1, UINT64_MAX), 0);    /* nothing asked */
    assert_int_equal(boot_alloc_take(&ba, 1, 3, UINT64_MAX), 0);    /* alignment not a power of 2 */
    check_ranges(&ba);
    assert_int_equal(boot_alloc_free_frames(&ba), 200 - 10 - 4 - 10);
}

/* Exhaustion: taking frames until nothing is left, then failing cleanly. */
static void test_take_until_empty(void **state)
{
    struct boot_allocator ba;
    unsigned int got = 0;

    (void)state;
    boot_alloc_init(&ba);
    boot_alloc_add(&ba, 1, 33);
    while (boot_alloc_take(&ba, 1, 1, UINT64_MAX))
        got++;
    assert_int_equal(got, 32);
    assert_int_equal(ba.nr, 0);
    assert_int_equal(boot_alloc_free_frames(&ba), 0);
}

/* A full range table refuses a split instead of losing frames. */
static void test_table_full(void **state)
{
    struct boot_allocator ba;
    uint64_t before;
    unsigned int i;

    (void)state;
    boot_alloc_init(&ba);
    for (i = 0; i < BOOT_ALLOC_MAX_RANGES; i++)
        assert_int_equal(boot_alloc_add(&ba, i * 10, i * 10 + 5), 0);
    assert_int_equal(boot_alloc_add(&ba, 5000, 5005), -ENOSPC);
    before = boot_alloc_free_frames(&ba);
    assert_int_equal(boot_alloc_reserve(&ba, 21, 22), -ENOSPC);
    assert_int_equal(boot_alloc_free_frames(&ba), before);
    check_ranges(&ba);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges),    cmocka_unit_test(test_reserve_holes),
        cmocka_unit_test(test_take_top_down), cmocka_unit_test(test_take_until_empty),
        cmocka_unit_test(test_table_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
