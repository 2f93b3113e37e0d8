/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, shared by common/grant_table.c (the tables, versions and
 * the hypercall) and common/grant_access.c (mapping and copying through
 * grants). Everything here is used under frame_lock.
 */
#ifndef COMMON_GRANT_PRIVATE_H
#define COMMON_GRANT_PRIVATE_H

#include <xenolith/grant_table.h>
#include <xenolith/mm.h>
#include <xen/grant_table.h>

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))

/*
 * The hypervisor's side of one grant while something uses it: who and
 * which frame were granted when the first use began. Later uses go by
 * this record, not by the entry, which the granter may rewrite meanwhile.
 */
struct active_entry {
    uint16_t readers, writers; /* mappings and copies in progress, all users */
    domid_t domid;
    unsigned long frame;
};

struct maptrack_entry {
    bool in_use;
    uint32_t flags; /* GNTMAP_*; host_map/device_map cleared as each part goes */
    domid_t granter;
    uint64_t granter_instance; /* the granter's domid may name a later domain */
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

static inline unsigned int gnttab_nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * ENTRIES_PER_FRAME;
}

static inline grant_entry_v1_t *gnttab_entry(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->frames[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static inline struct active_entry *gnttab_active(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

/* grant_access.c: the batched ops, one op each; their GNTST_* status. */
int16_t gnttab_map_one(struct domain *ld, struct gnttab_map_grant_ref *op);
int16_t gnttab_unmap_one(struct domain *ld, struct gnttab_unmap_grant_ref *op);
int16_t gnttab_unmap_and_replace_one(struct domain *ld, struct gnttab_unmap_and_replace *op);
int16_t gnttab_copy_one(struct domain *ld, struct gnttab_copy *op);
/* Returns 0 or -errno: cache_flush has no status field. */
long gnttab_cache_flush_one(struct domain *ld, const struct gnttab_cache_flush *op);
/* Ends mapping h of ld, whatever parts of it are left. */
void gnttab_unmap_handle(struct domain *ld, unsigned int h);

#endif
