/* SPDX-License-Identifier: MIT */
/*
 * Suite "bench": micro-benchmarks of the paths a PV kernel takes most.
 * Not a test of behaviour: each case runs one operation BENCH_ITERS
 * times after a warm-up, reads the TSC around the loop and prints
 *
 *     BENCH <name> <ticks per op> per op
 *
 * with the cost of the loop itself (an empty call) subtracted. Under
 * QEMU with `-icount shift=0,sleep=off` a TSC tick is one executed
 * instruction, so the figures are instruction counts and repeat exactly
 * from boot to boot; elsewhere they are cycles. tests/bench/run.py
 * boots this suite on Xenolith and on Xen 4.17 and compares the lines.
 * A case fails only when the operation itself fails (never on a figure).
 */
#include <guest/asm.h>
#include <guest/events.h>
#include <guest/grant.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/user.h>

#define BENCH_ITERS  10000
#define BENCH_WARMUP 100

/* An L4 slot of the kernel's tables that nothing else uses between cases. */
#define BENCH_SLOT 300
#define BENCH_VA   (0xffff000000000000UL | ((unsigned long)BENCH_SLOT << 39))

typedef void (*bench_op_t)(void);

extern char user_prog_bench_getpid[], user_prog_bench_empty[];

static struct {
    uint64_t loop;              /* ticks of BENCH_ITERS empty calls */
    evtchn_port_t port;         /* evtchn_loopback: the port we send on */
    volatile uint64_t *l1e;     /* the PTE the page-table cases rewrite */
    uint64_t pte[2];            /* ... alternately to these two values */
    unsigned long flips, fails; /* operations done, operations refused */
} bench;

static __attribute__((noinline)) uint64_t bench_time(bench_op_t op, unsigned long n)
{
    uint64_t t0, t1;

    for (unsigned long i = 0; i < BENCH_WARMUP; i++)
        op();
    t0 = time_rdtsc();
    for (unsigned long i = 0; i < n; i++)
        op();
    t1 = time_rdtsc();
    return t1 - t0;
}

/* Prints `ticks` over `n` operations, to a tenth, less `base`. */
static void bench_print(const char *name, uint64_t ticks, uint64_t base, unsigned long n)
{
    uint64_t net = ticks > base ? ticks - base : 0;
    uint64_t tenths = (net * 10 + n / 2) / n;

    printk("BENCH %s %lu.%lu per op\n", name, (unsigned long)(tenths / 10),
           (unsigned long)(tenths % 10));
}

static void bench_measure(const char *name, bench_op_t op)
{
    bench_print(name, bench_time(op, BENCH_ITERS), bench.loop, BENCH_ITERS);
}

static __attribute__((noinline)) void bench_nothing(void)
{
    asm volatile("" ::: "memory");
}

static void bench_setup(void)
{
    bench.loop = bench_time(bench_nothing, BENCH_ITERS);
    printk("bench: %u iterations after %u warm-up, loop cost %lu ticks (subtracted)\n", BENCH_ITERS,
           BENCH_WARMUP, (unsigned long)bench.loop);
}

/* xen_version(XENVER_version): no arguments to copy, no side effects. */
static __attribute__((noinline)) void bench_op_version(void)
{
    if (HYPERVISOR_xen_version(XENVER_version, NULL) <= 0)
        bench.fails++;
}

static void bench_hypercall_mode(const char *name, int use_syscall)
{
    int saved = hypercall_use_syscall;

    bench.fails = 0;
    hypercall_use_syscall = use_syscall;
    bench_measure(name, bench_op_version);
    hypercall_use_syscall = saved;
    CHECK_EQ(bench.fails, 0);
}

static void bench_null_hypercall_page(void)
{
    bench_hypercall_mode("null_hypercall_page", 0);
}

static void bench_null_hypercall_syscall(void)
{
    bench_hypercall_mode("null_hypercall_syscall", 1);
}

/* EVTCHNOP_send on one end of a loopback pair; the upcall for the other
 * end is delivered as the hypercall returns and handled before the next. */
static __attribute__((noinline)) void bench_op_send(void)
{
    if (evtchn_send(bench.port))
        bench.fails++;
}

static void bench_evtchn_loopback(void)
{
    long a = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF), b;

    CHECK(a >= 0);
    b = evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a);
    CHECK(b >= 0);
    evtchn_set_handler((evtchn_port_t)a, NULL, NULL);
    evtchn_reset_count((evtchn_port_t)a);
    bench.port = (evtchn_port_t)b;
    bench.fails = 0;
    evtchn_upcall_enable();
    bench_measure("evtchn_send_upcall", bench_op_send);
    evtchn_upcall_disable();
    CHECK_EQ(bench.fails, 0);
    CHECK_EQ(evtchn_count((evtchn_port_t)a), BENCH_ITERS + BENCH_WARMUP);
    CHECK_EQ(evtchn_close((evtchn_port_t)b), 0);
    CHECK_EQ(evtchn_close((evtchn_port_t)a), 0);
}

/*
 * A ring-3 program making BENCH_USER_ITERS getpid calls, less the same
 * program making none: each call is bounced by the hypervisor to our
 * syscall callback on the kernel tables, and iret goes back to user mode.
 */
static void bench_user_syscall(void)
{
    struct user_result res;
    uint64_t t0, t1, t2;

    CHECK_EQ(user_run(user_prog_bench_getpid, &res), 0); /* warm-up */
    t0 = time_rdtsc();
    CHECK_EQ(user_run(user_prog_bench_empty, &res), 0);
    t1 = time_rdtsc();
    CHECK(res.exited && res.nr_syscalls == 1);
    CHECK_EQ(user_run(user_prog_bench_getpid, &res), 0);
    t2 = time_rdtsc();
    CHECK(res.exited && res.nr_syscalls == BENCH_USER_ITERS + 1);
    bench_print("user_syscall", t2 - t1, t1 - t0, BENCH_USER_ITERS);
}

static uint64_t bench_pte(unsigned long pfn, uint64_t flags)
{
    return ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) | flags;
}

/* L3 -> L2 -> L1 for BENCH_VA, linked into the kernel's L4; pfns[3] is
 * the data frame the L1 entry will map. */
static long bench_tree_build(unsigned long pfns[4])
{
    uint64_t *l3, *l2;
    long rc = 0;

    for (int i = 0; i < 4; i++)
        if (!(pfns[i] = mm_page_alloc()))
            return -1;
    l3 = mm_pfn_to_virt(pfns[0]);
    l2 = mm_pfn_to_virt(pfns[1]);
    l3[mm_table_index(BENCH_VA, 3)] = bench_pte(pfns[1], PTE_TABLE);
    l2[mm_table_index(BENCH_VA, 2)] = bench_pte(pfns[2], PTE_TABLE);
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mm_set_readonly(pfns[i], true);
    if (rc == 0)
        rc = mm_entry_write(((uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT) + BENCH_SLOT * 8,
                            bench_pte(pfns[0], PTE_TABLE));
    bench.l1e = (volatile uint64_t *)mm_pfn_to_virt(pfns[2]) + mm_table_index(BENCH_VA, 1);
    bench.pte[0] = bench_pte(pfns[3], PTE_PAGE);
    bench.pte[1] = 0;
    bench.flips = bench.fails = 0;
    return rc;
}

static void bench_tree_free(const unsigned long pfns[4])
{
    if (mm_entry_write(((uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT) + BENCH_SLOT * 8, 0))
        test_fail(__FILE__, __LINE__, "unlinking the bench tables");
    for (int i = 0; i < 3; i++)
        if (pfns[i] && mm_pt_free(pfns[i]))
            test_fail(__FILE__, __LINE__, "table frame %d still typed", i);
    if (pfns[3])
        mm_page_free(pfns[3]);
}

/* One validated L1 update by mmu_update: map the data frame, or unmap it. */
static __attribute__((noinline)) void bench_op_mmu_update(void)
{
    uint64_t maddr = ((uint64_t)mm_virt_to_mfn((const void *)bench.l1e) << PAGE_SHIFT) +
                     ((unsigned long)bench.l1e & (PAGE_SIZE - 1));

    if (hypercall_mmu_one(maddr, bench.pte[bench.flips++ & 1]))
        bench.fails++;
}

/* The same update as a plain store into the read-only L1: the hypervisor
 * takes the #PF and does it for us (writable page tables). */
static __attribute__((noinline)) void bench_op_pte_write(void)
{
    *bench.l1e = bench.pte[bench.flips++ & 1];
}

static void bench_page_table(const char *name, bench_op_t op)
{
    unsigned long pfns[4] = {0};

    if (bench_tree_build(pfns) == 0) {
        bench_measure(name, op);
        CHECK_EQ(bench.fails, 0);
        /* The last of an even number of flips unmapped the frame. */
        CHECK_EQ(*bench.l1e, 0);
    } else {
        test_fail(__FILE__, __LINE__, "building the bench tables");
    }
    bench_tree_free(pfns);
}

static void bench_mmu_update(void)
{
    bench_page_table("pte_mmu_update", bench_op_mmu_update);
}

static void bench_pte_write(void)
{
    bench_page_table("pte_direct_write", bench_op_pte_write);
}

/* SCHEDOP_yield with one vCPU: through the scheduler and back to us. */
static __attribute__((noinline)) void bench_op_yield(void)
{
    if (HYPERVISOR_sched_op(SCHEDOP_yield, NULL))
        bench.fails++;
}

static void bench_sched_yield(void)
{
    bench.fails = 0;
    bench_measure("sched_yield", bench_op_yield);
    CHECK_EQ(bench.fails, 0);
}

/*
 * Grants, as a backend uses a frontend's: one of our own frames granted
 * to ourselves (dom0), mapped at an address of a private area and
 * unmapped again, or copied from by GNTTABOP_copy, 4 KiB at a time.
 */
#define BENCH_GRANT_SLOT 306
#define BENCH_GRANT_REF  9

static struct {
    unsigned long area, tables[3], src, dst; /* pfns: granted frame, copy target */
} bgnt;

static __attribute__((noinline)) void bench_op_grant_map(void)
{
    struct gnttab_map_grant_ref map = {
        .host_addr = bgnt.area + PAGE_SIZE, .flags = GNTMAP_host_map, .ref = BENCH_GRANT_REF};
    struct gnttab_unmap_grant_ref unmap = {.host_addr = bgnt.area + PAGE_SIZE};

    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1) || map.status)
        bench.fails++;
    unmap.handle = map.handle;
    if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1) || unmap.status)
        bench.fails++;
}

static __attribute__((noinline)) void bench_op_grant_copy(void)
{
    struct gnttab_copy c = {
        .source = {.u.ref = BENCH_GRANT_REF, .domid = 0},
        .dest = {.u.gmfn = mm_pfn_to_mfn(bgnt.dst), .domid = DOMID_SELF},
        .len = PAGE_SIZE,
        .flags = GNTCOPY_source_gref,
    };

    if (HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1) || c.status)
        bench.fails++;
}

static void bench_grant(void)
{
    CHECK((bgnt.src = mm_page_alloc()) && (bgnt.dst = mm_page_alloc()));
    bgnt.area = mm_area_create(BENCH_GRANT_SLOT, bgnt.tables);
    CHECK_EQ(gnttab_map_table(bgnt.area, 1), 0);
    gnttab_grant(BENCH_GRANT_REF, 0, mm_pfn_to_mfn(bgnt.src), false);
    bench.fails = 0;
    bench_measure("grant_map_unmap", bench_op_grant_map);
    bench_measure("grant_copy_4k", bench_op_grant_copy);
    CHECK_EQ(bench.fails, 0);
    CHECK(gnttab_end(BENCH_GRANT_REF));
}

static const struct test_case bench_cases[] = {
    {"null_hypercall_page", bench_null_hypercall_page},
    {"null_hypercall_syscall", bench_null_hypercall_syscall},
    {"evtchn_send_upcall", bench_evtchn_loopback},
    {"user_syscall", bench_user_syscall},
    {"pte_mmu_update", bench_mmu_update},
    {"pte_direct_write", bench_pte_write},
    {"sched_yield", bench_sched_yield},
    {"grant", bench_grant},
};
const struct test_suite test_suite_bench = {
    .name = "bench",
    .cases = bench_cases,
    .count = ARRAY_SIZE(bench_cases),
    .setup = bench_setup,
};
