/* SPDX-License-Identifier: MIT */
/*
 * The mapper's side (domain 0) of the two-domain grant suites (see
 * grant_peer.h): it maps the granter's pages, copies through its grants,
 * tries what it was not granted, and in the variants outlives the
 * granter (or one life of it) with the grants still mapped. The cases of
 * a suite run in order and share the state below.
 */
#include <guest/time.h>
#include "grant_peer.h"

#define VA_SHINFO  (GRANT_MAP_VA + 3 * PAGE_SIZE)
#define VA_GTAB    (GRANT_MAP_VA + 4 * PAGE_SIZE)
#define VA_FOREIGN (GRANT_MAP_VA + 5 * PAGE_SIZE)
#define VA_SCRATCH (GRANT_MAP_VA + 6 * PAGE_SIZE)

/* One life's three grants as we map them: rw at va, ro after it, pt after that. */
struct peer_maps {
    unsigned long va;
    struct gnttab_map_grant_ref rw, ro, pt;
    unsigned long mfn; /* the handshake page's frame (dev_bus_addr) */
    uint64_t rw_pte, life;
};

/* Nothing is mapped until a case says so. */
#define PEER_MAPS(base)                                                                            \
    {                                                                                              \
        .va = (base), .rw.status = GNTST_general_error, .ro.status = GNTST_general_error,          \
        .pt.status = GNTST_general_error                                                           \
    }

static struct peer_maps first = PEER_MAPS(GRANT_MAP_VA),
                        reborn = PEER_MAPS(GRANT_MAP_VA + 8 * PAGE_SIZE);
static struct gnttab_map_grant_ref xen_shinfo = {.status = GNTST_general_error},
                                   xen_gtab = {.status = GNTST_general_error};
static bool foreign_mapped; /* VA_FOREIGN, by update_va_mapping_otherdomain */

static unsigned long va_ro(const struct peer_maps *m)
{
    return m->va + PAGE_SIZE;
}

static unsigned long va_pt(const struct peer_maps *m)
{
    return m->va + 2 * PAGE_SIZE;
}

/* Word w of the handshake page, through our mapping of it. */
static uint64_t word_get(const struct peer_maps *m, unsigned int w)
{
    return ((const volatile uint64_t *)m->va)[w];
}

static void word_set(const struct peer_maps *m, unsigned int w, uint64_t v)
{
    ((volatile uint64_t *)m->va)[w] = v;
}

/* Retries the handshake grant until the granter has made it; then maps the other two. */
static void maps_get(struct peer_maps *m)
{
    uint64_t deadline = time_now() + PEER_TIMEOUT_NS;
    unsigned int tries = 0;
    struct gnttab_map_grant_ref op;

    for (;; tries++) {
        op = grant_map(m->va, GNTMAP_host_map, PEER_REF_RW, PEER_GRANTER);
        if (op.status == GNTST_okay)
            break;
        CHECK_EQ(grant_l1e(m->va), 0);
        if (op.status != GNTST_general_error && op.status != GNTST_bad_gntref)
            CHECK_EQ(op.status, GNTST_general_error);
        if (time_now() > deadline) {
            test_fail(__FILE__, __LINE__, "no grant after %u tries: %d", tries, op.status);
            return;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    m->rw = op;
    m->mfn = op.dev_bus_addr >> PAGE_SHIFT;
    m->rw_pte = grant_l1e(m->va);
    test_info("mapped after %u refusals: handle %u frame %#lx pte %#lx", tries, op.handle, m->mfn,
              m->rw_pte);
    CHECK_EQ(m->rw_pte & PTE_ADDR_MASK, op.dev_bus_addr);
    CHECK_EQ(m->rw_pte & ~PTE_ADDR_MASK, GRANT_PTE_FLAGS | PTE_RW);
    CHECK_EQ(grant_probe_read(m->va), PEER_MAGIC);
    m->life = word_get(m, W_LIFE);
    CHECK(m->life);
    /* The pattern is granted read-only: a writable map is refused. */
    op = grant_map(va_ro(m), GNTMAP_host_map, PEER_REF_RO, PEER_GRANTER);
    CHECK_EQ(op.status, GNTST_general_error);
    CHECK_EQ(grant_l1e(va_ro(m)), 0);
    m->ro = grant_map(va_ro(m), GNTMAP_host_map | GNTMAP_readonly, PEER_REF_RO, PEER_GRANTER);
    CHECK_EQ(m->ro.status, GNTST_okay);
    CHECK_EQ(grant_l1e(va_ro(m)) & ~PTE_ADDR_MASK, GRANT_PTE_FLAGS);
    CHECK_EQ(*(volatile uint8_t *)(va_ro(m) + PEER_COPY_SRC), peer_pattern(PEER_COPY_SRC));
    CHECK(grant_store_faults(va_ro(m), 0));
    m->pt = grant_map(va_pt(m), GNTMAP_host_map, PEER_REF_PT, PEER_GRANTER);
    CHECK_EQ(m->pt.status, GNTST_okay);
    CHECK_EQ(grant_probe_read(va_pt(m)), 0);
    CHECK(m->ro.dev_bus_addr != m->rw.dev_bus_addr && m->pt.dev_bus_addr != m->rw.dev_bus_addr);
}

static void unmap_one(unsigned long va, struct gnttab_map_grant_ref *op)
{
    if (op->status != GNTST_okay)
        return;
    op->status = GNTST_general_error; /* done with, whatever happens next */
    CHECK_EQ(grant_unmap(va, op->handle), GNTST_okay);
    CHECK_EQ(grant_l1e(va), 0);
    CHECK_EQ(grant_probe_read(va), ~0UL);
    CHECK_EQ(grant_unmap(va, op->handle), GNTST_bad_handle);
}

static void maps_put(struct peer_maps *m)
{
    unmap_one(m->va, &m->rw);
    unmap_one(va_ro(m), &m->ro);
    unmap_one(va_pt(m), &m->pt);
}

static void mapper_map(void)
{
    maps_get(&first);
}

/* The control domain may look at another domain's table. */
static void mapper_table_ops(void)
{
    struct gnttab_query_size q = {.dom = PEER_GRANTER};
    struct gnttab_get_version v = {.dom = PEER_GRANTER, .version = 99};

    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_okay);
    CHECK_EQ(q.nr_frames, 1);
    CHECK_EQ(q.max_nr_frames, GRANT_MAX_FRAMES);
    CHECK_EQ(grant_op(GNTTABOP_get_version, &v, 1), 0);
    CHECK_EQ(v.version, 1);
    q = (struct gnttab_query_size){.dom = PEER_NO_DOMAIN};
    CHECK_EQ(grant_op(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_bad_domain);
}

/* What the granter did not grant us; a second mapping of what it did. */
static void mapper_refusals(void)
{
    static const struct {
        const char *what;
        grant_ref_t ref;
        domid_t dom;
        int16_t status;
    } cases[] = {
        {"granted to another domain", PEER_REF_OTHER, PEER_GRANTER, GNTST_general_error},
        {"never granted", PEER_REF_SPARE, PEER_GRANTER, GNTST_general_error},
        {"past the table", GNTTAB_ENTRIES_PER_FRAME, PEER_GRANTER, GNTST_bad_gntref},
        {"no such domain", PEER_REF_RW, PEER_NO_DOMAIN, GNTST_bad_domain},
    };
    struct gnttab_map_grant_ref op;

    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        op = grant_map(VA_SCRATCH, GNTMAP_host_map, cases[i].ref, cases[i].dom);
        test_info("%s: status %d", cases[i].what, op.status);
        if (op.status == GNTST_okay)
            grant_unmap(VA_SCRATCH, op.handle);
        CHECK_EQ(op.status, cases[i].status);
        CHECK_EQ(grant_l1e(VA_SCRATCH), 0);
    }
    op = grant_map(VA_SCRATCH, GNTMAP_host_map | GNTMAP_readonly, PEER_REF_RW, PEER_GRANTER);
    CHECK_EQ(op.status, GNTST_okay);
    CHECK_EQ(op.dev_bus_addr, first.rw.dev_bus_addr);
    CHECK_EQ(grant_probe_read(VA_SCRATCH), PEER_MAGIC);
    CHECK_EQ(grant_unmap(VA_SCRATCH, op.handle), GNTST_okay);
    CHECK_EQ(grant_probe_read(first.va), PEER_MAGIC);
}

/* GNTTABOP_copy with the granter's grants, and with its frames named directly. */
static void mapper_copy(void)
{
    unsigned long local = grant_page(0);
    const volatile uint8_t *l = mm_pfn_to_virt(local);
    struct gnttab_copy from_ro = {
        .source = {.u.ref = PEER_REF_RO, .domid = PEER_GRANTER},
        .dest = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF},
        .len = PAGE_SIZE,
        .flags = GNTCOPY_source_gref,
    };
    struct gnttab_copy into_rw = {
        .source = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF, .offset = PEER_COPY_SRC},
        .dest = {.u.ref = PEER_REF_RW, .domid = PEER_GRANTER, .offset = PEER_COPY_OFF},
        .len = PEER_COPY_LEN,
        .flags = GNTCOPY_dest_gref,
    };
    struct gnttab_copy c;

    CHECK_EQ(peer_copy(from_ro), GNTST_okay);
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        CHECK_EQ(l[i], peer_pattern(i));
    CHECK_EQ(peer_copy(into_rw), GNTST_okay);
    for (unsigned int i = 0; i < PEER_COPY_LEN; i++)
        CHECK_EQ(*(volatile uint8_t *)(first.va + PEER_COPY_OFF + i),
                 peer_pattern(PEER_COPY_SRC + i));
    /* Into the read-only grant; from a grant made to someone else. */
    c = into_rw;
    c.dest.u.ref = PEER_REF_RO;
    CHECK_EQ(peer_copy(c), GNTST_general_error);
    c = from_ro;
    c.source.u.ref = PEER_REF_OTHER;
    CHECK_EQ(peer_copy(c), GNTST_general_error);
    /* The granter's frame named as a frame, not through a grant. */
    c = from_ro;
    c.flags = 0;
    c.source.u.gmfn = first.mfn;
    c.source.domid = DOMID_SELF;
    CHECK_EQ(peer_copy(c), GNTST_bad_page);
    c.source.domid = PEER_GRANTER;
    CHECK_EQ(peer_copy(c), GNTST_permission_denied);
    c = into_rw;
    c.flags = 0;
    c.dest.u.gmfn = first.mfn;
    c.dest.domid = DOMID_SELF;
    c.dest.offset = 0;
    CHECK_EQ(peer_copy(c), GNTST_bad_page);
    CHECK_EQ(grant_probe_read(first.va), PEER_MAGIC);
    mm_page_free(local);
}

/* A grant of ours naming a frame that is not ours: the granter's page. */
static void mapper_foreign_frames(void)
{
    unsigned long local = grant_page(0x1234);
    struct gnttab_map_grant_ref op;

    CHECK(first.mfn);
    grant_need_table();
    gnttab_grant(GRANT_REF, GRANT_SELF, first.mfn, false);
    op = grant_map(VA_SCRATCH, GNTMAP_host_map, GRANT_REF, GRANT_SELF);
    test_info("map: status %d flags %#x", op.status, gnttab_flags(GRANT_REF));
    CHECK_EQ(op.status, GNTST_bad_page);
    CHECK_EQ(grant_l1e(VA_SCRATCH), 0);
    op = grant_map(0, GNTMAP_device_map | GNTMAP_readonly, GRANT_REF, GRANT_SELF);
    CHECK_EQ(op.status, GNTST_bad_page);
    CHECK_EQ(peer_copy((struct gnttab_copy){
                 .source = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF},
                 .dest = {.u.ref = GRANT_REF, .domid = GRANT_SELF},
                 .len = 8,
                 .flags = GNTCOPY_dest_gref,
             }),
             GNTST_bad_page);
    /* Every refusal let go of the entry. */
    CHECK_EQ(gnttab_flags(GRANT_REF), GTF_permit_access);
    CHECK(gnttab_end(GRANT_REF));
    CHECK_EQ(grant_probe_read(first.va), PEER_MAGIC);
    mm_page_free(local);
}

/* The grant PTE is the hypervisor's: our page-table updates may not touch it. */
static void mapper_pte_guarded(void)
{
    uint64_t maddr = grant_l1e_maddr(first.va);

    CHECK(first.rw_pte);
    CHECK_EQ(hypercall_mmu_one(maddr | MMU_NORMAL_PT_UPDATE, 0), -EINVAL);
    CHECK_EQ(hypercall_mmu_one(maddr | MMU_NORMAL_PT_UPDATE, first.rw_pte & ~(1UL << 52)), -EINVAL);
    CHECK_EQ(HYPERVISOR_update_va_mapping(first.va, 0, UVMF_INVLPG), -EINVAL);
    CHECK_EQ(grant_l1e(first.va), first.rw_pte);
    CHECK_EQ(grant_probe_read(first.va), PEER_MAGIC);
}

static void mapper_reply(void)
{
    CHECK_EQ(first.rw.status, GNTST_okay);
    word_set(&first, W_REPLY, PEER_REPLY);
}

static bool acked(void)
{
    return word_get(&first, W_ACK) == PEER_ACK;
}

static void mapper_await_ack(void)
{
    CHECK_EQ(first.rw.status, GNTST_okay);
    if (!peer_wait(acked))
        test_fail(__FILE__, __LINE__, "no ack from the granter");
}

/* Only the three grants: what else the first life gave us stays mapped. */
static void mapper_unmap_grants(void)
{
    maps_put(&first);
}

static void mapper_unmap(void)
{
    maps_put(&first);
    unmap_one(VA_SHINFO, &xen_shinfo);
    unmap_one(VA_GTAB, &xen_gtab);
}

/* ---- the granter ends first ---- */

static bool granter_gone(void)
{
    struct gnttab_query_size q = {.dom = PEER_GRANTER};

    return grant_op(GNTTABOP_query_size, &q, 1) == 0 && q.status == GNTST_bad_domain;
}

static void mapper_granter_gone(void)
{
    if (!peer_wait(granter_gone))
        test_fail(__FILE__, __LINE__, "domain %u still exists", PEER_GRANTER);
}

/* The granter is destroyed; the frames we map are not. */
static void mapper_after_death(void)
{
    struct gnttab_map_grant_ref op;
    unsigned long local = grant_page(0);

    CHECK_EQ(first.rw.status, GNTST_okay);
    CHECK_EQ(grant_l1e(first.va), first.rw_pte);
    CHECK_EQ(grant_probe_read(first.va), PEER_MAGIC);
    CHECK_EQ(word_get(&first, W_REPLY), PEER_REPLY);
    CHECK(!grant_store_faults(first.va + W_ACK * 8, 0x5a5a5a5a));
    CHECK_EQ(word_get(&first, W_ACK), 0x5a5a5a5a);
    CHECK_EQ(*(volatile uint8_t *)(va_ro(&first) + 7), peer_pattern(7));
    CHECK_EQ(grant_probe_read(va_pt(&first)), 0);
    /* Its grants went with it; its frame is nobody's to name. */
    op = grant_map(VA_SCRATCH, GNTMAP_host_map, PEER_REF_RW, PEER_GRANTER);
    CHECK_EQ(op.status, GNTST_bad_domain);
    CHECK_EQ(peer_copy((struct gnttab_copy){
                 .source = {.u.ref = PEER_REF_RO, .domid = PEER_GRANTER},
                 .dest = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF},
                 .len = 8,
                 .flags = GNTCOPY_source_gref,
             }),
             GNTST_bad_domain);
    CHECK_EQ(peer_copy((struct gnttab_copy){
                 .source = {.u.gmfn = first.mfn, .domid = DOMID_SELF},
                 .dest = {.u.gmfn = mm_pfn_to_mfn(local), .domid = DOMID_SELF},
                 .len = 8,
             }),
             GNTST_bad_page);
    CHECK_EQ(*(volatile unsigned long *)mm_pfn_to_virt(local), 0);
    mm_page_free(local);
}

/* ---- the granter restarts: the same domid, a new life ---- */

/* Word w of the granter's handshake page, by a copy from PEER_REF_LIFE (0 if none now). */
static uint64_t granter_word(unsigned int w)
{
    static uint64_t word; /* in the image: mapped 1:1 like every frame of ours */
    struct gnttab_copy c = {
        .source = {.u.ref = PEER_REF_LIFE, .domid = PEER_GRANTER, .offset = (uint16_t)(w * 8)},
        .dest = {.u.gmfn = mm_virt_to_mfn(&word),
                 .domid = DOMID_SELF,
                 .offset = (uint16_t)((unsigned long)&word & ~PAGE_MASK)},
        .len = sizeof(word),
        .flags = GNTCOPY_source_gref,
    };

    WRITE_ONCE(word, 0);
    return peer_copy(c) == GNTST_okay ? READ_ONCE(word) : 0;
}

static bool reborn_granted(void)
{
    uint64_t life = granter_word(W_LIFE);

    return life && life != first.life;
}

/* Waits, mapping nothing meanwhile, for the new life: the old one is destroyed. */
static void mapper_granter_reborn(void)
{
    CHECK(first.life);
    if (!peer_wait(reborn_granted))
        test_fail(__FILE__, __LINE__, "no new life of domain %u", PEER_GRANTER);
}

static void mapper_map_reborn(void)
{
    maps_get(&reborn);
    CHECK(reborn.life != first.life);
}

/* Ends the mappings of the first life, by their own handles. */
static void mapper_unmap_first_life(void)
{
    CHECK_EQ(reborn.rw.status, GNTST_okay);
    maps_put(&first);
    CHECK_EQ(grant_probe_read(reborn.va), PEER_MAGIC);
}

/* The new life checks its grants are in use, then ends for good. */
static void mapper_reply_last(void)
{
    CHECK_EQ(reborn.rw.status, GNTST_okay);
    word_set(&reborn, W_LAST, PEER_LAST);
    word_set(&reborn, W_REPLY, PEER_REPLY);
}

static bool reborn_acked(void)
{
    return word_get(&reborn, W_ACK) == PEER_ACK;
}

static void mapper_await_reborn_ack(void)
{
    CHECK_EQ(reborn.rw.status, GNTST_okay);
    if (!peer_wait(reborn_acked))
        test_fail(__FILE__, __LINE__, "no ack from the new life");
}

static void mapper_unmap_reborn(void)
{
    maps_put(&reborn);
}

/* ---- what the first life leaves mapped past its destruction ---- */

/* The frames the hypervisor gave the granter, granted to us. */
static void mapper_map_xen_frames(void)
{
    const volatile grant_entry_v1_t *table = (const volatile grant_entry_v1_t *)VA_GTAB;
    uint32_t ro = GNTMAP_host_map | GNTMAP_readonly;

    xen_shinfo = grant_map(VA_SHINFO, ro, PEER_REF_SHINFO, PEER_GRANTER);
    xen_gtab = grant_map(VA_GTAB, ro, PEER_REF_GTAB, PEER_GRANTER);
    test_info("shared_info: status %d, grant table: status %d", xen_shinfo.status, xen_gtab.status);
    /* Refused, or mapped and then kept alive as long as we map them. */
    if (xen_shinfo.status != GNTST_okay)
        CHECK_EQ(xen_shinfo.status, GNTST_bad_page);
    if (xen_gtab.status != GNTST_okay)
        CHECK_EQ(xen_gtab.status, GNTST_bad_page);
    if (xen_shinfo.status == GNTST_okay)
        CHECK_EQ(xen_shinfo.dev_bus_addr >> PAGE_SHIFT, word_get(&first, W_SHINFO));
    if (xen_gtab.status == GNTST_okay) {
        CHECK_EQ(xen_gtab.dev_bus_addr >> PAGE_SHIFT, word_get(&first, W_GTAB));
        CHECK_EQ(table[PEER_REF_RW].frame, first.mfn);
        CHECK_EQ(table[PEER_REF_RW].flags, GTF_permit_access | GTF_reading | GTF_writing);
    }
}

/*
 * Their owner is destroyed: the frames must still be there for us, and
 * nobody else's, such as the new life's shared_info and table; then go.
 */
static void mapper_xen_frames_after_death(void)
{
    uint64_t shinfo = granter_word(W_SHINFO), gtab = granter_word(W_GTAB);

    test_info("new life: shared_info %#lx table %#lx; we map %#lx and %#lx", shinfo, gtab,
              xen_shinfo.dev_bus_addr >> PAGE_SHIFT, xen_gtab.dev_bus_addr >> PAGE_SHIFT);
    CHECK(shinfo && gtab);
    if (xen_shinfo.status == GNTST_okay) {
        CHECK_EQ(grant_l1e(VA_SHINFO) & PTE_P, PTE_P);
        CHECK(xen_shinfo.dev_bus_addr >> PAGE_SHIFT != shinfo);
        CHECK(xen_shinfo.dev_bus_addr >> PAGE_SHIFT != gtab);
    }
    if (xen_gtab.status == GNTST_okay) {
        CHECK_EQ(grant_l1e(VA_GTAB) & PTE_P, PTE_P);
        CHECK(xen_gtab.dev_bus_addr >> PAGE_SHIFT != shinfo);
        CHECK(xen_gtab.dev_bus_addr >> PAGE_SHIFT != gtab);
    }
    unmap_one(VA_SHINFO, &xen_shinfo);
    unmap_one(VA_GTAB, &xen_gtab);
}

/* The control domain's foreign mapping of the granter's frame. */
static void mapper_foreign_map(void)
{
    uint64_t pte = ((uint64_t)first.mfn << PAGE_SHIFT) | PTE_P | PTE_US | PTE_A;

    CHECK(first.mfn);
    CHECK_EQ(HC(__HYPERVISOR_update_va_mapping_otherdomain, VA_FOREIGN, pte, UVMF_INVLPG,
                PEER_GRANTER, 0),
             0);
    foreign_mapped = true;
    CHECK_EQ(grant_probe_read(VA_FOREIGN), PEER_MAGIC);
}

/* The frame's only reference left is this PTE: dropping it must free the frame. */
static void mapper_foreign_after_death(void)
{
    CHECK(foreign_mapped);
    CHECK_EQ(first.rw.status, GNTST_general_error);
    CHECK_EQ(grant_probe_read(VA_FOREIGN), PEER_MAGIC);
    CHECK_EQ(HYPERVISOR_update_va_mapping(VA_FOREIGN, 0, UVMF_INVLPG), 0);
    foreign_mapped = false;
    CHECK_EQ(grant_probe_read(VA_FOREIGN), ~0UL);
}

/* ---- the suites ---- */

#define PEER_SUITE(var, sname, list)                                                               \
    const struct test_suite var = {                                                                \
        .name = sname, .cases = list, .count = ARRAY_SIZE(list), .setup = grant_peer_setup}

static const struct test_case mapper_cases[] = {
    {"map", mapper_map},
    {"table_ops", mapper_table_ops},
    {"refusals", mapper_refusals},
    {"copy", mapper_copy},
    {"foreign_frames", mapper_foreign_frames},
    {"pte_guarded", mapper_pte_guarded},
    {"reply", mapper_reply},
    {"await_ack", mapper_await_ack},
    {"unmap", mapper_unmap},
};
PEER_SUITE(test_suite_grant_mapper, "grant_mapper", mapper_cases);

/* Powers off (the suite's end), once the granter has seen its pages mapped. */
static const struct test_case mapper_dies_cases[] = {
    {"map", mapper_map},
    {"reply", mapper_reply},
    {"await_ack", mapper_await_ack},
};
PEER_SUITE(test_suite_grant_mapper_dies, "grant_mapper_dies", mapper_dies_cases);

static const struct test_case survivor_cases[] = {
    {"map", mapper_map},
    {"reply", mapper_reply},
    {"granter_gone", mapper_granter_gone},
    {"after_death", mapper_after_death},
    {"unmap", mapper_unmap},
};
PEER_SUITE(test_suite_grant_survivor, "grant_survivor", survivor_cases);

/* With grant_granter_restarts: the first life's grants, still mapped, meet the new life's. */
static const struct test_case survivor_restart_cases[] = {
    {"map", mapper_map},
    {"reply", mapper_reply},
    {"granter_reborn", mapper_granter_reborn},
    {"map_reborn", mapper_map_reborn},
    {"unmap_first_life", mapper_unmap_first_life},
    {"reply_last", mapper_reply_last},
    {"granter_gone", mapper_granter_gone},
    {"unmap_reborn", mapper_unmap_reborn},
};
PEER_SUITE(test_suite_grant_survivor_restart, "grant_survivor_restart", survivor_restart_cases);

/* With grant_granter_lives: the first life keeps its shared_info and table mapped. */
static const struct test_case survivor_xen_frames_cases[] = {
    {"map", mapper_map},
    {"map_xen_frames", mapper_map_xen_frames},
    {"reply", mapper_reply},
    {"await_ack", mapper_await_ack},
    {"unmap_grants", mapper_unmap_grants},
    {"granter_reborn", mapper_granter_reborn},
    {"xen_frames_after_death", mapper_xen_frames_after_death},
    {"map_reborn", mapper_map_reborn},
    {"reply_last", mapper_reply_last},
    {"await_reborn_ack", mapper_await_reborn_ack},
    {"unmap_reborn", mapper_unmap_reborn},
    {"granter_gone", mapper_granter_gone},
};
PEER_SUITE(test_suite_grant_survivor_xen_frames, "grant_survivor_xen_frames",
           survivor_xen_frames_cases);

/* With grant_granter_lives: the first life's page stays mapped by a foreign PTE. */
static const struct test_case survivor_foreign_cases[] = {
    {"map", mapper_map},
    {"foreign_map", mapper_foreign_map},
    {"reply", mapper_reply},
    {"await_ack", mapper_await_ack},
    {"unmap_grants", mapper_unmap_grants},
    {"granter_reborn", mapper_granter_reborn},
    {"foreign_after_death", mapper_foreign_after_death},
    {"map_reborn", mapper_map_reborn},
    {"reply_last", mapper_reply_last},
    {"await_reborn_ack", mapper_await_reborn_ack},
    {"unmap_reborn", mapper_unmap_reborn},
    {"granter_gone", mapper_granter_gone},
};
PEER_SUITE(test_suite_grant_survivor_foreign, "grant_survivor_foreign", survivor_foreign_cases);
