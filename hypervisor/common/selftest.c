/* SPDX-License-Identifier: MIT */
/*
 * The in-hypervisor self-test (boot option "selftest"): exercises the
 * frame allocator, the xmalloc heap, timers, IPIs and lock contention on
 * the real machine, prints "N passed, N failed" and ends the machine with
 * the verdict. Also "crashtest=", which faults on purpose so the crash
 * report itself can be tested.
 */
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/selftest.h>
#include <xenolith/shutdown.h>
#include <xenolith/smp.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>

/* Few rounds: with more vCPUs than host cores, every ticket handoff may
 * wait for the host to schedule the next vCPU. */
#define LOCK_ROUNDS    2000
#define NR_TEST_TIMERS 8

bool opt_selftest;
BOOL_PARAM("selftest", opt_selftest);

static unsigned int passed, failed;

static void check(bool ok, const char *what)
{
    printk("selftest: %-48s %s\n", what, ok ? "ok" : "FAILED");
    if (ok)
        passed++;
    else
        failed++;
}

static void test_frames(void)
{
    unsigned long before = heap_free_frames();
    struct page_info *pages[64];
    unsigned int i, got = 0;

    for (i = 0; i < ARRAY_SIZE(pages); i++) {
        pages[i] = alloc_frames(i % 4, 0);
        got += pages[i] != NULL;
    }
    check(got == ARRAY_SIZE(pages), "frame allocator: 64 blocks of order 0-3");
    for (i = 0; i < ARRAY_SIZE(pages); i++)
        if (pages[i])
            free_frames(pages[i], i % 4);
    check(heap_free_frames() == before, "frame allocator: free count restored");
    check(alloc_frames(PAGE_MAX_ORDER, 0x1) == NULL, "frame allocator: impossible limit refused");
}

static void test_xmalloc(void)
{
    size_t before = xmalloc_bytes_in_use();
    void *p[32];
    unsigned int i;
    bool ok = true;

    for (i = 0; i < ARRAY_SIZE(p); i++) {
        p[i] = xmalloc_bytes(8u << (i % 10), 8);
        ok = ok && p[i];
        if (p[i])
            memset(p[i], (int)i, 8u << (i % 10));
    }
    for (i = 0; i < ARRAY_SIZE(p); i++) {
        ok = ok && (!p[i] || ((unsigned char *)p[i])[0] == i);
        xfree(p[i]);
    }
    check(ok, "xmalloc: 32 objects of 8 B - 4 KiB");
    check(xmalloc_bytes_in_use() == before, "xmalloc: bytes in use restored");
}

struct timer_probe {
    struct timer timer;
    s_time_t due, fired_at;
    unsigned int order, *next_order;
};

static void timer_probe_fn(void *data)
{
    struct timer_probe *p = data;

    p->fired_at = NOW();
    p->order = (*p->next_order)++;
}

/* How many live timers are due before timer i: the rank it must fire at. */
static unsigned int earlier_deadlines(const unsigned int *delays, unsigned int cancelled,
                                      unsigned int i)
{
    unsigned int j, n = 0;

    for (j = 0; j < NR_TEST_TIMERS; j++)
        n += j != cancelled && delays[j] < delays[i];
    return n;
}

/* Arms timers out of order; they must fire in deadline order, never early. */
static void test_timers(void)
{
    static const unsigned int delays_ms[NR_TEST_TIMERS] = {7, 2, 9, 4, 1, 8, 3, 6};
    struct timer_probe probes[NR_TEST_TIMERS];
    unsigned int i, next_order = 0, cancelled = 5;
    s_time_t start = NOW(), max_late = 0;
    bool in_order = true, early = false;
    unsigned long flags;

    /* Armed with interrupts off: none may fire before all are queued, or a
     * host stall while arming would reorder them legitimately. */
    flags = local_irq_save();
    for (i = 0; i < NR_TEST_TIMERS; i++) {
        probes[i] =
            (struct timer_probe){.due = start + MILLISECS(delays_ms[i]), .next_order = &next_order};
        timer_init(&probes[i].timer, timer_probe_fn, &probes[i]);
        timer_set(&probes[i].timer, probes[i].due);
    }
    timer_cancel(&probes[cancelled].timer);
    local_irq_restore(flags);
    while (next_order < NR_TEST_TIMERS - 1 && NOW() - start < SECONDS(2))
        cpu_relax();
    for (i = 0; i < NR_TEST_TIMERS; i++) {
        if (i == cancelled)
            continue;
        early |= probes[i].fired_at < probes[i].due;
        max_late = MAX(max_late, probes[i].fired_at - probes[i].due);
        in_order &= probes[i].order == earlier_deadlines(delays_ms, cancelled, i);
    }
    check(next_order == NR_TEST_TIMERS - 1 && probes[cancelled].fired_at == 0,
          "timers: 7 fire, the cancelled one does not");
    check(in_order, "timers: fire in deadline order");
    check(!early, "timers: none fires early");
    printk("selftest: timer lateness at most %lu us\n", (unsigned long)(max_late / 1000));
}

static unsigned int ipi_hits[NR_CPUS];

static void ipi_probe(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&ipi_hits[smp_processor_id()], 1, __ATOMIC_SEQ_CST);
}

static void test_ipis(void)
{
    unsigned int cpu, round;
    bool ok = true;

    memset(ipi_hits, 0, sizeof(ipi_hits));
    for (round = 0; round < 10; round++)
        smp_call_function(&cpu_online_map, ipi_probe, NULL, true);
    for_each_cpu(cpu, &cpu_online_map) ok &= ipi_hits[cpu] == (cpu == smp_processor_id() ? 0 : 10);
    check(ok, "IPIs: 10 calls reach every other online CPU once each");
}

static DEFINE_SPINLOCK(contended_lock);
static volatile uint64_t contended_counter;
static unsigned int lock_workers_done;

static void lock_worker(void *arg)
{
    unsigned int i;

    (void)arg;
    for (i = 0; i < LOCK_ROUNDS; i++) {
        spin_lock(&contended_lock);
        /* A non-atomic read-modify-write: only mutual exclusion keeps it exact. */
        contended_counter = contended_counter + 1;
        spin_unlock(&contended_lock);
    }
    __atomic_fetch_add(&lock_workers_done, 1, __ATOMIC_SEQ_CST);
}

static void test_lock_contention(void)
{
    unsigned int cpus = cpumask_weight(&cpu_online_map);

    contended_counter = 0;
    lock_workers_done = 0;
    smp_call_function(&cpu_online_map, lock_worker, NULL, false);
    lock_worker(NULL);
    while (__atomic_load_n(&lock_workers_done, __ATOMIC_SEQ_CST) != cpus)
        cpu_relax();
    check(contended_counter == (uint64_t)cpus * LOCK_ROUNDS,
          "spinlock: no lost update under contention");
}

void selftest_run(void)
{
    printk("selftest: starting on %u CPUs\n", cpumask_weight(&cpu_online_map));
    test_frames();
    test_xmalloc();
    test_timers();
    test_ipis();
    test_lock_contention();
    printk("selftest: %u passed, %u failed\n", passed, failed);
    machine_exit(failed ? EXIT_FAIL : EXIT_PASS);
}
