/* SPDX-License-Identifier: MIT */
/*
 * Page-table validation for 64-bit PV guests: which entries a guest may
 * write at each level, and the references they hold.
 *
 *  - Every mapped frame must be the domain's own (or its shared_info).
 *  - A writable L1 mapping takes a "writable" type reference, so page
 *    tables and descriptor frames are never writable to the guest.
 *  - An Lk entry (k > 1) takes an L(k-1) type reference on its target,
 *    which validates it on first use. No superpages, no linear tables.
 *  - Guest L4s never hold the hypervisor's slots (256-271); validation
 *    installs the hypervisor's own entries there.
 *  - Every guest entry gets _PAGE_USER (the guest kernel runs in ring 3)
 *    and loses _PAGE_GLOBAL (kernel and user tables must not share TLB
 *    entries across the mode switch).
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/smp.h>
#include <xenolith/string.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv_mm.h>

#define RO_MPT_VIRT_END (RO_MPT_VIRT_START + (1ull << 30) * 256) /* 256 GiB */
/* 9-11 and 53-62; bit 52 marks grant mappings, which only the hypervisor makes. */
#define AVAIL_BITS      (0xe00ull | (0x3ffull << 53))
#define ALLOWED_HIGH                                                                               \
    (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | AVAIL_BITS | _PAGE_NX)
#define L1_ALLOWED (ALLOWED_HIGH | _PAGE_PWT | _PAGE_PCD | _PAGE_PSE /* PAT */ | _PAGE_GLOBAL)

/* The same frames, writable, at the hypervisor-only alias. */
static uint64_t *const m2p_rw = (uint64_t *)RDWR_MPT_VIRT_START;
static unsigned long m2p_entries;

static uint32_t level_type(unsigned int level)
{
    return PGT_l1_page_table + (level - 1) * (1u << PGT_type_shift);
}

static bool is_xen_l4_slot(unsigned int slot)
{
    return slot >= l4_index(HYPERVISOR_VIRT_START) && slot < l4_index(HYPERVISOR_VIRT_END);
}

struct page_info *pv_owned_frame(const struct domain *d, unsigned long mfn)
{
    struct page_info *pg;

    if (mfn >= max_page)
        return NULL;
    pg = mfn_to_page(mfn);
    if (page_state(pg) != PGC_state_inuse || pg->owner != d->domain_id)
        return NULL;
    return pg;
}

pte_t pv_adjust_entry(pte_t e, unsigned int level)
{
    if (!(e & _PAGE_PRESENT))
        return e;
    e |= _PAGE_USER;
    if (level == 1)
        e &= ~(pte_t)_PAGE_GLOBAL;
    return e;
}

/* I/O memory (DOMID_IO's): mappable by the control domain, never counted. */
static bool is_io_frame(unsigned long mfn)
{
    return mfn < max_page && mfn_to_page(mfn)->owner == PAGE_OWNER_IO;
}

/*
 * Xen's answers: a frame that is not RAM (beyond memory, a hole, MMIO)
 * is -EPERM; RAM that belongs to someone else, or a frame whose type
 * forbids this use (a writable view of a page table), is -EBUSY.
 */
int pv_get_entry_refs(struct domain *d, pte_t e, unsigned int level)
{
    return pv_get_entry_refs_foreign(d, d, e, level);
}

/*
 * As pv_get_entry_refs, but an L1 entry may map a frame of `owner` (the
 * control domain mapping another domain's memory). Tables are always d's.
 */
int pv_get_entry_refs_foreign(struct domain *d, struct domain *owner, pte_t e, unsigned int level)
{
    unsigned long mfn = pte_addr(e) >> PAGE_SHIFT;
    struct page_info *pg;
    int rc;

    if (!(e & _PAGE_PRESENT))
        return 0;
    if (e & ~(level == 1 ? L1_ALLOWED : ALLOWED_HIGH) & ~PTE_ADDR_MASK)
        return -EINVAL; /* reserved, superpage or global bits */
    if (level == 1 && is_io_frame(mfn))
        return d->is_privileged ? 0 : -EPERM;
    if (mfn >= max_page || mfn_to_page(mfn)->owner == PAGE_OWNER_INVALID)
        return -EPERM;
    if (level == 1)
        d = owner;
    pg = pv_owned_frame(d, mfn);
    if (!pg || !page_get_ref(pg, d->domain_id))
        return -EBUSY;
    if (level == 1 && !(e & _PAGE_RW))
        return 0;
    rc = page_get_type(pg, level == 1 ? PGT_writable_page : level_type(level - 1));
    if (rc)
        page_put_ref(pg);
    return rc;
}

void pv_put_entry_refs(pte_t e, unsigned int level)
{
    struct page_info *pg;

    /* A grant mapping's references belong to its maptrack entry. */
    if (!(e & _PAGE_PRESENT) || (e & _PAGE_GNTTAB) ||
        (level == 1 && is_io_frame(pte_addr(e) >> PAGE_SHIFT)))
        return;
    pg = mfn_to_page(pte_addr(e) >> PAGE_SHIFT);
    if (level > 1 || (e & _PAGE_RW))
        page_put_type(pg);
    page_put_ref(pg);
    frame_put_orphan(pg); /* the last mapping of a dead domain's frame */
}

/*
 * As on Xen, validation installs every hypervisor slot but the read-only
 * M2P's (256); that one arrives when the table becomes a base pointer.
 */
void pv_install_xen_slots(pte_t *l4)
{
    unsigned int slot;

    for (slot = l4_index(HYPERVISOR_VIRT_START) + 1; slot < l4_index(HYPERVISOR_VIRT_END); slot++)
        l4[slot] = idle_pg_table[slot];
}

void pv_install_m2p_slot(unsigned long l4_mfn)
{
    pte_t *l4 = __va((paddr_t)l4_mfn << PAGE_SHIFT);

    l4[l4_index(RO_MPT_VIRT_START)] = idle_pg_table[l4_index(RO_MPT_VIRT_START)];
}

static unsigned int level_of(uint32_t type)
{
    return (type - PGT_l1_page_table) / (1u << PGT_type_shift) + 1;
}

static int validate_table(struct page_info *pg, uint32_t type)
{
    struct domain *d = domain_by_id(pg->owner);
    unsigned int level = level_of(type), i;
    pte_t *t = page_to_virt(pg);
    int rc;

    if (!d)
        return -EINVAL;
    for (i = 0; i < PT_ENTRIES; i++) {
        if (level == 4 && is_xen_l4_slot(i))
            continue;
        rc = pv_get_entry_refs(d, t[i], level);
        if (rc)
            goto undo;
        t[i] = pv_adjust_entry(t[i], level);
    }
    if (level == 4)
        pv_install_xen_slots(t);
    return 0;

undo:
    while (i-- > 0)
        if (!(level == 4 && is_xen_l4_slot(i)))
            pv_put_entry_refs(t[i], level);
    return rc;
}

static void devalidate_table(struct page_info *pg, uint32_t type)
{
    unsigned int level = level_of(type), i;
    pte_t *t = page_to_virt(pg);

    for (i = 0; i < PT_ENTRIES; i++)
        if (!(level == 4 && is_xen_l4_slot(i)))
            pv_put_entry_refs(t[i], level);
}

static void flush_writable(struct page_info *pg)
{
    struct domain *d = domain_by_id(pg->owner);

    if (d)
        pv_flush_domain_tlbs(d);
}

static const struct page_type_ops pv_table_ops = {
    .validate = validate_table,
    .devalidate = devalidate_table,
    .flush_writable = flush_writable,
};

static void flush_tlb_ipi(void *unused)
{
    (void)unused;
    flush_tlb_all_local();
}

void pv_flush_domain_tlbs(struct domain *d)
{
    /* Each vCPU of d runs where its pCPU reloads CR3 on every switch;
     * only pCPUs running one of d's vCPUs right now can hold its entries. */
    unsigned int i;
    cpumask_t mask = {0};

    for (i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i]->is_running)
            cpumask_set(&mask, d->vcpus[i]->processor);
    flush_tlb_all_local();
    if (mask.bits & ~(1ull << smp_processor_id()))
        smp_call_function(&mask, flush_tlb_ipi, NULL, true);
}

void m2p_set(unsigned long mfn, uint64_t pfn)
{
    if (mfn < m2p_entries)
        m2p_rw[mfn] = pfn;
}

/*
 * The M2P: one u64 per machine frame, mapped read-only for guests at
 * RO_MPT_VIRT_START (Xen's address) and writable for us at RDWR_MPT.
 */
void pv_mm_init(void)
{
    unsigned long pages = ALIGN_UP(max_page * 8, PAGE_SIZE) / PAGE_SIZE, i;

    if ((pages << PAGE_SHIFT) > RO_MPT_VIRT_END - RO_MPT_VIRT_START)
        panic("M2P table of %lu pages does not fit its area", pages);
    for (i = 0; i < pages; i++) {
        void *page = alloc_xenheap_pages(0);
        uint64_t off = i << PAGE_SHIFT;

        if (!page ||
            map_pages_to_xen(RO_MPT_VIRT_START + off, __pa(page), PAGE_SIZE,
                             PAGE_HYPERVISOR_RO | _PAGE_USER) ||
            map_pages_to_xen(RDWR_MPT_VIRT_START + off, __pa(page), PAGE_SIZE, PAGE_HYPERVISOR_RW))
            panic("no memory for the M2P table (%lu pages)", pages);
        memset(page, 0xff, PAGE_SIZE); /* every entry M2P_INVALID */
    }
    m2p_entries = max_page;
    page_type_set_ops(&pv_table_ops);
    printk("M2P: %lu entries at %#lx (guests, read-only)\n", m2p_entries,
           (unsigned long)RO_MPT_VIRT_START);
}

/* Drops a pin or a base pointer's type and general references. */
static void put_table_refs(struct page_info *pg)
{
    page_put_type(pg);
    page_put_ref(pg);
}

void pv_domain_relinquish(struct domain *d)
{
    struct page_info *pg;
    unsigned int i;

    spin_lock(&pv_mm_lock);
    for (i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        if (v->arch.guest_table)
            put_table_refs(mfn_to_page(v->arch.guest_table));
        if (v->arch.guest_table_user)
            put_table_refs(mfn_to_page(v->arch.guest_table_user));
        v->arch.guest_table = v->arch.guest_table_user = 0;
        pv_release_gdt(v);
        if (v->vcpu_info_registered)
            put_table_refs(mfn_to_page(__pa(v->vcpu_info) >> PAGE_SHIFT));
    }
    list_for_each_entry(pg, &d->page_list, list)
    {
        if (page_type_count(pg) && (pg->type_info & PGT_pinned)) {
            pg->type_info &= ~PGT_pinned;
            put_table_refs(pg);
        }
    }
    spin_unlock(&pv_mm_lock);
}
