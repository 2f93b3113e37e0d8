/* SPDX-License-Identifier: MIT */
/*
 * Suite "bench_smp": what scheduling costs, between two vCPUs of this
 * domain (booted with two; tests/bench/run.py runs it on one pCPU and on
 * two, on Xenolith and on Xen 4.17). Lines as suite bench's:
 *
 *     BENCH <name> <ticks per op> per op
 *
 *   vcpu_pingpong: an event to vCPU 1, which polls for it and answers
 *       with an event vCPU 0 polls for: one round trip;
 *   vcpu_yield_switch: both vCPUs call SCHEDOP_yield in turn; on one
 *       pCPU each yield is a switch to the other vCPU;
 *   wakeup_latency: vCPU 0 blocks until a timer 1 ms ahead while vCPU 1
 *       spins; from the timer's deadline to vCPU 0 running again.
 * Under -icount shift=0 a tick is one instruction and a nanosecond.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/smp.h>
#include <guest/test.h>
#include <guest/time.h>

#define PINGPONG_ITERS 2000
#define YIELD_ITERS    2000
#define WAKEUP_ITERS   200
#define WAKEUP_WARMUP  10 /* the first: the spinner, just woken, is boosted too */
#define MS             1000000ull

static struct {
    evtchn_port_t to0, to1; /* IPIs to vCPU 0 and to vCPU 1 */
    unsigned long stop;     /* vCPU 1's loops end when set */
    unsigned long iters;
} bsmp;

static void bench_smp_print(const char *name, uint64_t ticks, unsigned long n)
{
    uint64_t tenths = (ticks * 10 + n / 2) / n;

    printk("BENCH %s %lu.%lu per op\n", name, (unsigned long)(tenths / 10),
           (unsigned long)(tenths % 10));
}

/* Waits for `port` to be pending, then clears it: SCHEDOP_poll with events masked. */
static void bench_smp_wait(evtchn_port_t port)
{
    struct sched_poll poll = {.nr_ports = 1, .timeout = 0};

    set_xen_guest_handle(poll.ports, &port);
    while (!evtchn_is_pending(port))
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    evtchn_clear_pending(port);
}

static void bench_smp_setup(void)
{
    if (smp_nr_vcpus < 2 || smp_start(1) != 0)
        return;
    /* The wake-ups are the one-shot timer's alone: no 100 Hz tick. */
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    evtchn_op_unmask((evtchn_port_t)evtchn_bind_virq(VIRQ_TIMER, 0));
    bsmp.to0 = (evtchn_port_t)evtchn_bind_ipi(0);
    bsmp.to1 = (evtchn_port_t)evtchn_bind_ipi(1);
    evtchn_mask(bsmp.to0); /* polled, never delivered as upcalls */
    evtchn_mask(bsmp.to1);
}

static void bench_smp_echo(void *arg)
{
    (void)arg;
    for (unsigned long i = 0; i < bsmp.iters; i++) {
        bench_smp_wait(bsmp.to1);
        evtchn_send(bsmp.to0);
    }
}

static void bench_smp_pingpong(void)
{
    uint64_t t0;

    CHECK(bsmp.to0 > 0 && bsmp.to1 > 0);
    bsmp.iters = PINGPONG_ITERS + 100;
    CHECK(smp_post(1, bench_smp_echo, NULL));
    for (int i = 0; i < 100; i++) { /* warm-up */
        evtchn_send(bsmp.to1);
        bench_smp_wait(bsmp.to0);
    }
    t0 = time_rdtsc();
    for (int i = 0; i < PINGPONG_ITERS; i++) {
        evtchn_send(bsmp.to1);
        bench_smp_wait(bsmp.to0);
    }
    bench_smp_print("vcpu_pingpong", time_rdtsc() - t0, PINGPONG_ITERS);
    CHECK(smp_wait_done(1));
}

static void bench_smp_yielder(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&bsmp.stop, __ATOMIC_ACQUIRE))
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static void bench_smp_yield_switch(void)
{
    uint64_t t0;

    bsmp.stop = 0;
    CHECK(smp_post(1, bench_smp_yielder, NULL));
    for (int i = 0; i < 100; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    t0 = time_rdtsc();
    for (int i = 0; i < YIELD_ITERS; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    bench_smp_print("vcpu_yield_switch", time_rdtsc() - t0, YIELD_ITERS);
    __atomic_store_n(&bsmp.stop, 1, __ATOMIC_RELEASE);
    CHECK(smp_wait_done(1));
}

static void bench_smp_spinner(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&bsmp.stop, __ATOMIC_ACQUIRE))
        __asm__ __volatile__("pause");
}

static void bench_smp_wakeup_latency(void)
{
    uint64_t late = 0;

    bsmp.stop = 0;
    CHECK(smp_post(1, bench_smp_spinner, NULL));
    for (int i = 0; i < WAKEUP_WARMUP + WAKEUP_ITERS; i++) {
        uint64_t deadline = time_now() + MS;

        CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
        while (time_now() < deadline)
            HYPERVISOR_sched_op(SCHEDOP_block, NULL); /* events are masked: only wakes */
        if (i >= WAKEUP_WARMUP)
            late += time_now() - deadline;
        evtchn_upcall_disable();
    }
    bench_smp_print("wakeup_latency", late, WAKEUP_ITERS);
    __atomic_store_n(&bsmp.stop, 1, __ATOMIC_RELEASE);
    CHECK(smp_wait_done(1));
}

static const struct test_case bench_smp_cases[] = {
    {"vcpu_pingpong", bench_smp_pingpong},
    {"vcpu_yield_switch", bench_smp_yield_switch},
    {"wakeup_latency", bench_smp_wakeup_latency},
};
const struct test_suite test_suite_bench_smp = {
    .name = "bench_smp",
    .cases = bench_smp_cases,
    .count = ARRAY_SIZE(bench_smp_cases),
    .setup = bench_smp_setup,
};

/*
 * Suites "bench_ping" and "bench_pong": the ping-pong between two domains
 * (Xenolith only: Xen 4.17 builds one domain at boot). Domain 1 (pong)
 * allocates a port for domain 0; domain 0 (ping) binds to it, trying the
 * first ports until one is ready, sends, and polls for the answer.
 */
#define PEER_PING_DOMID 0
#define PEER_PONG_DOMID 1
#define PEER_MAX_PORT   16

static evtchn_port_t peer_port;

static void bench_pong(void)
{
    long port = evtchn_alloc_unbound(DOMID_SELF, PEER_PING_DOMID);

    CHECK(port > 0);
    evtchn_mask((evtchn_port_t)port);
    for (int i = 0; i < PINGPONG_ITERS + 100; i++) {
        bench_smp_wait((evtchn_port_t)port);
        evtchn_send((evtchn_port_t)port);
    }
}

static void bench_ping(void)
{
    uint64_t t0;
    long port = -1;

    for (int tries = 0; port < 0 && tries < 100000; tries++) {
        for (evtchn_port_t p = 1; port < 0 && p < PEER_MAX_PORT; p++)
            port = evtchn_bind_interdomain(PEER_PONG_DOMID, p);
        if (port < 0)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    CHECK(port > 0);
    peer_port = (evtchn_port_t)port;
    evtchn_mask(peer_port);
    evtchn_clear_pending(peer_port); /* a bind sets it, as Xen does: no lost notification */
    for (int i = 0; i < 100; i++) {
        evtchn_send(peer_port);
        bench_smp_wait(peer_port);
    }
    t0 = time_rdtsc();
    for (int i = 0; i < PINGPONG_ITERS; i++) {
        evtchn_send(peer_port);
        bench_smp_wait(peer_port);
    }
    bench_smp_print("domain_pingpong", time_rdtsc() - t0, PINGPONG_ITERS);
}

static const struct test_case bench_ping_cases[] = {{"domain_pingpong", bench_ping}};
static const struct test_case bench_pong_cases[] = {{"domain_pingpong", bench_pong}};
TEST_SUITE(test_suite_bench_ping, "bench_ping", bench_ping_cases);
TEST_SUITE(test_suite_bench_pong, "bench_pong", bench_pong_cases);
