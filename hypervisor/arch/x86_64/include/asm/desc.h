/* SPDX-License-Identifier: MIT */
/* Per-CPU descriptor tables: GDT (Xen's reserved page), TSS with IST stacks, IDT. */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include <xenolith/types.h>
#include <xenolith/compiler.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7]; /* ist[0] is IST1 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __packed;

#define IST_DF  1
#define IST_NMI 2
#define IST_MCE 3

/* Allocates and loads this CPU's GDT, TSS and the shared IDT. */
int desc_init_cpu(unsigned int cpu, void *stack_block);
void idt_init(void);
/* Shows a guest's descriptor frames as this CPU's GDT pages 0-13. */
void gdt_load_guest_frames(const unsigned long *mfns, unsigned int nr);
/* Points a vector's gate at its stub with the given DPL and IST. */
void idt_set_gate(unsigned int vector, unsigned int dpl, unsigned int ist);

#endif
