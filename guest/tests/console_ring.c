/* SPDX-License-Identifier: MIT */
/*
 * Suite "console_ring" (Xenolith only, as a domU: the hypervisor is its
 * console backend; tests/integration/test_domains.py types the input).
 * The ring start_info names carries output both ways, and indices the
 * guest corrupts only cost the guest its own console: the hypervisor
 * says so once and carries on.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <xenolith/string.h>
#include <xen/io/console.h>

#define MS 1000000ull

static struct xencons_interface *ring_intf(void)
{
    return mm_pfn_to_virt(mm_mfn_to_pfn(kernel_start_info->console.domU.mfn));
}

static evtchn_port_t ring_port(void)
{
    return kernel_start_info->console.domU.evtchn;
}

static void ring_write(struct xencons_interface *r, const char *s)
{
    XENCONS_RING_IDX prod = r->out_prod;

    while (*s)
        r->out[MASK_XENCONS_IDX(prod++, r->out)] = *s++;
    __atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
    evtchn_send(ring_port());
}

static long ring_wait(void)
{
    evtchn_port_t port = ring_port();
    struct sched_poll poll = {.nr_ports = 1, .timeout = 0};

    set_xen_guest_handle(poll.ports, &port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/* Polls the ring's port until `deadline` (system time) or until done() holds. */
static void ring_wait_until(uint64_t deadline, bool (*done)(struct xencons_interface *r))
{
    evtchn_port_t port = ring_port();
    struct sched_poll poll = {.nr_ports = 1};

    set_xen_guest_handle(poll.ports, &port);
    while (time_now() < deadline && !(done && done(ring_intf()))) {
        evtchn_clear_pending(port);
        poll.timeout = MIN(deadline, time_now() + 10 * MS);
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
}

static bool ring_out_empty(struct xencons_interface *r)
{
    return __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE) == r->out_prod;
}

/* Waits (5 s at most) for the backend to take everything written. */
static bool ring_drained(struct xencons_interface *r)
{
    ring_wait_until(time_now() + 5000 * MS, ring_out_empty);
    return ring_out_empty(r);
}

static void console_ring_output(void)
{
    struct xencons_interface *r = ring_intf();

    CHECK(kernel_start_info->console.domU.mfn != 0 && ring_port() != 0);
    ring_write(r, "ring: hello from the ring\n");
    CHECK(ring_drained(r));
}

/* Reads one line of input from the ring (the test types "ring input"). */
static void console_ring_input(void)
{
    struct xencons_interface *r = ring_intf();
    char line[32];
    size_t len = 0;

    test_info("type into the ring");
    while (len < sizeof(line) - 1 && (len == 0 || line[len - 1] != '\n')) {
        XENCONS_RING_IDX cons = r->in_cons, prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);

        if (cons == prod) {
            CHECK_EQ(ring_wait(), 0);
            evtchn_clear_pending(ring_port());
            continue;
        }
        while (cons != prod && len < sizeof(line) - 1)
            line[len++] = r->in[MASK_XENCONS_IDX(cons++, r->in)];
        __atomic_store_n(&r->in_cons, cons, __ATOMIC_RELEASE);
    }
    line[len] = '\0';
    CHECK(strcmp(line, "ring input\n") == 0);
}

/* Output indices a ring apart: dropped, said once, the domain goes on. */
static void console_ring_corrupt(void)
{
    struct xencons_interface *r = ring_intf();
    XENCONS_RING_IDX cons = r->out_cons;

    r->out_prod = cons + sizeof(r->out) + 1;
    evtchn_send(ring_port());
    CHECK(ring_drained(r));                      /* the backend gave up on them */
    r->in_cons = r->in_prod + sizeof(r->in) + 1; /* and the input side */
    ring_write(r, "ring: after the corruption\n");
    CHECK(ring_drained(r));
    test_info("type into the corrupt ring");
    ring_wait_until(time_now() + 2000 * MS, NULL); /* for the typist */
}

static const struct test_case console_ring_cases[] = {
    {"output", console_ring_output},
    {"input", console_ring_input},
    {"corrupt", console_ring_corrupt},
};

TEST_SUITE(test_suite_console_ring, "console_ring", console_ring_cases);
