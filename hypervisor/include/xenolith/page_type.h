/* SPDX-License-Identifier: MIT */
/*
 * Reference counts and types of frames: Xen's model, the core of PV
 * memory safety.
 *
 * - A general reference keeps a frame owned by its domain (the
 *   allocation holds one; every mapping or use takes another).
 * - A frame has one type at a time (writable, L1-L4 page table, segment
 *   descriptors) with a count of its users; the type may change only
 *   when that count is zero. So a frame that is a page table can never be
 *   mapped writable, and a writably mapped frame never becomes one.
 * - Taking the first reference of a page-table type validates the frame
 *   (every entry checked, taking references on what it points to);
 *   dropping the last one devalidates it.
 *
 * Pure logic: the arch supplies validate/devalidate; unit-tested on the
 * host. Locking: the caller serializes (the PV MMU lock).
 */
#ifndef XENOLITH_PAGE_TYPE_H
#define XENOLITH_PAGE_TYPE_H

#include <xenolith/page.h>

#define PGT_pinned (1u << 26) /* the guest pinned it: holds one type reference */

struct page_type_ops {
    /* Check every entry of pg as a table of `type`, taking references. */
    int (*validate)(struct page_info *pg, uint32_t type);
    /* Drop what validate took. */
    void (*devalidate)(struct page_info *pg, uint32_t type);
    /* pg was writable and is about to become something else: no CPU may
     * keep a stale writable translation of it. */
    void (*flush_writable)(struct page_info *pg);
};

void page_type_set_ops(const struct page_type_ops *ops);

static inline bool page_type_is_table(uint32_t type)
{
    return type >= PGT_l1_page_table && type <= PGT_l4_page_table;
}

/* A general reference on a frame owned by `owner` and in use; false if not. */
bool page_get_ref(struct page_info *pg, uint16_t owner);
void page_put_ref(struct page_info *pg);
/* A reference of `type` (PGT_*): 0, -EBUSY if the frame has another
 * type in use, -EINVAL if validation refused it, -EOVERFLOW. */
int page_get_type(struct page_info *pg, uint32_t type);
void page_put_type(struct page_info *pg);

#endif
