/* SPDX-License-Identifier: MIT */
/*
 * The granter's side (domain 1) of the two-domain grant suites, and the
 * helpers both sides share; see grant_peer.h for the handshake. The
 * cases of a suite run in order and share the state below.
 */
#include <guest/time.h>
#include "grant_peer.h"

static struct {
    unsigned long rw, ro, pt; /* pfns granted */
} granted;

void grant_peer_setup(void)
{
    uint64_t l4e = mm_entry_read(((uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT) + GRANT_SLOT * 8);

    if (!(l4e & PTE_P))
        test_suite_grant.setup();
}

uint8_t peer_pattern(unsigned int i)
{
    return (uint8_t)(i * 13 + 5);
}

bool peer_wait(bool (*ready)(void))
{
    uint64_t deadline = time_now() + PEER_TIMEOUT_NS;

    while (!ready()) {
        if (time_now() > deadline)
            return false;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return true;
}

long peer_copy(struct gnttab_copy c)
{
    long rc = grant_op(GNTTABOP_copy, &c, 1);

    return rc ? rc : c.status;
}

static volatile uint64_t *granter_words(void)
{
    return mm_pfn_to_virt(granted.rw);
}

/* Pins the frame as an L1 (its 1:1 view made read-only meanwhile); 0 or -errno. */
static long granter_try_pin(unsigned long pfn)
{
    long rc = mm_set_readonly(pfn, true);

    if (rc == 0) {
        rc = hypercall_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mm_pfn_to_mfn(pfn));
        if (rc == 0 && hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mm_pfn_to_mfn(pfn)))
            panic("grant_peer: cannot unpin pfn %#lx", pfn);
    }
    if (mm_set_readonly(pfn, false))
        panic("grant_peer: pfn %#lx stays read-only", pfn);
    return rc;
}

/* An unprivileged domain may not use the control domain's table. */
static void granter_table_refusals(void)
{
    struct gnttab_query_size q = {.dom = PEER_MAPPER};
    struct gnttab_setup_table st = {.dom = PEER_MAPPER, .nr_frames = 1};
    struct gnttab_get_version v = {.dom = PEER_MAPPER};
    struct gnttab_map_grant_ref op;
    xen_pfn_t frame = 0;
    unsigned long pfn = grant_page(0x77);

    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_permission_denied);
    set_xen_guest_handle(st.frame_list, &frame);
    CHECK_EQ(grant_op(GNTTABOP_setup_table, &st, 1), 0);
    CHECK_EQ(st.status, GNTST_permission_denied);
    CHECK_EQ(frame, 0);
    CHECK_EQ(grant_op(GNTTABOP_get_version, &v, 1), -EPERM);
    /* Nothing of domain 0's is granted to us. */
    op = grant_map(GRANT_MAP_VA, GNTMAP_host_map | GNTMAP_readonly, PEER_REF_RW, PEER_MAPPER);
    CHECK_EQ(op.status, GNTST_general_error);
    CHECK_EQ(grant_l1e(GRANT_MAP_VA), 0);
    CHECK_EQ(peer_copy((struct gnttab_copy){
                 .source = {.u.ref = PEER_REF_RW, .domid = PEER_MAPPER},
                 .dest = {.u.gmfn = mm_pfn_to_mfn(pfn), .domid = DOMID_SELF},
                 .len = 8,
                 .flags = GNTCOPY_source_gref,
             }),
             GNTST_general_error);
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(pfn), 0x77);
    mm_page_free(pfn);
}

/* Our pages and grants; with xen_frames, also frames the hypervisor gave us. */
static void granter_grant(bool xen_frames)
{
    unsigned long shinfo = kernel_start_info->shared_info >> PAGE_SHIFT, gtab;
    uint8_t *ro;

    grant_need_table();
    granted.rw = grant_page(PEER_MAGIC);
    granter_words()[W_LIFE] = time_rdtsc();
    granted.ro = grant_page(0);
    granted.pt = grant_page(0);
    ro = mm_pfn_to_virt(granted.ro);
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        ro[i] = peer_pattern(i);
    gnttab_grant(PEER_REF_RO, PEER_MAPPER, mm_pfn_to_mfn(granted.ro), true);
    gnttab_grant(PEER_REF_PT, PEER_MAPPER, mm_pfn_to_mfn(granted.pt), false);
    gnttab_grant(PEER_REF_OTHER, PEER_OTHER_DOM, mm_pfn_to_mfn(granted.rw), false);
    gnttab_grant(PEER_REF_LIFE, PEER_MAPPER, mm_pfn_to_mfn(granted.rw), true);
    gtab = (grant_l1e(GRANT_TABLE_VA) & PTE_ADDR_MASK) >> PAGE_SHIFT;
    granter_words()[W_SHINFO] = shinfo;
    granter_words()[W_GTAB] = gtab;
    if (xen_frames) {
        gnttab_grant(PEER_REF_SHINFO, PEER_MAPPER, shinfo, true);
        gnttab_grant(PEER_REF_GTAB, PEER_MAPPER, gtab, true);
        test_info("granted shared_info mfn %#lx, table mfn %#lx", shinfo, gtab);
    }
    /* Last: the mapper retries this one, then maps the others at once. */
    gnttab_grant(PEER_REF_RW, PEER_MAPPER, mm_pfn_to_mfn(granted.rw), false);
    test_info("granted mfns rw %#lx ro %#lx pt %#lx", mm_pfn_to_mfn(granted.rw),
              mm_pfn_to_mfn(granted.ro), mm_pfn_to_mfn(granted.pt));
}

static void granter_offer(void)
{
    granter_grant(false);
}

static void granter_offer_xen_frames(void)
{
    granter_grant(true);
}

static bool reply_seen(void)
{
    return granter_words()[W_REPLY] == PEER_REPLY;
}

/* The mapper has mapped rw, ro, pt: what that means for us meanwhile. */
static void granter_in_use(void)
{
    struct gnttab_swap_grant_ref swap = {.ref_a = PEER_REF_RW, .ref_b = PEER_REF_SPARE};
    grant_entry_v1_t rw;
    long rc;

    CHECK(granted.rw);
    if (!peer_wait(reply_seen)) {
        test_fail(__FILE__, __LINE__, "no reply from the mapper; flags %#x",
                  gnttab_flags(PEER_REF_RW));
        return;
    }
    test_info("flags rw %#x ro %#x pt %#x other %#x", gnttab_flags(PEER_REF_RW),
              gnttab_flags(PEER_REF_RO), gnttab_flags(PEER_REF_PT), gnttab_flags(PEER_REF_OTHER));
    CHECK_EQ(gnttab_flags(PEER_REF_RW), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(gnttab_flags(PEER_REF_RO), GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ(gnttab_flags(PEER_REF_PT), GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ(gnttab_flags(PEER_REF_OTHER), GTF_permit_access);
    CHECK(!gnttab_end(PEER_REF_RW));
    CHECK(!gnttab_end(PEER_REF_RO));
    /* In use, the entry is not ours to move. */
    rw = gnttab_table[PEER_REF_RW];
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_eagain);
    swap = (struct gnttab_swap_grant_ref){.ref_a = PEER_REF_SPARE, .ref_b = PEER_REF_RO};
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_eagain);
    CHECK_EQ(gnttab_table[PEER_REF_RW].frame, rw.frame);
    CHECK_EQ(gnttab_table[PEER_REF_RW].domid, PEER_MAPPER);
    CHECK_EQ(gnttab_flags(PEER_REF_SPARE), 0);
    /* Writable by the mapper: never a page table meanwhile. */
    rc = granter_try_pin(granted.pt);
    test_info("pin as L1 while mapped writable: %ld", rc);
    CHECK_EQ(rc, -EINVAL);
}

static void granter_ack(void)
{
    CHECK(granted.rw);
    granter_words()[W_ACK] = PEER_ACK;
}

static bool released(void)
{
    return !(gnttab_flags(PEER_REF_RW) & GTF_IN_USE) && !(gnttab_flags(PEER_REF_RO) & GTF_IN_USE) &&
           !(gnttab_flags(PEER_REF_PT) & GTF_IN_USE);
}

/* No use left: the grants are ours again to move, end, reuse. */
static void granter_released_checks(void)
{
    struct gnttab_swap_grant_ref swap = {.ref_a = PEER_REF_RW, .ref_b = PEER_REF_SPARE};

    if (!peer_wait(released)) {
        test_fail(__FILE__, __LINE__, "still in use: flags rw %#x ro %#x pt %#x",
                  gnttab_flags(PEER_REF_RW), gnttab_flags(PEER_REF_RO), gnttab_flags(PEER_REF_PT));
        return;
    }
    CHECK_EQ(gnttab_flags(PEER_REF_RW), GTF_permit_access);
    CHECK_EQ(gnttab_flags(PEER_REF_RO), GTF_permit_access | GTF_readonly);
    CHECK_EQ(granter_try_pin(granted.pt), 0);
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_okay);
    CHECK_EQ(gnttab_flags(PEER_REF_RW), 0);
    CHECK_EQ(gnttab_flags(PEER_REF_SPARE), GTF_permit_access);
    CHECK_EQ(gnttab_table[PEER_REF_SPARE].frame, mm_pfn_to_mfn(granted.rw));
    CHECK_EQ(grant_op(GNTTABOP_swap_grant_ref, &swap, 1), 0);
    CHECK_EQ(swap.status, GNTST_okay);
    CHECK(gnttab_end(PEER_REF_RW));
    CHECK(gnttab_end(PEER_REF_RO));
    CHECK(gnttab_end(PEER_REF_PT));
    CHECK(gnttab_end(PEER_REF_OTHER));
}

static void granter_released(void)
{
    const volatile uint8_t *page = mm_pfn_to_virt(granted.rw);

    CHECK(granted.rw);
    granter_released_checks();
    if (test_failed())
        return;
    /* What the mapper wrote through its mapping and copied in. */
    CHECK_EQ(granter_words()[W_REPLY], PEER_REPLY);
    for (unsigned int i = 0; i < PEER_COPY_LEN; i++)
        CHECK_EQ(page[PEER_COPY_OFF + i], peer_pattern(PEER_COPY_SRC + i));
    mm_page_free(granted.rw);
    mm_page_free(granted.ro);
    mm_page_free(granted.pt);
}

/* The mapper unmapped, or ended without unmapping: either gives the grants back. */
static void granter_unused(void)
{
    CHECK(granted.rw);
    granter_released_checks();
}

/* After the suite, the reply tells this life whether to be the last. */
static void granter_last_life(void)
{
    struct sched_shutdown s = {.reason = SHUTDOWN_reboot};

    CHECK(granted.rw);
    if (granter_words()[W_LAST] != PEER_LAST)
        return; /* power off, to be restarted (on_poweroff = "restart") */
    test_info("told to end: reboot, which on_reboot = \"destroy\" ends");
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

#define PEER_SUITE(var, sname, list)                                                               \
    const struct test_suite var = {                                                                \
        .name = sname, .cases = list, .count = ARRAY_SIZE(list), .setup = grant_peer_setup}

static const struct test_case granter_cases[] = {
    {"table_refusals", granter_table_refusals},
    {"offer", granter_offer},
    {"in_use", granter_in_use},
    {"ack", granter_ack},
    {"released", granter_released},
};
PEER_SUITE(test_suite_grant_granter, "grant_granter", granter_cases);

/* Powers off (the suite's end) with everything still mapped by domain 0. */
static const struct test_case granter_dies_cases[] = {
    {"table_refusals", granter_table_refusals},
    {"offer", granter_offer},
    {"in_use", granter_in_use},
};
PEER_SUITE(test_suite_grant_granter_dies, "grant_granter_dies", granter_dies_cases);

static const struct test_case granter_outlives_cases[] = {
    {"offer", granter_offer},
    {"in_use", granter_in_use},
    {"ack", granter_ack},
    {"released_by_death", granter_unused},
};
PEER_SUITE(test_suite_grant_granter_outlives, "grant_granter_outlives", granter_outlives_cases);

/* Each life grants the same refs afresh; the mapper may still map the last life's. */
static const struct test_case granter_restarts_cases[] = {
    {"offer", granter_offer},
    {"in_use", granter_in_use},
    {"last_life", granter_last_life},
};
PEER_SUITE(test_suite_grant_granter_restarts, "grant_granter_restarts", granter_restarts_cases);

/*
 * Each life grants its shared_info and table frame too; the mapper keeps
 * some mapping of the first life (those, or a foreign PTE) past its end.
 */
static const struct test_case granter_lives_cases[] = {
    {"table_refusals", granter_table_refusals},
    {"offer", granter_offer_xen_frames},
    {"in_use", granter_in_use},
    {"ack", granter_ack},
    {"released", granter_unused},
    {"last_life", granter_last_life},
};
PEER_SUITE(test_suite_grant_granter_lives, "grant_granter_lives", granter_lives_cases);
