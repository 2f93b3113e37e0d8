/* SPDX-License-Identifier: MIT */
/*
 * Suite "time": PV time and the vCPU timers, as Xen 4.17 gives them to a
 * PV dom0. System time comes from vcpu_time_info and the TSC; timers fire
 * VIRQ_TIMER, whose handler stamps the system time it ran at. Timing
 * bounds are generous (QEMU's TCG is slow and noisy): a timer must not
 * fire before its deadline (less a little for clock skew between Xen's
 * view and ours) nor much after it.
 *
 * The last cases move vcpu_info and register a runstate area, for good:
 * Xen offers no way back.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <guest/test.h>
#include <guest/time.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define US           1000UL
#define MS           1000000UL
#define TIME_EARLY   (200 * US) /* a timer may seem this early to us */
#define TIME_LATE    (30 * MS)  /* ... and this late, under TCG on a busy host */
#define YEAR_2020    1577836800ULL
#define YEAR_2100    4102444800ULL
#define TIME_NO_VCPU 1

static struct {
    evtchn_port_t port;
    volatile unsigned long fired;
    uint64_t first; /* system time of the first event */
} time_timer;

static void time_on_timer(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    if (!time_timer.fired)
        time_timer.first = time_now();
    time_timer.fired++;
}

/* Binds VIRQ_TIMER to our handler, with upcalls enabled. */
static void time_timer_open(void)
{
    long port = evtchn_bind_virq(VIRQ_TIMER, 0);

    if (port == -EEXIST) { /* left bound by a case that failed */
        evtchn_close(time_timer.port);
        port = evtchn_bind_virq(VIRQ_TIMER, 0);
    }
    if (port <= 0) {
        test_fail(__FILE__, __LINE__, "bind VIRQ_TIMER: %ld", port);
        test_abort();
    }
    time_timer.port = (evtchn_port_t)port;
    time_timer.fired = 0;
    evtchn_set_handler(time_timer.port, time_on_timer, NULL);
    evtchn_clear_pending(time_timer.port);
    evtchn_unmask(time_timer.port);
    evtchn_upcall_enable();
}

static void time_timer_close(void)
{
    evtchn_upcall_disable();
    HYPERVISOR_set_timer_op(0);
    HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    evtchn_close(time_timer.port);
    evtchn_set_handler(time_timer.port, NULL, NULL);
}

/* Checks the first event came within [deadline - early, deadline + late]. */
static bool time_fired_near(uint64_t deadline, const char *what)
{
    long late = (long)(time_timer.first - deadline);

    test_info("%s fired %ld us after its deadline", what, late / 1000);
    if (time_timer.fired && late >= -(long)TIME_EARLY && late <= (long)TIME_LATE)
        return true;
    test_fail(__FILE__, __LINE__, "%s: fired %lu, %ld ns after the deadline", what,
              time_timer.fired, late);
    return false;
}

/*
 * Sleeps in SCHEDOP_block until a timer `ns` from now. Upcalls go off
 * first: an event delivered between arming and blocking would leave
 * nothing to wake the block. Block turns them back on atomically.
 */
static long time_block_for(uint64_t ns)
{
    long rc;

    evtchn_upcall_disable();
    rc = HYPERVISOR_set_timer_op(time_now() + ns);
    return rc ? rc : HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

static long time_singleshot(uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = {.timeout_abs_ns = deadline, .flags = flags};

    return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

static long time_periodic(uint64_t period)
{
    struct vcpu_set_periodic_timer p = {.period_ns = period};

    return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
}

static void time_default_periodic(void)
{
    uint64_t t0;

    time_timer_open();
    t0 = time_now();
    time_spin_until(t0 + 100 * MS, NULL);
    test_info("%lu VIRQ_TIMER events in 100 ms before any timer was set", time_timer.fired);
    /* Xen starts every vCPU with a 10 ms periodic timer. A loaded host
     * loses ticks (Xen does not catch up), so only the top is tight. */
    CHECK(time_timer.fired >= 3 && time_timer.fired <= 12);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    time_spin_until(time_now() + MS, NULL);
    time_timer.fired = 0;
    time_spin_until(time_now() + 50 * MS, NULL);
    CHECK_EQ(time_timer.fired, 0);
    time_timer_close();
}

static void time_version_even(void)
{
    struct vcpu_time_info t;

    for (int i = 0; i < 1000; i++)
        CHECK_EQ(READ_ONCE(kernel_vcpu_info->time.version) & 1, 0);
    time_snapshot(&t);
    test_info("version %u system_time %lu mul %#x shift %d flags %#x", t.version, t.system_time,
              t.tsc_to_system_mul, t.tsc_shift, t.flags);
    CHECK(t.tsc_to_system_mul != 0);
    CHECK(t.system_time > 0);
}

static void time_monotonic(void)
{
    uint64_t last = time_now(), now;

    for (int i = 0; i < 100000; i++) {
        now = time_now();
        if (now < last) {
            test_fail(__FILE__, __LINE__, "read %d went back %lu ns", i, last - now);
            return;
        }
        last = now;
    }
    for (int i = 0; i < 200; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        now = time_now();
        CHECK(now >= last);
        last = now;
    }
}

static void time_tsc_rate(void)
{
    struct vcpu_time_info t;
    uint64_t tsc0, tsc1, ns0, ns1, khz, measured;

    ns0 = time_now();
    tsc0 = time_rdtsc();
    time_spin_until(ns0 + 50 * MS, NULL);
    tsc1 = time_rdtsc();
    ns1 = time_now();
    time_snapshot(&t);
    khz = time_tsc_khz(&t);
    measured = (tsc1 - tsc0) * 1000000 / (ns1 - ns0);
    test_info("tsc %lu kHz from mul/shift, %lu kHz over %lu us", khz, measured, (ns1 - ns0) / 1000);
    CHECK(measured * 100 >= khz * 99 && measured * 100 <= khz * 101);
}

static void time_wallclock_sane(void)
{
    struct time_wallclock wc;
    uint64_t now;

    time_wallclock(&wc);
    now = wc.sec + (time_now() + wc.nsec) / 1000000000ULL;
    test_info("wallclock version %u base %lu.%09u now %lu", wc.version, wc.sec, wc.nsec, now);
    CHECK_EQ(wc.version & 1, 0);
    CHECK(wc.nsec < 1000000000U);
    CHECK(now > YEAR_2020 && now < YEAR_2100);
}

static void time_set_timer(void)
{
    uint64_t deadline;

    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    time_timer_open();
    deadline = time_now() + 10 * MS;
    CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
    time_spin_until(deadline + 200 * MS, &time_timer.fired);
    CHECK(time_fired_near(deadline, "set_timer_op(now + 10 ms)"));
    /* One shot: nothing more. */
    time_spin_until(time_now() + 30 * MS, NULL);
    CHECK_EQ(time_timer.fired, 1);
    time_timer_close();
}

/*
 * Arms the one-shot timer 20 ms ahead (set_timer_op or, with `vcpu_op`,
 * VCPUOP_set_singleshot_timer) and cancels it the same way. A loaded
 * host can stall us past the deadline in between; then it is tried
 * again. Returns the deadline of the round that was cancelled in time.
 */
static uint64_t time_arm_and_cancel(bool vcpu_op)
{
    for (int i = 0; i < 5; i++) {
        uint64_t deadline = time_now() + 20 * MS;

        evtchn_upcall_disable();
        if (vcpu_op) {
            time_singleshot(deadline, 0);
            HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
        } else {
            HYPERVISOR_set_timer_op(deadline);
            HYPERVISOR_set_timer_op(0);
        }
        evtchn_clear_pending(time_timer.port);
        evtchn_upcall_enable();
        if (time_now() + MS < deadline) {
            time_timer.fired = 0;
            return deadline;
        }
    }
    test_fail(__FILE__, __LINE__, "never armed and cancelled within 20 ms");
    test_abort();
}

static void time_set_timer_cancel(void)
{
    uint64_t deadline;

    time_timer_open();
    deadline = time_arm_and_cancel(false);
    time_spin_until(deadline + 30 * MS, NULL);
    CHECK_EQ(time_timer.fired, 0);
    time_timer_close();
}

static void time_set_timer_past(void)
{
    time_timer_open();
    evtchn_upcall_disable();
    /* Already expired: the event is pending when the hypercall returns. */
    CHECK_EQ(HYPERVISOR_set_timer_op(time_now() - MS), 0);
    CHECK(evtchn_is_pending(time_timer.port));
    evtchn_upcall_enable();
    CHECK_EQ(time_timer.fired, 1);
    /* A deadline past 2^63 ns ("negative") becomes now + 100 ms. */
    time_timer.fired = 0;
    CHECK_EQ(HYPERVISOR_set_timer_op(1ULL << 63), 0);
    time_spin_until(time_now() + 50 * MS, NULL);
    CHECK_EQ(time_timer.fired, 0);
    time_spin_until(time_now() + 300 * MS, &time_timer.fired);
    CHECK_EQ(time_timer.fired, 1);
    time_timer_close();
}

static void time_singleshot_timer(void)
{
    uint64_t deadline;

    time_timer_open();
    deadline = time_now() + 10 * MS;
    CHECK_EQ(time_singleshot(deadline, VCPU_SSHOTTMR_future), 0);
    time_spin_until(deadline + 200 * MS, &time_timer.fired);
    CHECK(time_fired_near(deadline, "set_singleshot_timer(now + 10 ms)"));
    /* In the past it fires at once. Xen 4.17 ignores VCPU_SSHOTTMR_future
     * (the header allows it): no -ETIME. */
    time_timer.fired = 0;
    CHECK_EQ(time_singleshot(time_now() - MS, 0), 0);
    CHECK_EQ(time_timer.fired, 1);
    time_timer.fired = 0;
    CHECK_EQ(time_singleshot(time_now() - MS, VCPU_SSHOTTMR_future), 0);
    CHECK_EQ(time_timer.fired, 1);
    /* stop_singleshot_timer cancels one that is armed. */
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    deadline = time_arm_and_cancel(true);
    time_spin_until(deadline + 30 * MS, NULL);
    CHECK_EQ(time_timer.fired, 0);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, TIME_NO_VCPU, NULL), -ENOENT);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, TIME_NO_VCPU, NULL), -ENOENT);
    time_timer_close();
}

static void time_periodic_timer(void)
{
    uint64_t t0;

    time_timer_open();
    CHECK_EQ(time_periodic(MS - 1), -EINVAL);
    CHECK_EQ(time_periodic(0), -EINVAL);
    t0 = time_now();
    CHECK_EQ(time_periodic(5 * MS), 0);
    time_spin_until(t0 + 100 * MS, NULL);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    test_info("%lu ticks of a 5 ms periodic timer in 100 ms", time_timer.fired);
    /* 20 due, one more if Xen ticks at once; a loaded host loses many
     * (Xen re-arms from when it fired), so only the top is tight. */
    CHECK(time_timer.fired >= 5 && time_timer.fired <= 21);
    time_spin_until(time_now() + MS, NULL);
    time_timer.fired = 0;
    time_spin_until(time_now() + 30 * MS, NULL);
    CHECK_EQ(time_timer.fired, 0);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, TIME_NO_VCPU, NULL), -ENOENT);
    time_timer_close();
}

static struct vcpu_runstate_info time_runstate;

#define TIME_RUNSTATE_ENTRY(r) ((r).state_entry_time & ~XEN_RUNSTATE_UPDATE)

static uint64_t time_runstate_sum(const struct vcpu_runstate_info *r)
{
    return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

static void time_runstate_area(void)
{
    struct vcpu_register_runstate_memory_area area = {.addr.v = &time_runstate};
    struct vcpu_runstate_info before, info;
    uint64_t t0;

    memset(&time_runstate, 0xff, sizeof(time_runstate));
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0);
    /* Filled at once: running since state_entry_time; time[] holds the
     * states already left, so it sums to at most the entry time. */
    before = time_runstate;
    t0 = time_now();
    test_info("runstate: entry %lu running %lu runnable %lu blocked %lu offline %lu",
              before.state_entry_time, before.time[0], before.time[1], before.time[2],
              before.time[3]);
    CHECK_EQ(before.state, RUNSTATE_running);
    CHECK(TIME_RUNSTATE_ENTRY(before) <= t0);
    CHECK(time_runstate_sum(&before) <= TIME_RUNSTATE_ENTRY(before));
    /* A block leaves the running state; the area follows. (When a stall
     * let the timer fire before the block, it did not block: again.) */
    time_timer_open();
    for (int i = 0; i < 5 && READ_ONCE(time_runstate.state_entry_time) == before.state_entry_time;
         i++)
        CHECK_EQ(time_block_for(5 * MS), 0);
    time_timer_close();
    info = time_runstate;
    CHECK_EQ(info.state, RUNSTATE_running);
    CHECK(TIME_RUNSTATE_ENTRY(info) > t0);
    CHECK(info.time[RUNSTATE_running] > before.time[RUNSTATE_running]);
    CHECK(info.time[RUNSTATE_blocked] > before.time[RUNSTATE_blocked]);
    CHECK(time_runstate_sum(&info) > time_runstate_sum(&before));
    CHECK(time_runstate_sum(&info) <= TIME_RUNSTATE_ENTRY(info));
    /* get_runstate_info gives the same record. */
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info), 0);
    CHECK_EQ(info.state, RUNSTATE_running);
    CHECK_EQ(TIME_RUNSTATE_ENTRY(info), TIME_RUNSTATE_ENTRY(time_runstate));
    CHECK_EQ(info.time[RUNSTATE_blocked], time_runstate.time[RUNSTATE_blocked]);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, TIME_NO_VCPU, &info), -ENOENT);
    area.addr.p = HYPERVISOR_VIRT_START;
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), -EFAULT);
    /* Keep ours registered: Xen writes it on every switch from now on. */
    area.addr.v = &time_runstate;
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0);
}

/* The page vcpu_info moves to, for the rest of the boot. */
static uint8_t time_vcpu_page[PAGE_SIZE] __aligned(PAGE_SIZE);
#define TIME_VCPU_OFFSET 128

static long time_register_vcpu_info(unsigned long mfn, uint32_t offset)
{
    struct vcpu_register_vcpu_info r = {.mfn = mfn, .offset = offset};

    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
}

static void time_vcpu_info_refused(void)
{
    unsigned long mfn = mm_virt_to_mfn(time_vcpu_page);
    unsigned long pt = mm_pt_alloc();
    long rc;

    CHECK(pt != 0);
    /* vcpu_info must fit in the page; the frame must be ours. */
    CHECK_EQ(time_register_vcpu_info(mfn, PAGE_SIZE - sizeof(struct vcpu_info) + 1), -ENXIO);
    CHECK_EQ(time_register_vcpu_info(~0UL, 0), -EINVAL);
    CHECK_EQ(time_register_vcpu_info(0, 0), -EINVAL);
    /* A frame typed as a page table cannot also be writable vcpu_info. */
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mm_pfn_to_mfn(pt)), 0);
    rc = time_register_vcpu_info(mm_pfn_to_mfn(pt), 0);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mm_pfn_to_mfn(pt)), 0);
    CHECK_EQ(mm_pt_free(pt), 0);
    CHECK_EQ(rc, -EINVAL);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, TIME_NO_VCPU, NULL), -ENOENT);
}

static void time_vcpu_info(void)
{
    struct vcpu_info *vi = (struct vcpu_info *)(time_vcpu_page + TIME_VCPU_OFFSET);
    unsigned long mfn = mm_virt_to_mfn(time_vcpu_page);
    uint64_t t0, deadline;
    uint32_t v0, old;

    evtchn_upcall_disable();
    CHECK_EQ(time_register_vcpu_info(mfn, TIME_VCPU_OFFSET), 0);
    kernel_vcpu_info = vi;
    test_info("after the move: mask %u pending %u sel %#lx", vi->evtchn_upcall_mask,
              vi->evtchn_upcall_pending, vi->evtchn_pending_sel);
    CHECK_EQ(vi->evtchn_upcall_mask, 1);
    CHECK_EQ(time_register_vcpu_info(mfn, 0), -EINVAL);
    CHECK_EQ(vi->evtchn_upcall_pending, 1);
    CHECK_EQ(vi->evtchn_pending_sel, ~0UL);
    /* Time goes on in the new place. */
    v0 = READ_ONCE(vi->time.version);
    old = READ_ONCE(kernel_shared_info->vcpu_info[0].time.version);
    t0 = time_now();
    CHECK(t0 > 0);
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    CHECK(time_now() > t0);
    /* So do events: a timer through the new upcall flags, first spinning,
     * then blocked (block looks at the new upcall_pending). */
    time_timer_open();
    deadline = time_now() + 5 * MS;
    CHECK_EQ(HYPERVISOR_set_timer_op(deadline), 0);
    time_spin_until(deadline + 200 * MS, &time_timer.fired);
    CHECK(time_fired_near(deadline, "timer after the move"));
    time_timer.fired = 0;
    CHECK_EQ(time_block_for(2 * MS), 0);
    CHECK_EQ(time_timer.fired, 1);
    time_timer_close();
    /* Xen rewrites it when it recalibrates, about once a second. */
    t0 = time_now();
    while (READ_ONCE(vi->time.version) == v0 && time_now() < t0 + 3000 * MS)
        ;
    test_info("versions: new %u -> %u after %lu ms, old %u -> %u", v0, READ_ONCE(vi->time.version),
              (time_now() - t0) / MS, old,
              READ_ONCE(kernel_shared_info->vcpu_info[0].time.version));
    CHECK(READ_ONCE(vi->time.version) != v0);
    CHECK_EQ(READ_ONCE(kernel_shared_info->vcpu_info[0].time.version), old);
}

static const struct test_case time_cases[] = {
    {"default_periodic", time_default_periodic},
    {"version_even", time_version_even},
    {"monotonic", time_monotonic},
    {"tsc_rate", time_tsc_rate},
    {"wallclock", time_wallclock_sane},
    {"set_timer", time_set_timer},
    {"set_timer_cancel", time_set_timer_cancel},
    {"set_timer_past", time_set_timer_past},
    {"singleshot", time_singleshot_timer},
    {"periodic", time_periodic_timer},
    {"runstate", time_runstate_area},
    {"vcpu_info_refused", time_vcpu_info_refused},
    {"vcpu_info", time_vcpu_info},
};
TEST_SUITE(test_suite_time, "time", time_cases);
