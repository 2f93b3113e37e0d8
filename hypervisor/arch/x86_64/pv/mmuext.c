/* SPDX-License-Identifier: MIT */
/*
 * mmuext_op: pinning and unpinning page tables, switching the guest's
 * kernel and user page-table bases, TLB flushes, page copy and clear.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/string.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

static const uint32_t pin_types[] = {PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table,
                                     PGT_l4_page_table};

static int pin_table(struct domain *d, unsigned long mfn, uint32_t type)
{
    struct page_info *pg = pv_owned_frame(d, mfn);
    int rc;

    if (!pg || !page_get_ref(pg, d->domain_id))
        return -EINVAL;
    if (page_type_count(pg) && (pg->type_info & PGT_pinned)) {
        page_put_ref(pg);
        return -EINVAL; /* already pinned */
    }
    rc = page_get_type(pg, type);
    if (rc) {
        page_put_ref(pg);
        return -EINVAL;
    }
    pg->type_info |= PGT_pinned;
    return 0;
}

static int unpin_table(struct domain *d, unsigned long mfn)
{
    struct page_info *pg = pv_owned_frame(d, mfn);

    if (!pg || !page_type_count(pg) || !(pg->type_info & PGT_pinned))
        return -EINVAL;
    pg->type_info &= ~PGT_pinned;
    page_put_type(pg);
    page_put_ref(pg);
    return 0;
}

/*
 * A new base holds its own L4 type reference (as cr3 does on Xen); the
 * old base's is dropped after the switch. mfn 0 for the user base means
 * "no user page tables".
 */
int pv_new_baseptr(struct vcpu *v, unsigned long mfn, bool user)
{
    struct domain *d = v->domain;
    unsigned long *slot = user ? &v->arch.guest_table_user : &v->arch.guest_table;
    struct page_info *pg = NULL, *old = *slot ? mfn_to_page(*slot) : NULL;

    if (mfn || !user) {
        pg = pv_owned_frame(d, mfn);
        if (!pg || !page_get_ref(pg, d->domain_id))
            return -EINVAL;
        if (page_get_type(pg, PGT_l4_page_table)) {
            page_put_ref(pg);
            return -EINVAL;
        }
    }
    if (mfn)
        pv_install_m2p_slot(mfn);
    *slot = mfn;
    if (v->arch.kernel_mode != user && v == current_vcpu())
        pv_load_cr3(v);
    if (old) {
        page_put_type(old);
        page_put_ref(old);
    }
    return 0;
}

static int copy_or_clear(struct domain *d, const struct mmuext_op *op)
{
    struct page_info *dst = pv_owned_frame(d, op->arg1.mfn), *src = NULL;
    int rc;

    if (op->cmd == MMUEXT_COPY_PAGE &&
        (!(src = pv_owned_frame(d, op->arg2.src_mfn)) || !page_get_ref(src, d->domain_id)))
        return -EINVAL;
    if (!dst || !page_get_ref(dst, d->domain_id)) {
        rc = -EINVAL;
        goto out;
    }
    rc = page_get_type(dst, PGT_writable_page) ? -EINVAL : 0;
    if (!rc) {
        if (src)
            memcpy(page_to_virt(dst), page_to_virt(src), PAGE_SIZE);
        else
            memset(page_to_virt(dst), 0, PAGE_SIZE);
        page_put_type(dst);
    }
    page_put_ref(dst);
out:
    if (src)
        page_put_ref(src);
    return rc;
}

static int mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    struct domain *d = v->domain;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pin_table(d, op->arg1.mfn, pin_types[op->cmd - MMUEXT_PIN_L1_TABLE]);
    case MMUEXT_UNPIN_TABLE:
        return unpin_table(d, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return pv_new_baseptr(v, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return pv_new_baseptr(v, op->arg1.mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_all_local();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if (guest_range_ok(op->arg1.linear_addr, 1))
            invlpg((void *)op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_ALL:
        pv_flush_domain_tlbs(d);
        return 0;
    case MMUEXT_SET_LDT:
        /* No LDT yet: only "no LDT" can be honoured. */
        return op->arg2.nr_ents == 0 ? 0 : -ENOSYS;
    case MMUEXT_COPY_PAGE:
    case MMUEXT_CLEAR_PAGE:
        return copy_or_clear(d, op);
    }
    return -ENOSYS;
}

static int mmuext_req(void *v, const void *op)
{
    return mmuext_one(v, op);
}

long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t done_ptr, uint64_t domid)
{
    struct vcpu *v = current_vcpu();

    if (domid != DOMID_SELF && domid != v->domain->domain_id)
        return -ESRCH;
    return pv_mmu_batch(ops, count, done_ptr, sizeof(struct mmuext_op), mmuext_req, v);
}
