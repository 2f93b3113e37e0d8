/* SPDX-License-Identifier: MIT */
/*
 * Memory: the domain's own frames and the page tables that map them.
 *
 * Every pseudo-physical frame (pfn) of the domain is mapped 1:1 at
 * VIRT_BASE + pfn * 4096 (mm_init extends Xen's boot mapping to all of
 * them). The p2m list Xen gave us (start_info.mfn_list) turns pfns into
 * machine frames (mfn); Xen's read-only M2P turns them back.
 * A frame used as a page table must be mapped read-only everywhere: Xen
 * refuses to type a frame that still has a writable mapping.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include <guest/xen.h>

extern unsigned long mm_nr_pages;
extern unsigned long *mm_p2m;
extern unsigned long mm_kernel_l4_mfn; /* the base pointer we run on */

static inline void *mm_pfn_to_virt(unsigned long pfn)
{
    return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}

static inline unsigned long mm_virt_to_pfn(const void *va)
{
    return ((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT;
}

static inline unsigned long mm_pfn_to_mfn(unsigned long pfn)
{
    return mm_p2m[pfn];
}

static inline unsigned long mm_virt_to_mfn(const void *va)
{
    return mm_p2m[mm_virt_to_pfn(va)];
}

static inline unsigned long mm_mfn_to_pfn(unsigned long mfn)
{
    return M2P[mfn];
}

static inline unsigned int mm_table_index(unsigned long va, int level)
{
    return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

void mm_init(const start_info_t *si);

/* Frames: 0 means "none" (pfn 0 is the kernel image, never free). */
unsigned long mm_page_alloc(void);
unsigned long mm_pages_alloc(unsigned long count); /* contiguous pfns */
void mm_page_free(unsigned long pfn);
void mm_pages_free(unsigned long pfn, unsigned long count);
unsigned long mm_free_pages(void);

/* Changes the 1:1 mapping of a frame to read-only or back to writable. */
long mm_set_readonly(unsigned long pfn, bool ro);

/* A zeroed frame, mapped read-only, ready to be a page table; 0 if none. */
unsigned long mm_pt_alloc(void);
/* Returns a page-table frame to the allocator (must no longer be typed). */
long mm_pt_free(unsigned long pfn);

/*
 * Machine address of the level-`level` entry (1 = L1 ... 4 = L4) that maps
 * `va` in the tree rooted at `l4_mfn`; 0 when an upper level is absent.
 */
/*
 * 2 MiB of empty VA at the start of L4 slot `slot` (unused until now):
 * an L3/L2/L1 chain, the tables' pfns in tables[] (L3, L2, L1), for
 * mappings made later (grant maps). Returns the area's address.
 */
unsigned long mm_area_create(unsigned int slot, unsigned long tables[3]);
uint64_t mm_entry_maddr(unsigned long l4_mfn, unsigned long va, int level);
/* Reads a page-table entry by machine address, through the 1:1 map. */
uint64_t mm_entry_read(uint64_t maddr);

/* mmu_update(MMU_NORMAL_PT_UPDATE) of one entry. */
long mm_entry_write(uint64_t maddr, uint64_t val);

#endif
