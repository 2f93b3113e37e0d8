/* SPDX-License-Identifier: MIT */
/*
 * Frame reference counts and type transitions (see page_type.h).
 * Invariant: a frame whose type count is non-zero has exactly that type,
 * and if the type is a page table the frame is validated.
 */
#include <xenolith/bug.h>
#include <xenolith/errno.h>
#include <xenolith/page_type.h>

static const struct page_type_ops *ops;

void page_type_set_ops(const struct page_type_ops *o)
{
    ops = o;
}

bool page_get_ref(struct page_info *pg, uint16_t owner)
{
    uint32_t count = page_refcount(pg);

    if (page_state(pg) != PGC_state_inuse || pg->owner != owner || count == 0 ||
        count == PGC_count_mask)
        return false;
    page_set_refcount(pg, count + 1);
    return true;
}

void page_put_ref(struct page_info *pg)
{
    uint32_t count = page_refcount(pg);

    BUG_ON(count == 0);
    page_set_refcount(pg, count - 1);
}

static void set_type_info(struct page_info *pg, uint32_t type, uint32_t flags, uint32_t count)
{
    pg->type_info = type | flags | count;
}

int page_get_type(struct page_info *pg, uint32_t type)
{
    uint32_t count = page_type_count(pg);
    int rc;

    if (count == PGT_count_mask)
        return -EOVERFLOW;
    if (count > 0) {
        if (page_type(pg) != type)
            return -EBUSY;
        pg->type_info++;
        return 0;
    }
    /* First user: the frame takes the new type, validated if a table. */
    if (page_type(pg) == PGT_writable_page && type != PGT_writable_page && ops->flush_writable)
        ops->flush_writable(pg);
    set_type_info(pg, type, 0, 1);
    if (page_type_is_table(type)) {
        rc = ops->validate(pg, type);
        if (rc) {
            set_type_info(pg, PGT_none, 0, 0);
            return rc;
        }
        pg->type_info |= PGT_validated;
    }
    return 0;
}

void page_put_type(struct page_info *pg)
{
    uint32_t type = page_type(pg), count = page_type_count(pg);

    BUG_ON(count == 0);
    if (count == 1 && page_type_is_table(type)) {
        /* Clear the type first: devalidation may drop references that
         * lead back here, and they must not see a live table. */
        set_type_info(pg, type, 0, 0);
        ops->devalidate(pg, type);
        return;
    }
    pg->type_info--;
}
