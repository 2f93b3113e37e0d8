/* SPDX-License-Identifier: MIT */
/*
 * Suite "mmu": the PV MMU as a kernel uses it. Page tables are built in
 * frames we own, write-protected, and handed to Xen (mmu_update, pins,
 * base pointers); Xen validates them and the hardware walks them.
 * Every case works in L4 slot MMU_SLOT of the kernel's tables (free, and
 * outside Xen's slots 256-271) and leaves everything as it found it.
 */
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define MMU_SLOT 300
#define MMU_VA   (0xffff000000000000UL | ((unsigned long)MMU_SLOT << 39))

/* An L3 -> L2 -> L1 chain mapping MMU_VA (the L1 entry may stay empty). */
struct mmu_tree {
    unsigned long l3, l2, l1; /* pfns */
};

static uint64_t mmu_pte(unsigned long pfn, uint64_t flags)
{
    return ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) | flags;
}

static uint64_t mmu_maddr(unsigned long pfn, unsigned int index)
{
    return ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) + index * 8;
}

/* Fills the three frames while writable, then write-protects them. */
static long mmu_tree_build(struct mmu_tree *t, unsigned long data_pfn)
{
    uint64_t *l3, *l2, *l1;
    long rc = 0;

    t->l3 = mm_page_alloc();
    t->l2 = mm_page_alloc();
    t->l1 = mm_page_alloc();
    if (!t->l3 || !t->l2 || !t->l1)
        return -ENOMEM;
    l3 = mm_pfn_to_virt(t->l3);
    l2 = mm_pfn_to_virt(t->l2);
    l1 = mm_pfn_to_virt(t->l1);
    l3[mm_table_index(MMU_VA, 3)] = mmu_pte(t->l2, PTE_TABLE);
    l2[mm_table_index(MMU_VA, 2)] = mmu_pte(t->l1, PTE_TABLE);
    if (data_pfn)
        l1[mm_table_index(MMU_VA, 1)] = mmu_pte(data_pfn, PTE_PAGE);
    rc = mm_set_readonly(t->l3, true);
    if (!rc)
        rc = mm_set_readonly(t->l2, true);
    if (!rc)
        rc = mm_set_readonly(t->l1, true);
    return rc;
}

static void mmu_tree_free(struct mmu_tree *t)
{
    unsigned long pfns[3] = {t->l3, t->l2, t->l1};

    for (int i = 0; i < 3; i++)
        if (pfns[i] && mm_pt_free(pfns[i]))
            test_fail(__FILE__, __LINE__, "table frame %d still typed", i);
}

static uint64_t mmu_l4e_maddr(unsigned long l4_mfn)
{
    return ((uint64_t)l4_mfn << PAGE_SHIFT) + MMU_SLOT * 8;
}

static long mmu_link(unsigned long l4_mfn, const struct mmu_tree *t)
{
    return mm_entry_write(mmu_l4e_maddr(l4_mfn), mmu_pte(t->l3, PTE_TABLE));
}

static long mmu_unlink(unsigned long l4_mfn)
{
    return mm_entry_write(mmu_l4e_maddr(l4_mfn), 0);
}

/* Reads MMU_VA; returns ~0 after a #PF (recorded in trap_last). */
static unsigned long mmu_probe_read(void)
{
    unsigned long v = ~0UL;

    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(MMU_VA) : "memory");
    trap_disarm();
    return v;
}

static void mmu_build_and_map(void)
{
    unsigned long data = mm_page_alloc();
    struct mmu_tree t = {0};

    CHECK(data);
    *(volatile unsigned long *)mm_pfn_to_virt(data) = 0xfeedface;
    CHECK_EQ(mmu_tree_build(&t, data), 0);
    CHECK_EQ(mmu_link(mm_kernel_l4_mfn, &t), 0);
    CHECK_EQ(mmu_probe_read(), 0xfeedface);
    *(volatile unsigned long *)MMU_VA = 0xc0ffee;
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(data), 0xc0ffee);
    CHECK_EQ(mmu_unlink(mm_kernel_l4_mfn), 0);
    CHECK_EQ(mmu_probe_read(), ~0UL);
    CHECK(trap_last.hit && trap_last.cr2 == MMU_VA);
    mmu_tree_free(&t);
    mm_page_free(data);
}

static void mmu_pin_unpin(void)
{
    static const unsigned int pins[] = {MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                        MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE};
    unsigned long pt = mm_pt_alloc();

    CHECK(pt);
    for (unsigned int i = 0; i < ARRAY_SIZE(pins); i++) {
        unsigned long mfn = mm_pfn_to_mfn(pt);

        CHECK_EQ(hypercall_mmuext_mfn(pins[i], mfn), 0);
        /* Pinned twice, or a writable mapping of a pinned table: refused. */
        CHECK_EQ(hypercall_mmuext_mfn(pins[i], mfn), -EINVAL);
        CHECK(mm_set_readonly(pt, false) < 0);
        CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn), 0);
        CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mfn), -EINVAL);
    }
    /*
     * Validating an L4 writes Xen's own slots into it, but not the
     * read-only M2P (slot 256): without VMASST m2p_strict Xen adds that
     * one when the table becomes a base pointer (see new_baseptr).
     */
    CHECK_EQ(((uint64_t *)mm_pfn_to_virt(pt))[256], 0);
    CHECK_EQ(mm_pt_free(pt), 0);
}

static void mmu_update_va_mapping(void)
{
    unsigned long a = mm_page_alloc(), b = mm_page_alloc();
    struct mmu_tree t = {0};

    CHECK(a && b);
    *(volatile unsigned long *)mm_pfn_to_virt(a) = 0xaaaa;
    *(volatile unsigned long *)mm_pfn_to_virt(b) = 0xbbbb;
    CHECK_EQ(mmu_tree_build(&t, 0), 0);
    CHECK_EQ(mmu_link(mm_kernel_l4_mfn, &t), 0);
    CHECK_EQ(mmu_probe_read(), ~0UL);
    CHECK_EQ(HYPERVISOR_update_va_mapping(MMU_VA, mmu_pte(a, PTE_PAGE), UVMF_INVLPG), 0);
    CHECK_EQ(mmu_probe_read(), 0xaaaa);
    CHECK_EQ(HYPERVISOR_update_va_mapping(MMU_VA, mmu_pte(b, PTE_PAGE), UVMF_INVLPG), 0);
    CHECK_EQ(mmu_probe_read(), 0xbbbb);
    CHECK_EQ(HYPERVISOR_update_va_mapping(MMU_VA, mmu_pte(a, PTE_PAGE), UVMF_TLB_FLUSH | UVMF_ALL),
             0);
    CHECK_EQ(mmu_probe_read(), 0xaaaa);
    /* No flush requested: an explicit INVLPG makes the change visible. */
    CHECK_EQ(HYPERVISOR_update_va_mapping(MMU_VA, mmu_pte(b, PTE_PAGE), UVMF_NONE), 0);
    {
        struct mmuext_op op = {.cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = MMU_VA};

        CHECK_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    }
    CHECK_EQ(mmu_probe_read(), 0xbbbb);
    CHECK_EQ(HYPERVISOR_update_va_mapping(MMU_VA, 0, UVMF_INVLPG), 0);
    CHECK_EQ(mmu_probe_read(), ~0UL);
    CHECK_EQ(mmu_unlink(mm_kernel_l4_mfn), 0);
    mmu_tree_free(&t);
    mm_page_free(a);
    mm_page_free(b);
}

static void mmu_preserve_ad(void)
{
    unsigned long a = mm_page_alloc();
    struct mmu_tree t = {0};
    uint64_t l1e, pte;
    const uint64_t bare = PTE_P | PTE_RW | PTE_US;

    CHECK(a);
    CHECK_EQ(mmu_tree_build(&t, 0), 0);
    CHECK_EQ(mmu_link(mm_kernel_l4_mfn, &t), 0);
    l1e = mmu_maddr(t.l1, mm_table_index(MMU_VA, 1));
    CHECK_EQ(mm_entry_write(l1e, mmu_pte(a, bare)), 0);
    /* Xen may add GLOBAL to a kernel mapping (it does without XPTI). */
    test_info("L1 entry as written %#lx, as stored %#lx", mmu_pte(a, bare), mm_entry_read(l1e));
    CHECK_EQ(mm_entry_read(l1e) & ~PTE_G, mmu_pte(a, bare));
    CHECK((mm_entry_read(l1e) & (PTE_A | PTE_D)) == 0);
    *(volatile unsigned long *)MMU_VA = 1; /* the CPU sets A and D */
    CHECK((mm_entry_read(l1e) & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    CHECK_EQ(hypercall_mmu_one(l1e | MMU_PT_UPDATE_PRESERVE_AD, mmu_pte(a, bare)), 0);
    pte = mm_entry_read(l1e);
    CHECK((pte & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    CHECK_EQ(mm_entry_write(l1e, mmu_pte(a, bare)), 0);
    CHECK((mm_entry_read(l1e) & (PTE_A | PTE_D)) == 0);
    CHECK_EQ(mm_entry_write(l1e, 0), 0);
    CHECK_EQ(mmu_unlink(mm_kernel_l4_mfn), 0);
    mmu_tree_free(&t);
    mm_page_free(a);
}

static void mmu_machphys_update(void)
{
    unsigned long pfn = mm_page_alloc(), mfn;

    CHECK(pfn);
    mfn = mm_pfn_to_mfn(pfn);
    CHECK_EQ(M2P[mfn], pfn);
    CHECK_EQ(hypercall_mmu_one(((uint64_t)mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0x12345), 0);
    CHECK_EQ(M2P[mfn], 0x12345);
    CHECK_EQ(hypercall_mmu_one(((uint64_t)mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, pfn), 0);
    CHECK_EQ(M2P[mfn], pfn);
    mm_page_free(pfn);
}

/* A second kernel L4: a copy of ours (minus Xen's slots), plus slot MMU_SLOT. */
static void mmu_new_baseptr(void)
{
    unsigned long l4 = mm_page_alloc(), data = mm_page_alloc(), l4_mfn;
    const uint64_t *cur = mm_pfn_to_virt(mm_mfn_to_pfn(mm_kernel_l4_mfn));
    uint64_t *copy = mm_pfn_to_virt(l4);
    struct mmu_tree t = {0};

    CHECK(l4 && data);
    *(volatile unsigned long *)mm_pfn_to_virt(data) = 0x5eed;
    for (unsigned int i = 0; i < 512; i++)
        copy[i] = (i >= 256 && i < 272) ? 0 : cur[i];
    CHECK_EQ(mm_set_readonly(l4, true), 0);
    l4_mfn = mm_pfn_to_mfn(l4);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L4_TABLE, l4_mfn), 0);
    CHECK_EQ(copy[256], 0);
    CHECK_EQ(mmu_tree_build(&t, data), 0);
    CHECK_EQ(mmu_link(l4_mfn, &t), 0);
    CHECK_EQ(mmu_probe_read(), ~0UL); /* not in the tables we run on */
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_NEW_BASEPTR, l4_mfn), 0);
    CHECK_EQ(mmu_probe_read(), 0x5eed);
    CHECK_EQ(copy[256], cur[256]); /* the M2P is mapped now */
    CHECK_EQ(M2P[mm_pfn_to_mfn(l4)], l4);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_NEW_BASEPTR, mm_kernel_l4_mfn), 0);
    CHECK_EQ(mmu_probe_read(), ~0UL);
    CHECK_EQ(mmu_unlink(l4_mfn), 0);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, l4_mfn), 0);
    CHECK_EQ(mm_pt_free(l4), 0);
    mmu_tree_free(&t);
    mm_page_free(data);
}

static void mmu_tlb_flushes(void)
{
    unsigned long mask = 1; /* vCPU 0 */
    struct mmuext_op ops[] = {
        {.cmd = MMUEXT_TLB_FLUSH_LOCAL},
        {.cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = VIRT_BASE},
        {.cmd = MMUEXT_TLB_FLUSH_MULTI, .arg2.vcpumask = {&mask}},
        {.cmd = MMUEXT_INVLPG_MULTI, .arg1.linear_addr = VIRT_BASE, .arg2.vcpumask = {&mask}},
        {.cmd = MMUEXT_TLB_FLUSH_ALL},
        {.cmd = MMUEXT_INVLPG_ALL, .arg1.linear_addr = VIRT_BASE},
    };
    unsigned int done = 0;

    CHECK_EQ(HYPERVISOR_mmuext_op(ops, ARRAY_SIZE(ops), &done, DOMID_SELF), 0);
    CHECK_EQ(done, ARRAY_SIZE(ops));
}

/* Gives one frame back to Xen and takes a fresh one in its place. */
static void mmu_reservation_exchange(void)
{
    domid_t self = DOMID_SELF;
    unsigned long pfn = mm_page_alloc(), va, mfn, nr;
    xen_pfn_t extent;
    struct xen_memory_reservation r = {.nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF};

    CHECK(pfn);
    va = (unsigned long)mm_pfn_to_virt(pfn);
    mfn = mm_pfn_to_mfn(pfn);
    nr = (unsigned long)HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    CHECK_EQ(HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG), 0);
    extent = mfn;
    set_xen_guest_handle(r.extent_start, &extent);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 1);
    mm_p2m[pfn] = ~0UL;
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, &self), nr - 1);
    extent = 0;
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 1);
    CHECK(extent != 0);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, &self), nr);
    CHECK_EQ(hypercall_mmu_one(((uint64_t)extent << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, pfn), 0);
    mm_p2m[pfn] = extent;
    CHECK_EQ(HYPERVISOR_update_va_mapping(va, mmu_pte(pfn, PTE_PAGE), UVMF_INVLPG), 0);
    *(volatile unsigned long *)va = 0x600d;
    CHECK_EQ(*(volatile unsigned long *)va, 0x600d);
    mm_page_free(pfn);
}

/* Stores `v` at p, a read-only page-table slot; true if it came back as #PF. */
static bool mmu_store_faults(volatile uint64_t *p, uint64_t v)
{
    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: movq %1, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(p), "r"(v) : "memory");
    return trap_caught(14);
}

/*
 * Writable page tables: a plain store into a read-only page table is done
 * by the hypervisor as a validated update (Xen 4.17 does so even before
 * the guest enables VMASST writable_pagetables); a store the rules refuse
 * is the guest's own #PF, and the entry keeps its value.
 */
static void mmu_writable_pagetables(void)
{
    unsigned long data = mm_page_alloc();
    struct mmu_tree t = {0};
    volatile uint64_t *l1e;

    CHECK(data);
    *(volatile unsigned long *)mm_pfn_to_virt(data) = 0x5151;
    CHECK_EQ(mmu_tree_build(&t, 0), 0);
    CHECK_EQ(mmu_link(mm_kernel_l4_mfn, &t), 0);
    l1e = (volatile uint64_t *)mm_pfn_to_virt(t.l1) + mm_table_index(MMU_VA, 1);
    CHECK(!mmu_store_faults(l1e, mmu_pte(data, PTE_PAGE)));
    CHECK_EQ(*l1e >> PAGE_SHIFT, mm_pfn_to_mfn(data));
    CHECK_EQ(mmu_probe_read(), 0x5151);
    /* Mapping a page table writable stays refused, store or not. */
    CHECK(mmu_store_faults(l1e, mmu_pte(t.l1, PTE_PAGE)));
    CHECK_EQ(*l1e >> PAGE_SHIFT, mm_pfn_to_mfn(data));
    CHECK(!mmu_store_faults(l1e, 0));
    CHECK_EQ(mmu_unlink(mm_kernel_l4_mfn), 0);
    mmu_tree_free(&t);
    mm_page_free(data);
}

static const struct test_case mmu_cases[] = {
    {"build_and_map", mmu_build_and_map},
    {"pin_unpin", mmu_pin_unpin},
    {"update_va_mapping", mmu_update_va_mapping},
    {"preserve_ad", mmu_preserve_ad},
    {"machphys_update", mmu_machphys_update},
    {"new_baseptr", mmu_new_baseptr},
    {"tlb_flushes", mmu_tlb_flushes},
    {"reservation_exchange", mmu_reservation_exchange},
    {"writable_pagetables", mmu_writable_pagetables},
};
TEST_SUITE(test_suite_mmu, "mmu", mmu_cases);
