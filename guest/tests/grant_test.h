/* SPDX-License-Identifier: MIT */
/*
 * Suite "grant", shared by its three files: grant.c (the table ops and
 * the case list), grant_map.c (host and device mappings) and grant_ops.c
 * (the hypercall's errors, copy, unmap_and_replace).
 *
 * Everything mapped lives in L4 slot GRANT_SLOT, under one L3/L2/L1 chain
 * built by the suite setup: the table frames at L1 slots 0-63, grant
 * mappings at GRANT_MAP_VA and after. The L2 entry after the chain's L1
 * stays empty, so GRANT_NO_L1_VA has no L1 at all.
 */
#ifndef GUEST_TESTS_GRANT_TEST_H
#define GUEST_TESTS_GRANT_TEST_H

#include <guest/grant.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define GRANT_SLOT       302
#define GRANT_VA         (0xffff000000000000UL | ((unsigned long)GRANT_SLOT << 39))
#define GRANT_TABLE_VA   GRANT_VA
#define GRANT_MAP_VA     (GRANT_VA + 256 * PAGE_SIZE)
#define GRANT_NO_L1_VA   (GRANT_VA + 512 * PAGE_SIZE)
#define HV_VA            0xffff830000000000UL /* Xen's direct map */
#define GRANT_SELF       0                    /* our domid: we are dom0 */
#define GRANT_NO_DOMAIN  0x1234               /* no such domain on a dom0-only host */
#define GRANT_REF        10                   /* past the reserved entries 0-7 */
#define GRANT_MAX_FRAMES 64                   /* Xen's default max_grant_frames */
/*
 * Flags of a PTE Xen writes for a host mapping, but for RW (writable
 * maps) and the available bits 9-11: P, US, A, D, NX and bit 52, which
 * Xen uses to mark grant mappings.
 */
#define GRANT_PTE_FLAGS  (PTE_P | PTE_US | PTE_A | PTE_D | PTE_NX | (1UL << 52))

uint64_t grant_pte(unsigned long pfn, uint64_t flags);
/* The L1 entry that maps `va` in the chain (read through the 1:1 map), and its address. */
uint64_t grant_l1e(unsigned long va);
uint64_t grant_l1e_maddr(unsigned long va);
/* Maps one table frame unless a case already did; ends the case if Xen will not. */
void grant_need_table(void);
long grant_op(unsigned int cmd, void *uop, unsigned int count);
/* One map_grant_ref; the op comes back with status, handle, bus address. */
struct gnttab_map_grant_ref grant_map(unsigned long va, uint32_t flags, grant_ref_t ref,
                                      domid_t dom);
/* One unmap_grant_ref by host address; its status. */
int16_t grant_unmap(unsigned long va, grant_handle_t handle);
/* Reads a word at `va`; ~0 after a #PF. */
unsigned long grant_probe_read(unsigned long va);
/* Stores at `va`; true if it came back as a #PF. */
bool grant_store_faults(unsigned long va, unsigned long v);
/* A fresh page of ours, its first word set to `magic`. */
unsigned long grant_page(unsigned long magic);

/* Cases (grant_map.c, grant_ops.c). */
void grant_map_host(void);
void grant_map_readonly(void);
void grant_map_twice(void);
void grant_map_device(void);
void grant_map_avail_bits(void);
void grant_map_contains_pte(void);
void grant_map_refusals(void);
void grant_unmap_refusals(void);
void grant_end_while_mapped(void);
void grant_map_batch(void);
void grant_op_errors(void);
void grant_other_ops(void);
void grant_copy(void);
void grant_copy_refusals(void);
void grant_unmap_and_replace(void);

#endif
