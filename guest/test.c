/* SPDX-License-Identifier: MIT */
/*
 * The test runner. Each case runs under a guest_setjmp so that a failed
 * CHECK deep inside a helper, or an unexpected trap, ends that case alone
 * (test_abort) and the run goes on. One line per case, one summary line,
 * in a form the differential test compares between Xen and Xenolith.
 */
#include <guest/test.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/traps.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

/* The suites after "grant" are Xenolith-only: never in the differential test's list. */
static const struct test_suite *const test_suites[] = {
    &test_suite_basic,
    &test_suite_mmu,
    &test_suite_traps,
    &test_suite_user,
    &test_suite_threads,
    &test_suite_hostile,
    &test_suite_events,
    &test_suite_time,
    &test_suite_priv,
    &test_suite_failsafe,
    &test_suite_smp,
    &test_suite_grant,
    &test_suite_grant_granter,
    &test_suite_grant_granter_dies,
    &test_suite_grant_granter_outlives,
    &test_suite_grant_granter_restarts,
    &test_suite_grant_granter_lives,
    &test_suite_grant_mapper,
    &test_suite_grant_mapper_dies,
    &test_suite_grant_survivor,
    &test_suite_grant_survivor_xen_frames,
    &test_suite_grant_survivor_foreign,
    &test_suite_grant_survivor_restart,
    &test_suite_grant_hostile,
    &test_suite_smp_hostile,
    &test_suite_console_input,
    &test_suite_console_ring,
    &test_suite_console_flood,
    &test_suite_xenstore,
    &test_suite_xenstored,
    &test_suite_ring_front,
    &test_suite_ring_back,
    &test_suite_bench_xenstore,
    &test_suite_xenstore_corrupt,
    &test_suite_bench,
    &test_suite_bench_smp,
    &test_suite_bench_ping,
    &test_suite_bench_pong,
    &test_suite_spin,
    &test_suite_initrd,
    &test_suite_sysctl_domu,
    &test_suite_domctl_hostile,
    &test_suite_domctl_domu,
    &test_suite_shell,
    &test_suite_service,
    &test_suite_service_spin,
    &test_suite_vcpu_context,
};

static struct {
    const struct test_suite *suite;
    const struct test_case *tcase;
    bool failed;
    char why[256];
    struct guest_jmp jmp;
    unsigned int passed, nfailed;
} test_state;

const char *test_current_name(void)
{
    return test_state.tcase ? test_state.tcase->name : "(no test)";
}

bool test_failed(void)
{
    return test_state.failed;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (test_state.failed)
        return; /* keep the first reason */
    test_state.failed = true;
    n = snprintf(test_state.why, sizeof(test_state.why), "%s:%d: ", file, line);
    va_start(ap, fmt);
    vsnprintf(test_state.why + n, sizeof(test_state.why) - (size_t)n, fmt, ap);
    va_end(ap);
}

void test_info(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("  info %s/%s: %s\n", test_state.suite->name, test_state.tcase->name, buf);
}

void test_abort(void)
{
    if (!test_state.tcase)
        panic("test_abort outside a test: %s", test_state.why);
    if (!test_state.failed)
        test_fail(__FILE__, __LINE__, "aborted");
    guest_longjmp(&test_state.jmp, 1);
}

static void test_run_case(const struct test_suite *s, const struct test_case *c)
{
    test_state.tcase = c;
    test_state.failed = false;
    test_state.why[0] = '\0';
    if (guest_setjmp(&test_state.jmp) == 0)
        c->fn();
    trap_disarm();
    /* Upcalls are off between cases, however the last one ended (those
     * that move GS, where a vCPU finds itself, run with them off). */
    if (test_state.failed)
        HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&smp_cpus[0]);
    evtchn_upcall_disable();
    if (test_state.failed) {
        test_state.nfailed++;
        printk("FAIL %s/%s: %s\n", s->name, c->name, test_state.why);
    } else {
        test_state.passed++;
        printk("PASS %s/%s\n", s->name, c->name);
    }
    test_state.tcase = NULL;
}

static const struct test_suite *test_find(const char *name)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(test_suites); i++)
        if (strcmp(test_suites[i]->name, name) == 0)
            return test_suites[i];
    return NULL;
}

bool test_run(const char *const *names, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        const struct test_suite *s = test_find(names[i]);

        if (!s) {
            printk("FAIL %s: no such suite\n", names[i]);
            test_state.nfailed++;
            continue;
        }
        test_state.suite = s;
        printk("suite %s: %u cases\n", s->name, s->count);
        if (s->setup)
            s->setup();
        for (unsigned int j = 0; j < s->count; j++)
            test_run_case(s, &s->cases[j]);
    }
    printk("%u passed, %u failed\n", test_state.passed, test_state.nfailed);
    return test_state.nfailed == 0;
}
