/* SPDX-License-Identifier: MIT */
/* The hypervisor's page tables and the boot-time memory setup. */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <xenolith/types.h>
#include <asm/page.h>

#define PAGE_HYPERVISOR_RW                                                                         \
    (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_HYPERVISOR_RO (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_HYPERVISOR_RX (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL)
#define PAGE_HYPERVISOR_UC (PAGE_HYPERVISOR_RW | _PAGE_PCD | _PAGE_PWT)

extern pte_t *idle_pg_table;
/* A frame below 1 MiB kept for the AP start-up code (0 if none). */
extern unsigned long mm_trampoline_mfn;

/* Builds the real page tables and the frame table, then starts the heap. */
void mm_init(void);
/* Bytes of RAM in the boot memory map (Xen's total_pages, in bytes). */
uint64_t mm_total_ram(void);
/* Maps [va, va+size) to [pa, pa+size) in the idle page tables. */
int map_pages_to_xen(unsigned long va, paddr_t pa, uint64_t size, uint64_t flags);
/* The L1 entry mapping va in the idle tables (4 KiB mappings only), or NULL. */
pte_t *virt_to_l1e(unsigned long va);
/* Maps a device's registers uncached; NULL when the area is exhausted. */
void *ioremap(paddr_t pa, size_t size);
/* Installs/removes the identity map of low memory used while APs start. */
void mm_map_low_identity(bool on);

#endif
