/* SPDX-License-Identifier: MIT */
/*
 * Using grants: mapping (map_grant_ref, unmap_grant_ref,
 * unmap_and_replace), copying (copy) and cache_flush.
 *
 * Invariants:
 *  - A mapping holds a general reference on the granted frame (and a
 *    writable-type reference when writable); the maptrack entry, not the
 *    mapper's PTE, owns them, and only unmap (or the mapper's death)
 *    drops them.
 *  - While a grant is in use its entry carries GTF_reading (and
 *    GTF_writing for a writable use); the counts live in the granter's
 *    active entry, which also fixes the frame and grantee for all uses.
 *  - A dying granter's frames that others still map stay allocated,
 *    orphaned, until the last mapping goes.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/page_type.h>
#include <xenolith/string.h>
#include "grant_private.h"

/* The entry's {flags, domid} word, as one 32-bit value for cmpxchg. */
static uint32_t *entry_word(grant_entry_v1_t *e)
{
    return (uint32_t *)e;
}

/*
 * Checks entry ref of rd against use by ld and sets its in-use bits,
 * atomically against the granter's own changes to it.
 */
static int16_t entry_claim(grant_entry_v1_t *e, domid_t ld, bool readonly)
{
    uint32_t old = __atomic_load_n(entry_word(e), __ATOMIC_SEQ_CST), new;

    do {
        uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);

        if ((flags & GTF_type_mask) != GTF_permit_access || domid != ld)
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_general_error; /* a read-only grant, asked for writing */
        new = old | GTF_reading | (readonly ? 0 : GTF_writing);
    } while (!__atomic_compare_exchange_n(entry_word(e), &old, new, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    return GNTST_okay;
}

/*
 * Takes a use of grant (rd, ref) for ld. The entry is consulted only when
 * the grant is not yet in use, or is about to be written for the first
 * time: until then the active entry speaks for it. Returns the frame, or
 * a GNTST_* error.
 */
static long grant_pin(struct domain *rd, grant_ref_t ref, domid_t ld, bool readonly)
{
    struct grant_table *gt = rd->grant_table;
    struct active_entry *a;
    bool in_use;
    int16_t rc;

    if (!gt || ref >= gnttab_nr_entries(gt))
        return GNTST_bad_gntref;
    a = gnttab_active(gt, ref);
    in_use = a->readers || a->writers;
    if (in_use && a->domid != ld)
        return GNTST_general_error;
    if (!in_use || (!readonly && !a->writers)) {
        rc = entry_claim(gnttab_entry(gt, ref), ld, readonly);
        if (rc != GNTST_okay)
            return rc;
    }
    if (!in_use) {
        a->domid = ld;
        a->frame = READ_ONCE(gnttab_entry(gt, ref)->frame);
    }
    if (readonly)
        a->readers++;
    else
        a->writers++;
    return (long)a->frame;
}

static void grant_unpin(struct domain *rd, grant_ref_t ref, bool readonly)
{
    struct grant_table *gt = rd ? rd->grant_table : NULL;
    struct active_entry *a;
    uint16_t clear = 0;

    if (!gt || ref >= gnttab_nr_entries(gt))
        return; /* the granter is gone: nothing left to tell it */
    a = gnttab_active(gt, ref);
    if (readonly)
        a->readers--;
    else
        a->writers--;
    if (!a->writers)
        clear |= GTF_writing;
    if (!a->writers && !a->readers)
        clear |= GTF_reading;
    __atomic_fetch_and(&gnttab_entry(gt, ref)->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/* References a use holds on the granted frame (owned by rd). */
static int16_t frame_get(struct domain *rd, unsigned long mfn, bool readonly)
{
    struct page_info *pg = mfn < max_page ? mfn_to_page(mfn) : NULL;

    if (!pg || !page_get_ref(pg, rd->domain_id))
        return GNTST_bad_page;
    if (!readonly && page_get_type(pg, PGT_writable_page)) {
        page_put_ref(pg);
        return GNTST_general_error; /* a page table or descriptor frame */
    }
    return GNTST_okay;
}

static void frame_put(unsigned long mfn, bool readonly)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!readonly)
        page_put_type(pg);
    page_put_ref(pg);
    frame_put_orphan(pg);
}

/* A pinned use of (rd, ref) with its frame references: the frame, or GNTST_*. */
static long grant_acquire(struct domain *rd, grant_ref_t ref, domid_t ld, bool readonly)
{
    long frame = grant_pin(rd, ref, ld, readonly);
    int16_t rc;

    if (frame < 0)
        return frame;
    rc = frame_get(rd, (unsigned long)frame, readonly);
    if (rc != GNTST_okay) {
        grant_unpin(rd, ref, readonly);
        return rc;
    }
    return frame;
}

static void grant_release(struct domain *rd, grant_ref_t ref, unsigned long mfn, bool readonly)
{
    frame_put(mfn, readonly);
    grant_unpin(rd, ref, readonly);
}

static int maptrack_alloc(struct grant_table *gt)
{
    unsigned int h;

    if (!gt->maptrack &&
        !(gt->maptrack = xzalloc_bytes(GNTTAB_MAPTRACK_MAX * sizeof(*gt->maptrack), 8)))
        return -1;
    for (h = 0; h < GNTTAB_MAPTRACK_MAX; h++)
        if (!gt->maptrack[h].in_use)
            return (int)h;
    return -1;
}

int16_t gnttab_map_one(struct domain *ld, struct gnttab_map_grant_ref *op)
{
    bool readonly = op->flags & GNTMAP_readonly;
    struct domain *rd;
    uint64_t pte_maddr = 0;
    long frame;
    int h, rc = GNTST_okay;

    if (!(op->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        return GNTST_bad_gntref;
    /* As on Xen, the granter is named by its id: DOMID_SELF names nobody. */
    rd = domain_by_id(op->dom);
    if (!rd || !rd->grant_table)
        return GNTST_bad_domain;
    if ((h = maptrack_alloc(ld->grant_table)) < 0)
        return GNTST_no_space;
    frame = grant_acquire(rd, op->ref, ld->domain_id, readonly);
    if (frame < 0)
        return (int16_t)frame;
    if (op->flags & GNTMAP_host_map)
        rc = arch_grant_map(ld, op->host_addr, op->flags & GNTMAP_contains_pte,
                            (unsigned long)frame, op->flags, &pte_maddr);
    if (rc != GNTST_okay) {
        grant_release(rd, op->ref, (unsigned long)frame, readonly);
        return (int16_t)rc;
    }
    ld->grant_table->maptrack[h] = (struct maptrack_entry){
        .in_use = true,
        .flags = op->flags,
        .granter = rd->domain_id,
        .granter_instance = rd->instance,
        .ref = op->ref,
        .mfn = (unsigned long)frame,
        .pte_maddr = pte_maddr,
    };
    op->handle = (grant_handle_t)h;
    op->dev_bus_addr = (uint64_t)frame << PAGE_SHIFT;
    return GNTST_okay;
}

void gnttab_unmap_handle(struct domain *ld, unsigned int h)
{
    struct maptrack_entry *mt = &ld->grant_table->maptrack[h];
    struct domain *rd = domain_by_id(mt->granter);

    if (rd && rd->instance != mt->granter_instance)
        rd = NULL; /* the granter died; its domid belongs to another domain now */
    if (mt->flags & GNTMAP_host_map)
        arch_grant_unmap(ld, mt->pte_maddr, mt->mfn);
    grant_release(rd, mt->ref, mt->mfn, mt->flags & GNTMAP_readonly);
    mt->in_use = false;
}

static struct maptrack_entry *maptrack_of(struct domain *ld, grant_handle_t h)
{
    struct grant_table *gt = ld->grant_table;

    if (!gt->maptrack || h >= GNTTAB_MAPTRACK_MAX || !gt->maptrack[h].in_use)
        return NULL;
    return &gt->maptrack[h];
}

/*
 * Ends the parts of mapping `handle` that the op names: the host mapping
 * if host_addr is given, the device one if dev_bus_addr is; the mapping
 * goes when no part is left.
 */
int16_t gnttab_unmap_one(struct domain *ld, struct gnttab_unmap_grant_ref *op)
{
    struct maptrack_entry *mt = maptrack_of(ld, op->handle);

    if (!mt)
        return GNTST_bad_handle;
    if (op->dev_bus_addr && op->dev_bus_addr != (uint64_t)mt->mfn << PAGE_SHIFT)
        return GNTST_bad_dev_addr;
    if (op->host_addr && (mt->flags & GNTMAP_host_map)) {
        if (!arch_grant_addr_matches(ld, op->host_addr, mt->pte_maddr))
            return GNTST_general_error;
        arch_grant_unmap(ld, mt->pte_maddr, mt->mfn);
        mt->flags &= ~GNTMAP_host_map;
    }
    if (op->dev_bus_addr)
        mt->flags &= ~GNTMAP_device_map;
    if (!(mt->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        gnttab_unmap_handle(ld, op->handle);
    return GNTST_okay;
}

int16_t gnttab_unmap_and_replace_one(struct domain *ld, struct gnttab_unmap_and_replace *op)
{
    struct maptrack_entry *mt = maptrack_of(ld, op->handle);
    int16_t rc;

    if (!mt)
        return GNTST_bad_handle;
    if (!(mt->flags & GNTMAP_host_map) || (mt->flags & GNTMAP_contains_pte) ||
        !arch_grant_addr_matches(ld, op->host_addr, mt->pte_maddr))
        return GNTST_general_error;
    if (op->new_addr) {
        rc = (int16_t)arch_grant_replace(ld, mt->pte_maddr, mt->mfn, op->new_addr);
        if (rc != GNTST_okay)
            return rc;
    }
    mt->flags &= ~(GNTMAP_host_map | GNTMAP_device_map);
    gnttab_unmap_handle(ld, op->handle);
    return GNTST_okay;
}

/* A domain named in a copy: DOMID_SELF is the caller. */
static struct domain *copy_domain(struct domain *ld, domid_t id)
{
    return id == DOMID_SELF ? ld : domain_by_id(id);
}

/*
 * The frame behind one side of a copy, with the references a mapping
 * would hold (the destination's writable: never a page table) for the
 * copy's length.
 */
static int16_t copy_side(struct domain *ld, struct domain *rd, const struct gnttab_copy_ptr *p,
                         bool is_gref, bool writing, unsigned long *mfn)
{
    long frame;

    if (is_gref) {
        frame = grant_acquire(rd, p->u.ref, ld->domain_id, !writing);
        if (frame < 0)
            return (int16_t)frame;
        *mfn = (unsigned long)frame;
        return GNTST_okay;
    }
    if (p->u.gmfn >= max_page || !page_get_ref(mfn_to_page(p->u.gmfn), ld->domain_id))
        return GNTST_bad_page;
    if (writing && page_get_type(mfn_to_page(p->u.gmfn), PGT_writable_page)) {
        page_put_ref(mfn_to_page(p->u.gmfn));
        return GNTST_general_error;
    }
    *mfn = p->u.gmfn;
    return GNTST_okay;
}

static void copy_side_done(struct domain *rd, const struct gnttab_copy_ptr *p, bool is_gref,
                           bool writing, unsigned long mfn)
{
    if (is_gref) {
        grant_release(rd, p->u.ref, mfn, !writing);
        return;
    }
    if (writing)
        page_put_type(mfn_to_page(mfn));
    page_put_ref(mfn_to_page(mfn));
}

int16_t gnttab_copy_one(struct domain *ld, struct gnttab_copy *op)
{
    bool src_gref = op->flags & GNTCOPY_source_gref, dst_gref = op->flags & GNTCOPY_dest_gref;
    struct domain *srd, *drd;
    unsigned long smfn, dmfn;
    int16_t rc;

    if ((uint32_t)op->source.offset + op->len > PAGE_SIZE ||
        (uint32_t)op->dest.offset + op->len > PAGE_SIZE)
        return GNTST_bad_copy_arg;
    srd = copy_domain(ld, op->source.domid);
    drd = copy_domain(ld, op->dest.domid);
    if (!srd || !drd)
        return GNTST_bad_domain;
    /* A frame named directly must be the caller's own, named as DOMID_SELF. */
    if ((!src_gref && op->source.domid != DOMID_SELF) ||
        (!dst_gref && op->dest.domid != DOMID_SELF))
        return GNTST_permission_denied;
    rc = copy_side(ld, srd, &op->source, src_gref, false, &smfn);
    if (rc != GNTST_okay)
        return rc;
    rc = copy_side(ld, drd, &op->dest, dst_gref, true, &dmfn);
    if (rc == GNTST_okay) {
        memmove((char *)__va((paddr_t)dmfn << PAGE_SHIFT) + op->dest.offset,
                (char *)__va((paddr_t)smfn << PAGE_SHIFT) + op->source.offset, op->len);
        copy_side_done(drd, &op->dest, dst_gref, true, dmfn);
    }
    copy_side_done(srd, &op->source, src_gref, false, smfn);
    return rc;
}

/* Is mfn mapped by ld through a grant? */
static bool frame_mapped_by(struct domain *ld, unsigned long mfn)
{
    struct grant_table *gt = ld->grant_table;

    for (unsigned int h = 0; gt->maptrack && h < GNTTAB_MAPTRACK_MAX; h++)
        if (gt->maptrack[h].in_use && gt->maptrack[h].mfn == mfn)
            return true;
    return false;
}

long gnttab_cache_flush_one(struct domain *ld, const struct gnttab_cache_flush *op)
{
    unsigned long mfn = op->a.dev_bus_addr >> PAGE_SHIFT;

    if (op->offset >= PAGE_SIZE || op->length > PAGE_SIZE ||
        (uint32_t)op->offset + op->length > PAGE_SIZE ||
        (op->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)))
        return -EINVAL;
    if (!op->length || !op->op)
        return 0;
    /* Only a frame of the caller's own, or one it has mapped. */
    if (mfn >= max_page || (mfn_to_page(mfn)->owner != ld->domain_id && !frame_mapped_by(ld, mfn)))
        return -EINVAL;
    /* x86 keeps caches coherent with device DMA: nothing to write back. */
    return 0;
}
