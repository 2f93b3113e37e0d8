/* SPDX-License-Identifier: MIT */
/*
 * Suite "grant_hostile" (Xenolith-only): a guest that tries to break the
 * rules of grant mappings with its own grants. A grant PTE belongs to the
 * hypervisor (bit 52 marks it): the guest may neither write it, nor make
 * one, nor drop it behind the hypervisor's back, nor unmap a mapping it
 * does not name exactly. Every attempt must be refused and leave the
 * mapping, the entry and the page tables as they were.
 * The table's own frames, which the hypervisor writes, never become page
 * tables either.
 *
 * Unlike Xen, which crashes a domain that drops a grant PTE by unlinking
 * its L1, Xenolith keeps the mapping (its references are the maptrack
 * entry's) until unmap: unlink_table checks that design.
 */
#include "grant_peer.h"

#define HVA        GRANT_MAP_VA /* our grant mappings */
#define HVA2       (GRANT_MAP_VA + PAGE_SIZE)
#define GNT_BIT    (1UL << 52) /* _PAGE_GNTTAB */
#define XEN_MFN    0x200       /* the hypervisor image, loaded at 2 MiB */
#define FREE_SLOT  303         /* an L4 slot no suite uses */
#define HANDLE_NIL 1000        /* below the maptrack's end, never issued here */

_Static_assert(GNTST_eagain == -12, "GNTST_eagain");

static uint64_t hostile_l4e(unsigned int slot)
{
    return ((uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT) + slot * 8;
}

/* The L1 entry for va, through the L1's own (read-only) 1:1 view. */
static unsigned long hostile_l1e_view(unsigned long va)
{
    uint64_t maddr = grant_l1e_maddr(va);

    return (unsigned long)mm_pfn_to_virt(mm_mfn_to_pfn(maddr >> PAGE_SHIFT)) + (maddr & ~PAGE_MASK);
}

static struct gnttab_map_grant_ref hostile_map(unsigned long va, grant_ref_t ref)
{
    struct gnttab_map_grant_ref op = grant_map(va, GNTMAP_host_map, ref, GRANT_SELF);

    if (op.status != GNTST_okay) {
        test_fail(__FILE__, __LINE__, "map of ref %u: %d", ref, op.status);
        test_abort();
    }
    return op;
}

/* mmu_update, update_va_mapping and plain stores at a grant PTE: all refused. */
static void hostile_pte_write(void)
{
    unsigned long pfn = grant_page(0x4841), other = grant_page(0x0707);
    uint64_t maddr = grant_l1e_maddr(HVA), pte, plain = grant_pte(other, PTE_PAGE);
    struct gnttab_map_grant_ref op;
    const struct {
        const char *what;
        uint64_t ptr, val;
    } writes[] = {
        {"clear", maddr | MMU_NORMAL_PT_UPDATE, 0},
        {"another frame", maddr | MMU_NORMAL_PT_UPDATE, plain},
        {"preserve A/D", maddr | MMU_PT_UPDATE_PRESERVE_AD, plain},
        {"no-translate", maddr | MMU_PT_UPDATE_NO_TRANSLATE, 0},
    };

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = hostile_map(HVA, GRANT_REF);
    pte = grant_l1e(HVA);
    CHECK(pte & GNT_BIT);
    for (unsigned int i = 0; i < ARRAY_SIZE(writes); i++) {
        long rc = hypercall_mmu_one(writes[i].ptr, writes[i].val);

        test_info("mmu_update %s: %ld", writes[i].what, rc);
        CHECK_EQ(rc, -EINVAL);
        CHECK_EQ(grant_l1e(HVA), pte);
    }
    /* The grant PTE as an ordinary one, same frame: still not ours to write. */
    CHECK_EQ(hypercall_mmu_one(maddr | MMU_NORMAL_PT_UPDATE, pte & ~GNT_BIT), -EINVAL);
    CHECK_EQ(HYPERVISOR_update_va_mapping(HVA, 0, UVMF_INVLPG), -EINVAL);
    CHECK_EQ(HYPERVISOR_update_va_mapping(HVA, plain, UVMF_INVLPG), -EINVAL);
    /* A store into the L1 (emulated for read-only page tables) faults instead. */
    CHECK(grant_store_faults(hostile_l1e_view(HVA), 0));
    CHECK(grant_store_faults(hostile_l1e_view(HVA), plain));
    CHECK_EQ(grant_l1e(HVA), pte);
    CHECK_EQ(grant_probe_read(HVA), 0x4841);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(grant_unmap(HVA, op.handle), GNTST_okay);
    /* The same slot, an ordinary PTE again, takes all of them. */
    CHECK_EQ(HYPERVISOR_update_va_mapping(HVA, plain, UVMF_INVLPG), 0);
    CHECK_EQ(grant_probe_read(HVA), 0x0707);
    CHECK(!grant_store_faults(hostile_l1e_view(HVA), 0));
    CHECK_EQ(grant_l1e(HVA), 0);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
    mm_page_free(other);
}

/* Bit 52 in an entry the guest writes: refused at every level and path. */
static void hostile_gnttab_bit(void)
{
    unsigned long pfn = grant_page(0x6262), l1 = mm_pt_alloc();
    uint64_t pte = grant_pte(pfn, PTE_PAGE), maddr = grant_l1e_maddr(HVA);
    uint64_t l2e = mm_entry_maddr(mm_kernel_l4_mfn, GRANT_NO_L1_VA, 2);

    CHECK(l1 && l2e);
    CHECK_EQ(mm_entry_read(l2e), 0);
    CHECK_EQ(hypercall_mmu_one(maddr | MMU_NORMAL_PT_UPDATE, pte | GNT_BIT), -EINVAL);
    CHECK_EQ(hypercall_mmu_one(maddr | MMU_NORMAL_PT_UPDATE, (pte & ~PTE_RW) | GNT_BIT), -EINVAL);
    CHECK_EQ(hypercall_mmu_one(maddr | MMU_PT_UPDATE_PRESERVE_AD, pte | GNT_BIT), -EINVAL);
    CHECK_EQ(HYPERVISOR_update_va_mapping(HVA, pte | GNT_BIT, UVMF_INVLPG), -EINVAL);
    CHECK(grant_store_faults(hostile_l1e_view(HVA), pte | GNT_BIT));
    CHECK_EQ(grant_l1e(HVA), 0);
    CHECK_EQ(hypercall_mmu_one(l2e | MMU_NORMAL_PT_UPDATE, grant_pte(l1, PTE_TABLE) | GNT_BIT),
             -EINVAL);
    CHECK_EQ(mm_entry_read(l2e), 0);
    /* Without it, the same entries are accepted. */
    CHECK_EQ(HYPERVISOR_update_va_mapping(HVA, pte, UVMF_INVLPG), 0);
    CHECK_EQ(grant_probe_read(HVA), 0x6262);
    CHECK_EQ(HYPERVISOR_update_va_mapping(HVA, 0, UVMF_INVLPG), 0);
    CHECK_EQ(hypercall_mmu_one(l2e | MMU_NORMAL_PT_UPDATE, grant_pte(l1, PTE_TABLE)), 0);
    CHECK_EQ(hypercall_mmu_one(l2e | MMU_NORMAL_PT_UPDATE, 0), 0);
    CHECK_EQ(mm_pt_free(l1), 0);
    mm_page_free(pfn);
}

/* Unmaps that do not name a mapping exactly: refused, both mappings intact. */
static void hostile_forged_unmap(void)
{
    unsigned long pa = grant_page(0xa1), pb = grant_page(0xb2);
    struct gnttab_map_grant_ref a, b;
    struct gnttab_unmap_grant_ref un;
    struct gnttab_unmap_and_replace r;
    uint64_t pte_a, pte_b;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pa), false);
    gnttab_grant(GRANT_REF + 1, GRANT_SELF, mm_pfn_to_mfn(pb), false);
    a = hostile_map(HVA, GRANT_REF);
    b = hostile_map(HVA2, GRANT_REF + 1);
    pte_a = grant_l1e(HVA);
    pte_b = grant_l1e(HVA2);
    CHECK_EQ(grant_unmap(HVA, HANDLE_NIL), GNTST_bad_handle);
    CHECK_EQ(grant_unmap(HVA, 0xffff), GNTST_bad_handle);
    CHECK_EQ(grant_unmap(HVA, b.handle), GNTST_general_error);
    CHECK_EQ(grant_unmap(grant_l1e_maddr(HVA), b.handle), GNTST_general_error);
    CHECK_EQ(grant_unmap(grant_l1e_maddr(HVA) + 8, a.handle), GNTST_general_error);
    CHECK_EQ(grant_unmap(HV_VA, a.handle), GNTST_general_error);
    un = (struct gnttab_unmap_grant_ref){.dev_bus_addr = b.dev_bus_addr, .handle = a.handle};
    CHECK_EQ(grant_op(GNTTABOP_unmap_grant_ref, &un, 1), 0);
    CHECK_EQ(un.status, GNTST_bad_dev_addr);
    r = (struct gnttab_unmap_and_replace){.host_addr = HVA, .handle = b.handle};
    CHECK_EQ(grant_op(GNTTABOP_unmap_and_replace, &r, 1), 0);
    CHECK_EQ(r.status, GNTST_general_error);
    /* Nothing moved. */
    CHECK_EQ(grant_l1e(HVA), pte_a);
    CHECK_EQ(grant_l1e(HVA2), pte_b);
    CHECK_EQ(grant_probe_read(HVA), 0xa1);
    CHECK_EQ(grant_probe_read(HVA2), 0xb2);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(gnttab_flags(GRANT_REF + 1), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(grant_unmap(HVA, a.handle), GNTST_okay);
    CHECK_EQ(grant_unmap(HVA2, b.handle), GNTST_okay);
    /* A handle that was: now nobody's. */
    CHECK_EQ(grant_unmap(HVA, a.handle), GNTST_bad_handle);
    CHECK(gnttab_end(GRANT_REF));
    CHECK(gnttab_end(GRANT_REF + 1));
    mm_page_free(pa);
    mm_page_free(pb);
}

/* GNTMAP_contains_pte with an address that is no L1 slot of ours. */
static void hostile_contains_pte(void)
{
    unsigned long pfn = grant_page(0xc3);
    uint64_t gtab = grant_l1e(GRANT_TABLE_VA) & PTE_ADDR_MASK;
    const struct {
        const char *what;
        uint64_t maddr;
        bool ours; /* readable through our 1:1 map */
    } slots[] = {
        {"L2 entry in use", mm_entry_maddr(mm_kernel_l4_mfn, HVA, 2), true},
        {"empty L2 entry", mm_entry_maddr(mm_kernel_l4_mfn, GRANT_NO_L1_VA, 2), true},
        {"L3 entry", mm_entry_maddr(mm_kernel_l4_mfn, HVA, 3), true},
        {"empty L4 entry", hostile_l4e(FREE_SLOT), true},
        {"L4 hypervisor slot", hostile_l4e(256), true},
        {"misaligned, in the L1", grant_l1e_maddr(HVA) + 4, false},
        {"grant table frame", gtab + GRANT_REF * 8, false},
        {"hypervisor image", (uint64_t)XEN_MFN << PAGE_SHIFT, false},
    };
    uint32_t flags = GNTMAP_host_map | GNTMAP_contains_pte;
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    for (unsigned int i = 0; i < ARRAY_SIZE(slots); i++) {
        uint64_t before = slots[i].ours ? mm_entry_read(slots[i].maddr) : 0;

        op = grant_map(slots[i].maddr, flags, GRANT_REF, GRANT_SELF);
        test_info("%s (%#lx): status %d", slots[i].what, slots[i].maddr, op.status);
        if (op.status == GNTST_okay)
            grant_unmap(slots[i].maddr, op.handle);
        CHECK_EQ(op.status, GNTST_general_error);
        if (slots[i].ours)
            CHECK_EQ(mm_entry_read(slots[i].maddr), before);
        CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    }
    CHECK_EQ(grant_l1e(HVA), 0);
    CHECK_EQ(gnttab_table[GRANT_REF].frame, mm_pfn_to_mfn(pfn));
    /* The L1 slot itself is fine. */
    op = grant_map(grant_l1e_maddr(HVA), flags, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(grant_probe_read(HVA), 0xc3);
    CHECK_EQ(grant_unmap(grant_l1e_maddr(HVA), op.handle), GNTST_okay);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* A slot that holds a grant mapping belongs to it: no map or replace over it. */
static void hostile_map_over_grant(void)
{
    unsigned long pa = grant_page(0xd4), pb = grant_page(0xe5);
    struct gnttab_map_grant_ref a, b, op;
    struct gnttab_unmap_and_replace r;
    uint64_t pte_a, pte_b;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pa), false);
    gnttab_grant(GRANT_REF + 1, GRANT_SELF, mm_pfn_to_mfn(pb), false);
    a = hostile_map(HVA, GRANT_REF);
    pte_a = grant_l1e(HVA);
    op = grant_map(HVA, GNTMAP_host_map, GRANT_REF + 1, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_general_error);
    op = grant_map(grant_l1e_maddr(HVA), GNTMAP_host_map | GNTMAP_contains_pte, GRANT_REF + 1,
                   GRANT_SELF);
    CHECK_EQ(op.status, GNTST_general_error);
    CHECK_EQ(gnttab_flags(GRANT_REF + 1), GTF_permit_access);
    CHECK_EQ(grant_l1e(HVA), pte_a);
    b = hostile_map(HVA2, GRANT_REF + 1);
    pte_b = grant_l1e(HVA2);
    /* Moving b's grant PTE into a's slot, either way round. */
    r = (struct gnttab_unmap_and_replace){.host_addr = HVA, .new_addr = HVA2, .handle = a.handle};
    CHECK_EQ(grant_op(GNTTABOP_unmap_and_replace, &r, 1), 0);
    CHECK_EQ(r.status, GNTST_general_error);
    r = (struct gnttab_unmap_and_replace){.host_addr = HVA2, .new_addr = HVA, .handle = b.handle};
    CHECK_EQ(grant_op(GNTTABOP_unmap_and_replace, &r, 1), 0);
    CHECK_EQ(r.status, GNTST_general_error);
    CHECK_EQ(grant_l1e(HVA), pte_a);
    CHECK_EQ(grant_l1e(HVA2), pte_b);
    CHECK_EQ(grant_probe_read(HVA), 0xd4);
    CHECK_EQ(grant_probe_read(HVA2), 0xe5);
    CHECK_EQ(grant_unmap(HVA, a.handle), GNTST_okay);
    CHECK_EQ(grant_unmap(HVA2, b.handle), GNTST_okay);
    CHECK(gnttab_end(GRANT_REF));
    CHECK(gnttab_end(GRANT_REF + 1));
    mm_page_free(pa);
    mm_page_free(pb);
}

/* swap_grant_ref with an entry in use: GNTST_eagain, nothing moves. */
static void hostile_swap_in_use(void)
{
    unsigned long pfn = grant_page(0xf6);
    struct gnttab_swap_grant_ref swap = {.ref_a = GRANT_REF, .ref_b = GRANT_REF + 1};
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), true);
    op = grant_map(HVA, GNTMAP_host_map | GNTMAP_readonly, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_eagain);
    swap = (struct gnttab_swap_grant_ref){.ref_a = GRANT_REF + 1, .ref_b = GRANT_REF};
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_eagain);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ(gnttab_flags(GRANT_REF + 1), 0);
    CHECK_EQ(gnttab_table[GRANT_REF].frame, mm_pfn_to_mfn(pfn));
    CHECK_EQ(grant_unmap(HVA, op.handle), GNTST_okay);
    /* Once unused, the same swap goes through. */
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), 0);
    CHECK_EQ(gnttab_flags(GRANT_REF + 1), GTF_permit_access | GTF_readonly);
    CHECK(gnttab_end(GRANT_REF + 1));
    mm_page_free(pfn);
}

/* A grant naming a frame we do not own: no map, no copy either way. */
static void hostile_bad_frame(void)
{
    unsigned long local = grant_page(0x99);
    unsigned long frames[] = {
        XEN_MFN,
        0,
        (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL) + 1,
    };
    struct gnttab_copy into = {
        .source = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF},
        .dest = {.u.ref = GRANT_REF, .domid = GRANT_SELF},
        .len = 8,
        .flags = GNTCOPY_dest_gref,
    };
    struct gnttab_copy from = {
        .source = {.u.ref = GRANT_REF, .domid = GRANT_SELF},
        .dest = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF},
        .len = 8,
        .flags = GNTCOPY_source_gref,
    };

    grant_need_table();
    for (unsigned int i = 0; i < ARRAY_SIZE(frames); i++) {
        struct gnttab_map_grant_ref op;
        struct gnttab_copy direct = into;

        gnttab_grant(GRANT_REF, GRANT_SELF, frames[i], false);
        op = grant_map(HVA, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
        test_info("frame %#lx: map %d", frames[i], op.status);
        if (op.status == GNTST_okay)
            grant_unmap(HVA, op.handle);
        CHECK_EQ(op.status, GNTST_bad_page);
        CHECK_EQ(grant_l1e(HVA), 0);
        op = grant_map(0, GNTMAP_device_map, GRANT_REF, GRANT_SELF);
        CHECK_EQ(op.status, GNTST_bad_page);
        CHECK_EQ(peer_copy(into), GNTST_bad_page);
        CHECK_EQ(peer_copy(from), GNTST_bad_page);
        direct.flags = 0;
        direct.dest.u.gmfn = frames[i];
        direct.dest.domid = DOMID_SELF;
        CHECK_EQ(peer_copy(direct), GNTST_bad_page);
        CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
        CHECK(gnttab_end(GRANT_REF));
    }
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(local), 0x99);
    mm_page_free(local);
}

/*
 * Unlinking the L1 that holds a grant PTE does not end the mapping: the
 * grant stays in use, the L1 cannot come back as a table with the stale
 * grant PTE in it, and unmap by the PTE's address still ends it.
 */
static void hostile_unlink_table(void)
{
    unsigned long pfn = grant_page(0x5eed), l1 = mm_pt_alloc();
    uint64_t l2e = mm_entry_maddr(mm_kernel_l4_mfn, GRANT_NO_L1_VA, 2), pte_maddr;
    struct gnttab_map_grant_ref op;
    long rc;

    CHECK(l1 && l2e);
    grant_need_table();
    pte_maddr = ((uint64_t)mm_pfn_to_mfn(l1) << PAGE_SHIFT) + mm_table_index(GRANT_NO_L1_VA, 1) * 8;
    CHECK_EQ(hypercall_mmu_one(l2e | MMU_NORMAL_PT_UPDATE, grant_pte(l1, PTE_TABLE)), 0);
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = hostile_map(GRANT_NO_L1_VA, GRANT_REF);
    CHECK_EQ(grant_probe_read(GRANT_NO_L1_VA), 0x5eed);
    rc = hypercall_mmu_one(l2e | MMU_NORMAL_PT_UPDATE, 0);
    test_info("unlink: %ld, flags %#x, L1 entry %#lx", rc, gnttab_flags(GRANT_REF),
              mm_entry_read(pte_maddr));
    CHECK_EQ(rc, 0);
    CHECK_EQ(grant_probe_read(GRANT_NO_L1_VA), ~0UL);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK(!gnttab_end(GRANT_REF));
    /* The stale grant PTE keeps the frame from being a table again. */
    rc = hypercall_mmu_one(l2e | MMU_NORMAL_PT_UPDATE, grant_pte(l1, PTE_TABLE));
    test_info("relink: %ld", rc);
    CHECK_EQ(rc, -EINVAL);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mm_pfn_to_mfn(l1)), -EINVAL);
    CHECK_EQ(mm_entry_read(l2e), 0);
    /* No L1 at the VA names the PTE now; its machine address still does. */
    CHECK_EQ(grant_unmap(GRANT_NO_L1_VA, op.handle), GNTST_general_error);
    CHECK_EQ(grant_unmap(pte_maddr, op.handle), GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    CHECK_EQ(mm_pt_free(l1), 0);
    mm_page_free(pfn);
}

/*
 * The hypervisor writes the in-use flags into grant-table frames: one of
 * them must never become a page table (Xen keeps them typed writable).
 */
static void hostile_table_frame_as_table(void)
{
    xen_pfn_t frames[2] = {0, 0};
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 2};
    static const unsigned int pins[] = {MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                        MMUEXT_PIN_L4_TABLE};

    grant_need_table();
    set_xen_guest_handle(st.frame_list, frames);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &st, 1), 0);
    CHECK_EQ(st.status, GNTST_okay);
    /* Frame 1 is all zeros and mapped nowhere: only the type rule can say no. */
    for (unsigned int i = 0; i < ARRAY_SIZE(pins); i++) {
        long rc = hypercall_mmuext_mfn(pins[i], frames[1]);

        test_info("pin %u of table frame %#lx: %ld", pins[i], frames[1], rc);
        if (rc == 0)
            hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, frames[1]);
        CHECK_EQ(rc, -EINVAL);
    }
}

static const struct test_case grant_hostile_cases[] = {
    {"pte_write", hostile_pte_write},
    {"gnttab_bit", hostile_gnttab_bit},
    {"forged_unmap", hostile_forged_unmap},
    {"contains_pte", hostile_contains_pte},
    {"map_over_grant", hostile_map_over_grant},
    {"swap_in_use", hostile_swap_in_use},
    {"bad_frame", hostile_bad_frame},
    {"unlink_table", hostile_unlink_table},
    {"table_frame_as_table", hostile_table_frame_as_table},
};

const struct test_suite test_suite_grant_hostile = {
    .name = "grant_hostile",
    .cases = grant_hostile_cases,
    .count = ARRAY_SIZE(grant_hostile_cases),
    .setup = grant_peer_setup,
};
