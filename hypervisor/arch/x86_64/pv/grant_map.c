/* SPDX-License-Identifier: MIT */
/*
 * Grant mappings in a PV guest's page tables. A grant PTE carries
 * _PAGE_GNTTAB (bit 52, which guests may never set themselves): its
 * references belong to the maptrack entry, so the guest's own page-table
 * updates may neither overwrite it nor drop what it holds; only unmap
 * removes it. The guest's GNTMAP_guest_avail bits become the PTE's
 * available bits 9-11 (XENFEAT_gnttab_map_avail_bits).
 *
 * Called with frame_lock (pv_mm_lock) held.
 */
#include <xenolith/domain.h>
#include <xenolith/grant_table.h>
#include <xenolith/mm.h>
#include <xen/grant_table.h>
#include <asm/guest_access.h>
#include <asm/pv_mm.h>

#define GUEST_AVAIL_SHIFT 16 /* _GNTMAP_guest_avail0 */
#define PTE_AVAIL_SHIFT   9

/* The L1 and slot for addr: a VA in ld's current tables, or a PTE address. */
static struct page_info *grant_slot(struct domain *ld, uint64_t addr, bool is_pte,
                                    unsigned int *idx)
{
    struct page_info *l1;

    if (!is_pte)
        return guest_range_ok(addr, 1) ? pv_l1_for_va(ld, addr, idx) : NULL;
    if (addr & 7)
        return NULL;
    l1 = pv_owned_frame(ld, addr >> PAGE_SHIFT);
    *idx = (addr & (PAGE_SIZE - 1)) / 8;
    return l1 && pv_table_level(l1) == 1 ? l1 : NULL;
}

static uint64_t slot_maddr(const struct page_info *l1, unsigned int idx)
{
    return ((uint64_t)page_to_mfn(l1) << PAGE_SHIFT) + idx * 8;
}

static pte_t *slot_entry(struct page_info *l1, unsigned int idx)
{
    return (pte_t *)page_to_virt(l1) + idx;
}

int arch_grant_map(struct domain *ld, uint64_t addr, bool addr_is_pte, unsigned long mfn,
                   uint32_t flags, uint64_t *pte_maddr)
{
    unsigned int idx;
    struct page_info *l1;
    pte_t *slot, old, e;
    int rc = GNTST_general_error;

    l1 = grant_slot(ld, addr, addr_is_pte, &idx);
    /* A slot that holds a grant mapping already belongs to that one. */
    if (l1 && !(*(slot = slot_entry(l1, idx)) & _PAGE_GNTTAB)) {
        old = *slot;
        e = ((pte_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY |
            _PAGE_NX | _PAGE_GNTTAB |
            ((pte_t)((flags >> GUEST_AVAIL_SHIFT) & 7) << PTE_AVAIL_SHIFT);
        if (!(flags & GNTMAP_readonly))
            e |= _PAGE_RW;
        *slot = e;
        pv_put_entry_refs(old, 1);
        pv_flush_domain_tlbs(ld);
        *pte_maddr = slot_maddr(l1, idx);
        rc = GNTST_okay;
    }
    return rc;
}

/* The grant PTE at pte_maddr, if it is still there and still maps mfn. */
static pte_t *grant_pte(struct domain *ld, uint64_t pte_maddr, unsigned long mfn)
{
    unsigned int idx;
    struct page_info *l1 = grant_slot(ld, pte_maddr, true, &idx);
    pte_t *slot = l1 ? slot_entry(l1, idx) : NULL;

    return slot && (*slot & _PAGE_GNTTAB) && pte_addr(*slot) >> PAGE_SHIFT == mfn ? slot : NULL;
}

void arch_grant_unmap(struct domain *ld, uint64_t pte_maddr, unsigned long mfn)
{
    pte_t *slot;

    /* Gone with its table, the PTE needs nothing; the references go anyway. */
    if ((slot = grant_pte(ld, pte_maddr, mfn))) {
        *slot = 0;
        pv_flush_domain_tlbs(ld);
    }
}

int arch_grant_replace(struct domain *ld, uint64_t pte_maddr, unsigned long mfn, uint64_t new_addr)
{
    unsigned int idx;
    struct page_info *l1;
    pte_t *slot, *from;
    int rc = GNTST_general_error;

    slot = grant_pte(ld, pte_maddr, mfn);
    l1 = grant_slot(ld, new_addr, false, &idx);
    from = l1 ? slot_entry(l1, idx) : NULL;
    /* new_addr's PTE moves, with the references it holds, to the grant's slot. */
    if (slot && from && from != slot && !(*from & _PAGE_GNTTAB)) {
        *slot = *from;
        *from = 0;
        pv_flush_domain_tlbs(ld);
        rc = GNTST_okay;
    }
    return rc;
}

bool arch_grant_addr_matches(struct domain *ld, uint64_t host_addr, uint64_t pte_maddr)
{
    unsigned int idx;
    struct page_info *l1;
    bool match;

    if (host_addr == pte_maddr)
        return true;
    l1 = grant_slot(ld, host_addr, false, &idx);
    match = l1 && slot_maddr(l1, idx) == pte_maddr;
    return match;
}
