/* SPDX-License-Identifier: MIT */
/*
 * Suite "grant", mappings: GNTTABOP_map_grant_ref / unmap_grant_ref of a
 * grant of our own, host mappings (a PTE Xen writes at host_addr, or at
 * the PTE address itself with GNTMAP_contains_pte) and device mappings,
 * what the entry's in-use bits say meanwhile, and every refusal.
 */
#include "grant_test.h"

void grant_map_host(void)
{
    unsigned long pfn = grant_page(0x1111);
    struct gnttab_map_grant_ref op;
    uint64_t pte;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    test_info("status %d handle %u dev_bus_addr %#lx", op.status, op.handle, op.dev_bus_addr);
    CHECK_EQ(op.status, GNTST_okay);
    pte = grant_l1e(GRANT_MAP_VA);
    test_info("pte %#lx flags %#x", pte, gnttab_flags(GRANT_REF));
    CHECK_EQ(pte & PTE_ADDR_MASK, (uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT);
    CHECK_EQ(pte & ~PTE_ADDR_MASK, GRANT_PTE_FLAGS | PTE_RW);
    CHECK_EQ(op.dev_bus_addr, (uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA), 0x1111);
    CHECK(!grant_store_faults(GRANT_MAP_VA, 0x2222));
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(pfn), 0x2222);
    /* In use: ending the grant is refused until the unmap. */
    CHECK(!gnttab_end(GRANT_REF));
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_okay);
    test_info("after unmap pte %#lx flags %#x", grant_l1e(GRANT_MAP_VA), gnttab_flags(GRANT_REF));
    CHECK_EQ(grant_l1e(GRANT_MAP_VA), 0);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA), ~0UL);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

void grant_map_readonly(void)
{
    unsigned long pfn = grant_page(0x3333);
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map | GNTMAP_readonly, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    test_info("pte %#lx flags %#x", grant_l1e(GRANT_MAP_VA), gnttab_flags(GRANT_REF));
    CHECK_EQ(grant_l1e(GRANT_MAP_VA) & ~PTE_ADDR_MASK, GRANT_PTE_FLAGS);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading);
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA), 0x3333);
    CHECK(grant_store_faults(GRANT_MAP_VA, 0x4444));
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(pfn), 0x3333);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    /* A read-only grant maps read-only, but not writable. */
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), true);
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    test_info("rw map of ro grant: status %d flags %#x", op.status, gnttab_flags(GRANT_REF));
    CHECK_EQ(op.status, GNTST_general_error);
    CHECK_EQ(grant_l1e(GRANT_MAP_VA), 0);
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map | GNTMAP_readonly, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_okay);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* Two mappings of one grant: the in-use bits stay until the last unmap. */
void grant_map_twice(void)
{
    unsigned long pfn = grant_page(0x5555);
    struct gnttab_map_grant_ref a, b;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    a = grant_map(GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    b = grant_map(GRANT_MAP_VA + PAGE_SIZE, GNTMAP_host_map | GNTMAP_readonly, GRANT_REF,
                  GRANT_SELF);
    CHECK_EQ(a.status, GNTST_okay);
    CHECK_EQ(b.status, GNTST_okay);
    test_info("handles %u %u", a.handle, b.handle);
    CHECK(a.handle != b.handle);
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA + PAGE_SIZE), 0x5555);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, a.handle), GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA + PAGE_SIZE, b.handle), GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* GNTMAP_device_map alone: a bus address for a device, no PTE. */
void grant_map_device(void)
{
    unsigned long pfn = grant_page(0xeeee);
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = grant_map(0, GNTMAP_device_map, GRANT_REF, GRANT_SELF);
    test_info("status %d handle %u dev_bus_addr %#lx flags %#x", op.status, op.handle,
              op.dev_bus_addr, gnttab_flags(GRANT_REF));
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(op.dev_bus_addr, (uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK(!gnttab_end(GRANT_REF));
    {
        struct gnttab_unmap_grant_ref un = {.dev_bus_addr = op.dev_bus_addr, .handle = op.handle};

        CHECK_EQ(grant_op(GNTTABOP_unmap_grant_ref, &un, 1), 0);
        CHECK_EQ(un.status, GNTST_okay);
    }
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* XENFEAT_gnttab_map_avail_bits: flags bits 16+ land in the PTE's available bits. */
void grant_map_avail_bits(void)
{
    /* Flags bits 16-18 become PTE bits 9-11; the ones above are dropped. */
    static const struct {
        uint32_t avail;
        uint64_t pte;
    } avail[] = {{1, 0x200}, {2, 0x400}, {4, 0x800}, {7, 0xe00}, {8, 0}, {0xffff, 0xe00}};
    unsigned long pfn = grant_page(0x6666);

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    for (unsigned int i = 0; i < ARRAY_SIZE(avail); i++) {
        uint32_t flags = GNTMAP_host_map | (avail[i].avail << _GNTMAP_guest_avail0);
        struct gnttab_map_grant_ref op = grant_map(GRANT_MAP_VA, flags, GRANT_REF, GRANT_SELF);
        uint64_t pte = grant_l1e(GRANT_MAP_VA);

        test_info("avail %#x: status %d pte %#lx", avail[i].avail, op.status, pte);
        CHECK_EQ(op.status, GNTST_okay);
        CHECK_EQ(pte & ~PTE_ADDR_MASK, GRANT_PTE_FLAGS | PTE_RW | avail[i].pte);
        CHECK_EQ(grant_probe_read(GRANT_MAP_VA), 0x6666);
        CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_okay);
    }
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* GNTMAP_contains_pte: host_addr is the machine address of the PTE itself. */
void grant_map_contains_pte(void)
{
    unsigned long pfn = grant_page(0xdddd);
    uint32_t flags = GNTMAP_host_map | GNTMAP_contains_pte;
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = grant_map(grant_l1e_maddr(GRANT_MAP_VA), flags, GRANT_REF, GRANT_SELF);
    test_info("status %d pte %#lx", op.status, grant_l1e(GRANT_MAP_VA));
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA), 0xdddd);
    {
        struct gnttab_unmap_grant_ref un = {.host_addr = grant_l1e_maddr(GRANT_MAP_VA),
                                            .handle = op.handle};

        CHECK_EQ(grant_op(GNTTABOP_unmap_grant_ref, &un, 1), 0);
        CHECK_EQ(un.status, GNTST_okay);
    }
    CHECK_EQ(grant_l1e(GRANT_MAP_VA), 0);
    /* A PTE address in a frame that is not a page table. */
    op = grant_map((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT, flags, GRANT_REF, GRANT_SELF);
    test_info("not a page table: status %d", op.status);
    CHECK_EQ(op.status, GNTST_general_error);
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(pfn), 0xdddd);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* What a map of the wrong thing returns; the VA stays unmapped. */
void grant_map_refusals(void)
{
    unsigned long pfn = grant_page(0x7777);
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    grant_ref_t end;
    struct {
        const char *what;
        unsigned long va;
        uint32_t flags;
        grant_ref_t ref;
        domid_t dom;
        int16_t status;
    } cases[] = {
        {"ref past the table", GRANT_MAP_VA, GNTMAP_host_map, 0, GRANT_SELF, GNTST_bad_gntref},
        {"ref ~0", GRANT_MAP_VA, GNTMAP_host_map, ~0U, GRANT_SELF, GNTST_bad_gntref},
        {"entry not granted", GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF + 1, GRANT_SELF,
         GNTST_general_error},
        {"granted to another domid", GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF + 2, GRANT_SELF,
         GNTST_general_error},
        {"dom DOMID_SELF", GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, DOMID_SELF, GNTST_bad_domain},
        {"no such domain", GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, GRANT_NO_DOMAIN,
         GNTST_bad_domain},
        {"no host_map/device_map", GRANT_MAP_VA, 0, GRANT_REF, GRANT_SELF, GNTST_bad_gntref},
        {"host_addr without L1", GRANT_NO_L1_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF,
         GNTST_general_error},
        {"host_addr in Xen", HV_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF, GNTST_general_error},
    };

    grant_need_table();
    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    end = q.nr_frames * GNTTAB_ENTRIES_PER_FRAME;
    cases[0].ref = end;
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    gnttab_grant(GRANT_REF + 2, 5, mm_pfn_to_mfn(pfn), false);
    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        struct gnttab_map_grant_ref op =
            grant_map(cases[i].va, cases[i].flags, cases[i].ref, cases[i].dom);

        test_info("%s: status %d handle %#x", cases[i].what, op.status, op.handle);
        if (op.status == GNTST_okay)
            grant_unmap(cases[i].va, op.handle);
        CHECK_EQ(op.status, cases[i].status);
        CHECK_EQ(grant_l1e(GRANT_MAP_VA), 0);
    }
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    CHECK(gnttab_end(GRANT_REF + 2));
    mm_page_free(pfn);
}

void grant_unmap_refusals(void)
{
    unsigned long pfn = grant_page(0x8888);
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    /* No mapping at all behind these handles. */
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, 0x7fff), GNTST_bad_handle);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, ~0U), GNTST_bad_handle);
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    /* The right handle at the wrong address. */
    {
        int16_t st = grant_unmap(GRANT_MAP_VA + PAGE_SIZE, op.handle);

        test_info("wrong host_addr: status %d flags %#x", st, gnttab_flags(GRANT_REF));
        CHECK_EQ(st, GNTST_general_error);
    }
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle + 1), GNTST_bad_handle);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_okay);
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_bad_handle);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}

/* A guest that clears its entry while the grant is mapped. */
void grant_end_while_mapped(void)
{
    unsigned long pfn = grant_page(0x9999);
    struct gnttab_map_grant_ref op;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK(!gnttab_end(GRANT_REF));
    gnttab_table[GRANT_REF].flags = 0;
    /* The mapping lives on; a new map of the cleared entry is refused. */
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA), 0x9999);
    {
        struct gnttab_map_grant_ref again =
            grant_map(GRANT_MAP_VA + PAGE_SIZE, GNTMAP_host_map, GRANT_REF, GRANT_SELF);

        test_info("map of cleared in-use entry: status %d flags %#x", again.status,
                  gnttab_flags(GRANT_REF));
        if (again.status == GNTST_okay)
            grant_unmap(GRANT_MAP_VA + PAGE_SIZE, again.handle);
        CHECK_EQ(again.status, GNTST_okay);
    }
    CHECK_EQ(grant_unmap(GRANT_MAP_VA, op.handle), GNTST_okay);
    test_info("after unmap flags %#x", gnttab_flags(GRANT_REF));
    CHECK_EQ(gnttab_flags(GRANT_REF), 0);
    mm_page_free(pfn);
}

/* Several ops in one call: each gets its own status. */
void grant_map_batch(void)
{
    unsigned long pfn = grant_page(0xaaaa);
    struct gnttab_map_grant_ref ops[3] = {
        {.host_addr = GRANT_MAP_VA, .flags = GNTMAP_host_map, .ref = GRANT_REF, .dom = GRANT_SELF},
        {.host_addr = GRANT_MAP_VA + PAGE_SIZE,
         .flags = GNTMAP_host_map,
         .ref = GRANT_REF + 1,
         .dom = GRANT_SELF},
        {.host_addr = GRANT_MAP_VA + 2 * PAGE_SIZE,
         .flags = GNTMAP_host_map,
         .ref = GRANT_REF,
         .dom = GRANT_SELF},
    };
    struct gnttab_unmap_grant_ref un[3] = {
        {.host_addr = GRANT_MAP_VA}, {.host_addr = GRANT_MAP_VA}, {.host_addr = GRANT_MAP_VA}};

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    CHECK_EQ(grant_op(GNTTABOP_map_grant_ref, ops, 3), 0);
    CHECK_EQ(ops[0].status, GNTST_okay);
    CHECK_EQ(ops[1].status, GNTST_general_error);
    CHECK_EQ(ops[2].status, GNTST_okay);
    CHECK_EQ(grant_probe_read(GRANT_MAP_VA + 2 * PAGE_SIZE), 0xaaaa);
    un[0].handle = ops[0].handle;
    un[1] =
        (struct gnttab_unmap_grant_ref){.host_addr = GRANT_MAP_VA + PAGE_SIZE, .handle = 0x7fff};
    un[2] = (struct gnttab_unmap_grant_ref){.host_addr = GRANT_MAP_VA + 2 * PAGE_SIZE,
                                            .handle = ops[2].handle};
    CHECK_EQ(grant_op(GNTTABOP_unmap_grant_ref, un, 3), 0);
    CHECK_EQ(un[0].status, GNTST_okay);
    CHECK_EQ(un[1].status, GNTST_bad_handle);
    CHECK_EQ(un[2].status, GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
}
