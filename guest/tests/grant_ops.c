/* SPDX-License-Identifier: MIT */
/*
 * Suite "grant", the rest of the hypercall: counts, pointers and unknown
 * sub-ops, the sub-ops a dom0 rarely uses, GNTTABOP_copy between grants
 * and frames, and GNTTABOP_unmap_and_replace.
 */
#include "grant_test.h"

/*
 * The hypercall itself: counts, argument pointers, sub-ops. A huge count
 * runs over the ops until one cannot be read, so the array ends just
 * before an unmapped page: Xen writes each op's status back.
 */
void grant_op_errors(void)
{
    unsigned long pfn = grant_page(0), va = GRANT_MAP_VA + 8 * PAGE_SIZE;
    struct gnttab_map_grant_ref op = {.handle = 0xdead}, *last;
    /* Bits 12 and up carry a continuation's progress, never the guest's. */
    static const struct {
        unsigned int cmd;
        long rc;
    } cmds[] = {
        {13, -ENOSYS},     {63, -ENOSYS},         {0x100, -ENOSYS},
        {0xfff, -ENOSYS},  {0x1000, -EINVAL},     {0x1006, -EINVAL},
        {0x100d, -EINVAL}, {0x80000000, -EINVAL}, {0xffffffff, -EINVAL},
    };

    CHECK_EQ(HYPERVISOR_update_va_mapping(va, grant_pte(pfn, PTE_PAGE), UVMF_INVLPG), 0);
    last = (struct gnttab_map_grant_ref *)(va + PAGE_SIZE) - 1;
    *last = (struct gnttab_map_grant_ref){.ref = ~0U, .flags = GNTMAP_host_map, .handle = 0xdead};
    CHECK_EQ(grant_op(GNTTABOP_map_grant_ref, last, 0), 0);
    CHECK_EQ(last->handle, 0xdead);
    CHECK_EQ(last->status, 0);
    /* A negative count is refused before any op is read. */
    CHECK_EQ(grant_op(GNTTABOP_map_grant_ref, last, ~0U), -EINVAL);
    CHECK_EQ(grant_op(GNTTABOP_map_grant_ref, last, 0x80000000U), -EINVAL);
    CHECK_EQ(last->status, 0);
    /* A huge one runs until the first op it cannot read. */
    {
        long rc = grant_op(GNTTABOP_map_grant_ref, last, 0x7fffffff);

        test_info("count 0x7fffffff, one op readable: rc %ld status %d", rc, last->status);
        CHECK_EQ(rc, -EFAULT);
        CHECK_EQ(last->status, GNTST_bad_gntref);
        last->status = 0;
        rc = grant_op(GNTTABOP_map_grant_ref, last, 2);
        CHECK_EQ(rc, -EFAULT);
        CHECK_EQ(last->status, GNTST_bad_gntref);
    }
    CHECK_EQ(grant_op(GNTTABOP_map_grant_ref, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_unmap_grant_ref, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_copy, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_query_size, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_set_version, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_get_version, (void *)HV_VA, 1), -EFAULT);
    CHECK_EQ(HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
        long rc = grant_op(cmds[i].cmd, &op, 1);

        test_info("cmd %#x: %ld", cmds[i].cmd, rc);
        CHECK_EQ(rc, cmds[i].rc);
    }
    mm_page_free(pfn);
}

/* The sub-ops a dom0 has little use for, with harmless arguments. */
void grant_other_ops(void)
{
    struct gnttab_dump_table dump = {.dom = DOMID_SELF, .status = 99};
    struct gnttab_get_status_frames gsf = {.dom = DOMID_SELF, .nr_frames = 1, .status = 99};
    struct gnttab_swap_grant_ref swap = {.ref_a = GRANT_REF, .ref_b = GRANT_REF + 1, .status = 99};
    struct gnttab_cache_flush flush = {.op = 0};
    uint64_t frame = 0;
    long rc;

    grant_need_table();
    rc = grant_op(GNTTABOP_dump_table, &dump, 1);
    test_info("dump_table: rc %ld status %d", rc, dump.status);
    CHECK_EQ(rc, -ENOSYS); /* not built into Debian's Xen 4.17 */
    set_xen_guest_handle(gsf.frame_list, &frame);
    rc = grant_op(GNTTABOP_get_status_frames, &gsf, 1);
    test_info("get_status_frames (v1): rc %ld status %d", rc, gsf.status);
    CHECK_EQ(rc, 0);
    CHECK_EQ(gsf.status, GNTST_general_error);
    gnttab_grant(GRANT_REF, GRANT_SELF, 0x1234, true);
    rc = grant_op(GNTTABOP_swap_grant_ref, &swap, 1);
    test_info("swap_grant_ref: rc %ld status %d flags %#x/%#x frame %#x/%#x", rc, swap.status,
              gnttab_flags(GRANT_REF), gnttab_flags(GRANT_REF + 1), gnttab_table[GRANT_REF].frame,
              gnttab_table[GRANT_REF + 1].frame);
    CHECK_EQ(rc, 0);
    CHECK_EQ(swap.status, GNTST_okay);
    CHECK_EQ(gnttab_flags(GRANT_REF), 0);
    CHECK_EQ(gnttab_flags(GRANT_REF + 1), GTF_permit_access | GTF_readonly);
    CHECK_EQ(gnttab_table[GRANT_REF + 1].frame, 0x1234);
    rc = grant_op(GNTTABOP_cache_flush, &flush, 1);
    test_info("cache_flush: rc %ld", rc);
    CHECK_EQ(rc, 0);
    rc = grant_op(GNTTABOP_transfer, (void *)HV_VA, 1);
    test_info("transfer, op in Xen: rc %ld", rc);
    CHECK_EQ(rc, -EFAULT);
    CHECK(gnttab_end(GRANT_REF + 1));
}

static long grant_copy_one(struct gnttab_copy *c)
{
    long rc = grant_op(GNTTABOP_copy, c, 1);

    return rc ? rc : c->status;
}

void grant_copy(void)
{
    unsigned long src = grant_page(0), dst = grant_page(0);
    uint8_t *s = mm_pfn_to_virt(src), *d = mm_pfn_to_virt(dst);
    struct gnttab_copy c = {
        .source = {.u.ref = GRANT_REF, .domid = GRANT_SELF, .offset = 100},
        .dest = {.u.gmfn = mm_pfn_to_mfn(dst), .domid = DOMID_SELF, .offset = 200},
        .len = 300,
        .flags = GNTCOPY_source_gref,
    };

    grant_need_table();
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        s[i] = (uint8_t)(i * 7 + 1);
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(src), true);
    /* gref -> gmfn */
    CHECK_EQ(grant_copy_one(&c), GNTST_okay);
    CHECK_EQ(memcmp(d + 200, s + 100, 300), 0);
    CHECK_EQ(d[199], 0);
    CHECK_EQ(d[500], 0);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access | GTF_readonly);
    /* gmfn -> gref, a whole page */
    gnttab_grant(GRANT_REF + 1, GRANT_SELF, mm_pfn_to_mfn(dst), false);
    c = (struct gnttab_copy){
        .source = {.u.gmfn = mm_pfn_to_mfn(src), .domid = DOMID_SELF, .offset = 0},
        .dest = {.u.ref = GRANT_REF + 1, .domid = GRANT_SELF, .offset = 0},
        .len = PAGE_SIZE,
        .flags = GNTCOPY_dest_gref,
    };
    CHECK_EQ(grant_copy_one(&c), GNTST_okay);
    CHECK_EQ(memcmp(d, s, PAGE_SIZE), 0);
    CHECK_EQ(gnttab_flags(GRANT_REF + 1), GTF_permit_access);
    /* gref -> gref, and a zero length */
    memset(d, 0, PAGE_SIZE);
    c = (struct gnttab_copy){
        .source = {.u.ref = GRANT_REF, .domid = GRANT_SELF, .offset = 4000},
        .dest = {.u.ref = GRANT_REF + 1, .domid = GRANT_SELF, .offset = 10},
        .len = 96,
        .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref,
    };
    CHECK_EQ(grant_copy_one(&c), GNTST_okay);
    CHECK_EQ(memcmp(d + 10, s + 4000, 96), 0);
    c.len = 0;
    CHECK_EQ(grant_copy_one(&c), GNTST_okay);
    CHECK(gnttab_end(GRANT_REF));
    CHECK(gnttab_end(GRANT_REF + 1));
    mm_page_free(src);
    mm_page_free(dst);
}

void grant_copy_refusals(void)
{
    unsigned long src = grant_page(0x1234), dst = grant_page(0);
    struct gnttab_copy base = {
        .source = {.u.ref = GRANT_REF, .domid = GRANT_SELF},
        .dest = {.u.gmfn = mm_pfn_to_mfn(dst), .domid = DOMID_SELF},
        .len = 8,
        .flags = GNTCOPY_source_gref,
    };
    struct gnttab_copy c;
    long st;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(src), true);
    /* Crossing the end of the page, at either side. */
    c = base;
    c.source.offset = PAGE_SIZE - 4;
    CHECK_EQ(grant_copy_one(&c), GNTST_bad_copy_arg);
    c = base;
    c.dest.offset = PAGE_SIZE - 4;
    CHECK_EQ(grant_copy_one(&c), GNTST_bad_copy_arg);
    c = base;
    c.len = PAGE_SIZE + 1;
    CHECK_EQ(grant_copy_one(&c), GNTST_bad_copy_arg);
    /* Domains. */
    c = base;
    c.source.domid = GRANT_NO_DOMAIN;
    CHECK_EQ(grant_copy_one(&c), GNTST_bad_domain);
    c = base;
    c.dest.domid = GRANT_NO_DOMAIN;
    st = grant_copy_one(&c);
    test_info("gmfn with a foreign domid: %ld", st);
    CHECK_EQ(st, GNTST_bad_domain);
    c = base;
    c.dest.domid = GRANT_SELF;
    st = grant_copy_one(&c);
    test_info("gmfn with our domid, not DOMID_SELF: %ld", st);
    CHECK_EQ(st, GNTST_permission_denied);
    c = base;
    c.source.domid = DOMID_SELF;
    st = grant_copy_one(&c);
    test_info("gref with DOMID_SELF: %ld", st);
    CHECK_EQ(st, GNTST_okay);
    /* Grants: out of the table, not granted, read-only as destination. */
    c = base;
    c.source.u.ref = ~0U;
    CHECK_EQ(grant_copy_one(&c), GNTST_bad_gntref);
    c = base;
    c.source.u.ref = GRANT_REF + 1;
    CHECK_EQ(grant_copy_one(&c), GNTST_general_error);
    c = (struct gnttab_copy){
        .source = {.u.gmfn = mm_pfn_to_mfn(dst), .domid = DOMID_SELF},
        .dest = {.u.ref = GRANT_REF, .domid = GRANT_SELF},
        .len = 8,
        .flags = GNTCOPY_dest_gref,
    };
    st = grant_copy_one(&c);
    test_info("into a read-only grant: %ld", st);
    CHECK_EQ(st, GNTST_general_error);
    /* A frame that is not ours. */
    c = base;
    c.dest.u.gmfn = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL) - 1;
    st = grant_copy_one(&c);
    test_info("gmfn not ours: %ld", st);
    CHECK_EQ(st, GNTST_bad_page);
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(src), 0x1234);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(src);
    mm_page_free(dst);
}

/* Unmap the grant at A and move B's mapping there (gntdev's old trick). */
void grant_unmap_and_replace(void)
{
    unsigned long pfn = grant_page(0xbbbb), other = grant_page(0xcccc);
    unsigned long a = GRANT_MAP_VA, b = GRANT_MAP_VA + PAGE_SIZE;
    struct gnttab_map_grant_ref op;
    struct gnttab_unmap_and_replace r;
    long rc;

    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, mm_pfn_to_mfn(pfn), false);
    op = grant_map(a, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(HYPERVISOR_update_va_mapping(b, grant_pte(other, PTE_PAGE), UVMF_INVLPG), 0);
    r = (struct gnttab_unmap_and_replace){.host_addr = a, .new_addr = b, .handle = op.handle};
    rc = grant_op(GNTTABOP_unmap_and_replace, &r, 1);
    test_info("rc %ld status %d pte a %#lx b %#lx", rc, r.status, grant_l1e(a), grant_l1e(b));
    CHECK_EQ(rc, 0);
    CHECK_EQ(r.status, GNTST_okay);
    CHECK_EQ(grant_probe_read(a), 0xcccc);
    CHECK_EQ(grant_l1e(b), 0);
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK_EQ(HYPERVISOR_update_va_mapping(a, 0, UVMF_INVLPG), 0);
    CHECK(gnttab_end(GRANT_REF));
    mm_page_free(pfn);
    mm_page_free(other);
}
