/* SPDX-License-Identifier: MIT */
/*
 * Suite "domctl_hostile" (Xenolith-only, the control domain:
 * tests/integration/test_domctl_hostile.py): every domctl rule
 * (docs/domctl.md) tried with the input that should break it, each
 * answer checked for its exact error code (Xen 4.17's where Xen takes the
 * same input). Needs boot/xenolith-guest in the boot ramdisk (a kernel to
 * build domains from) and a boot domU with on_poweroff = "preserve"
 * (domain 1, a boot domain the toolstack may not build). The last case
 * destroys every domain the suite made and checks no frame was lost.
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/hypercall.h>
#include <guest/mm.h>
#include <guest/sysctl.h>
#include <guest/test.h>
#include <guest/time.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include "domctl_hostile.h"

#define MISSING     0x7fef /* a domain id never given */
#define WAIT_NS     (10 * 1000000000UL)
#define MAX_CREATED 16

static domid_t created[MAX_CREATED];
static unsigned int nr_created;
static unsigned long free_before;

long dctl_call(uint32_t cmd, domid_t domid, struct xen_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = domid;
    return HYPERVISOR_domctl(op);
}

/* A fresh domain with max_mem for NR_PAGES, remembered for the cleanup. */
domid_t dctl_make_domain(unsigned int max_vcpus)
{
    domid_t id = 0;

    if (nr_created == MAX_CREATED || domctl_create(max_vcpus, &id))
        return 0;
    created[nr_created++] = id; /* destroyed at the end even if the rest fails */
    return domctl_max_mem(id, (NR_PAGES + 256) * 4) ? 0 : id;
}

/* Two pages, the second unmapped: returns the first's address. */
char *dctl_hole_open(unsigned long *pfn)
{
    *pfn = mm_pages_alloc(2);
    if (!*pfn)
        return NULL;
    if (HYPERVISOR_update_va_mapping((unsigned long)mm_pfn_to_virt(*pfn + 1), 0, UVMF_INVLPG))
        return NULL;
    return mm_pfn_to_virt(*pfn);
}

void dctl_hole_close(unsigned long pfn)
{
    uint64_t pte = ((uint64_t)mm_pfn_to_mfn(pfn + 1) << PAGE_SHIFT) | PTE_PAGE;

    if (HYPERVISOR_update_va_mapping((unsigned long)mm_pfn_to_virt(pfn + 1), pte, UVMF_INVLPG))
        test_fail(__FILE__, __LINE__, "cannot map the page back");
    mm_pages_free(pfn, 2);
}

/* Polls getdomaininfo until done(rc, info) says so, at most WAIT_NS. */
bool dctl_wait(domid_t id, bool (*done)(long rc, const struct domctl_info *i))
{
    uint64_t deadline = time_now() + WAIT_NS;
    struct domctl_info info;

    while (!done(domctl_domain_info(id, &info), &info)) {
        if (time_now() > deadline)
            return false;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return true;
}

static bool is_shut_down(long rc, const struct domctl_info *i)
{
    return !rc && i->shutdown;
}

bool dctl_is_gone(long rc, const struct domctl_info *i)
{
    (void)i;
    return rc == -ESRCH;
}

/* First: the boot domU has shut down (preserved), then free memory. */
static void hostile_setup(void)
{
    struct sysctl_physinfo pi;

    CHECK(dctl_wait(BOOT_DOMU, is_shut_down));
    CHECK_EQ(sysctl_physinfo(&pi), 0);
    free_before = pi.free_pages;
}

/* createdomain: PV only (HVM/HAP: -EINVAL, as Xen on a host without HVM),
 * 1..32 vCPUs (0 is Xen's -EINVAL too; 32 is Xenolith's own ceiling, Xen's
 * PV one is higher), an id in use is -EEXIST (as Xen). */
static void hostile_create(void)
{
    struct xen_domctl op = {0};
    domid_t id = dctl_make_domain(1);

    CHECK(id != 0);
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hap;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
    op.u.createdomain.flags = 0;
    op.u.createdomain.max_vcpus = 0;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
    op.u.createdomain.max_vcpus = 33;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
    op.u.createdomain.max_vcpus = ~0u;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, 0, &op), -EINVAL);
    op.u.createdomain.max_vcpus = 1;
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, id, &op), -EEXIST);
    CHECK_EQ(dctl_call(XEN_DOMCTL_createdomain, BOOT_DOMU, &op), -EEXIST);
}

/* The caller may not destroy or pause itself (-EINVAL, as Xen); DOMID_SELF
 * names no domain here (-ESRCH: Xen's domctl looks ids up literally). */
static void hostile_self(void)
{
    struct domctl_info info;

    CHECK_EQ(domctl_destroy(0), -EINVAL);
    CHECK_EQ(domctl_pause(0), -EINVAL);
    CHECK_EQ(domctl_destroy(DOMID_SELF), -ESRCH);
    CHECK_EQ(domctl_pause(DOMID_SELF), -ESRCH);
    CHECK_EQ(domctl_domain_info(0, &info), 0);
    CHECK(!info.dying && !info.paused);
}

/* Every command on a domain id never given: -ESRCH. */
static void hostile_missing(void)
{
    static const uint32_t cmds[] = {
        XEN_DOMCTL_destroydomain,   XEN_DOMCTL_pausedomain,   XEN_DOMCTL_unpausedomain,
        XEN_DOMCTL_max_mem,         XEN_DOMCTL_getvcpuinfo,   XEN_DOMCTL_setvcpuaffinity,
        XEN_DOMCTL_getvcpuaffinity, XEN_DOMCTL_scheduler_op,  XENOLITH_DOMCTL_build,
        XENOLITH_DOMCTL_console,    XENOLITH_DOMCTL_describe,
    };
    const domid_t ids[] = {MISSING, DOMID_FIRST_RESERVED, DOMID_XEN, DOMID_INVALID};
    struct xen_domctl op;

    for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
        for (unsigned int j = 0; j < ARRAY_SIZE(ids); j++) {
            memset(&op, 0, sizeof(op));
            op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
            /* describe's DOMID_SELF (DOMID_FIRST_RESERVED) is the caller */
            if (cmds[i] == XENOLITH_DOMCTL_describe && ids[j] == DOMID_SELF)
                continue;
            if (dctl_call(cmds[i], ids[j], &op) != -ESRCH)
                test_fail(__FILE__, __LINE__, "cmd %#x domain %#x: not -ESRCH", cmds[i], ids[j]);
        }
    memset(&op, 0, sizeof(op));
    CHECK_EQ(dctl_call(XEN_DOMCTL_getdomaininfo, MISSING, &op), -ESRCH);
    memset(&op, 0, sizeof(op));
    CHECK_EQ(dctl_call(XENOLITH_DOMCTL_describe, DOMID_SELF, &op), 0);
    CHECK_EQ(((struct xenolith_domctl_describe *)&op.u)->domid, 0);
}

/* getvcpuinfo and affinity: a vCPU at or past max_vcpus, no HARD/SOFT flag. */
static void hostile_vcpu(void)
{
    const uint32_t bad[] = {2, 32, 0xffff, ~0u};
    domid_t id = dctl_make_domain(2);
    struct xen_domctl op = {0};
    uint64_t hard = 1, soft = 1;
    struct domctl_vcpu v;

    CHECK(id != 0);
    CHECK_EQ(domctl_vcpu_info(id, 1, &v), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK_EQ(domctl_vcpu_info(id, bad[i], &v), -EINVAL);
        CHECK_EQ(domctl_get_affinity(id, bad[i], &hard, &soft), -EINVAL);
        CHECK_EQ(domctl_set_affinity(id, bad[i], 1, 1), -EINVAL);
    }
    op.u.vcpuaffinity.vcpu = 0;
    op.u.vcpuaffinity.flags = 0;
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_hard.bitmap, (uint8_t *)&hard);
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    CHECK_EQ(dctl_call(XEN_DOMCTL_setvcpuaffinity, id, &op), -EINVAL);
    CHECK_EQ(dctl_call(XEN_DOMCTL_getvcpuaffinity, id, &op), -EINVAL);
    op.u.vcpuaffinity.flags = ~(XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT);
    CHECK_EQ(dctl_call(XEN_DOMCTL_getvcpuaffinity, id, &op), -EINVAL);
}

/* One affinity call on vCPU 0 of id: the hard map only, at map/nr_bits. */
static long affinity_hard(uint32_t cmd, domid_t id, unsigned long map, uint32_t nr_bits)
{
    struct xen_domctl op = {0};

    op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_hard.bitmap, (uint8_t *)map);
    op.u.vcpuaffinity.cpumap_hard.nr_bits = nr_bits;
    return dctl_call(cmd, id, &op);
}

/* Bitmaps the hypervisor cannot read or write (-EFAULT), or with no online
 * pCPU (-EINVAL, as Xen): refused, and the affinity is as it was. */
static void hostile_affinity_masks(void)
{
    const unsigned long maps[] = {UNMAPPED_VA, HV_VA, 0};
    domid_t id = dctl_make_domain(1);
    uint64_t hard, soft, zero = 0, offline = 1ul << 63;

    CHECK(id != 0);
    CHECK_EQ(domctl_set_affinity(id, 0, 1, 1), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(maps); i++) {
        CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, maps[i], 64), -EFAULT);
        CHECK_EQ(affinity_hard(XEN_DOMCTL_getvcpuaffinity, id, maps[i], 64), -EFAULT);
    }
    CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, (unsigned long)&zero, 64), -EINVAL);
    CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, (unsigned long)&offline, 64), -EINVAL);
    CHECK_EQ(domctl_get_affinity(id, 0, &hard, &soft), 0);
    CHECK_EQ(hard, 1);
    CHECK_EQ(soft, 1);
}

/*
 * nr_bits says how big the caller's bitmap is: a 1-byte one is read and
 * written as 1 byte (the guard after it untouched, its bits past nr_bits
 * ignored); 0 bits are none (an empty hard mask, -EINVAL; nothing
 * written); a count whose byte size wraps (2^32 - 1, as Xen's
 * DIV_ROUND_UP) is none too; a huge one is zero-filled (as Xen) up to the
 * first unmapped byte, -EFAULT.
 */
static void hostile_affinity_nr_bits(void)
{
    domid_t id = dctl_make_domain(1);
    uint8_t map[2];
    unsigned long pfn;
    char *page;
    uint64_t hard, soft;

    CHECK(id != 0);
    map[0] = 0xfe; /* bit 0 clear: with nr_bits 1, an empty mask */
    map[1] = 0xff;
    CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, (unsigned long)map, 1), -EINVAL);
    CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, (unsigned long)map, 0), -EINVAL);
    CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, (unsigned long)map, ~0u), -EINVAL);
    map[0] = 0x01;
    CHECK_EQ(affinity_hard(XEN_DOMCTL_setvcpuaffinity, id, (unsigned long)map, 8), 0);
    CHECK_EQ(map[0], 0x01); /* the effective mask */
    CHECK_EQ(map[1], 0xff); /* the guard neither read nor written */
    CHECK_EQ(domctl_get_affinity(id, 0, &hard, &soft), 0);
    CHECK_EQ(hard, 1);
    map[0] = 0xa5;
    CHECK_EQ(affinity_hard(XEN_DOMCTL_getvcpuaffinity, id, (unsigned long)map, 0), 0);
    CHECK_EQ(affinity_hard(XEN_DOMCTL_getvcpuaffinity, id, (unsigned long)map, ~0u), 0);
    CHECK_EQ(map[0], 0xa5);
    CHECK_EQ(affinity_hard(XEN_DOMCTL_getvcpuaffinity, id, (unsigned long)map, 3), 0);
    CHECK_EQ(map[0], 0x01);
    CHECK_EQ(map[1], 0xff);
    page = dctl_hole_open(&pfn);
    CHECK(page != NULL);
    page[PAGE_SIZE - 1] = 0x5a;
    CHECK_EQ(affinity_hard(XEN_DOMCTL_getvcpuaffinity, id, (unsigned long)page + PAGE_SIZE - 1,
                           0xfffffff8u),
             -EFAULT);
    CHECK_EQ(page[PAGE_SIZE - 1], 0x01);
    dctl_hole_close(pfn);
}

/* scheduler_op: another scheduler's id or a command credit has not
 * (per-vCPU ones included) are -EINVAL, as Xen; a cap past what the host
 * could give is Xenolith's -EINVAL (Xen takes any); nothing changes. */
static void hostile_sched(void)
{
    const uint32_t cmds[] = {XEN_DOMCTL_SCHEDOP_putvcpuinfo, XEN_DOMCTL_SCHEDOP_getvcpuinfo, 4,
                             ~0u};
    domid_t id = dctl_make_domain(1);
    unsigned int w = 300, c = 20;

    CHECK(id != 0);
    CHECK_EQ(domctl_sched_credit_set(id, 300, 20), 0);
    CHECK_EQ(domctl_sched_op(id, XEN_SCHEDULER_CREDIT2, XEN_DOMCTL_SCHEDOP_putinfo, &w, &c),
             -EINVAL);
    CHECK_EQ(domctl_sched_op(id, 0, XEN_DOMCTL_SCHEDOP_getinfo, &w, &c), -EINVAL);
    for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
        CHECK_EQ(domctl_sched_op(id, XEN_SCHEDULER_CREDIT, cmds[i], &w, &c), -EINVAL);
    c = 0xfffe;
    CHECK_EQ(domctl_sched_op(id, XEN_SCHEDULER_CREDIT, XEN_DOMCTL_SCHEDOP_putinfo, &w, &c),
             -EINVAL);
    CHECK_EQ(domctl_sched_credit_get(id, &w, &c), 0);
    CHECK_EQ(w, 300);
    CHECK_EQ(c, 20);
    /* weight 0 and cap 0xffff leave both; 65535 is the largest weight */
    CHECK_EQ(domctl_sched_credit_set(id, 0, 0xffff), 0);
    CHECK_EQ(domctl_sched_credit_get(id, &w, &c), 0);
    CHECK_EQ(w, 300);
    CHECK_EQ(c, 20);
    CHECK_EQ(domctl_sched_credit_set(id, 65535, 0), 0);
}

/* XENOLITH_DOMCTL_console: only into a live domU's console ring; the
 * control domain's own, a never-built domain's and a shut-down one's are
 * -EINVAL, and the input stays where it was. */
static void hostile_console(void)
{
    domid_t id = dctl_make_domain(1), before = 0, focus = 0;

    CHECK(id != 0);
    CHECK_EQ(domctl_console(0, false, &before), 0);
    CHECK_EQ(domctl_console(0, true, &focus), -EINVAL);
    CHECK_EQ(domctl_console(id, true, &focus), -EINVAL);
    CHECK_EQ(domctl_console(BOOT_DOMU, true, &focus), -EINVAL);
    CHECK_EQ(focus, before);
}

/* The preserved boot domU: shut down, so neither paused nor unpaused. */
static void hostile_shut_down(void)
{
    CHECK_EQ(domctl_pause(BOOT_DOMU), -EINVAL);
    CHECK_EQ(domctl_unpause(BOOT_DOMU), -EINVAL);
}

/*
 * The op itself: unreadable (unmapped, the hypervisor's, straddling a
 * hole) is -EFAULT; another interface version is -EACCES before any
 * command runs, Xenolith's included, and nothing is copied back.
 */
static void hostile_op(void)
{
    const uint32_t cmds[] = {XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_createdomain,
                             XEN_DOMCTL_destroydomain, XENOLITH_DOMCTL_build,
                             XENOLITH_DOMCTL_console,  XENOLITH_DOMCTL_describe};
    struct xen_domctl op;
    unsigned long pfn;
    char *page;

    CHECK_EQ(HYPERVISOR_domctl((void *)UNMAPPED_VA), -EFAULT);
    CHECK_EQ(HYPERVISOR_domctl((void *)HV_VA), -EFAULT);
    CHECK_EQ(HYPERVISOR_domctl((void *)0xfffffffffffffff0UL), -EFAULT);
    page = dctl_hole_open(&pfn);
    CHECK(page != NULL);
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_getdomaininfo;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    memcpy(page + PAGE_SIZE - 16, &op, 16); /* its head, the rest in the hole */
    CHECK_EQ(HYPERVISOR_domctl(page + PAGE_SIZE - 16), -EFAULT);
    dctl_hole_close(pfn);
    for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
        memset(&op, 0x5a, sizeof(op));
        op.cmd = cmds[i];
        op.domain = 0;
        op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
        CHECK_EQ(HYPERVISOR_domctl(&op), -EACCES);
        op.interface_version = ~0u;
        CHECK_EQ(HYPERVISOR_domctl(&op), -EACCES);
        CHECK_EQ(op.u.pad[100], 0x5a);
    }
}

static long sysctl_call(struct xen_sysctl *op, uint32_t cmd)
{
    op->cmd = cmd;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return HYPERVISOR_sysctl(op);
}

/*
 * sysctl's buffers where basic_sysctl does not try them: in the
 * hypervisor's range, wrapping, running into a hole. -EFAULT, nothing
 * written past the hole or the count, no count copied back, and a
 * refused readconsole with clear clears nothing.
 */
static void hostile_sysctl(void)
{
    const size_t rec = sizeof(struct xen_domctl_getdomaininfo);
    const unsigned long bad[] = {HV_VA, UNMAPPED_VA, 0xffffffffffffff00UL};
    struct xen_sysctl op;
    unsigned long pfn;
    char *page;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        memset(&op, 0, sizeof(op));
        set_xen_guest_handle(op.u.readconsole.buffer, (char *)bad[i]);
        op.u.readconsole.count = 64;
        op.u.readconsole.clear = 1;
        CHECK_EQ(sysctl_call(&op, XEN_SYSCTL_readconsole), -EFAULT);
        CHECK_EQ(op.u.readconsole.count, 64);
        memset(&op, 0, sizeof(op));
        set_xen_guest_handle(op.u.getdomaininfolist.buffer, (void *)bad[i]);
        op.u.getdomaininfolist.max_domains = ~0u;
        CHECK_EQ(sysctl_call(&op, XEN_SYSCTL_getdomaininfolist), -EFAULT);
        CHECK_EQ(op.u.getdomaininfolist.num_domains, 0);
    }
    CHECK_EQ(HYPERVISOR_sysctl((void *)HV_VA), -EFAULT);
    page = dctl_hole_open(&pfn);
    CHECK(page != NULL);
    /* 8 bytes before the hole, 64 asked: the 8 written, then -EFAULT */
    memset(page, 0x5a, PAGE_SIZE);
    memset(&op, 0, sizeof(op));
    set_xen_guest_handle(op.u.readconsole.buffer, page + PAGE_SIZE - 8);
    op.u.readconsole.count = 64;
    op.u.readconsole.clear = 1;
    CHECK_EQ(sysctl_call(&op, XEN_SYSCTL_readconsole), -EFAULT);
    CHECK(page[PAGE_SIZE - 9] == 0x5a);
    op.u.readconsole.clear = 0;
    set_xen_guest_handle(op.u.readconsole.buffer, page);
    CHECK_EQ(sysctl_call(&op, XEN_SYSCTL_readconsole), 0);
    CHECK_EQ(op.u.readconsole.count, 64); /* the log was not cleared */
    CHECK(page[64] == 0x5a);
    /* room for one record before the hole; at least two domains exist */
    memset(&op, 0, sizeof(op));
    set_xen_guest_handle(op.u.getdomaininfolist.buffer,
                         (struct xen_domctl_getdomaininfo *)(page + PAGE_SIZE - rec));
    op.u.getdomaininfolist.max_domains = ~0u;
    CHECK_EQ(sysctl_call(&op, XEN_SYSCTL_getdomaininfolist), -EFAULT);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 0);
    /* max_domains 1 with room for more: one record, the next untouched */
    memset(page, 0x5a, PAGE_SIZE);
    set_xen_guest_handle(op.u.getdomaininfolist.buffer, (struct xen_domctl_getdomaininfo *)page);
    op.u.getdomaininfolist.max_domains = 1;
    CHECK_EQ(sysctl_call(&op, XEN_SYSCTL_getdomaininfolist), 0);
    CHECK_EQ(op.u.getdomaininfolist.num_domains, 1);
    for (i = rec; i < 2 * rec; i++)
        CHECK(page[i] == 0x5a);
    dctl_hole_close(pfn);
}

/* Last: every domain made here destroyed (those the cases destroyed
 * already are -ESRCH, as is any once gone); when all are gone, every
 * frame is back. */
static void hostile_cleanup(void)
{
    struct sysctl_physinfo pi;
    long rc;

    for (unsigned int i = 0; i < nr_created; i++) {
        rc = domctl_destroy(created[i]);
        CHECK(rc == 0 || rc == -ESRCH);
    }
    for (unsigned int i = 0; i < nr_created; i++) {
        CHECK(dctl_wait(created[i], dctl_is_gone));
        CHECK_EQ(domctl_destroy(created[i]), -ESRCH);
    }
    CHECK_EQ(sysctl_physinfo(&pi), 0);
    test_info("%u domains, %lu pages free before, %lu after", nr_created, free_before,
              pi.free_pages);
    CHECK_EQ(pi.free_pages, free_before);
}

static const struct test_case domctl_hostile_cases[] = {
    {"setup", hostile_setup},
    {"create", hostile_create},
    {"self", hostile_self},
    {"missing", hostile_missing},
    {"vcpu", hostile_vcpu},
    {"affinity_masks", hostile_affinity_masks},
    {"affinity_nr_bits", hostile_affinity_nr_bits},
    {"sched", hostile_sched},
    {"build_pointers", dctl_build_pointers},
    {"build_sizes", dctl_build_sizes},
    {"build_cmdline", dctl_build_cmdline},
    {"build_garbage", dctl_build_garbage},
    {"build_twice", dctl_build_twice},
    {"build_bzimage", dctl_build_bzimage},
    {"build_nomem", dctl_build_nomem},
    {"dying", dctl_dying},
    {"console", hostile_console},
    {"shut_down", hostile_shut_down},
    {"op", hostile_op},
    {"sysctl", hostile_sysctl},
    {"cleanup", hostile_cleanup},
};
TEST_SUITE(test_suite_domctl_hostile, "domctl_hostile", domctl_hostile_cases);

/*
 * Suite "domctl_domu", for a domain without privilege: every command,
 * Xen's and Xenolith's, known or not, on any domain id, is -EPERM, and
 * nothing is copied back; but only once the op has been read and its
 * version checked, as Xen orders them (and sysctl_domu checks).
 */
static void domu_refused(void)
{
    const domid_t ids[] = {0, BOOT_DOMU, MISSING, DOMID_SELF};
    struct xen_domctl op;

    for (uint32_t cmd = 0; cmd <= 0x7f10; cmd = cmd == 100 ? 0x7f00 : cmd + 1)
        for (unsigned int j = 0; j < ARRAY_SIZE(ids); j++) {
            memset(&op, 0x5a, sizeof(op));
            op.u.createdomain.max_vcpus = 1;
            op.u.createdomain.flags = 0;
            if (dctl_call(cmd, ids[j], &op) != -EPERM || op.u.pad[100] != 0x5a)
                test_fail(__FILE__, __LINE__, "cmd %#x domain %u: not -EPERM", cmd, ids[j]);
        }
    CHECK_EQ(dctl_call(~0u, 0, &op), -EPERM);
    CHECK_EQ(domctl_pause(0), -EPERM);
    CHECK_EQ(HYPERVISOR_domctl((void *)UNMAPPED_VA), -EFAULT);
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
    CHECK_EQ(HYPERVISOR_domctl(&op), -EACCES);
}

static const struct test_case domctl_domu_cases[] = {
    {"refused", domu_refused},
};
TEST_SUITE(test_suite_domctl_domu, "domctl_domu", domctl_domu_cases);
