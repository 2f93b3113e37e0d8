/* SPDX-License-Identifier: MIT */
/*
 * Tests as tiny guests (the XTF idea): suites of cases chosen on the
 * command line. Each case prints one line, "PASS suite/name" or
 * "FAIL suite/name: where: why"; the run ends with "N passed, N failed".
 * CHECK* ends the case at the first failed condition.
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <guest/console.h>
#include <xenolith/compiler.h>
#include <xenolith/types.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

struct test_suite {
    const char *name;
    const struct test_case *cases;
    unsigned int count;
    void (*setup)(void); /* optional, runs before the first case */
};

#define TEST_SUITE(var, sname, list)                                                               \
    const struct test_suite var = {.name = sname, .cases = list, .count = ARRAY_SIZE(list)}

void test_fail(const char *file, int line, const char *fmt, ...) __printf(3, 4);
/* Informational line under the current case (values Xen returned). */
void test_info(const char *fmt, ...) __printf(1, 2);
/* Ends the current case now (after a failure that cannot continue). */
void test_abort(void) __noreturn;
bool test_failed(void);
const char *test_current_name(void);

/* Runs the named suites; returns true when every case passed. */
bool test_run(const char *const *names, unsigned int count);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_fail(__FILE__, __LINE__, "%s", #cond);                                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long a_ = (long)(a), b_ = (long)(b);                                                       \
        if (a_ != b_) {                                                                            \
            test_fail(__FILE__, __LINE__, "%s == %s: got %ld (%#lx), want %ld (%#lx)", #a, #b, a_, \
                      a_, b_, b_);                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

extern const struct test_suite test_suite_basic, test_suite_mmu, test_suite_traps, test_suite_user,
    test_suite_threads, test_suite_hostile, test_suite_events, test_suite_time, test_suite_priv,
    test_suite_grant, test_suite_failsafe;
/* Xenolith-only (tests/integration/test_grant_domains.py). */
extern const struct test_suite test_suite_grant_granter, test_suite_grant_granter_dies,
    test_suite_grant_granter_outlives, test_suite_grant_granter_restarts,
    test_suite_grant_granter_lives, test_suite_grant_mapper, test_suite_grant_mapper_dies,
    test_suite_grant_survivor, test_suite_grant_survivor_xen_frames,
    test_suite_grant_survivor_foreign, test_suite_grant_survivor_restart, test_suite_grant_hostile;
/* Micro-benchmarks (tests/bench/run.py): BENCH lines, not assertions. */
extern const struct test_suite test_suite_smp, test_suite_smp_hostile, test_suite_console_input,
    test_suite_console_ring, test_suite_console_flood, test_suite_xenstore, test_suite_xenstored,
    test_suite_ring_front, test_suite_ring_back, test_suite_bench_xenstore,
    test_suite_xenstore_corrupt;
extern const struct test_suite test_suite_bench, test_suite_bench_smp, test_suite_bench_ping,
    test_suite_bench_pong;
/* A domU refused the control domain's sysctl (tests/integration/test_domains.py). */
extern const struct test_suite test_suite_sysctl_domu;
/* domctl's rules broken by the control domain, and refused to a domU
 * (tests/integration/test_domctl_hostile.py). */
extern const struct test_suite test_suite_domctl_hostile, test_suite_domctl_domu;
/* A CPU-bound spinner (tests/integration/test_fairness.py): runstate figures. */
extern const struct test_suite test_suite_spin;
/* The boot ramdisk of `./xenolith run --files` (tests/integration/test_initrd.py). */
extern const struct test_suite test_suite_initrd;
/* The control domain's shell, xl and xenstored (guest/shell.c); domUs it manages. */
extern const struct test_suite test_suite_shell, test_suite_service, test_suite_service_spin,
    test_suite_vcpu_context;

#endif
