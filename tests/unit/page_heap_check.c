/* SPDX-License-Identifier: MIT */
/* Invariant checker and fixtures for test_page_alloc.c (see page_heap_check.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "page_heap_check.h"

struct pa_fixture *pa_fixture_new(unsigned long nr)
{
    struct pa_fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->frames = malloc(nr * sizeof(*f->frames));
    assert_non_null(f->frames);
    memset(f->frames, 0x5a, nr * sizeof(*f->frames)); /* init must not rely on zeroes */
    f->nr = nr;
    page_heap_init(&f->h, f->frames, nr);
    return f;
}

void pa_fixture_free(struct pa_fixture *f)
{
    free(f->frames);
    free(f);
}

unsigned long pa_pfn(const struct pa_fixture *f, const struct page_info *pg)
{
    return page_to_pfn(&f->h, pg);
}

/*
 * Every invariant: free blocks aligned, in range, headed on the right
 * list, made of free frames with tail markers, not overlapping, with no
 * unmerged free buddy; free_pages equals both the listed and the counted
 * free frames; free + in-use frames == total_pages.
 */
void pa_check_heap(const struct pa_fixture *f)
{
    const struct page_heap *h = &f->h;
    unsigned char *covered = calloc(f->nr ? f->nr : 1, 1);
    unsigned long listed = 0, nfree = 0, ninuse = 0, pfn, i;
    struct page_info *pg;
    unsigned int k;

    assert_non_null(covered);
    for (k = 0; k <= PAGE_MAX_ORDER; k++) {
        list_for_each_entry(pg, &h->free[k], list)
        {
            unsigned long n = 1UL << k;

            pfn = pa_pfn(f, pg);
            assert_true(pfn < f->nr && f->nr - pfn >= n);
            assert_int_equal(pfn & (n - 1), 0);
            assert_int_equal(pg->order, k);
            for (i = 0; i < n; i++) {
                assert_int_equal(page_state(&f->frames[pfn + i]), PGC_state_free);
                assert_false(covered[pfn + i]);
                covered[pfn + i] = 1;
                if (i)
                    assert_int_equal(f->frames[pfn + i].order, PAGE_ORDER_TAIL);
            }
            if (k < PAGE_MAX_ORDER && (pfn ^ n) < f->nr) {
                const struct page_info *b = &f->frames[pfn ^ n];

                assert_false(page_state(b) == PGC_state_free && b->order == k);
            }
            listed += n;
        }
    }
    for (pfn = 0; pfn < f->nr; pfn++) {
        uint32_t st = page_state(&f->frames[pfn]);

        if (st == PGC_state_free) {
            assert_true(covered[pfn]); /* no free frame outside a block */
            nfree++;
        } else if (st == PGC_state_inuse) {
            ninuse++;
        } else {
            assert_int_equal(st, PGC_state_reserved);
        }
    }
    free(covered);
    assert_int_equal(listed, h->free_pages);
    assert_int_equal(nfree, h->free_pages);
    assert_int_equal(nfree + ninuse, h->total_pages);
}

/* Number of blocks on free[k]. */
unsigned long pa_nr_blocks(const struct pa_fixture *f, unsigned int k)
{
    const struct page_info *pg;
    unsigned long n = 0;

    list_for_each_entry(pg, &f->h.free[k], list) n++;
    return n;
}

/* Whether free[k] holds a block starting at pfn. */
bool pa_has_block(const struct pa_fixture *f, unsigned int k, unsigned long pfn)
{
    const struct page_info *pg;

    list_for_each_entry(pg, &f->h.free[k], list)
    {
        if (pa_pfn(f, pg) == pfn)
            return true;
    }
    return false;
}

struct pa_snapshot pa_snapshot_take(const struct pa_fixture *f)
{
    struct pa_snapshot s = {.h = f->h, .frames = malloc(f->nr * sizeof(*f->frames))};

    assert_non_null(s.frames);
    memcpy(s.frames, f->frames, f->nr * sizeof(*f->frames));
    return s;
}

void pa_assert_unchanged(const struct pa_fixture *f, struct pa_snapshot *s)
{
    assert_memory_equal(&s->h, &f->h, sizeof(f->h));
    assert_memory_equal(s->frames, f->frames, f->nr * sizeof(*f->frames));
    free(s->frames);
}