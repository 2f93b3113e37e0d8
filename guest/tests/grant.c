/* SPDX-License-Identifier: MIT */
/*
 * Suite "grant": grant tables v1 as one PV domain can use them alone.
 * The guest grants its own frames to its own domid (dom0: 0) and then
 * maps and copies them itself, as a backend would a frontend's. This
 * file: the shared helpers, the table ops (query_size, versions,
 * setup_table) and the case list; see grant_test.h for the layout.
 */
#include "grant_test.h"

static unsigned long grant_tables[3]; /* L3, L2, L1 pfns */

uint64_t grant_pte(unsigned long pfn, uint64_t flags)
{
    return ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) | flags;
}

static void grant_setup(void)
{
    mm_area_create(GRANT_SLOT, grant_tables);
}

uint64_t grant_l1e(unsigned long va)
{
    return ((const uint64_t *)mm_pfn_to_virt(grant_tables[2]))[mm_table_index(va, 1)];
}

uint64_t grant_l1e_maddr(unsigned long va)
{
    return ((uint64_t)mm_pfn_to_mfn(grant_tables[2]) << PAGE_SHIFT) + mm_table_index(va, 1) * 8;
}

void grant_need_table(void)
{
    long rc;

    if (gnttab_table)
        return;
    rc = gnttab_map_table(GRANT_TABLE_VA, 1);
    if (rc) {
        test_fail(__FILE__, __LINE__, "no grant table: %ld", rc);
        test_abort();
    }
}

long grant_op(unsigned int cmd, void *uop, unsigned int count)
{
    return HYPERVISOR_grant_table_op(cmd, uop, count);
}

struct gnttab_map_grant_ref grant_map(unsigned long va, uint32_t flags, grant_ref_t ref,
                                      domid_t dom)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = va, .flags = flags, .ref = ref, .dom = dom, .handle = 0xdead};
    long rc = grant_op(GNTTABOP_map_grant_ref, &op, 1);

    if (rc) {
        test_fail(__FILE__, __LINE__, "map_grant_ref: %ld", rc);
        test_abort();
    }
    return op;
}

int16_t grant_unmap(unsigned long va, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = {.host_addr = va, .handle = handle};
    long rc = grant_op(GNTTABOP_unmap_grant_ref, &op, 1);

    if (rc) {
        test_fail(__FILE__, __LINE__, "unmap_grant_ref: %ld", rc);
        test_abort();
    }
    return op.status;
}

unsigned long grant_probe_read(unsigned long va)
{
    unsigned long v = ~0UL;

    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(va) : "memory");
    trap_disarm();
    return v;
}

bool grant_store_faults(unsigned long va, unsigned long v)
{
    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: movq %1, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(va), "r"(v) : "memory");
    return trap_caught(14);
}

unsigned long grant_page(unsigned long magic)
{
    unsigned long pfn = mm_page_alloc();

    if (!pfn) {
        test_fail(__FILE__, __LINE__, "out of memory");
        test_abort();
    }
    *(volatile unsigned long *)mm_pfn_to_virt(pfn) = magic;
    return pfn;
}

static void grant_query_size(void)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};

    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    test_info("nr_frames %u max_nr_frames %u status %d", q.nr_frames, q.max_nr_frames, q.status);
    CHECK_EQ(q.status, GNTST_okay);
    CHECK_EQ(q.max_nr_frames, GRANT_MAX_FRAMES);
    CHECK_EQ(q.nr_frames, 1);
    q = (struct gnttab_query_size){.dom = GRANT_SELF};
    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_okay);
    CHECK_EQ(q.nr_frames, 1);
    q = (struct gnttab_query_size){.dom = GRANT_NO_DOMAIN, .nr_frames = 77};
    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    test_info("no such domain: status %d nr_frames %u", q.status, q.nr_frames);
    CHECK_EQ(q.status, GNTST_bad_domain);
    /* One op per call. */
    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 2), -EINVAL);
}

static void grant_get_version(void)
{
    struct gnttab_get_version v = {.dom = DOMID_SELF, .version = 99};

    CHECK_EQ(grant_op(GNTTABOP_get_version, &v, 1), 0);
    CHECK_EQ(v.version, 1);
    v = (struct gnttab_get_version){.dom = GRANT_SELF, .version = 99};
    CHECK_EQ(grant_op(GNTTABOP_get_version, &v, 1), 0);
    CHECK_EQ(v.version, 1);
    v = (struct gnttab_get_version){.dom = GRANT_NO_DOMAIN, .version = 99};
    CHECK_EQ(grant_op(GNTTABOP_get_version, &v, 1), -ESRCH);
    v = (struct gnttab_get_version){.dom = DOMID_SELF, .version = 99};
    {
        long rc = grant_op(GNTTABOP_get_version, &v, 2);

        test_info("count 2: rc %ld version %u", rc, v.version);
    }
}

static void grant_set_version(void)
{
    struct gnttab_set_version s = {.version = 1};
    struct gnttab_get_version g = {.dom = DOMID_SELF};

    CHECK_EQ(grant_op(GNTTABOP_set_version, &s, 1), 0);
    CHECK_EQ(s.version, 1);
    s.version = 3;
    CHECK_EQ(grant_op(GNTTABOP_set_version, &s, 1), -EINVAL);
    test_info("set_version 3: version out %u", s.version);
    s.version = 0;
    CHECK_EQ(grant_op(GNTTABOP_set_version, &s, 1), -EINVAL);
    test_info("set_version 0: version out %u", s.version);
    CHECK_EQ(grant_op(GNTTABOP_get_version, &g, 1), 0);
    CHECK_EQ(g.version, 1);
}

/* Version 2 and back, before any grant exists. */
static void grant_set_version_2(void)
{
    struct gnttab_set_version s = {.version = 2};
    struct gnttab_get_version g = {.dom = DOMID_SELF};
    long rc = grant_op(GNTTABOP_set_version, &s, 1);

    test_info("set_version 2: rc %ld version out %u", rc, s.version);
    CHECK_EQ(rc, 0);
    CHECK_EQ(s.version, 2);
    CHECK_EQ(grant_op(GNTTABOP_get_version, &g, 1), 0);
    CHECK_EQ(g.version, 2);
    s.version = 1;
    CHECK_EQ(grant_op(GNTTABOP_set_version, &s, 1), 0);
    CHECK_EQ(s.version, 1);
    CHECK_EQ(grant_op(GNTTABOP_get_version, &g, 1), 0);
    CHECK_EQ(g.version, 1);
}

static void grant_setup_table(void)
{
    xen_pfn_t frames[2] = {0, 0}, again = 0;
    struct gnttab_setup_table op = {.dom = DOMID_SELF, .nr_frames = 1};
    long rc;

    set_xen_guest_handle(op.frame_list, frames);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &op, 1), 0);
    CHECK_EQ(op.status, GNTST_okay);
    test_info("frame 0 mfn %#lx, m2p %#lx", frames[0], M2P[frames[0]]);
    CHECK(frames[0] != 0);
    CHECK_EQ(frames[1], 0);
    /* The same frame every time, and for our domid as for DOMID_SELF. */
    op = (struct gnttab_setup_table){.dom = GRANT_SELF, .nr_frames = 1};
    set_xen_guest_handle(op.frame_list, &again);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &op, 1), 0);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(again, frames[0]);
    /* Mapped writable, the frame holds zeroed v1 entries. */
    rc = gnttab_map_table(GRANT_TABLE_VA, 1);
    CHECK_EQ(rc, 0);
    test_info("table pte %#lx", grant_l1e(GRANT_TABLE_VA));
    for (unsigned int i = GNTTAB_NR_RESERVED_ENTRIES; i < GNTTAB_ENTRIES_PER_FRAME; i++)
        CHECK_EQ(gnttab_flags(i), 0);
    /* Refusals: no such domain, frame list in Xen's space, one op a call. */
    op = (struct gnttab_setup_table){.dom = GRANT_NO_DOMAIN, .nr_frames = 1};
    set_xen_guest_handle(op.frame_list, &again);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &op, 1), 0);
    CHECK_EQ(op.status, GNTST_bad_domain);
    op = (struct gnttab_setup_table){.dom = DOMID_SELF, .nr_frames = 1};
    set_xen_guest_handle(op.frame_list, (xen_pfn_t *)HV_VA);
    rc = grant_op(GNTTABOP_setup_table, &op, 1);
    test_info("frame_list in Xen's space: rc %ld status %d", rc, op.status);
    CHECK_EQ(rc, -EFAULT);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &op, 2), -EINVAL);
}

/* Growing to the maximum: the first frame stays, one more is refused. */
static void grant_setup_table_max(void)
{
    static xen_pfn_t frames[GRANT_MAX_FRAMES + 1];
    struct gnttab_setup_table op = {.dom = DOMID_SELF, .nr_frames = GRANT_MAX_FRAMES};
    struct gnttab_query_size q = {.dom = DOMID_SELF};
    xen_pfn_t first;

    grant_need_table();
    first = grant_l1e(GRANT_TABLE_VA) >> PAGE_SHIFT & 0xffffffffffUL;
    set_xen_guest_handle(op.frame_list, frames);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &op, 1), 0);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(frames[0], first);
    for (unsigned int i = 1; i < GRANT_MAX_FRAMES; i++)
        CHECK(frames[i] != 0 && frames[i] != frames[i - 1]);
    test_info("frames %#lx %#lx ... %#lx", frames[0], frames[1], frames[GRANT_MAX_FRAMES - 1]);
    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.nr_frames, GRANT_MAX_FRAMES);
    op = (struct gnttab_setup_table){.dom = DOMID_SELF, .nr_frames = GRANT_MAX_FRAMES + 1};
    set_xen_guest_handle(op.frame_list, frames);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &op, 1), 0);
    CHECK_EQ(op.status, GNTST_general_error);
    CHECK_EQ(gnttab_map_table(GRANT_TABLE_VA, GRANT_MAX_FRAMES), 0);
}

static const struct test_case grant_cases[] = {
    {"query_size", grant_query_size},
    {"get_version", grant_get_version},
    {"set_version", grant_set_version},
    {"set_version_2", grant_set_version_2},
    {"setup_table", grant_setup_table},
    {"setup_table_max", grant_setup_table_max},
    {"map_host", grant_map_host},
    {"map_readonly", grant_map_readonly},
    {"map_twice", grant_map_twice},
    {"map_device", grant_map_device},
    {"map_avail_bits", grant_map_avail_bits},
    {"map_contains_pte", grant_map_contains_pte},
    {"map_refusals", grant_map_refusals},
    {"unmap_refusals", grant_unmap_refusals},
    {"end_while_mapped", grant_end_while_mapped},
    {"map_batch", grant_map_batch},
    {"op_errors", grant_op_errors},
    {"other_ops", grant_other_ops},
    {"copy", grant_copy},
    {"copy_refusals", grant_copy_refusals},
    {"unmap_and_replace", grant_unmap_and_replace},
};

const struct test_suite test_suite_grant = {
    .name = "grant",
    .cases = grant_cases,
    .count = ARRAY_SIZE(grant_cases),
    .setup = grant_setup,
};
