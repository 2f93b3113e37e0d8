/* SPDX-License-Identifier: MIT */
/*
 * GDT, TSS and IDT.
 *
 * Each CPU's GDT is 16 pages of virtual space at GDT_VIRT_START + cpu *
 * 64 KiB. Pages 0-13 are left for a PV guest's own descriptor frames;
 * page 14 holds Xen's reserved entries (selectors 0xe008...0xe048), so
 * the hypervisor and guests use the same selector values as on Xen.
 * The IDT is shared by all CPUs; every vector has a stub in entry.S.
 */
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/string.h>
#include <asm/config.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <xenolith/smp.h>

struct gate {
    uint16_t offset_low, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
} __packed;

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define STUB_SIZE      16

extern const char entry_stubs[]; /* 256 stubs of STUB_SIZE bytes */

static struct gate idt[256] __aligned(16);
static struct tss64 tss[NR_CPUS] __aligned(64);

/* Xen's reserved descriptors, indexed from FIRST_RESERVED_GDT_ENTRY. */
static const uint64_t reserved_gdt[] = {
    0,                  /* 0xe000 */
    0x00af9a000000ffff, /* 0xe008 ring 0, 64-bit code */
    0x00cf92000000ffff, /* 0xe010 ring 0, data */
    0x00cf9a000000ffff, /* 0xe018 ring 0, 32-bit code */
    0x00cffa000000ffff, /* 0xe023 ring 3, 32-bit code */
    0x00cff2000000ffff, /* 0xe02b ring 3, data */
    0x00affa000000ffff, /* 0xe033 ring 3, 64-bit code */
};

void idt_set_gate(unsigned int vector, unsigned int dpl, unsigned int ist)
{
    uint64_t addr = (uint64_t)(entry_stubs + vector * STUB_SIZE);
    struct gate *g = &idt[vector];

    g->offset_low = (uint16_t)addr;
    g->selector = HYPERVISOR_CS;
    g->ist = (uint8_t)ist;
    g->type_attr = (uint8_t)(GATE_INTERRUPT | (dpl << 5));
    g->offset_mid = (uint16_t)(addr >> 16);
    g->offset_high = (uint32_t)(addr >> 32);
    g->reserved = 0;
}

void idt_init(void)
{
    unsigned int v;

    for (v = 0; v < 256; v++)
        idt_set_gate(v, 0, 0);
    idt_set_gate(3, 3, 0); /* int3 and into may come from guests (ring 3) */
    idt_set_gate(4, 3, 0);
    idt_set_gate(2, 0, IST_NMI);
    idt_set_gate(8, 0, IST_DF);
    idt_set_gate(18, 0, IST_MCE);
}

static void gdt_set_tss(uint64_t *gdt, const struct tss64 *t)
{
    uint64_t base = (uint64_t)t, limit = sizeof(*t) - 1;
    unsigned int i = (TSS_SELECTOR >> 3) - FIRST_RESERVED_GDT_ENTRY;

    gdt[i] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
    gdt[i + 1] = base >> 32;
}

static void load_tables(uint64_t gdt_va)
{
    struct desc_ptr gdtr = {GDT_PAGES * 4096 - 1, gdt_va};
    struct desc_ptr idtr = {sizeof(idt) - 1, (uint64_t)idt};

    __asm__ __volatile__("lgdt %0\n\t"
                         "lidt %1\n\t"
                         "mov %2, %%ds\n\t"
                         "mov %2, %%es\n\t"
                         "mov %2, %%ss\n\t"
                         "pushq %3\n\t"
                         "lea 1f(%%rip), %%rax\n\t"
                         "pushq %%rax\n\t"
                         "lretq\n"
                         "1:\n\t"
                         "ltr %w4" ::"m"(gdtr),
                         "m"(idtr), "r"(HYPERVISOR_DS), "i"(HYPERVISOR_CS), "r"(TSS_SELECTOR)
                         : "rax", "memory");
}

static pte_t *gdt_guest_l1e[NR_CPUS]; /* this CPU's GDT pages 0-13 */
static unsigned long gdt_mapped[NR_CPUS][FIRST_RESERVED_GDT_PAGE];
static void *gdt_zero_page; /* behind guest GDT pages not in use */

/* Until a guest brings frames, its GDT pages show null descriptors. */
static int gdt_guest_pages_init(unsigned int cpu, uint64_t gdt_va)
{
    unsigned int i;

    if (!gdt_zero_page && !(gdt_zero_page = alloc_xenheap_pages(0)))
        return -ENOMEM;
    memset(gdt_zero_page, 0, PAGE_SIZE);
    for (i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        if (map_pages_to_xen(gdt_va + i * PAGE_SIZE, __pa(gdt_zero_page), PAGE_SIZE,
                             PAGE_HYPERVISOR_RO))
            return -ENOMEM;
    gdt_guest_l1e[cpu] = virt_to_l1e(gdt_va);
    return gdt_guest_l1e[cpu] ? 0 : -ENOMEM;
}

void gdt_load_guest_frames(const unsigned long *mfns, unsigned int nr)
{
    unsigned int cpu = smp_processor_id(), i;
    uint64_t gdt_va = GDT_VIRT_START + (uint64_t)cpu * GDT_PAGES * PAGE_SIZE;

    for (i = 0; i < FIRST_RESERVED_GDT_PAGE; i++) {
        unsigned long mfn = i < nr ? mfns[i] : 0;

        if (gdt_mapped[cpu][i] == mfn)
            continue;
        gdt_mapped[cpu][i] = mfn;
        /* Writable for the CPU, which sets descriptors' accessed bits. */
        gdt_guest_l1e[cpu][i] = mfn ? ((pte_t)mfn << PAGE_SHIFT) | PAGE_HYPERVISOR_RW
                                    : __pa(gdt_zero_page) | PAGE_HYPERVISOR_RO;
        invlpg((void *)(gdt_va + i * PAGE_SIZE));
    }
}

int desc_init_cpu(unsigned int cpu, void *stack_block)
{
    uint64_t *gdt = alloc_xenheap_pages(0);
    uint64_t gdt_va = GDT_VIRT_START + (uint64_t)cpu * GDT_PAGES * 4096;
    struct tss64 *t = &tss[cpu];
    char *stack = stack_block;

    if (!gdt)
        return -ENOMEM;
    memset(gdt, 0, 4096);
    memcpy(gdt, reserved_gdt, sizeof(reserved_gdt));
    if (map_pages_to_xen(gdt_va + FIRST_RESERVED_GDT_PAGE * 4096, __pa(gdt), 4096,
                         PAGE_HYPERVISOR_RW)) {
        free_xenheap_pages(gdt, 0);
        return -ENOMEM;
    }
    if (gdt_guest_pages_init(cpu, gdt_va))
        return -ENOMEM;
    memset(t, 0, sizeof(*t));
    t->iomap_base = sizeof(*t);
    t->rsp[0] = (uint64_t)(stack + STACK_SIZE - CPU_INFO_SIZE);
    t->ist[IST_DF - 1] = (uint64_t)(stack + (IST_DF_PAGE + 1) * 4096);
    t->ist[IST_NMI - 1] = (uint64_t)(stack + (IST_NMI_PAGE + 1) * 4096);
    t->ist[IST_MCE - 1] = (uint64_t)(stack + (IST_MCE_PAGE + 1) * 4096);
    gdt_set_tss(gdt, t);
    load_tables(gdt_va);
    return 0;
}
