/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU: guests own their page tables, the hypervisor validates
 * every entry. See xenolith/page_type.h for the reference model.
 *
 * Locking: pv_mm_lock (frame_lock) serializes all page-table validation
 * and updates.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <xenolith/page.h>
#include <xenolith/spinlock.h>
#include <xenolith/types.h>
#include <asm/page.h>

struct domain;
struct vcpu;

#define pv_mm_lock frame_lock /* xenolith/mm.h */

#define M2P_INVALID (~0ull)

void pv_mm_init(void);
/* Records mfn -> pfn in the machine-to-physical table guests read. */
void m2p_set(unsigned long mfn, uint64_t pfn);

/* The frame if it exists and belongs to d (or is d's shared_info), else NULL. */
struct page_info *pv_owned_frame(const struct domain *d, unsigned long mfn);
/* Entry `e` as it would be stored at `level` (1-4): 0 or -errno; takes refs. */
int pv_get_entry_refs(struct domain *d, pte_t e, unsigned int level);
int pv_get_entry_refs_foreign(struct domain *d, struct domain *owner, pte_t e, unsigned int level);
void pv_put_entry_refs(pte_t e, unsigned int level);
/* What the hypervisor stores for a guest entry (forces _PAGE_USER, ...). */
pte_t pv_adjust_entry(pte_t e, unsigned int level);
/* Installs the hypervisor's slots in a guest L4 (all but the M2P's). */
void pv_install_xen_slots(pte_t *l4);
/* Adds the read-only M2P slot to an L4 that becomes a base pointer. */
void pv_install_m2p_slot(unsigned long l4_mfn);
/* The level (1-4) of a validated page table, 0 if pg is none. */
unsigned int pv_table_level(const struct page_info *pg);
/* Writes entry idx of d's validated table: new refs taken, old dropped. */
int pv_update_entry(struct domain *d, struct page_info *table, unsigned int idx, pte_t val,
                    bool preserve_ad);
/* The same for an L1 entry that maps a frame of `owner`. */
int pv_update_l1_foreign(struct domain *d, struct domain *owner, struct page_info *l1,
                         unsigned int idx, pte_t val);
/* The L1 table and slot mapping va in the current vCPU's kernel tables. */
struct page_info *pv_l1_for_va(struct domain *d, uint64_t va, unsigned int *idx);
/* #PF: a guest kernel write to its own read-only page table, emulated as
 * an update (writable page tables). True if handled. */
bool pv_emulate_ptwr(struct cpu_regs *regs, uint64_t cr2);

/* Runs a guest batch of `size`-byte requests through one(ctx, req). */
long pv_mmu_batch(uint64_t reqs, uint64_t count, uint64_t done_ptr, size_t size,
                  int (*one)(void *ctx, const void *req), void *ctx);

/* Drops everything d holds on its own frames (domain destruction). */
void pv_domain_relinquish(struct domain *d);
void pv_release_gdt(struct vcpu *v);

/* Flushes TLBs on every pCPU that may hold d's mappings. */
void pv_flush_domain_tlbs(struct domain *d);

#endif
