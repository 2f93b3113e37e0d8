/* SPDX-License-Identifier: MIT */
/*
 * Suite "smp": a guest with several vCPUs, as Xen 4.17 runs a PV dom0
 * booted with dom0_max_vcpus=N (N >= 2). The other vCPUs start down;
 * VCPUOP_initialise and VCPUOP_up bring them into smp.c's idle loop.
 * Then IPIs and event channels bound to them, kernel threads on all of
 * them, and vCPUs going down (themselves or from vCPU 0) and up again.
 * The cases build on each other: later ones need the vCPUs brought up.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <guest/test.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define NONCANONICAL 0x0000800000000000UL
#define WAIT_TRIES   100000 /* SCHEDOP_yields before a wait gives up */
#define SMP_STOPPED  (-1)   /* smp_wait_runstate(): offline or blocked */

/* A negative result from a setup step ends the case. */
static long smp_must(long rc, const char *what)
{
    if (rc < 0) {
        test_fail(__FILE__, __LINE__, "%s: %ld", what, rc);
        test_abort();
    }
    return rc;
}

static long smp_vcpu_op(int cmd, unsigned int id, void *arg)
{
    return HYPERVISOR_vcpu_op(cmd, id, arg);
}

static struct vcpu_guest_context smp_ctx;

static void smp_context_for(unsigned int id)
{
    smp_must(smp_vcpu_context(id, &smp_ctx), "context");
}

static int smp_runstate(unsigned int id)
{
    struct vcpu_runstate_info r;

    smp_must(smp_vcpu_op(VCPUOP_get_runstate_info, id, &r), "get_runstate_info");
    return r.state;
}

/*
 * Yields to Xen until vCPU `id` has stopped running: offline, or blocked
 * (a vCPU downed while it was blocked keeps that runstate, as on Xen),
 * or exactly `state`.
 */
static bool smp_wait_runstate(unsigned int id, int state)
{
    for (unsigned int i = 0; i < WAIT_TRIES; i++) {
        int now = smp_runstate(id);

        if (now == state || (state < 0 && (now == RUNSTATE_offline || now == RUNSTATE_blocked)))
            return true;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return false;
}

static bool smp_wait_value(const unsigned long *word, unsigned long value)
{
    for (unsigned int i = 0; i < WAIT_TRIES; i++) {
        if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == value)
            return true;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return false;
}

static void smp_vcpu_count(void)
{
    CHECK(smp_nr_vcpus >= 2);
    CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    for (unsigned int i = 1; i < smp_nr_vcpus; i++) {
        CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, i, NULL), 0);
        CHECK_EQ(smp_runstate(i), RUNSTATE_offline);
    }
    CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, smp_nr_vcpus, NULL), -ENOENT);
    CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, 0x7fffffff, NULL), -ENOENT);
    CHECK_EQ(smp_vcpu_op(VCPUOP_up, smp_nr_vcpus, NULL), -ENOENT);
}

/* Up needs a context first; downing a vCPU that is down changes nothing. */
static void smp_up_uninitialised(void)
{
    CHECK_EQ(smp_vcpu_op(VCPUOP_up, 1, NULL), -EINVAL);
    CHECK_EQ(smp_vcpu_op(VCPUOP_down, 1, NULL), 0);
    CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
}

/* Each bad context is refused and leaves the vCPU without one. */
static void smp_initialise_refusals(void)
{
    smp_context_for(1);
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 0, &smp_ctx), -EEXIST);
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, smp_nr_vcpus, &smp_ctx), -ENOENT);
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 1, (void *)NONCANONICAL), -EFAULT);
    smp_ctx.user_regs.rip = NONCANONICAL;
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 1, &smp_ctx), -EINVAL);
    smp_context_for(1);
    smp_ctx.event_callback_eip = NONCANONICAL;
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 1, &smp_ctx), -EINVAL);
    smp_context_for(1);
    smp_ctx.trap_ctxt[14].address = NONCANONICAL;
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 1, &smp_ctx), -EINVAL);
    smp_context_for(1);
    smp_ctx.flags &= ~VGCF_in_kernel; /* user mode with no user tables */
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 1, &smp_ctx), -EINVAL);
    smp_context_for(1);
    smp_ctx.ctrlreg[3] = xen_pfn_to_cr3(mm_virt_to_mfn(&smp_ctx)); /* a data page */
    CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, 1, &smp_ctx), -EINVAL);
    CHECK_EQ(smp_vcpu_op(VCPUOP_up, 1, NULL), -EINVAL);
}

/* As Linux does from CPU 0: vcpu_info placed for a vCPU that is down. */
static void smp_register_vcpu_info_down(void)
{
    unsigned long pfn = smp_must((long)mm_page_alloc(), "page");
    struct vcpu_register_vcpu_info r = {.mfn = mm_pfn_to_mfn(pfn), .offset = 65};
    struct vcpu_info *vi = (struct vcpu_info *)((char *)mm_pfn_to_virt(pfn) + 64);

    CHECK(pfn != 0);
    memset(mm_pfn_to_virt(pfn), 0, PAGE_SIZE);
    CHECK_EQ(smp_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), -ENXIO);
    r.offset = PAGE_SIZE - sizeof(*vi) + 8;
    CHECK_EQ(smp_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), -ENXIO);
    r.offset = 64;
    CHECK_EQ(smp_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), 0);
    CHECK_EQ(smp_vcpu_op(VCPUOP_register_vcpu_info, 1, &r), -EINVAL);
    smp_cpus[1].vcpu_info = vi;
    CHECK_EQ(vi->evtchn_upcall_mask, 1);
    CHECK_EQ(vi->evtchn_upcall_pending, 1);
    CHECK_EQ(vi->evtchn_pending_sel, ~0UL);
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_pending_sel = 0;
}

static void smp_bring_up(void)
{
    for (unsigned int i = 1; i < smp_nr_vcpus; i++) {
        smp_context_for(i);
        CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, i, &smp_ctx), 0);
        CHECK_EQ(smp_vcpu_op(VCPUOP_initialise, i, &smp_ctx), -EEXIST);
        CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, i, NULL), 0);
        smp_cpus[i].wake_port = (evtchn_port_t)smp_must(evtchn_bind_ipi(i), "bind_ipi");
        evtchn_op_unmask(smp_cpus[i].wake_port);
        CHECK_EQ(smp_vcpu_op(VCPUOP_up, i, NULL), 0);
        CHECK_EQ(smp_vcpu_op(VCPUOP_up, i, NULL), 0);
        CHECK(smp_wait_online(i));
        CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, i, NULL), 1);
        CHECK(smp_runstate(i) != RUNSTATE_offline);
    }
}

/* Which vCPU took each port's last upcall (+1: 0 is "none yet"). */
static unsigned long smp_seen_on[EVTCHN_TRACKED];

static void smp_record_cpu(evtchn_port_t port, void *arg)
{
    (void)arg;
    __atomic_store_n(&smp_seen_on[port], smp_this_cpu()->id + 1, __ATOMIC_RELEASE);
}

static evtchn_port_t smp_watch(long port)
{
    evtchn_port_t p = (evtchn_port_t)smp_must(port, "bind");

    if (p >= EVTCHN_TRACKED)
        smp_must(-ENOSPC, "a port with a handler slot");
    smp_seen_on[p] = 0;
    evtchn_set_handler(p, smp_record_cpu, NULL);
    evtchn_clear_pending(p);
    evtchn_op_unmask(p);
    return p;
}

static void smp_send_port(void *port)
{
    evtchn_send((evtchn_port_t)(unsigned long)port);
}

/* An IPI runs its handler on the vCPU it is bound to, sent from any. */
static void smp_ipi(void)
{
    for (unsigned int i = 1; i < smp_nr_vcpus; i++) {
        evtchn_port_t to_i = smp_watch(evtchn_bind_ipi(i)), to_0 = smp_watch(evtchn_bind_ipi(0));

        CHECK_EQ(evtchn_send(to_i), 0);
        CHECK(smp_wait_value(&smp_seen_on[to_i], i + 1));
        evtchn_upcall_enable();
        CHECK(smp_post(i, smp_send_port, (void *)(unsigned long)to_0));
        CHECK(smp_wait_done(i));
        CHECK(smp_wait_value(&smp_seen_on[to_0], 1));
        evtchn_upcall_disable();
        CHECK_EQ(evtchn_close(to_i), 0);
        CHECK_EQ(evtchn_close(to_0), 0);
    }
}

/* An interdomain port moved to vCPU 1 is delivered there. */
static void smp_bind_vcpu(void)
{
    evtchn_port_t a = smp_watch(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF));
    evtchn_port_t b = smp_watch(evtchn_bind_interdomain(DOMID_SELF, a));
    evtchn_port_t ipi = smp_watch(evtchn_bind_ipi(1));
    struct evtchn_bind_vcpu bv = {.port = b, .vcpu = 1};
    struct evtchn_status st = {0};

    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), 0);
    evtchn_set_vcpu(b, 1);
    CHECK_EQ(evtchn_status(DOMID_SELF, b, &st), 0);
    CHECK_EQ(st.vcpu, 1);
    CHECK_EQ(evtchn_send(a), 0);
    CHECK(smp_wait_value(&smp_seen_on[b], 2));
    bv.vcpu = smp_nr_vcpus;
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -ENOENT);
    bv.port = ipi;
    bv.vcpu = 0;
    CHECK_EQ(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -EINVAL);
    evtchn_close(a);
    evtchn_close(b);
    evtchn_close(ipi);
}

static unsigned long smp_threads_seen; /* bit i: a thread ran on vCPU i */

static void smp_thread_roam(void *arg)
{
    unsigned long all = *(unsigned long *)arg;

    for (unsigned int i = 0; i < WAIT_TRIES; i++) {
        __atomic_fetch_or(&smp_threads_seen, 1UL << smp_this_cpu()->id, __ATOMIC_RELAXED);
        if (__atomic_load_n(&smp_threads_seen, __ATOMIC_RELAXED) == all)
            return;
        sched_yield();
        if (i % 16 == 15)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* Kernel threads run on every vCPU that is up. */
static void smp_threads_everywhere(void)
{
    unsigned long all = (1UL << smp_nr_vcpus) - 1;
    struct thread *t[2 * SMP_MAX_VCPUS];
    unsigned int n = 2 * smp_nr_vcpus;

    smp_threads_seen = 0;
    for (unsigned int i = 0; i < n; i++)
        CHECK((t[i] = sched_thread_create("roam", smp_thread_roam, &all)) != NULL);
    for (unsigned int i = 0; i < n; i++)
        sched_join(t[i]);
    CHECK_EQ(smp_threads_seen, all);
    CHECK_EQ(sched_nr_threads(), 1);
}

static unsigned long smp_down_rc = 1, smp_resumed;

static void smp_down_self(void *arg)
{
    (void)arg;
    WRITE_ONCE(smp_cpus[1].online, false);
    smp_down_rc = (unsigned long)smp_vcpu_op(VCPUOP_down, 1, NULL);
    WRITE_ONCE(smp_cpus[1].online, true);
    __atomic_store_n(&smp_resumed, 1, __ATOMIC_RELEASE);
}

/* A vCPU that downs itself resumes after its VCPUOP_down once up again. */
static void smp_down_self_and_up(void)
{
    smp_resumed = 0;
    CHECK(smp_post(1, smp_down_self, NULL));
    CHECK(smp_wait_runstate(1, RUNSTATE_offline));
    CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    CHECK_EQ(__atomic_load_n(&smp_resumed, __ATOMIC_ACQUIRE), 0);
    CHECK_EQ(smp_vcpu_op(VCPUOP_up, 1, NULL), 0);
    CHECK(smp_wait_done(1));
    CHECK_EQ(smp_resumed, 1);
    CHECK_EQ(smp_down_rc, 0);
}

/* vCPU 0 downs vCPU 1: its events wait until it is up again. */
static void smp_down_other(void)
{
    evtchn_port_t p = smp_watch(evtchn_bind_ipi(1));

    CHECK_EQ(smp_vcpu_op(VCPUOP_down, 1, NULL), 0);
    CHECK(smp_wait_runstate(1, SMP_STOPPED));
    CHECK_EQ(evtchn_send(p), 0);
    for (int i = 0; i < 100; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    CHECK_EQ(smp_seen_on[p], 0);
    CHECK(evtchn_is_pending(p));
    CHECK_EQ(smp_vcpu_op(VCPUOP_up, 1, NULL), 0);
    CHECK(smp_wait_value(&smp_seen_on[p], 2));
    evtchn_close(p);
}

/* Every vCPU but 0 goes down, leaving the domain as it booted. */
static void smp_all_down(void)
{
    for (unsigned int i = 1; i < smp_nr_vcpus; i++) {
        WRITE_ONCE(smp_cpus[i].online, false);
        CHECK_EQ(smp_vcpu_op(VCPUOP_down, i, NULL), 0);
        CHECK(smp_wait_runstate(i, SMP_STOPPED));
        CHECK_EQ(smp_vcpu_op(VCPUOP_is_up, i, NULL), 0);
    }
}

static const struct test_case smp_cases[] = {
    {"vcpu_count", smp_vcpu_count},
    {"up_uninitialised", smp_up_uninitialised},
    {"initialise_refusals", smp_initialise_refusals},
    {"register_vcpu_info_down", smp_register_vcpu_info_down},
    {"bring_up", smp_bring_up},
    {"ipi", smp_ipi},
    {"bind_vcpu", smp_bind_vcpu},
    {"threads_everywhere", smp_threads_everywhere},
    {"down_self_and_up", smp_down_self_and_up},
    {"down_other", smp_down_other},
    {"all_down", smp_all_down},
};

TEST_SUITE(test_suite_smp, "smp", smp_cases);
