/* SPDX-License-Identifier: MIT */
/*
 * Suite "spin" (Xenolith-only: tests/integration/test_fairness.py): a
 * CPU-bound guest that never blocks, to measure how the scheduler shares
 * a pCPU. It spins through SPIN_WINDOWS consecutive windows fixed in
 * system time, from SPIN_START on, SPIN_WINDOW each, the same for every
 * domain whatever its boot order, and prints the time its vCPU spent
 * running and runnable in each:
 *
 *     spin: window K running_ns R runnable_ns Q window_ns W
 *
 * The figures come from our runstate area, not from our own clock: Xen
 * charges a vCPU for the time it holds the pCPU. A snapshot is taken
 * when we first see the clock past each edge of the window; since we
 * spin, we were runnable (not running) from the edge until we ran again,
 * so the snapshot is moved back to the edge exactly (spin_at). R + Q is
 * then W, less what the hypervisor charged to no state. An info line
 * before it gives the running time in each half second of the window.
 */
#include <guest/hypercall.h>
#include <guest/test.h>
#include <guest/time.h>
#include <xenolith/lib.h>

#define MS           1000000UL
#define SPIN_START   (1000 * MS) /* system time: every domain has booted by then */
#define SPIN_WINDOW  (2000 * MS)
#define SPIN_WINDOWS 3

static struct vcpu_runstate_info spin_runstate;

/* A copy of the runstate area taken while we run, and our clock then. */
struct spin_snap {
    struct vcpu_runstate_info r;
    uint64_t now;
};

/* Xen rewrites the area only while we are switched out: a copy with the
 * same state_entry_time before and after (and no update flag) is whole. */
static void spin_snapshot(struct spin_snap *s)
{
    uint64_t entry;

    do {
        entry = READ_ONCE(spin_runstate.state_entry_time);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        s->r = spin_runstate;
        s->now = time_now();
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((entry & XEN_RUNSTATE_UPDATE) || entry != READ_ONCE(spin_runstate.state_entry_time));
}

/*
 * Running and runnable time up to system time `edge`, from a snapshot
 * taken at or after it. The running spell the snapshot is in began at
 * `entry`: the part of it before the edge counts; when it began after the
 * edge, the spell before it (runnable: we never block) ran past the edge
 * by entry - edge, which does not count.
 */
static void spin_at(const struct spin_snap *s, uint64_t edge, uint64_t *running, uint64_t *runnable)
{
    uint64_t entry = s->r.state_entry_time;

    if (entry <= edge) {
        *running = s->r.time[RUNSTATE_running] + (edge - entry);
        *runnable = s->r.time[RUNSTATE_runnable];
    } else {
        *running = s->r.time[RUNSTATE_running];
        *runnable = s->r.time[RUNSTATE_runnable] - (entry - edge);
    }
}

/* Running time in each SPIN_PART of the window, for the info line: shows
 * whether a share was lost all along or in one stretch. */
#define SPIN_PART             (500 * MS)
#define SPIN_PARTS            (SPIN_WINDOWS * SPIN_WINDOW / SPIN_PART)
#define SPIN_PARTS_PER_WINDOW (SPIN_WINDOW / SPIN_PART)

static void spin_window(void)
{
    struct vcpu_register_runstate_memory_area area = {.addr.v = &spin_runstate};
    uint64_t begun = time_now(), run[SPIN_PARTS + 1], wait[SPIN_PARTS + 1];
    struct spin_snap s[SPIN_PARTS + 1];
    char parts[SPIN_PARTS * 8] = "", *p = parts;

    test_info("begun at %lu ms, windows %lu..%lu ms", begun / MS, SPIN_START / MS,
              (SPIN_START + SPIN_WINDOWS * SPIN_WINDOW) / MS);
    /* Too late to see the window open: the figures would be wrong. */
    CHECK(begun < SPIN_START);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0);
    for (unsigned int i = 0; i <= SPIN_PARTS; i++) {
        uint64_t edge = SPIN_START + i * SPIN_PART;

        time_spin_until(edge, NULL);
        spin_snapshot(&s[i]);
        CHECK_EQ(s[i].r.state, RUNSTATE_running);
        /* The running spell began before we read our clock. */
        CHECK(s[i].r.state_entry_time <= s[i].now);
        spin_at(&s[i], edge, &run[i], &wait[i]);
        if (i) {
            CHECK(run[i] >= run[i - 1] && wait[i] >= wait[i - 1]);
            p += snprintf(p, (size_t)(parts + sizeof(parts) - p), " %lu",
                          (run[i] - run[i - 1]) / MS);
        }
    }
    test_info("edges read +%lu us and +%lu us late; ms running per %lu ms:%s",
              (s[0].now - SPIN_START) / 1000,
              (s[SPIN_PARTS].now - SPIN_START - SPIN_WINDOWS * SPIN_WINDOW) / 1000, SPIN_PART / MS,
              parts);
    for (unsigned int w = 0; w < SPIN_WINDOWS; w++) {
        unsigned int a = w * SPIN_PARTS_PER_WINDOW, b = a + SPIN_PARTS_PER_WINDOW;

        printk("spin: window %u running_ns %lu runnable_ns %lu window_ns %lu\n", w, run[b] - run[a],
               wait[b] - wait[a], SPIN_WINDOW);
    }
}

static const struct test_case spin_cases[] = {
    {"window", spin_window},
};
TEST_SUITE(test_suite_spin, "spin", spin_cases);
