/* SPDX-License-Identifier: MIT */
/*
 * Grant tables v1 (see grant_table.h): the tables themselves, their
 * version, the rarer sub-ops, and GNTTABOP dispatch. Mapping and copying
 * through grants are in grant_access.c.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <asm/guest_access.h>
#include "grant_private.h"

#define CMD_MASK 0xfff /* higher bits carry a continuation's progress on Xen */

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
    share_xen_frame(d, f);
    gt->frames[n] = f;
    gt->active[n] = a;
    gt->nr_frames = n + 1;
    return 0;
}

void gnttab_seed_entry(struct domain *d, uint32_t ref, domid_t grantee, unsigned long mfn)
{
    grant_entry_v1_t *e = &d->grant_table->frames[0][ref];

    e->domid = grantee;
    e->frame = (uint32_t)mfn;
    __atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
}

/* As on Xen, a table starts with one frame and grows on setup_table. */
int gnttab_domain_init(struct domain *d)
{
    d->grant_table = xzalloc(struct grant_table);
    if (!d->grant_table)
        return -ENOMEM;
    return grow(d, d->grant_table);
}

/*
 * The domain whose table a table op names: the caller, or (for a
 * privileged caller) any domain. *status says why not.
 */
static struct domain *table_domain(domid_t id, struct domain *self, int16_t *status)
{
    struct domain *d = id == DOMID_SELF ? self : domain_by_id(id);

    *status = GNTST_okay;
    if (!d || !d->grant_table)
        *status = GNTST_bad_domain;
    else if (d != self && !self->is_privileged)
        *status = GNTST_permission_denied;
    return *status == GNTST_okay ? d : NULL;
}

static long setup_table(struct domain *self, uint64_t arg)
{
    struct gnttab_setup_table st;
    struct domain *d;
    unsigned int i;
    long rc = 0;

    if (copy_from_guest(&st, arg, sizeof(st)))
        return -EFAULT;
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
    if (rc)
        return rc;
    return copy_to_guest(arg + offsetof(struct gnttab_setup_table, status), &st.status,
                         sizeof(st.status));
}

static long query_size(struct domain *self, uint64_t arg)
{
    struct gnttab_query_size q;
    struct domain *d;

    if (copy_from_guest(&q, arg, sizeof(q)))
        return -EFAULT;
    d = table_domain(q.dom, self, &q.status);
    if (d) {
        q.nr_frames = d->grant_table->nr_frames;
        q.max_nr_frames = GNTTAB_MAX_FRAMES;
    }
    return copy_to_guest(arg, &q, sizeof(q));
}

/* Every table is version 1: version 2 (and its status frames) is not implemented. */
static long set_version(uint64_t arg)
{
    static bool v2_logged;
    struct gnttab_set_version sv;
    long rc = 0;

    if (copy_from_guest(&sv, arg, sizeof(sv)))
        return -EFAULT;
    if (sv.version == 2)
        rc = subop_unimplemented("grant_table_op set_version", sv.version, &v2_logged);
    else if (sv.version != 1)
        rc = -EINVAL;
    sv.version = 1; /* the version in force, whatever the answer */
    return copy_to_guest(arg, &sv, sizeof(sv)) ? -EFAULT : rc;
}

static long get_version(struct domain *self, uint64_t arg)
{
    struct gnttab_get_version gv;
    struct domain *d;

    if (copy_from_guest(&gv, arg, sizeof(gv)))
        return -EFAULT;
    d = gv.dom == DOMID_SELF ? self : domain_by_id(gv.dom);
    if (!d)
        return -ESRCH;
    if (d != self && !self->is_privileged)
        return -EPERM;
    gv.version = 1;
    return copy_to_guest(arg, &gv, sizeof(gv));
}

static long get_status_frames(struct domain *self, uint64_t arg)
{
    struct gnttab_get_status_frames gsf;

    if (copy_from_guest(&gsf, arg, sizeof(gsf)))
        return -EFAULT;
    /* Status frames exist only in version 2. */
    if (table_domain(gsf.dom, self, &gsf.status))
        gsf.status = GNTST_general_error;
    return copy_to_guest(arg + offsetof(struct gnttab_get_status_frames, status), &gsf.status,
                         sizeof(gsf.status));
}

static int16_t swap_grant_ref(struct domain *d, const struct gnttab_swap_grant_ref *op)
{
    struct grant_table *gt = d->grant_table;
    grant_entry_v1_t *a, *b, tmp;

    if (op->ref_a >= gnttab_nr_entries(gt) || op->ref_b >= gnttab_nr_entries(gt))
        return GNTST_bad_gntref;
    if (op->ref_a == op->ref_b)
        return GNTST_okay;
    if (gnttab_active(gt, op->ref_a)->readers || gnttab_active(gt, op->ref_a)->writers ||
        gnttab_active(gt, op->ref_b)->readers || gnttab_active(gt, op->ref_b)->writers)
        return GNTST_eagain; /* in use: its entry is not the granter's to move */
    a = gnttab_entry(gt, op->ref_a);
    b = gnttab_entry(gt, op->ref_b);
    tmp = *a;
    *a = *b;
    *b = tmp;
    return GNTST_okay;
}

void gnttab_domain_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    unsigned int i;

    if (!gt)
        return;
    spin_lock(&frame_lock);
    for (i = 0; gt->maptrack && i < GNTTAB_MAPTRACK_MAX; i++)
        if (gt->maptrack[i].in_use)
            gnttab_unmap_handle(d, i);
    /* Frames others still map live on, orphaned, until their unmap. */
    for (i = 0; i < gt->nr_frames; i++) {
        unshare_xen_frame(d, gt->frames[i]);
        xfree(gt->active[i]);
    }
    xfree(gt->maptrack);
    xfree(gt);
    d->grant_table = NULL;
    spin_unlock(&frame_lock);
}

/* ---- dispatch ---- */

/* One op of a batch: 0 to go on (its status is in *op), or -errno to stop. */
typedef long (*batch_fn)(struct domain *d, void *op);

static long batch_map(struct domain *d, void *op)
{
    ((struct gnttab_map_grant_ref *)op)->status = gnttab_map_one(d, op);
    return 0;
}

static long batch_unmap(struct domain *d, void *op)
{
    ((struct gnttab_unmap_grant_ref *)op)->status = gnttab_unmap_one(d, op);
    return 0;
}

static long batch_unmap_and_replace(struct domain *d, void *op)
{
    ((struct gnttab_unmap_and_replace *)op)->status = gnttab_unmap_and_replace_one(d, op);
    return 0;
}

static long batch_copy(struct domain *d, void *op)
{
    ((struct gnttab_copy *)op)->status = gnttab_copy_one(d, op);
    return 0;
}

static long batch_swap(struct domain *d, void *op)
{
    ((struct gnttab_swap_grant_ref *)op)->status = swap_grant_ref(d, op);
    return 0;
}

static long batch_cache_flush(struct domain *d, void *op)
{
    return gnttab_cache_flush_one(d, op);
}

static long batch_transfer(struct domain *d, void *op)
{
    static bool logged;

    (void)d;
    (void)op;
    return subop_unimplemented("grant_table_op", GNTTABOP_transfer, &logged);
}

static const struct {
    size_t size;
    batch_fn one;
    bool write_back; /* the op carries a status back */
} batch_ops[] = {
    [GNTTABOP_map_grant_ref] = {sizeof(struct gnttab_map_grant_ref), batch_map, true},
    [GNTTABOP_unmap_grant_ref] = {sizeof(struct gnttab_unmap_grant_ref), batch_unmap, true},
    [GNTTABOP_transfer] = {sizeof(struct gnttab_transfer), batch_transfer, false},
    [GNTTABOP_copy] = {sizeof(struct gnttab_copy), batch_copy, true},
    [GNTTABOP_unmap_and_replace] = {sizeof(struct gnttab_unmap_and_replace),
                                    batch_unmap_and_replace, true},
    [GNTTABOP_swap_grant_ref] = {sizeof(struct gnttab_swap_grant_ref), batch_swap, true},
    [GNTTABOP_cache_flush] = {sizeof(struct gnttab_cache_flush), batch_cache_flush, false},
};

static long run_batch(struct domain *d, uint64_t cmd, uint64_t uop, uint64_t count)
{
    union {
        struct gnttab_map_grant_ref map;
        struct gnttab_unmap_grant_ref unmap;
        struct gnttab_transfer transfer;
        struct gnttab_copy copy;
        struct gnttab_unmap_and_replace replace;
        struct gnttab_swap_grant_ref swap;
        struct gnttab_cache_flush flush;
    } op;
    size_t size = batch_ops[cmd].size;
    uint64_t i;
    long rc;

    for (i = 0; i < count; i++) {
        uint64_t at = uop + i * size;

        if (copy_from_guest(&op, at, size))
            return -EFAULT;
        spin_lock(&frame_lock);
        rc = batch_ops[cmd].one(d, &op);
        spin_unlock(&frame_lock);
        if (rc)
            return rc;
        if (batch_ops[cmd].write_back && copy_to_guest(at, &op, size))
            return -EFAULT;
    }
    return 0;
}

/* The sub-ops that take exactly one argument struct. */
static long single_op(struct domain *d, uint64_t cmd, uint64_t uop)
{
    switch (cmd) {
    case GNTTABOP_setup_table:
        return setup_table(d, uop);
    case GNTTABOP_query_size:
        return query_size(d, uop);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_version:
        return get_version(d, uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(d, uop);
    }
    return -ENOSYS;
}

long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count)
{
    static bool logged;
    struct domain *d = current_vcpu()->domain;
    long rc;

    if ((cmd & ~(uint64_t)CMD_MASK) || (int32_t)count < 0 || count > UINT32_MAX)
        return -EINVAL;
    switch (cmd) {
    case GNTTABOP_setup_table:
    case GNTTABOP_query_size:
    case GNTTABOP_set_version:
    case GNTTABOP_get_version:
    case GNTTABOP_get_status_frames:
        if (count != 1)
            return -EINVAL;
        spin_lock(&frame_lock);
        rc = single_op(d, cmd, uop);
        spin_unlock(&frame_lock);
        return rc;
    }
    if (cmd < ARRAY_SIZE(batch_ops) && batch_ops[cmd].one)
        return run_batch(d, cmd, uop, count);
    return subop_unimplemented("grant_table_op", cmd, &logged); /* dump_table included */
}
