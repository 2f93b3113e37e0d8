/* SPDX-License-Identifier: MIT */
/*
 * Boot allocator over a sorted array of disjoint free ranges.
 * Invariant: ranges[] is sorted by start, no two ranges overlap or touch,
 * and no range is empty.
 */
#include <xenolith/boot_alloc.h>
#include <xenolith/compiler.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

void boot_alloc_init(struct boot_allocator *ba)
{
    ba->nr = 0;
}

static void remove_at(struct boot_allocator *ba, unsigned int i)
{
    memmove(&ba->ranges[i], &ba->ranges[i + 1], (ba->nr - i - 1) * sizeof(ba->ranges[0]));
    ba->nr--;
}

static int insert_at(struct boot_allocator *ba, unsigned int i, uint64_t start, uint64_t end)
{
    if (ba->nr == BOOT_ALLOC_MAX_RANGES)
        return -ENOSPC;
    memmove(&ba->ranges[i + 1], &ba->ranges[i], (ba->nr - i) * sizeof(ba->ranges[0]));
    ba->ranges[i].start = start;
    ba->ranges[i].end = end;
    ba->nr++;
    return 0;
}

int boot_alloc_add(struct boot_allocator *ba, uint64_t start, uint64_t end)
{
    unsigned int i = 0;

    if (start >= end)
        return 0;
    while (i < ba->nr && ba->ranges[i].end < start)
        i++;
    /* Absorb every range that overlaps or touches [start, end). */
    while (i < ba->nr && ba->ranges[i].start <= end) {
        start = MIN(start, ba->ranges[i].start);
        end = MAX(end, ba->ranges[i].end);
        remove_at(ba, i);
    }
    return insert_at(ba, i, start, end);
}

int boot_alloc_reserve(struct boot_allocator *ba, uint64_t start, uint64_t end)
{
    unsigned int i = 0;

    while (i < ba->nr && start < end) {
        struct boot_range *r = &ba->ranges[i];

        if (r->end <= start || r->start >= end) {
            i++;
        } else if (r->start >= start && r->end <= end) {
            remove_at(ba, i);
        } else if (r->start < start && r->end > end) {
            /* The hole splits the range in two. */
            uint64_t old_end = r->end;

            if (ba->nr == BOOT_ALLOC_MAX_RANGES)
                return -ENOSPC;
            r->end = start;
            return insert_at(ba, i + 1, end, old_end);
        } else if (r->start < start) {
            r->end = start;
            i++;
        } else {
            r->start = end;
            i++;
        }
    }
    return 0;
}

uint64_t boot_alloc_take(struct boot_allocator *ba, uint64_t nr, uint64_t align, uint64_t limit)
{
    unsigned int i;

    if (nr == 0 || align == 0 || (align & (align - 1)))
        return 0;
    for (i = ba->nr; i-- > 0;) {
        struct boot_range *r = &ba->ranges[i];
        uint64_t top = MIN(r->end, limit), first;

        if (top < nr || top - nr < r->start)
            continue;
        first = ALIGN_DOWN(top - nr, align);
        if (first < r->start || first == 0)
            continue;
        if (boot_alloc_reserve(ba, first, first + nr))
            return 0;
        return first;
    }
    return 0;
}

uint64_t boot_alloc_free_frames(const struct boot_allocator *ba)
{
    uint64_t total = 0;
    unsigned int i;

    for (i = 0; i < ba->nr; i++)
        total += ba->ranges[i].end - ba->ranges[i].start;
    return total;
}
