/* SPDX-License-Identifier: MIT */
/*
 * The frame table: one struct page_info per machine frame, Xen's model.
 *
 * count_info:  bits 31-29  allocation state (PGC_state_*)
 *              bits 28-24  spare, for flags
 *              bits 23-0   general reference count
 * type_info:   bits 31-28  type (PGT_*, Xen's numbering)
 *              bit  27     PGT_validated: the type's contents were checked
 *              bits 26-24  spare, for type flags (pinned, partial, ...)
 *              bits 23-0   type reference count
 *
 * A zero-filled entry is a reserved frame with no references and no type,
 * so a freshly cleared frame table is a safe starting point. The rules for
 * moving between types (and the locking that goes with them) belong to
 * the page-type code; this header only fixes the layout and its accessors.
 */
#ifndef XENOLITH_PAGE_H
#define XENOLITH_PAGE_H

#include <xenolith/list.h>
#include <xenolith/types.h>

#define PAGE_SHIFT     12
#define PAGE_SIZE      (1UL << PAGE_SHIFT)
#define PAGE_MASK      (~(PAGE_SIZE - 1))
#define PAGE_MAX_ORDER 20 /* largest buddy block: 2^20 frames, 4 GiB */

/*
 * Owners that are not domains, with Xen's DOMID_* values (public/xen.h);
 * named apart so that header can be included beside this one.
 */
#define PAGE_OWNER_SELF    0x7ff0u
#define PAGE_OWNER_IO      0x7ff1u
#define PAGE_OWNER_XEN     0x7ff2u
#define PAGE_OWNER_COW     0x7ff3u
#define PAGE_OWNER_INVALID 0x7ff4u
#define PAGE_OWNER_IDLE    0x7fffu

/* count_info */
#define PGC_state_shift    29
#define PGC_state_mask     (7u << PGC_state_shift)
#define PGC_state_reserved (0u << PGC_state_shift) /* not RAM, or never given to the heap */
#define PGC_state_free     (1u << PGC_state_shift) /* in the buddy heap */
#define PGC_state_inuse    (2u << PGC_state_shift) /* allocated */
#define PGC_flags_mask     (0x1fu << 24)
#define PGC_orphan         (1u << 24) /* of a dead domain, still referenced by others */
#define PGC_shared         (1u << 25) /* the hypervisor's, shared with a domain (shared_info, ...) */
#define PGC_count_mask     0x00ffffffu

/* type_info */
#define PGT_type_shift    28
#define PGT_type_mask     (0xfu << PGT_type_shift)
#define PGT_none          (0u << PGT_type_shift)
#define PGT_l1_page_table (1u << PGT_type_shift)
#define PGT_l2_page_table (2u << PGT_type_shift)
#define PGT_l3_page_table (3u << PGT_type_shift)
#define PGT_l4_page_table (4u << PGT_type_shift)
#define PGT_seg_desc_page (5u << PGT_type_shift)
/* 6 is Xen's PGT_shared_page, unused here. */
#define PGT_writable_page (7u << PGT_type_shift)
#define PGT_validated     (1u << 27)
#define PGT_flags_mask    (0x7u << 24)
#define PGT_count_mask    0x00ffffffu

/* Stored in page_info.order of a free block's frames other than the first. */
#define PAGE_ORDER_TAIL 0xffu

struct page_info {
    struct list_head list; /* free list, or the owner's page list */
    uint32_t count_info;
    uint32_t type_info;
    uint16_t owner; /* domid or PAGE_OWNER_* */
    uint8_t order;  /* free block order, on its first frame */
    uint8_t pad[5];
};

_Static_assert(sizeof(struct page_info) == 32, "page_info must stay 32 bytes");

/* PGC_state_* of the frame. */
static inline uint32_t page_state(const struct page_info *pg)
{
    return pg->count_info & PGC_state_mask;
}

static inline void page_set_state(struct page_info *pg, uint32_t state)
{
    pg->count_info = (pg->count_info & ~PGC_state_mask) | (state & PGC_state_mask);
}

static inline uint32_t page_refcount(const struct page_info *pg)
{
    return pg->count_info & PGC_count_mask;
}

static inline void page_set_refcount(struct page_info *pg, uint32_t count)
{
    pg->count_info = (pg->count_info & ~PGC_count_mask) | (count & PGC_count_mask);
}

/* PGT_* type of the frame (PGT_none when untyped). */
static inline uint32_t page_type(const struct page_info *pg)
{
    return pg->type_info & PGT_type_mask;
}

static inline uint32_t page_type_count(const struct page_info *pg)
{
    return pg->type_info & PGT_count_mask;
}

static inline bool page_type_validated(const struct page_info *pg)
{
    return (pg->type_info & PGT_validated) != 0;
}

static inline uint16_t page_owner(const struct page_info *pg)
{
    return pg->owner;
}

static inline void page_set_owner(struct page_info *pg, uint16_t owner)
{
    pg->owner = owner;
}

#endif
