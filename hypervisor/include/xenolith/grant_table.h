/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1: a domain grants others access to its frames by
 * writing entries {flags, domid, frame} in its table, which it shares
 * with the hypervisor; others map (map_grant_ref) or copy (copy) through
 * those entries.
 *
 * Locking: frame_lock (xenolith/mm.h) protects every table, active
 * entry and maptrack, as it does the frames they reference; grant
 * entries themselves are guest memory, changed only with compare-and-swap.
 */
#ifndef XENOLITH_GRANT_TABLE_H
#define XENOLITH_GRANT_TABLE_H

#include <xenolith/types.h>

#define GNTTAB_MAX_FRAMES   64   /* per domain, as Xen's default */
#define GNTTAB_MAPTRACK_MAX 1024 /* grant mappings one domain may hold */

struct domain;
struct page_info;
struct grant_table;

int gnttab_domain_init(struct domain *d);
/* A builder's entry in d's table (as Xen's seeds GNTTAB_RESERVED_*):
 * frame mfn granted to `grantee`, writable. */
void gnttab_seed_entry(struct domain *d, uint32_t ref, domid_t grantee, unsigned long mfn);
/* Drops the mappings d holds of others' grants, then d's own table. */
void gnttab_domain_destroy(struct domain *d);

/* Arch, under frame_lock: make/remove the mapper's PTE for a host mapping. GNTST_* codes. */
int arch_grant_map(struct domain *ld, uint64_t addr, bool addr_is_pte, unsigned long mfn,
                   uint32_t flags, uint64_t *pte_maddr);
void arch_grant_unmap(struct domain *ld, uint64_t pte_maddr, unsigned long mfn);
/* Replaces the grant PTE with the one at VA new_addr, which is cleared. */
int arch_grant_replace(struct domain *ld, uint64_t pte_maddr, unsigned long mfn, uint64_t new_addr);
/* Does host_addr (a VA, or a PTE's machine address) name that PTE? */
bool arch_grant_addr_matches(struct domain *ld, uint64_t host_addr, uint64_t pte_maddr);

#endif
