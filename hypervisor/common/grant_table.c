/* SPDX-License-Identifier: MIT */
/*
 * Grant tables v1 (see grant_table.h).
 *
 * Invariants:
 *  - A mapping holds a general reference on the granted frame (and a
 *    writable-type reference when writable); the maptrack entry, not the
 *    mapper's PTE, owns them, and only unmap (or the mapper's death) drops them.
 *  - While a grant is mapped, its entry carries GTF_reading (and
 *    GTF_writing for a writable mapping); the counts of those uses live in
 *    the granter's active table.
 *  - A dying granter's frames that others still map stay allocated,
 *    orphaned, until the last mapping goes.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/grant_table.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <xen/grant_table.h>
#include <asm/guest_access.h>

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GUEST_AVAIL_SHIFT 16 /* _GNTMAP_guest_avail0 */

struct active_entry {
    uint16_t readers, writers; /* mappings of this grant, all mappers */
};

struct maptrack_entry {
    bool in_use, readonly;
    domid_t granter;
    grant_ref_t ref;
    unsigned long mfn;
    uint64_t pte_maddr;
};

struct grant_table {
    unsigned int nr_frames;
    grant_entry_v1_t *frames[GNTTAB_MAX_FRAMES];
    struct active_entry *active[GNTTAB_MAX_FRAMES];
    struct maptrack_entry *maptrack; /* GNTTAB_MAPTRACK_MAX, allocated on first map */
};

static DEFINE_SPINLOCK(grant_lock);

int gnttab_domain_init(struct domain *d)
{
    d->grant_table = xzalloc(struct grant_table);
    return d->grant_table ? 0 : -ENOMEM;
}

/* One more frame of entries, shared with the domain like shared_info. */
static int grow(struct domain *d, struct grant_table *gt)
{
    unsigned int n = gt->nr_frames;
    grant_entry_v1_t *f = alloc_xenheap_pages(0);
    struct active_entry *a = xzalloc_bytes(ENTRIES_PER_FRAME * sizeof(*a), 8);

    if (!f || !a) {
        free_xenheap_pages(f, 0);
        xfree(a);
        return -ENOMEM;
    }
    memset(f, 0, PAGE_SIZE);
    mfn_to_page(__pa(f) >> PAGE_SHIFT)->owner = d->domain_id;
    page_set_refcount(mfn_to_page(__pa(f) >> PAGE_SHIFT), 1);
    gt->frames[n] = f;
    gt->active[n] = a;
    gt->nr_frames = n + 1;
    return 0;
}

static grant_entry_v1_t *entry_of(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->frames[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct active_entry *active_of(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

/* The entry's {flags, domid} word, as one 32-bit value for cmpxchg. */
static uint32_t *entry_word(grant_entry_v1_t *e)
{
    return (uint32_t *)e;
}

/*
 * Takes a use of grant (rd, ref) for ld: the entry must permit ld, and
 * writing when asked; GTF_reading/GTF_writing are set atomically against
 * the granter's own changes. Returns the frame, or a GNTST_* error.
 */
static long grant_acquire(struct domain *rd, grant_ref_t ref, domid_t ld, bool readonly)
{
    struct grant_table *gt = rd->grant_table;
    grant_entry_v1_t *e;
    uint32_t old, new;

    if (!gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME)
        return GNTST_bad_gntref;
    e = entry_of(gt, ref);
    old = __atomic_load_n(entry_word(e), __ATOMIC_SEQ_CST);
    do {
        uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);

        if ((flags & GTF_type_mask) != GTF_permit_access || domid != ld)
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_permission_denied;
        new = old | GTF_reading | (readonly ? 0 : GTF_writing);
    } while (!__atomic_compare_exchange_n(entry_word(e), &old, new, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    if (readonly)
        active_of(gt, ref)->readers++;
    else
        active_of(gt, ref)->writers++;
    return (long)READ_ONCE(e->frame);
}

static void grant_release(struct domain *rd, grant_ref_t ref, bool readonly)
{
    struct grant_table *gt = rd ? rd->grant_table : NULL;
    struct active_entry *a;
    uint16_t clear = 0;

    if (!gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME)
        return; /* the granter is gone: nothing left to tell it */
    a = active_of(gt, ref);
    if (readonly)
        a->readers--;
    else
        a->writers--;
    if (!a->writers)
        clear |= GTF_writing;
    if (!a->writers && !a->readers)
        clear |= GTF_reading;
    __atomic_fetch_and(&entry_of(gt, ref)->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/* References the mapping holds on the granted frame (owned by rd). */
static int frame_get(struct domain *rd, unsigned long mfn, bool readonly)
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
    gnttab_put_orphan(pg);
}

void gnttab_put_orphan(struct page_info *pg)
{
    if ((pg->count_info & PGC_orphan) && page_refcount(pg) == 0) {
        pg->count_info &= ~PGC_orphan;
        pg->owner = PAGE_OWNER_INVALID;
        pg->type_info = 0;
        free_frames(pg, 0);
    }
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

static struct domain *granter(domid_t id, struct domain *ld)
{
    return id == DOMID_SELF ? ld : domain_by_id(id);
}

static int16_t map_one(struct domain *ld, struct gnttab_map_grant_ref *op)
{
    bool readonly = op->flags & GNTMAP_readonly;
    struct domain *rd = granter(op->dom, ld);
    uint64_t pte_maddr;
    long frame;
    int h, rc;

    if (!(op->flags & GNTMAP_host_map))
        return GNTST_general_error; /* device-only mappings need an IOMMU */
    if (!rd || !rd->grant_table)
        return GNTST_bad_domain;
    if ((h = maptrack_alloc(ld->grant_table)) < 0)
        return GNTST_no_device_space;
    frame = grant_acquire(rd, op->ref, ld->domain_id, readonly);
    if (frame < 0)
        return (int16_t)frame;
    rc = frame_get(rd, (unsigned long)frame, readonly);
    if (rc == GNTST_okay) {
        rc = arch_grant_map(ld, op->host_addr, op->flags & GNTMAP_contains_pte,
                            (unsigned long)frame, op->flags, &pte_maddr);
        if (rc != GNTST_okay)
            frame_put((unsigned long)frame, readonly);
    }
    if (rc != GNTST_okay) {
        grant_release(rd, op->ref, readonly);
        return (int16_t)rc;
    }
    ld->grant_table->maptrack[h] = (struct maptrack_entry){
        true, readonly, rd->domain_id, op->ref, (unsigned long)frame, pte_maddr,
    };
    op->handle = (grant_handle_t)h;
    op->dev_bus_addr = (op->flags & GNTMAP_device_map) ? (uint64_t)frame << PAGE_SHIFT : 0;
    return GNTST_okay;
}

/* Ends mapping h of ld: its PTE (if still its own), then its references. */
static int16_t unmap_handle(struct domain *ld, unsigned int h)
{
    struct maptrack_entry *mt = &ld->grant_table->maptrack[h];

    arch_grant_unmap(ld, mt->pte_maddr, mt->mfn);
    frame_put(mt->mfn, mt->readonly);
    grant_release(domain_by_id(mt->granter), mt->ref, mt->readonly);
    mt->in_use = false;
    return GNTST_okay;
}

static int16_t unmap_one(struct domain *ld, const struct gnttab_unmap_grant_ref *op)
{
    struct grant_table *gt = ld->grant_table;
    struct maptrack_entry *mt;

    if (!gt->maptrack || op->handle >= GNTTAB_MAPTRACK_MAX || !gt->maptrack[op->handle].in_use)
        return GNTST_bad_handle;
    mt = &gt->maptrack[op->handle];
    if (op->host_addr && !arch_grant_addr_matches(ld, op->host_addr, mt->pte_maddr))
        return GNTST_general_error;
    return unmap_handle(ld, op->handle);
}

/* The frame behind one side of a copy, pinned for the copy's length. */
static int16_t copy_side(struct domain *ld, const struct gnttab_copy_ptr *p, bool is_gref,
                         bool writing, unsigned long *mfn, struct domain **rd)
{
    long frame;

    *rd = granter(p->domid, ld);
    if (!*rd)
        return GNTST_bad_domain;
    if (!is_gref) {
        struct page_info *pg;

        /* A frame named directly must be the caller's own. */
        if (*rd != ld || p->u.gmfn >= max_page)
            return GNTST_bad_domain;
        pg = mfn_to_page(p->u.gmfn);
        if (!page_get_ref(pg, ld->domain_id))
            return GNTST_bad_page;
        *mfn = p->u.gmfn;
        return GNTST_okay;
    }
    frame = grant_acquire(*rd, p->u.ref, ld->domain_id, !writing);
    if (frame < 0)
        return (int16_t)frame;
    if (!page_get_ref(mfn_to_page((unsigned long)frame), (*rd)->domain_id)) {
        grant_release(*rd, p->u.ref, !writing);
        return GNTST_bad_page;
    }
    *mfn = (unsigned long)frame;
    return GNTST_okay;
}

static void copy_side_done(struct domain *rd, const struct gnttab_copy_ptr *p, bool is_gref,
                           bool writing, unsigned long mfn)
{
    page_put_ref(mfn_to_page(mfn));
    gnttab_put_orphan(mfn_to_page(mfn));
    if (is_gref)
        grant_release(rd, p->u.ref, !writing);
}

static int16_t copy_one(struct domain *ld, struct gnttab_copy *op)
{
    bool src_gref = op->flags & GNTCOPY_source_gref, dst_gref = op->flags & GNTCOPY_dest_gref;
    struct domain *srd, *drd;
    unsigned long smfn, dmfn;
    int16_t rc;

    if ((uint32_t)op->source.offset + op->len > PAGE_SIZE ||
        (uint32_t)op->dest.offset + op->len > PAGE_SIZE)
        return GNTST_bad_copy_arg;
    rc = copy_side(ld, &op->source, src_gref, false, &smfn, &srd);
    if (rc != GNTST_okay)
        return rc;
    rc = copy_side(ld, &op->dest, dst_gref, true, &dmfn, &drd);
    if (rc == GNTST_okay) {
        struct page_info *dpg = mfn_to_page(dmfn);

        /* The destination must be writable memory, never a page table. */
        if (page_get_type(dpg, PGT_writable_page)) {
            rc = GNTST_general_error;
        } else {
            memmove((char *)__va((paddr_t)dmfn << PAGE_SHIFT) + op->dest.offset,
                    (char *)__va((paddr_t)smfn << PAGE_SHIFT) + op->source.offset, op->len);
            page_put_type(dpg);
        }
        copy_side_done(drd, &op->dest, dst_gref, true, dmfn);
    }
    copy_side_done(srd, &op->source, src_gref, false, smfn);
    return rc;
}

static struct domain *table_domain(domid_t id, struct domain *self, int16_t *status)
{
    struct domain *d = id == DOMID_SELF || id == self->domain_id ? self : NULL;

    if (!d && self->is_privileged)
        d = domain_by_id(id);
    *status = d && d->grant_table ? GNTST_okay : GNTST_bad_domain;
    return *status == GNTST_okay ? d : NULL;
}

static long setup_table(struct domain *self, uint64_t arg)
{
    struct gnttab_setup_table st;
    struct domain *d;
    unsigned long flags;
    unsigned int i;
    long rc = 0;

    if (copy_from_guest(&st, arg, sizeof(st)))
        return -EFAULT;
    flags = spin_lock_irqsave(&grant_lock);
    d = table_domain(st.dom, self, &st.status);
    if (d && st.nr_frames > GNTTAB_MAX_FRAMES)
        st.status = GNTST_general_error;
    for (i = 0; d && st.status == GNTST_okay && i < st.nr_frames; i++) {
        xen_pfn_t mfn;

        if (i >= d->grant_table->nr_frames && grow(d, d->grant_table)) {
            st.status = GNTST_general_error;
            break;
        }
        mfn = __pa(d->grant_table->frames[i]) >> PAGE_SHIFT;
        if (copy_to_guest((uint64_t)st.frame_list.p + i * sizeof(mfn), &mfn, sizeof(mfn)))
            rc = -EFAULT;
    }
    spin_unlock_irqrestore(&grant_lock, flags);
    if (rc)
        return rc;
    return copy_to_guest(arg + offsetof(struct gnttab_setup_table, status), &st.status,
                         sizeof(st.status));
}

static long query_size(struct domain *self, uint64_t arg)
{
    struct gnttab_query_size q;
    struct domain *d;
    unsigned long flags;

    if (copy_from_guest(&q, arg, sizeof(q)))
        return -EFAULT;
    flags = spin_lock_irqsave(&grant_lock);
    d = table_domain(q.dom, self, &q.status);
    if (d) {
        q.nr_frames = d->grant_table->nr_frames;
        q.max_nr_frames = GNTTAB_MAX_FRAMES;
    }
    spin_unlock_irqrestore(&grant_lock, flags);
    return copy_to_guest(arg, &q, sizeof(q));
}

static long version_op(struct domain *self, uint64_t cmd, uint64_t arg)
{
    struct gnttab_get_version gv;
    struct gnttab_set_version sv;

    if (cmd == GNTTABOP_set_version) {
        if (copy_from_guest(&sv, arg, sizeof(sv)))
            return -EFAULT;
        /* Version 2 is not implemented; 1 is what every table is. */
        return sv.version == 1 ? 0 : -EINVAL;
    }
    if (copy_from_guest(&gv, arg, sizeof(gv)))
        return -EFAULT;
    if (gv.dom != DOMID_SELF && gv.dom != self->domain_id && !self->is_privileged)
        return -EPERM;
    gv.version = 1;
    return copy_to_guest(arg, &gv, sizeof(gv));
}

void gnttab_domain_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    unsigned long flags;
    unsigned int i;

    if (!gt)
        return;
    flags = spin_lock_irqsave(&grant_lock);
    for (i = 0; gt->maptrack && i < GNTTAB_MAPTRACK_MAX; i++)
        if (gt->maptrack[i].in_use)
            unmap_handle(d, i);
    for (i = 0; i < gt->nr_frames; i++) {
        page_set_refcount(mfn_to_page(__pa(gt->frames[i]) >> PAGE_SHIFT), 0);
        mfn_to_page(__pa(gt->frames[i]) >> PAGE_SHIFT)->owner = PAGE_OWNER_XEN;
        free_xenheap_pages(gt->frames[i], 0);
        xfree(gt->active[i]);
    }
    xfree(gt->maptrack);
    xfree(gt);
    d->grant_table = NULL;
    spin_unlock_irqrestore(&grant_lock, flags);
}

/* Per-op argument sizes of the batched commands. */
static size_t batch_size(uint64_t cmd)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return sizeof(struct gnttab_map_grant_ref);
    case GNTTABOP_unmap_grant_ref:
        return sizeof(struct gnttab_unmap_grant_ref);
    case GNTTABOP_copy:
        return sizeof(struct gnttab_copy);
    }
    return 0;
}

static void batch_one(struct domain *d, uint64_t cmd, void *op)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        ((struct gnttab_map_grant_ref *)op)->status = map_one(d, op);
        break;
    case GNTTABOP_unmap_grant_ref:
        ((struct gnttab_unmap_grant_ref *)op)->status = unmap_one(d, op);
        break;
    case GNTTABOP_copy:
        ((struct gnttab_copy *)op)->status = copy_one(d, op);
        break;
    }
}

long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count)
{
    struct domain *d = current_vcpu()->domain;
    size_t size = batch_size(cmd);
    union {
        struct gnttab_map_grant_ref map;
        struct gnttab_unmap_grant_ref unmap;
        struct gnttab_copy copy;
    } op;
    unsigned long flags;
    uint64_t i;

    switch (cmd) {
    case GNTTABOP_setup_table:
        return count == 1 ? setup_table(d, uop) : -EINVAL;
    case GNTTABOP_query_size:
        return count == 1 ? query_size(d, uop) : -EINVAL;
    case GNTTABOP_set_version:
    case GNTTABOP_get_version:
        return count == 1 ? version_op(d, cmd, uop) : -EINVAL;
    }
    if (!size)
        return -ENOSYS;
    for (i = 0; i < count; i++) {
        uint64_t at = uop + i * size;

        if (copy_from_guest(&op, at, size))
            return -EFAULT;
        flags = spin_lock_irqsave(&grant_lock);
        batch_one(d, cmd, &op);
        spin_unlock_irqrestore(&grant_lock, flags);
        if (copy_to_guest(at, &op, size))
            return -EFAULT;
    }
    return 0;
}
