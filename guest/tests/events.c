/* SPDX-License-Identifier: MIT */
/*
 * Suite "events": event channels with the 2-level ABI, as Xen 4.17 runs
 * them for a PV dom0. A loopback pair (alloc_unbound to ourselves, then
 * bind_interdomain to that port) gives events on demand; the upcall mask
 * is set unless a case enables upcalls, so delivery is observed step by
 * step: pending bit, selector, upcall_pending, then the callback.
 * SCHEDOP_poll and SCHEDOP_block are here too: they wait on ports.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define DOMID_NONE_SUCH 0x1234 /* no such domain on a fresh dom0-only host */
#define NO_VCPU         1      /* the tests boot with dom0_max_vcpus=1 */
#define MS              1000000UL

/* A negative result from a setup step ends the case. */
static evtchn_port_t events_must(long rc, const char *what)
{
    if (rc <= 0) {
        test_fail(__FILE__, __LINE__, "%s: %ld", what, rc);
        test_abort();
    }
    return (evtchn_port_t)rc;
}

/* A port we watch: counted by the upcall, unmasked, nothing pending. */
static evtchn_port_t events_watch(evtchn_port_t port)
{
    evtchn_set_handler(port, NULL, NULL);
    evtchn_clear_pending(port);
    evtchn_unmask(port);
    return port;
}

struct events_pair {
    evtchn_port_t a, b; /* a: alloc_unbound, b: bound to a */
};

static void events_pair_open(struct events_pair *p)
{
    p->a = events_watch(events_must(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF), "alloc"));
    p->b = events_watch(events_must(evtchn_bind_interdomain(DOMID_SELF, p->a), "bind"));
}

static void events_pair_close(const struct events_pair *p)
{
    evtchn_close(p->a);
    evtchn_close(p->b);
}

/* Compares EVTCHNOP_status of `port` with what is expected. */
static bool events_status_is(evtchn_port_t port, uint32_t kind, uint32_t vcpu, uint32_t x,
                             uint32_t y)
{
    struct evtchn_status st;
    long rc;
    uint32_t gx = 0, gy = 0;

    memset(&st, 0xa5, sizeof(st));
    rc = evtchn_status(DOMID_SELF, port, &st);
    if (kind == EVTCHNSTAT_unbound)
        gx = st.u.unbound.dom;
    else if (kind == EVTCHNSTAT_interdomain) {
        gx = st.u.interdomain.dom;
        gy = st.u.interdomain.port;
    } else if (kind == EVTCHNSTAT_virq)
        gx = st.u.virq;
    if (rc == 0 && st.status == kind && st.vcpu == vcpu && gx == x && gy == y)
        return true;
    test_fail(__FILE__, __LINE__,
              "status of port %u: rc %ld status %u vcpu %u (%#x, %#x), want %u vcpu %u (%#x, %#x)",
              port, rc, st.status, st.vcpu, gx, gy, kind, vcpu, x, y);
    return false;
}

static bool events_sel_has(evtchn_port_t port)
{
    return READ_ONCE(kernel_vcpu_info->evtchn_pending_sel) & (1UL << (port / 64));
}

/* Forgets earlier upcall state: nothing pending in vcpu_info. */
static void events_quiesce(void)
{
    WRITE_ONCE(kernel_vcpu_info->evtchn_upcall_pending, 0);
    __atomic_store_n(&kernel_vcpu_info->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    memset(&evtchn_upcalls, 0, sizeof(evtchn_upcalls));
}

static void events_setup(void)
{
    /* As Linux does at boot: every port masked until it is bound. */
    for (unsigned int w = 0; w < EVTCHN_2L_PORTS / 64; w++)
        WRITE_ONCE(kernel_shared_info->evtchn_mask[w], ~0UL);
}

/* Xen starts vCPU 0 with upcalls masked; the runner keeps them so. */
static void events_initial_state(void)
{
    struct vcpu_info *vi = kernel_vcpu_info;

    test_info("upcall_mask %u upcall_pending %u pending_sel %#lx", vi->evtchn_upcall_mask,
              vi->evtchn_upcall_pending, vi->evtchn_pending_sel);
    CHECK_EQ(vi->evtchn_upcall_mask, 1);
}

static void events_fifo_probe(void)
{
    struct evtchn_init_control ic = {.control_gfn = ~0ULL, .offset = 0, .vcpu = 0};
    struct evtchn_expand_array ea = {.array_gfn = ~0ULL};
    struct evtchn_set_priority sp = {.port = 1, .priority = 1};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic);

    test_info("init_control(bad gfn) = %ld", rc);
    CHECK_EQ(rc, -EINVAL);
    ic.offset = 4;
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), -EINVAL);
    ic.offset = PAGE_SIZE - 8;
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), -EINVAL);
    ic.offset = 0;
    ic.vcpu = NO_VCPU;
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), -ENOENT);
    /* Still 2-level: the FIFO-only operations refuse. */
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea), -EOPNOTSUPP);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &sp), -ENOSYS);
    CHECK_EQ(HYPERVISOR_event_channel_op(99, &sp), -ENOSYS);
}

/*
 * Xen 4.17 has the FIFO ABI: a valid control block switches the domain
 * to it (once), and EVTCHNOP_reset switches it back to 2-level, which is
 * what this kernel speaks.
 */
static void events_fifo_switch(void)
{
    unsigned long ctl = mm_page_alloc(), arr = mm_page_alloc();
    struct evtchn_init_control ic = {.control_gfn = mm_pfn_to_mfn(ctl), .offset = 0, .vcpu = 0};
    struct evtchn_expand_array ea = {.array_gfn = mm_pfn_to_mfn(arr)};
    struct evtchn_reset r = {.dom = DOMID_SELF};
    struct events_pair p;

    CHECK(ctl && arr);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), 0);
    CHECK_EQ(ic.link_bits, EVTCHN_FIFO_LINK_BITS);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), -EINVAL);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea), 0);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), 0);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea), -EOPNOTSUPP);
    mm_page_free(ctl);
    mm_page_free(arr);
    /* 2-level again: a send lands in shared_info's pending bitmap. */
    events_pair_open(&p);
    evtchn_mask(p.a);
    CHECK_EQ(evtchn_send(p.b), 0);
    CHECK(evtchn_is_pending(p.a));
    events_pair_close(&p);
}

static void events_alloc_unbound(void)
{
    evtchn_port_t p = events_must(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF), "alloc");
    long q;

    test_info("first port %u", p);
    /* DOMID_SELF as the remote is recorded as our own id, 0. */
    CHECK(events_status_is(p, EVTCHNSTAT_unbound, 0, 0, 0));
    q = evtchn_alloc_unbound(0, DOMID_NONE_SUCH);
    test_info("alloc_unbound(remote %#x) = %ld", DOMID_NONE_SUCH, q);
    CHECK(q > 0);
    CHECK(events_status_is(q, EVTCHNSTAT_unbound, 0, DOMID_NONE_SUCH, 0));
    CHECK_EQ(evtchn_alloc_unbound(DOMID_NONE_SUCH, DOMID_SELF), -ESRCH);
    /* A send on an unbound port goes nowhere, successfully. */
    CHECK_EQ(evtchn_send(p), 0);
    CHECK(!evtchn_is_pending(p));
    CHECK_EQ(evtchn_close(p), 0);
    CHECK_EQ(evtchn_close(q), 0);
    CHECK(events_status_is(p, EVTCHNSTAT_closed, 0, 0, 0));
    /* The lowest free port is reused. */
    CHECK_EQ(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF), p);
    CHECK_EQ(evtchn_close(p), 0);
}

static void events_loopback(void)
{
    struct events_pair p;

    events_pair_open(&p);
    CHECK(events_status_is(p.a, EVTCHNSTAT_interdomain, 0, 0, p.b));
    CHECK(events_status_is(p.b, EVTCHNSTAT_interdomain, 0, 0, p.a));
    events_quiesce();
    /* Upcalls masked: the send marks port, selector and vCPU. */
    CHECK_EQ(evtchn_send(p.b), 0);
    CHECK(evtchn_is_pending(p.a));
    CHECK(!evtchn_is_pending(p.b));
    CHECK(events_sel_has(p.a));
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_pending, 1);
    CHECK_EQ(evtchn_upcalls.count, 0);
    evtchn_upcall_enable();
    CHECK_EQ(evtchn_upcalls.count, 1);
    CHECK_EQ(evtchn_count(p.a), 1);
    CHECK_EQ(evtchn_upcalls.mask_on_entry, 1);
    CHECK(evtchn_upcalls.saved_if);
    CHECK(!evtchn_is_pending(p.a));
    /* With upcalls on, a send is delivered as the hypercall returns. */
    CHECK_EQ(evtchn_send(p.a), 0);
    CHECK_EQ(evtchn_count(p.b), 1);
    CHECK_EQ(evtchn_upcalls.count, 2);
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_mask, 0);
    evtchn_upcall_disable();
    events_pair_close(&p);
}

static void events_masked_port(void)
{
    struct events_pair p;

    events_pair_open(&p);
    events_quiesce();
    evtchn_mask(p.a);
    CHECK_EQ(evtchn_send(p.b), 0);
    CHECK(evtchn_is_pending(p.a));
    CHECK(!events_sel_has(p.a));
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_pending, 0);
    evtchn_upcall_enable();
    CHECK_EQ(evtchn_upcalls.count, 0);
    /* EVTCHNOP_unmask finds it pending and raises the upcall. */
    CHECK_EQ(evtchn_op_unmask(p.a), 0);
    CHECK(!evtchn_is_masked(p.a));
    CHECK_EQ(evtchn_upcalls.count, 1);
    CHECK_EQ(evtchn_count(p.a), 1);
    evtchn_upcall_disable();
    events_pair_close(&p);
}

static void events_local_unmask(void)
{
    struct events_pair p;

    events_pair_open(&p);
    events_quiesce();
    evtchn_mask(p.a);
    CHECK_EQ(evtchn_send(p.b), 0);
    evtchn_upcall_enable();
    /* Clearing the mask bit alone: Xen does not look at it again. */
    __atomic_fetch_and(&kernel_shared_info->evtchn_mask[p.a / 64], ~(1UL << (p.a % 64)),
                       __ATOMIC_SEQ_CST);
    evtchn_force_callback();
    CHECK_EQ(evtchn_upcalls.count, 0);
    CHECK(evtchn_is_pending(p.a));
    /* Raising selector and upcall_pending ourselves, then a hypercall. */
    evtchn_mask(p.a);
    evtchn_unmask(p.a);
    CHECK_EQ(evtchn_upcalls.count, 1);
    CHECK_EQ(evtchn_count(p.a), 1);
    evtchn_upcall_disable();
    events_pair_close(&p);
}

static void events_pending_rules(void)
{
    struct events_pair p;

    events_pair_open(&p);
    events_quiesce();
    /* A second send while pending changes nothing. */
    CHECK_EQ(evtchn_send(p.b), 0);
    CHECK_EQ(evtchn_send(p.b), 0);
    /* A selector bit still set: Xen does not raise upcall_pending again. */
    WRITE_ONCE(kernel_vcpu_info->evtchn_upcall_pending, 0);
    evtchn_clear_pending(p.a);
    CHECK_EQ(evtchn_send(p.b), 0);
    CHECK(evtchn_is_pending(p.a));
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_pending, 0);
    /* EVTCHNOP_unmask of an unmasked port does nothing, pending or not. */
    __atomic_store_n(&kernel_vcpu_info->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    CHECK_EQ(evtchn_op_unmask(p.a), 0);
    CHECK(!events_sel_has(p.a));
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_pending, 0);
    /* Closing a pending port clears its pending bit. */
    evtchn_close(p.a);
    CHECK(!evtchn_is_pending(p.a));
    evtchn_close(p.b);
}

static void events_close_pair(void)
{
    struct events_pair p;
    long c;

    events_pair_open(&p);
    CHECK_EQ(evtchn_close(p.b), 0);
    /* The other end goes back to unbound, waiting for us again. */
    CHECK(events_status_is(p.a, EVTCHNSTAT_unbound, 0, 0, 0));
    CHECK(events_status_is(p.b, EVTCHNSTAT_closed, 0, 0, 0));
    CHECK_EQ(evtchn_send(p.a), 0);
    CHECK_EQ(evtchn_send(p.b), -EINVAL);
    CHECK_EQ(evtchn_close(p.b), -EINVAL);
    c = evtchn_bind_interdomain(DOMID_SELF, p.a);
    CHECK_EQ(c, p.b); /* the freed port is the lowest free one */
    CHECK(events_status_is(p.a, EVTCHNSTAT_interdomain, 0, 0, p.b));
    CHECK_EQ(evtchn_close(p.a), 0);
    CHECK(events_status_is(p.b, EVTCHNSTAT_unbound, 0, 0, 0));
    CHECK_EQ(evtchn_close(p.b), 0);
}

/*
 * Xen 4.17 lets dom0 bind every VIRQ below NR_VIRQS (24) on vCPU 0, the
 * unnamed and arch ones included. Per-vCPU ones (TIMER, DEBUG, XENOPROF,
 * XENPMU) may name any vCPU that exists; the rest are global: vCPU 0 only.
 */
#define EVENTS_NR_VIRQS 24
#define EVENTS_PER_VCPU_VIRQS                                                                      \
    ((1U << VIRQ_TIMER) | (1U << VIRQ_DEBUG) | (1U << VIRQ_XENOPROF) | (1U << VIRQ_XENPMU))

static void events_virq_table(void)
{
    for (uint32_t virq = 0; virq < EVENTS_NR_VIRQS; virq++) {
        long port = evtchn_bind_virq(virq, 0);
        bool per_vcpu = EVENTS_PER_VCPU_VIRQS & (1U << virq);

        if (port <= 0) {
            test_fail(__FILE__, __LINE__, "bind_virq %u: %ld", virq, port);
            return;
        }
        CHECK(events_status_is(port, EVTCHNSTAT_virq, 0, virq, 0));
        CHECK_EQ(evtchn_bind_virq(virq, 0), -EEXIST);
        CHECK_EQ(evtchn_bind_virq(virq, NO_VCPU), per_vcpu ? -ENOENT : -EINVAL);
        CHECK_EQ(evtchn_send(port), -EINVAL);
        CHECK_EQ(evtchn_close(port), 0);
        CHECK_EQ(evtchn_bind_virq(virq, NO_VCPU), per_vcpu ? -ENOENT : -EINVAL);
    }
    CHECK_EQ(evtchn_bind_virq(EVENTS_NR_VIRQS, 0), -EINVAL);
    CHECK_EQ(evtchn_bind_virq(~0U, 0), -EINVAL);
    CHECK_EQ(evtchn_bind_virq(VIRQ_TIMER, ~0U), -ENOENT);
    CHECK_EQ(evtchn_bind_virq(VIRQ_DOM_EXC, ~0U), -EINVAL);
}

static void events_ipi(void)
{
    evtchn_port_t p = events_watch(events_must(evtchn_bind_ipi(0), "bind_ipi"));

    CHECK(events_status_is(p, EVTCHNSTAT_ipi, 0, 0, 0));
    events_quiesce();
    CHECK_EQ(evtchn_send(p), 0);
    CHECK(evtchn_is_pending(p));
    evtchn_upcall_enable();
    CHECK_EQ(evtchn_count(p), 1);
    CHECK_EQ(evtchn_send(p), 0);
    CHECK_EQ(evtchn_count(p), 2);
    evtchn_upcall_disable();
    CHECK_EQ(evtchn_bind_ipi(NO_VCPU), -ENOENT);
    CHECK_EQ(evtchn_bind_ipi(~0U), -ENOENT);
    CHECK_EQ(evtchn_close(p), 0);
}

static long events_bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu op = {.port = port, .vcpu = vcpu};

    return HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &op);
}

static void events_bind_vcpu_rules(void)
{
    evtchn_port_t u = events_must(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF), "alloc");
    evtchn_port_t t = events_must(evtchn_bind_virq(VIRQ_TIMER, 0), "bind timer");
    evtchn_port_t g = events_must(evtchn_bind_virq(VIRQ_DOM_EXC, 0), "bind dom_exc");
    evtchn_port_t i = events_must(evtchn_bind_ipi(0), "bind_ipi");

    CHECK_EQ(events_bind_vcpu(u, 0), 0);
    CHECK_EQ(events_bind_vcpu(u, NO_VCPU), -ENOENT);
    CHECK_EQ(events_bind_vcpu(g, 0), 0);
    /* Per-vCPU VIRQs and IPIs stay where they were bound. */
    CHECK_EQ(events_bind_vcpu(t, 0), -EINVAL);
    CHECK_EQ(events_bind_vcpu(i, 0), -EINVAL);
    CHECK_EQ(events_bind_vcpu(0, 0), -EINVAL);
    CHECK_EQ(events_bind_vcpu(EVTCHN_2L_PORTS, 0), -EINVAL);
    CHECK_EQ(evtchn_close(u), 0);
    CHECK_EQ(events_bind_vcpu(u, 0), -EINVAL);
    CHECK_EQ(evtchn_close(t), 0);
    CHECK_EQ(evtchn_close(g), 0);
    CHECK_EQ(evtchn_close(i), 0);
}

static void events_bad_ports(void)
{
    static const uint32_t bad[] = {EVTCHN_2L_PORTS - 1, EVTCHN_2L_PORTS, 0x10000, 0x7fffffff,
                                   0xffffffff};
    struct evtchn_status st;
    evtchn_port_t i = events_must(evtchn_bind_ipi(0), "bind_ipi");
    evtchn_port_t o = events_must(evtchn_alloc_unbound(DOMID_SELF, DOMID_NONE_SUCH), "alloc");

    /* Port 0 is reserved: its status is "closed", nothing else works. */
    CHECK(events_status_is(0, EVTCHNSTAT_closed, 0, 0, 0));
    CHECK_EQ(evtchn_send(0), -EINVAL);
    CHECK_EQ(evtchn_close(0), -EINVAL);
    CHECK_EQ(evtchn_op_unmask(0), 0);
    for (unsigned int k = 0; k < ARRAY_SIZE(bad); k++) {
        CHECK_EQ(evtchn_status(DOMID_SELF, bad[k], &st), -EINVAL);
        CHECK_EQ(evtchn_send(bad[k]), -EINVAL);
        CHECK_EQ(evtchn_close(bad[k]), -EINVAL);
        CHECK_EQ(evtchn_op_unmask(bad[k]), -EINVAL);
        CHECK_EQ(evtchn_bind_interdomain(DOMID_SELF, bad[k]), -EINVAL);
    }
    /* Ports are valid up to the last allocated bucket of channels. */
    for (uint32_t q = o + 1; q < EVTCHN_2L_PORTS; q++)
        if (evtchn_status(DOMID_SELF, q, &st) != 0) {
            test_info("first invalid port %u", q);
            CHECK_EQ(evtchn_status(DOMID_SELF, q, &st), -EINVAL);
            break;
        }
    /* A free port inside the allocated range is "closed". */
    CHECK(events_status_is(o + 1, EVTCHNSTAT_closed, 0, 0, 0));
    CHECK_EQ(evtchn_send(o + 1), -EINVAL);
    CHECK_EQ(evtchn_status(DOMID_NONE_SUCH, i, &st), -ESRCH);
    CHECK_EQ(evtchn_bind_interdomain(DOMID_NONE_SUCH, o), -ESRCH);
    /* Only an unbound port meant for us can be bound to. */
    CHECK_EQ(evtchn_bind_interdomain(DOMID_SELF, i), -EINVAL);
    CHECK_EQ(evtchn_bind_interdomain(DOMID_SELF, o), -EINVAL);
    CHECK_EQ(evtchn_bind_interdomain(DOMID_SELF, 0), -EINVAL);
    CHECK_EQ(evtchn_close(i), 0);
    CHECK_EQ(evtchn_close(o), 0);
}

static void events_reset(void)
{
    struct evtchn_reset r = {.dom = DOMID_SELF};
    struct events_pair p;
    evtchn_port_t i = events_must(evtchn_bind_ipi(0), "bind_ipi");

    events_pair_open(&p);
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), 0);
    CHECK(events_status_is(p.a, EVTCHNSTAT_closed, 0, 0, 0));
    CHECK(events_status_is(p.b, EVTCHNSTAT_closed, 0, 0, 0));
    CHECK(events_status_is(i, EVTCHNSTAT_closed, 0, 0, 0));
    r.dom = DOMID_NONE_SUCH;
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &r), -ESRCH);
    /* Ports are handed out from the bottom again. */
    CHECK_EQ(evtchn_bind_ipi(0), 1);
    CHECK_EQ(evtchn_close(1), 0);
}

static long events_poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
    struct sched_poll poll = {.nr_ports = n, .timeout = timeout};

    set_xen_guest_handle(poll.ports, ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static void events_poll_pending(void)
{
    struct events_pair p;
    uint64_t t0, t1;

    events_pair_open(&p);
    evtchn_mask(p.a);
    CHECK_EQ(evtchn_send(p.b), 0);
    /* Pending counts even under the port mask and the upcall mask. */
    t0 = time_now();
    CHECK_EQ(events_poll(&p.a, 1, t0 + 1000 * MS), 0);
    t1 = time_now();
    test_info("poll on a pending port returned after %lu us", (t1 - t0) / 1000);
    CHECK(t1 - t0 < 50 * MS);
    CHECK(evtchn_is_pending(p.a));
    events_pair_close(&p);
}

static void events_poll_timeout(void)
{
    struct events_pair p;
    evtchn_port_t ports[2];
    uint64_t t0, t1;

    events_pair_open(&p);
    ports[0] = p.a;
    ports[1] = p.b;
    t0 = time_now();
    CHECK_EQ(events_poll(ports, 2, t0 + 20 * MS), 0);
    t1 = time_now();
    test_info("poll with a 20 ms timeout returned after %lu us", (t1 - t0) / 1000);
    CHECK(t1 - t0 >= 19 * MS);
    CHECK(t1 - t0 < 100 * MS);
    /* A timeout already past returns at once. */
    t0 = time_now();
    CHECK_EQ(events_poll(ports, 1, t0 - MS), 0);
    CHECK(time_now() - t0 < 20 * MS);
    events_pair_close(&p);
}

static void events_poll_wakeup(void)
{
    evtchn_port_t t = events_watch(events_must(evtchn_bind_virq(VIRQ_TIMER, 0), "bind timer"));
    uint64_t t0 = time_now(), t1;

    CHECK_EQ(HYPERVISOR_set_timer_op(t0 + 5 * MS), 0);
    CHECK_EQ(events_poll(&t, 1, t0 + 1000 * MS), 0);
    t1 = time_now();
    test_info("poll woken by VIRQ_TIMER after %lu us", (t1 - t0) / 1000);
    CHECK(evtchn_is_pending(t));
    CHECK(t1 - t0 < 500 * MS);
    HYPERVISOR_set_timer_op(0);
    CHECK_EQ(evtchn_close(t), 0);
}

static void events_poll_hostile(void)
{
    evtchn_port_t ports[129] = {0};
    uint64_t soon = time_now() + MS;

    CHECK_EQ(events_poll(ports, 129, soon), -EINVAL);
    ports[0] = EVTCHN_2L_PORTS;
    CHECK_EQ(events_poll(ports, 1, soon), -EINVAL);
    CHECK_EQ(events_poll((evtchn_port_t *)HYPERVISOR_VIRT_START, 1, soon), -EFAULT);
}

static void events_block(void)
{
    evtchn_port_t t;
    uint64_t t0, t1;

    /* Before the bind: quiescing later could drop the selector bit of a
     * tick from Xen's default periodic timer, and no later tick on the
     * still-pending port would raise the upcall again. */
    events_quiesce();
    t = events_watch(events_must(evtchn_bind_virq(VIRQ_TIMER, 0), "bind timer"));
    t0 = time_now();
    CHECK_EQ(HYPERVISOR_set_timer_op(t0 + 5 * MS), 0);
    /* Block enables upcalls itself and returns once one is due: another
     * port's event may come first (seen once on Xen under host load), so
     * block again until the timer's has come, within the bound below. */
    do
        CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
    while (evtchn_count(t) == 0 && time_now() - t0 < 500 * MS);
    t1 = time_now();
    test_info("block returned after %lu us", (t1 - t0) / 1000);
    CHECK(evtchn_upcalls.count >= 1);
    CHECK(evtchn_count(t) >= 1);
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_mask, 0);
    CHECK(t1 - t0 < 500 * MS);
    evtchn_upcall_disable();
    HYPERVISOR_set_timer_op(0);
    CHECK_EQ(evtchn_close(t), 0);
}

static const struct test_case events_cases[] = {
    {"initial_state", events_initial_state},
    {"fifo_probe", events_fifo_probe},
    {"fifo_switch", events_fifo_switch},
    {"alloc_unbound", events_alloc_unbound},
    {"loopback", events_loopback},
    {"masked_port", events_masked_port},
    {"local_unmask", events_local_unmask},
    {"pending_rules", events_pending_rules},
    {"close_pair", events_close_pair},
    {"virq_table", events_virq_table},
    {"ipi", events_ipi},
    {"bind_vcpu", events_bind_vcpu_rules},
    {"bad_ports", events_bad_ports},
    {"reset", events_reset},
    {"poll_pending", events_poll_pending},
    {"poll_timeout", events_poll_timeout},
    {"poll_wakeup", events_poll_wakeup},
    {"poll_hostile", events_poll_hostile},
    {"block", events_block},
};
const struct test_suite test_suite_events = {
    .name = "events",
    .cases = events_cases,
    .count = ARRAY_SIZE(events_cases),
    .setup = events_setup,
};
