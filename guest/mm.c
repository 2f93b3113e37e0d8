/* SPDX-License-Identifier: MIT */
/*
 * Frame allocator and page-table plumbing.
 *
 * Free frames are the domain's pfns after Xen's boot stack (which follows
 * the boot page tables) up to nr_pages, tracked in a bitmap and handed out
 * lowest first. Lowest first matters at boot: Xen's initial mapping only
 * reaches a little past the boot stack, so the L1 tables that extend the
 * 1:1 map to the remaining frames must come from the already-mapped ones.
 *
 * All page-table changes go through Xen (mmu_update / update_va_mapping);
 * tables are read through their 1:1 mapping, which is read-only.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/mm.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

/* 1 GiB: everything the kernel's one L2 at VIRT_BASE can map. */
#define MM_MAX_PAGES (1UL << 18)

unsigned long mm_nr_pages;
unsigned long *mm_p2m;
unsigned long mm_kernel_l4_mfn;

static unsigned long mm_free_bitmap[MM_MAX_PAGES / 64];
static unsigned long mm_first_free, mm_nr_free;

static bool mm_is_free(unsigned long pfn)
{
    return mm_free_bitmap[pfn / 64] & (1UL << (pfn % 64));
}

static void mm_mark(unsigned long pfn, bool free)
{
    if (free) {
        mm_free_bitmap[pfn / 64] |= 1UL << (pfn % 64);
        mm_nr_free++;
    } else {
        mm_free_bitmap[pfn / 64] &= ~(1UL << (pfn % 64));
        mm_nr_free--;
    }
}

unsigned long mm_pages_alloc(unsigned long count)
{
    unsigned long run = 0;

    for (unsigned long pfn = mm_first_free; pfn < mm_nr_pages; pfn++) {
        run = mm_is_free(pfn) ? run + 1 : 0;
        if (run == count) {
            unsigned long first = pfn + 1 - count;

            for (unsigned long p = first; p <= pfn; p++)
                mm_mark(p, false);
            memset(mm_pfn_to_virt(first), 0, count * PAGE_SIZE);
            return first;
        }
    }
    return 0;
}

unsigned long mm_page_alloc(void)
{
    return mm_pages_alloc(1);
}

void mm_pages_free(unsigned long pfn, unsigned long count)
{
    for (unsigned long p = pfn; p < pfn + count; p++) {
        if (p < mm_first_free || p >= mm_nr_pages || mm_is_free(p))
            panic("mm: freeing pfn %#lx which is not allocated", p);
        mm_mark(p, true);
    }
}

void mm_page_free(unsigned long pfn)
{
    mm_pages_free(pfn, 1);
}

unsigned long mm_free_pages(void)
{
    return mm_nr_free;
}

long mm_set_readonly(unsigned long pfn, bool ro)
{
    uint64_t pte = ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) | PTE_PAGE;

    if (ro)
        pte &= ~PTE_RW;
    return HYPERVISOR_update_va_mapping((unsigned long)mm_pfn_to_virt(pfn), pte, UVMF_INVLPG);
}

unsigned long mm_pt_alloc(void)
{
    unsigned long pfn = mm_page_alloc();

    if (!pfn)
        return 0;
    if (mm_set_readonly(pfn, true)) {
        mm_page_free(pfn);
        return 0;
    }
    return pfn;
}

long mm_pt_free(unsigned long pfn)
{
    long rc = mm_set_readonly(pfn, false);

    if (rc == 0)
        mm_page_free(pfn);
    return rc;
}

uint64_t mm_entry_read(uint64_t maddr)
{
    const uint64_t *table = mm_pfn_to_virt(mm_mfn_to_pfn(maddr >> PAGE_SHIFT));

    return table[(maddr & ~PAGE_MASK) / 8];
}

unsigned long mm_area_create(unsigned int slot, unsigned long tables[3])
{
    unsigned long va = 0xffff000000000000UL | ((unsigned long)slot << 39);
    uint64_t *t[3];

    for (int i = 0; i < 3; i++) {
        if (!(tables[i] = mm_page_alloc()))
            panic("mm: no memory for an area's tables");
        t[i] = mm_pfn_to_virt(tables[i]);
    }
    t[0][mm_table_index(va, 3)] = ((uint64_t)mm_pfn_to_mfn(tables[1]) << PAGE_SHIFT) | PTE_TABLE;
    t[1][mm_table_index(va, 2)] = ((uint64_t)mm_pfn_to_mfn(tables[2]) << PAGE_SHIFT) | PTE_TABLE;
    for (int i = 0; i < 3; i++)
        if (mm_set_readonly(tables[i], true))
            panic("mm: cannot write-protect an area's tables");
    if (mm_entry_write(((uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT) + slot * 8,
                       ((uint64_t)mm_pfn_to_mfn(tables[0]) << PAGE_SHIFT) | PTE_TABLE))
        panic("mm: cannot link an area's tables");
    return va;
}

uint64_t mm_entry_maddr(unsigned long l4_mfn, unsigned long va, int level)
{
    uint64_t table = (uint64_t)l4_mfn << PAGE_SHIFT;

    for (int l = 4;; l--) {
        uint64_t maddr = table + mm_table_index(va, l) * 8;
        uint64_t e;

        if (l == level)
            return maddr;
        e = mm_entry_read(maddr);
        if (!(e & PTE_P) || (e & PTE_PSE))
            return 0;
        table = e & PTE_ADDR_MASK;
    }
}

long mm_entry_write(uint64_t maddr, uint64_t val)
{
    return hypercall_mmu_one(maddr | MMU_NORMAL_PT_UPDATE, val);
}

/* Maps the 2 MiB chunk of pfns starting at `first` with a new L1. */
static void mm_map_chunk(uint64_t l2e_maddr, unsigned long first)
{
    unsigned long l1 = mm_page_alloc();
    uint64_t *entries = mm_pfn_to_virt(l1);
    long rc;

    if (!l1)
        panic("mm: no frame for an L1 at pfn %#lx", first);
    for (unsigned long i = 0; i < 512 && first + i < mm_nr_pages; i++)
        entries[i] = ((uint64_t)mm_pfn_to_mfn(first + i) << PAGE_SHIFT) | PTE_PAGE;
    rc = mm_set_readonly(l1, true);
    if (rc == 0)
        rc = mm_entry_write(l2e_maddr, ((uint64_t)mm_pfn_to_mfn(l1) << PAGE_SHIFT) | PTE_TABLE);
    if (rc)
        panic("mm: mapping pfns from %#lx: %ld", first, rc);
}

/* Extends Xen's boot mapping so that every pfn is mapped at VIRT_BASE. */
static void mm_map_all(void)
{
    for (unsigned long pfn = 0; pfn < mm_nr_pages; pfn += 512) {
        unsigned long va = (unsigned long)mm_pfn_to_virt(pfn);
        uint64_t l2e = mm_entry_maddr(mm_kernel_l4_mfn, va, 2);

        if (!l2e)
            panic("mm: no L2 for %#lx", va);
        if (!(mm_entry_read(l2e) & PTE_P))
            mm_map_chunk(l2e, pfn);
    }
}

void mm_init(const start_info_t *si)
{
    unsigned long pt_pfn = mm_virt_to_pfn((void *)si->pt_base);

    mm_p2m = (unsigned long *)si->mfn_list;
    mm_nr_pages = MIN(si->nr_pages, MM_MAX_PAGES);
    mm_kernel_l4_mfn = mm_pfn_to_mfn(pt_pfn);
    /* The boot stack page follows the boot page tables. */
    mm_first_free = pt_pfn + si->nr_pt_frames + 1;
    for (unsigned long pfn = mm_first_free; pfn < mm_nr_pages; pfn++)
        mm_mark(pfn, true);
    mm_map_all();
    printk("mm: %lu pages, %lu free from pfn %#lx, kernel L4 mfn %#lx\n", mm_nr_pages, mm_nr_free,
           mm_first_free, mm_kernel_l4_mfn);
}
