/* SPDX-License-Identifier: MIT */
/*
 * Suite "threads": the cooperative scheduler. Threads interleave in FIFO
 * order at each sched_yield, keep their own stacks across switches and
 * hypercalls, and give their memory back when joined.
 */
#include <guest/hypercall.h>
#include <guest/heap.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <guest/test.h>
#include <xenolith/string.h>

static char threads_log[64];
static unsigned int threads_log_len;

static void threads_log_char(char c)
{
    if (threads_log_len < sizeof(threads_log) - 1)
        threads_log[threads_log_len++] = c;
    threads_log[threads_log_len] = '\0';
}

static void threads_letter(void *arg)
{
    char c = (char)(unsigned long)arg;

    for (int i = 0; i < 3; i++) {
        threads_log_char(c);
        sched_yield();
    }
}

static void threads_interleave(void)
{
    struct thread *t[3];

    threads_log_len = 0;
    for (int i = 0; i < 3; i++) {
        t[i] = sched_thread_create("letter", threads_letter, (void *)(unsigned long)('A' + i));
        CHECK(t[i] != NULL);
    }
    CHECK_EQ(sched_nr_threads(), 4);
    for (int i = 0; i < 3; i++)
        sched_join(t[i]);
    CHECK(strcmp(threads_log, "ABCABCABC") == 0);
    CHECK_EQ(sched_nr_threads(), 1);
}

/* Deep recursion with locals checks each thread really has its own stack. */
static unsigned long threads_sum_to(unsigned long n)
{
    volatile unsigned long local = n;

    if (n == 0)
        return 0;
    if (n % 8 == 0)
        sched_yield();
    return local + threads_sum_to(n - 1);
}

static void threads_summer(void *arg)
{
    unsigned long *slot = arg;

    *slot = threads_sum_to(*slot);
}

static void threads_stacks(void)
{
    unsigned long results[8];
    struct thread *t[8];

    for (unsigned long i = 0; i < 8; i++) {
        results[i] = 40 + i;
        t[i] = sched_thread_create("summer", threads_summer, &results[i]);
        CHECK(t[i] != NULL);
    }
    for (int i = 0; i < 8; i++)
        sched_join(t[i]);
    for (unsigned long i = 0; i < 8; i++)
        CHECK_EQ(results[i], (40 + i) * (41 + i) / 2);
}

static void threads_hypercaller(void *arg)
{
    long *rc = arg;

    for (int i = 0; i < 4 && *rc == 0; i++) {
        *rc = HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        if (HYPERVISOR_xen_version(XENVER_version, NULL) != ((4 << 16) | 17))
            *rc = -1;
        sched_yield();
    }
}

static void threads_hypercalls(void)
{
    long rc[2] = {0, 0};
    struct thread *a = sched_thread_create("hc0", threads_hypercaller, &rc[0]);
    struct thread *b = sched_thread_create("hc1", threads_hypercaller, &rc[1]);

    CHECK(a && b);
    sched_join(a);
    sched_join(b);
    CHECK_EQ(rc[0], 0);
    CHECK_EQ(rc[1], 0);
}

static void threads_noop(void *arg)
{
    (void)arg;
}

static void threads_no_leak(void)
{
    unsigned long free_before = mm_free_pages();
    unsigned long heap_before = heap_in_use();

    for (int round = 0; round < 4; round++) {
        struct thread *t = sched_thread_create("noop", threads_noop, NULL);

        CHECK(t != NULL);
        sched_join(t);
    }
    CHECK_EQ(mm_free_pages(), free_before);
    CHECK_EQ(heap_in_use(), heap_before);
}

static const struct test_case threads_cases[] = {
    {"interleave", threads_interleave},
    {"own_stacks", threads_stacks},
    {"hypercalls_in_threads", threads_hypercalls},
    {"join_frees", threads_no_leak},
};
TEST_SUITE(test_suite_threads, "threads", threads_cases);
