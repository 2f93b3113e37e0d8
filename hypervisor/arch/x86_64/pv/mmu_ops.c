/* SPDX-License-Identifier: MIT */
/*
 * PV MMU hypercalls: mmu_update, mmuext_op, update_va_mapping. Every
 * request is checked against the reference rules in pv/mm.c before
 * anything changes; a batch stops at the first failing request and
 * reports how many were done.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

unsigned int pv_table_level(const struct page_info *pg)
{
    uint32_t type = page_type(pg);

    if (!page_type_is_table(type) || page_type_count(pg) == 0)
        return 0;
    return (type - PGT_l1_page_table) / (1u << PGT_type_shift) + 1;
}

static bool is_xen_l4_slot(unsigned int slot)
{
    return slot >= l4_index(HYPERVISOR_VIRT_START) && slot < l4_index(HYPERVISOR_VIRT_END);
}

/* Writes one entry of a validated table of d: refs for new, then old dropped. */
static int update_entry_owned(struct domain *d, struct domain *owner, struct page_info *table,
                              unsigned int idx, pte_t val, bool preserve_ad)
{
    unsigned int level = pv_table_level(table);
    pte_t *t = page_to_virt(table), old = t[idx];
    int rc;

    if (!level || (level == 4 && is_xen_l4_slot(idx)) || (old & _PAGE_GNTTAB))
        return -EINVAL; /* a grant mapping goes only through unmap */
    if (preserve_ad)
        val |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
    val = pv_adjust_entry(val, level);
    rc = pv_get_entry_refs_foreign(d, owner, val, level);
    if (rc)
        return rc;
    t[idx] = val;
    pv_put_entry_refs(old, level);
    /* A whole subtree may have gone: no CPU may keep translating through it. */
    if (level > 1 && (old & _PAGE_PRESENT))
        pv_flush_domain_tlbs(d);
    return 0;
}

int pv_update_entry(struct domain *d, struct page_info *table, unsigned int idx, pte_t val,
                    bool preserve_ad)
{
    return update_entry_owned(d, d, table, idx, val, preserve_ad);
}

int pv_update_l1_foreign(struct domain *d, struct domain *owner, struct page_info *l1,
                         unsigned int idx, pte_t val)
{
    return pv_table_level(l1) == 1 ? update_entry_owned(d, owner, l1, idx, val, false) : -EINVAL;
}

/* A frame of the guest's that is no page table: written like any of its pages. */
static int write_plain(struct domain *d, struct page_info *pg, unsigned int idx, pte_t val)
{
    if (!page_get_ref(pg, d->domain_id))
        return -EINVAL;
    if (page_get_type(pg, PGT_writable_page)) {
        page_put_ref(pg);
        return -EINVAL;
    }
    ((pte_t *)page_to_virt(pg))[idx] = val;
    page_put_type(pg);
    page_put_ref(pg);
    return 0;
}

/* The command is ptr's low 3 bits (Xen's rule), the entry the rest. */
static int mmu_update_one(struct domain *d, const mmu_update_t *req)
{
    unsigned long mfn = req->ptr >> PAGE_SHIFT;
    unsigned int idx = (req->ptr & (PAGE_SIZE - 1)) / 8;
    struct page_info *pg = pv_owned_frame(d, mfn);

    switch (req->ptr & 7) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_NO_TRANSLATE: /* means the same for a PV guest */
    case MMU_PT_UPDATE_PRESERVE_AD:
        if (!pg)
            return -EINVAL;
        if (!pv_table_level(pg))
            return write_plain(d, pg, idx, req->val);
        return pv_update_entry(d, pg, idx, req->val, (req->ptr & 7) == MMU_PT_UPDATE_PRESERVE_AD);
    case MMU_MACHPHYS_UPDATE:
        if (!pg)
            return -EINVAL;
        m2p_set(mfn, req->val);
        return 0;
    }
    return -ENOSYS;
}

static struct domain *target_domain(uint64_t domid)
{
    struct domain *self = current_vcpu()->domain;

    if (domid == DOMID_SELF || domid == self->domain_id)
        return self;
    return NULL; /* foreign updates are the control domain's, later */
}

/*
 * The batch loop mmu_update and mmuext_op share: each request is copied
 * in and done under the MMU lock; the first failure stops the batch, and
 * the number done goes back to the guest if it asked.
 */
long pv_mmu_batch(uint64_t reqs, uint64_t count, uint64_t done_ptr, size_t size,
                  int (*one)(void *ctx, const void *req), void *ctx)
{
    uint8_t req[sizeof(struct mmuext_op) > sizeof(mmu_update_t) ? sizeof(struct mmuext_op)
                                                                : sizeof(mmu_update_t)];
    uint64_t done = 0;
    long rc = 0;

    for (; done < count; done++) {
        if (copy_from_guest(req, reqs + done * size, size)) {
            rc = -EFAULT;
            break;
        }
        spin_lock(&pv_mm_lock);
        rc = one(ctx, req);
        spin_unlock(&pv_mm_lock);
        if (rc)
            break;
    }
    if (done_ptr && copy_to_guest(done_ptr, &done, sizeof(done)))
        return -EFAULT;
    return rc;
}

static int mmu_update_req(void *d, const void *req)
{
    return mmu_update_one(d, req);
}

long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t done_ptr, uint64_t domid)
{
    struct domain *d = target_domain(domid);

    if (!d)
        return -ESRCH;
    return pv_mmu_batch(reqs, count, done_ptr, sizeof(mmu_update_t), mmu_update_req, d);
}

/* Finds the L1 table and slot mapping va in d's current kernel tables. */
struct page_info *pv_l1_for_va(struct domain *d, uint64_t va, unsigned int *idx)
{
    struct vcpu *v = current_vcpu();
    unsigned long mfn = v->arch.guest_table;
    unsigned int level;

    for (level = 4; level > 1; level--) {
        struct page_info *pg = pv_owned_frame(d, mfn);
        pte_t e;

        if (!pg || pv_table_level(pg) != level)
            return NULL;
        e = ((pte_t *)page_to_virt(pg))[(va >> (12 + 9 * (level - 1))) & 511];
        if (!(e & _PAGE_PRESENT))
            return NULL;
        mfn = pte_addr(e) >> PAGE_SHIFT;
    }
    *idx = l1_index(va);
    return pv_owned_frame(d, mfn);
}

static void flush_after(struct domain *d, uint64_t va, uint64_t flags)
{
    uint64_t type = flags & UVMF_FLUSHTYPE_MASK;

    if (type == UVMF_INVLPG && (flags & ~UVMF_FLUSHTYPE_MASK) == UVMF_LOCAL)
        invlpg((void *)va);
    else if (type == UVMF_INVLPG || type == UVMF_TLB_FLUSH)
        pv_flush_domain_tlbs(d); /* remote invalidations flush everything */
}

static long update_va_mapping(uint64_t va, uint64_t val, uint64_t flags, struct domain *owner)
{
    struct domain *d = current_vcpu()->domain;
    struct page_info *l1;
    unsigned int idx;
    int rc;

    if (!guest_range_ok(va, 1))
        return -EINVAL;
    spin_lock(&pv_mm_lock);
    l1 = pv_l1_for_va(d, va, &idx);
    rc = l1 ? pv_update_l1_foreign(d, owner, l1, idx, val) : -EINVAL;
    spin_unlock(&pv_mm_lock);
    if (!rc)
        flush_after(d, va, flags);
    return rc;
}

long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
    struct domain *d = current_vcpu()->domain;

    return update_va_mapping(va, val, flags, d);
}

/* The control domain maps a frame of another domain into its own tables. */
long do_update_va_mapping_otherdomain(uint64_t va, uint64_t val, uint64_t flags, uint64_t domid)
{
    struct domain *self = current_vcpu()->domain, *owner;

    if (!self->is_privileged)
        return -EPERM;
    owner = domid == DOMID_SELF ? self : domain_by_id((domid_t)domid);
    if (!owner)
        return -ESRCH;
    return update_va_mapping(va, val, flags, owner);
}
