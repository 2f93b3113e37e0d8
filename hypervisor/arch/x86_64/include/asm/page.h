/* SPDX-License-Identifier: MIT */
/* x86-64 page-table entry bits and address conversions. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <asm/config.h>

#define _PAGE_PRESENT  0x001
#define _PAGE_RW       0x002
#define _PAGE_USER     0x004
#define _PAGE_PWT      0x008
#define _PAGE_PCD      0x010
#define _PAGE_ACCESSED 0x020
#define _PAGE_DIRTY    0x040
#define _PAGE_PSE      0x080
#define _PAGE_GLOBAL   0x100
#define _PAGE_NX       (1ull << 63)
/* A grant mapping: only the hypervisor sets it (bit 52, where Xen's grant PTEs show it too). */
#define _PAGE_GNTTAB   (1ull << 52)

#define PADDR_BITS    52
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define L1_SHIFT   12
#define L2_SHIFT   21
#define L3_SHIFT   30
#define L4_SHIFT   39
#define PT_ENTRIES 512

#define l1_index(va) (((va) >> L1_SHIFT) & 511)
#define l2_index(va) (((va) >> L2_SHIFT) & 511)
#define l3_index(va) (((va) >> L3_SHIFT) & 511)
#define l4_index(va) (((va) >> L4_SHIFT) & 511)

#ifndef __ASSEMBLY__
#include <xenolith/types.h>

typedef uint64_t pte_t;

static inline void *__va(paddr_t pa)
{
    return (void *)(pa + DIRECTMAP_VIRT_START);
}

/* Physical address of a direct-map or image address. */
paddr_t __pa(const void *va);

/* Bits 63-47 all equal: an address the CPU accepts in RIP or a pointer. */
static inline bool is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va; /* bit 47 sign-extended */
}

static inline paddr_t pte_addr(pte_t e)
{
    return e & PTE_ADDR_MASK;
}
#endif

#endif
