/* SPDX-License-Identifier: MIT */
/*
 * The boot allocator: hands out page ranges from the firmware's free RAM
 * before the frame table and the buddy heap exist, then passes whatever
 * is left to the heap. Pure logic, unit-tested on the host.
 *
 * Locking: boot time only, one CPU.
 */
#ifndef XENOLITH_BOOT_ALLOC_H
#define XENOLITH_BOOT_ALLOC_H

#include <xenolith/types.h>

#define BOOT_ALLOC_MAX_RANGES 128

struct boot_range {
    uint64_t start, end; /* frame numbers, end exclusive */
};

struct boot_allocator {
    unsigned int nr;
    struct boot_range ranges[BOOT_ALLOC_MAX_RANGES]; /* sorted, disjoint */
};

void boot_alloc_init(struct boot_allocator *ba);
/* Adds free frames [start, end); overlaps with existing ranges merge. */
int boot_alloc_add(struct boot_allocator *ba, uint64_t start, uint64_t end);
/* Removes frames [start, end) (image, modules, firmware areas). */
int boot_alloc_reserve(struct boot_allocator *ba, uint64_t start, uint64_t end);
/*
 * Takes nr contiguous frames aligned to `align` frames, ending at or below
 * frame `limit`, from the highest range that fits. Returns the first frame,
 * or 0 when nothing fits (frame 0 is never handed out).
 */
uint64_t boot_alloc_take(struct boot_allocator *ba, uint64_t nr, uint64_t align, uint64_t limit);
uint64_t boot_alloc_free_frames(const struct boot_allocator *ba);

#endif
