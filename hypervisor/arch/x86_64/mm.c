/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables and the boot-time memory setup.
 *
 * mm_init() runs once on the boot CPU, still on the boot page tables
 * (which reach only the first 4 GiB): it collects free RAM into the boot
 * allocator, builds idle_pg_table (direct map of all memory, the image
 * with per-section permissions), switches to it, allocates the frame
 * table, and gives every frame still free to the buddy heap.
 *
 * Invariant: the L3 tables under the hypervisor's L4 slots (256-271) are
 * allocated here and never replaced, so guest L4s that copy those slots
 * see every later hypervisor mapping.
 */
#include <xenolith/boot_alloc.h>
#include <xenolith/bootinfo.h>
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/mm.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <asm/cpufeature.h>
#include <asm/mm.h>
#include <asm/processor.h>

#define FOUR_GB (1ull << 32)
/*
 * Intermediate entries allow user access: the leaf decides, and the M2P's
 * leaves are the only hypervisor mappings a guest may read.
 */
#define PT_LINK (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __image_end[];
extern pte_t *const boot_l4_va; /* boot_l4 through the direct map */

pte_t *idle_pg_table;
unsigned long mm_trampoline_mfn;

static struct boot_allocator boot_mem;
static bool heap_ready;
static DEFINE_SPINLOCK(map_lock);
static unsigned long ioremap_next = IOREMAP_VIRT_START;

paddr_t __pa(const void *va)
{
    unsigned long v = (unsigned long)va;

    if (v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_END)
        return v - DIRECTMAP_VIRT_START;
    if (v >= XEN_VIRT_START && v < (unsigned long)__image_end)
        return v - XEN_VIRT_START + XEN_LOAD_PHYS;
    panic("__pa(%p): not a direct-map or image address", va);
}

/*
 * A zeroed frame for a page table. Before the heap exists it comes from
 * the boot allocator, below 4 GiB so the boot page tables reach it.
 */
static pte_t *alloc_pt_page(void)
{
    void *va;

    if (heap_ready) {
        va = alloc_xenheap_pages(0);
        if (!va)
            return NULL;
    } else {
        uint64_t mfn = boot_alloc_take(&boot_mem, 1, 1, FOUR_GB >> PAGE_SHIFT);

        if (!mfn)
            panic("out of memory for the hypervisor's page tables");
        va = __va(mfn << PAGE_SHIFT);
    }
    memset(va, 0, PAGE_SIZE);
    return va;
}

/* The table the entry points to, created if absent; NULL on OOM. */
static pte_t *next_table(pte_t *entry)
{
    pte_t *t;

    if (*entry & _PAGE_PRESENT) {
        BUG_ON(*entry & _PAGE_PSE);
        return __va(pte_addr(*entry));
    }
    t = alloc_pt_page();
    if (t)
        *entry = __pa(t) | PT_LINK;
    return t;
}

static bool can_map_large(unsigned long va, paddr_t pa, uint64_t size, uint64_t page)
{
    return IS_ALIGNED(va, page) && IS_ALIGNED(pa, page) && size >= page;
}

/* Callers hold map_lock (or run before other CPUs exist). */
static int map_range_locked(pte_t *l4, unsigned long va, paddr_t pa, uint64_t size, uint64_t flags)
{
    while (size) {
        pte_t *l3 = next_table(&l4[l4_index(va)]), *l2, *l1;
        uint64_t step;

        if (!l3)
            return -1;
        if (boot_cpu.page1gb && can_map_large(va, pa, size, 1ull << L3_SHIFT) &&
            !(l3[l3_index(va)] & _PAGE_PRESENT)) {
            l3[l3_index(va)] = pa | flags | _PAGE_PSE;
            step = 1ull << L3_SHIFT;
        } else if ((l2 = next_table(&l3[l3_index(va)])) == NULL) {
            return -1;
        } else if (can_map_large(va, pa, size, 1ull << L2_SHIFT) &&
                   !(l2[l2_index(va)] & _PAGE_PRESENT)) {
            l2[l2_index(va)] = pa | flags | _PAGE_PSE;
            step = 1ull << L2_SHIFT;
        } else if ((l1 = next_table(&l2[l2_index(va)])) == NULL) {
            return -1;
        } else {
            l1[l1_index(va)] = pa | flags;
            step = PAGE_SIZE;
        }
        va += step;
        pa += step;
        size -= step;
    }
    return 0;
}

int map_pages_to_xen(unsigned long va, paddr_t pa, uint64_t size, uint64_t flags)
{
    unsigned long irqflags = spin_lock_irqsave(&map_lock);
    int rc = map_range_locked(idle_pg_table, va, pa, size, flags);

    spin_unlock_irqrestore(&map_lock, irqflags);
    return rc;
}

pte_t *virt_to_l1e(unsigned long va)
{
    pte_t *t = idle_pg_table;
    unsigned int shift;

    for (shift = L4_SHIFT; shift > L1_SHIFT; shift -= 9) {
        pte_t e = t[(va >> shift) & 511];

        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
            return NULL;
        t = __va(pte_addr(e));
    }
    return &t[l1_index(va)];
}

void *ioremap(paddr_t pa, size_t size)
{
    paddr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
    uint64_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
    unsigned long va = __atomic_fetch_add(&ioremap_next, len, __ATOMIC_RELAXED);

    if (va + len > IOREMAP_VIRT_END || map_pages_to_xen(va, base, len, PAGE_HYPERVISOR_UC))
        return NULL;
    return (void *)(va + (pa - base));
}

void mm_map_low_identity(bool on)
{
    /* Borrow the boot tables' identity map of the first 4 GiB. */
    idle_pg_table[0] = on ? boot_l4_va[0] : 0;
    flush_tlb_all_local();
}

/* __image_end is one past the image, where __pa() rightly refuses. */
static paddr_t image_phys_end(void)
{
    return (unsigned long)__image_end - XEN_VIRT_START + XEN_LOAD_PHYS;
}

static void collect_free_ram(void)
{
    unsigned int i;

    boot_alloc_init(&boot_mem);
    for (i = 0; i < boot_info.nr_memmap; i++) {
        const struct boot_memmap_entry *e = &boot_info.memmap[i];

        if (e->type == MEMMAP_RAM)
            boot_alloc_add(&boot_mem, ALIGN_UP(e->addr, PAGE_SIZE) >> PAGE_SHIFT,
                           ALIGN_DOWN(e->addr + e->size, PAGE_SIZE) >> PAGE_SHIFT);
    }
    /* Frame 0 holds the real-mode IVT and BDA; the image and modules stay. */
    boot_alloc_reserve(&boot_mem, 0, 1);
    boot_alloc_reserve(&boot_mem, XEN_LOAD_PHYS >> PAGE_SHIFT, image_phys_end() >> PAGE_SHIFT);
    for (i = 0; i < boot_info.nr_modules; i++)
        boot_alloc_reserve(&boot_mem, boot_info.modules[i].start >> PAGE_SHIFT,
                           ALIGN_UP(boot_info.modules[i].end, PAGE_SIZE) >> PAGE_SHIFT);
}

uint64_t mm_total_ram(void)
{
    uint64_t total = 0;
    unsigned int i;

    for (i = 0; i < boot_info.nr_memmap; i++)
        if (boot_info.memmap[i].type == MEMMAP_RAM)
            total += boot_info.memmap[i].size;
    return total;
}

static uint64_t highest_ram_end(void)
{
    uint64_t top = 0;
    unsigned int i;

    for (i = 0; i < boot_info.nr_memmap; i++)
        if (boot_info.memmap[i].type == MEMMAP_RAM)
            top = MAX(top, boot_info.memmap[i].addr + boot_info.memmap[i].size);
    return ALIGN_DOWN(top, PAGE_SIZE);
}

static void map_image(void)
{
    unsigned long start = XEN_VIRT_START, text = (unsigned long)__text_start;

#define MAP_SECTION(from, to, flags)                                                               \
    map_range_locked(idle_pg_table, (from), __pa((void *)(from)), (to) - (from), (flags))
    MAP_SECTION(start, text, PAGE_HYPERVISOR_RW); /* boot code and data */
    MAP_SECTION(text, (unsigned long)__text_end, PAGE_HYPERVISOR_RX);
    MAP_SECTION((unsigned long)__rodata_start, (unsigned long)__rodata_end, PAGE_HYPERVISOR_RO);
#undef MAP_SECTION
    map_range_locked(idle_pg_table, (unsigned long)__data_start, __pa(__data_start),
                     image_phys_end() - __pa(__data_start), PAGE_HYPERVISOR_RW);
}

static void build_idle_page_tables(uint64_t ram_end)
{
    unsigned int slot;
    unsigned int i;

    idle_pg_table = alloc_pt_page();
    for (slot = l4_index(HYPERVISOR_VIRT_START); slot < l4_index(HYPERVISOR_VIRT_END); slot++)
        next_table(&idle_pg_table[slot]);

    /* All of the first 4 GiB (firmware tables live there), then RAM above. */
    map_range_locked(idle_pg_table, DIRECTMAP_VIRT_START, 0, FOUR_GB, PAGE_HYPERVISOR_RW);
    for (i = 0; i < boot_info.nr_memmap; i++) {
        const struct boot_memmap_entry *e = &boot_info.memmap[i];
        uint64_t s = MAX(ALIGN_DOWN(e->addr, PAGE_SIZE), FOUR_GB);
        uint64_t end = MIN(ALIGN_UP(e->addr + e->size, PAGE_SIZE), ram_end);

        if (e->type == MEMMAP_RAM && end > s)
            map_range_locked(idle_pg_table, DIRECTMAP_VIRT_START + s, s, end - s,
                             PAGE_HYPERVISOR_RW);
    }
    map_image();
}

static void enable_paging_features(void)
{
    unsigned long cr4 = read_cr4() | X86_CR4_PGE;

    if (boot_cpu.nx)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    if (boot_cpu.smep)
        cr4 |= X86_CR4_SMEP;
    if (boot_cpu.smap)
        cr4 |= X86_CR4_SMAP;
    write_cr4(cr4);
    write_cr0(read_cr0() | X86_CR0_WP);
}

/*
 * RAM the heap did not get is the hypervisor's (image, tables), except
 * below 1 MiB: firmware's and the legacy devices' memory, which Xen gives
 * to DOMID_IO so the control domain may map it. Frames left with no
 * owner are not RAM at all.
 */
static void mark_reserved_ram(void)
{
    unsigned int i;
    uint64_t mfn;

    for (i = 0; i < boot_info.nr_memmap; i++) {
        const struct boot_memmap_entry *e = &boot_info.memmap[i];
        uint64_t end = MIN((e->addr + e->size) >> PAGE_SHIFT, (uint64_t)max_page);

        if (e->type != MEMMAP_RAM)
            continue;
        for (mfn = e->addr >> PAGE_SHIFT; mfn < end; mfn++)
            if (page_state(mfn_to_page(mfn)) == PGC_state_reserved)
                mfn_to_page(mfn)->owner = PAGE_OWNER_XEN;
    }
    for (mfn = 0; mfn < 0x100 && mfn < max_page; mfn++)
        if (page_state(mfn_to_page(mfn)) == PGC_state_reserved && mfn != mm_trampoline_mfn)
            mfn_to_page(mfn)->owner = PAGE_OWNER_IO;
}

static void frame_table_init(uint64_t ram_end)
{
    unsigned long nr_frames = ram_end >> PAGE_SHIFT;
    uint64_t bytes = ALIGN_UP(nr_frames * sizeof(struct page_info), PAGE_SIZE);
    uint64_t mfn = boot_alloc_take(&boot_mem, bytes >> PAGE_SHIFT, 512, nr_frames);
    unsigned int i;

    if (!mfn)
        panic("no room for a frame table of %lu frames", nr_frames);
    heap_init(__va(mfn << PAGE_SHIFT), nr_frames);
    for (i = 0; i < boot_mem.nr; i++)
        heap_add_free_range(boot_mem.ranges[i].start, boot_mem.ranges[i].end);
    boot_mem.nr = 0;
    heap_ready = true;
    mark_reserved_ram();
}

void mm_init(void)
{
    uint64_t ram_end = highest_ram_end();

    collect_free_ram();
    /* Taken before anything else can: the heap hands out low frames first. */
    mm_trampoline_mfn = boot_alloc_take(&boot_mem, 1, 1, 0x100);
    build_idle_page_tables(ram_end);
    enable_paging_features();
    write_cr3(__pa(idle_pg_table));
    frame_table_init(ram_end);
    printk("Memory: %lu KiB RAM, %lu KiB free; frame table: %lu frames, %lu KiB\n",
           (unsigned long)(mm_total_ram() >> 10), heap_free_frames() * 4, max_page,
           (unsigned long)(max_page * sizeof(struct page_info)) >> 10);
}
