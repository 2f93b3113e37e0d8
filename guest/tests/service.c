/* SPDX-License-Identifier: MIT */
/*
 * Suites "service" and "service_spin" (Xenolith only: a domU that xl
 * manages, tests/integration/test_toolstack.py): the guest side of what
 * a toolstack relies on. It watches control/shutdown, as Linux does, and
 * shuts down as asked ("poweroff" ends the suite, "reboot" reboots);
 * each line typed into its console ring comes back as "echo: LINE".
 * "service" blocks between events; "service_spin" never blocks, a
 * CPU-bound guest whose share of a pCPU xl sched-credit decides.
 */
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/xenbus.h>
#include <xenolith/string.h>
#include <xen/io/console.h>

#define SERVICE_POLL_NS 1000000000ull

static struct {
    char line[128];
    size_t len;
} svc;

static struct xencons_interface *svc_ring(void)
{
    return mm_pfn_to_virt(mm_mfn_to_pfn(kernel_start_info->console.domU.mfn));
}

static void svc_ring_write(struct xencons_interface *r, const char *s, size_t n)
{
    XENCONS_RING_IDX prod = r->out_prod;

    /* Drop what does not fit rather than wait: the backend drains it. */
    for (size_t i = 0;
         i < n && prod - __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE) < sizeof(r->out); i++)
        r->out[MASK_XENCONS_IDX(prod++, r->out)] = s[i];
    __atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
    evtchn_send(kernel_start_info->console.domU.evtchn);
}

/* Input from the ring: each whole line echoed back. */
static void svc_console(void)
{
    struct xencons_interface *r = svc_ring();
    XENCONS_RING_IDX cons = r->in_cons, prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);

    if (prod - cons > sizeof(r->in))
        cons = prod; /* corrupt indices: skip, the backend's are its own */
    for (; cons != prod; cons++) {
        char c = r->in[MASK_XENCONS_IDX(cons, r->in)];

        if (c == '\r' || c == '\n') {
            svc_ring_write(r, "echo: ", 6);
            svc_ring_write(r, svc.line, svc.len);
            svc_ring_write(r, "\n", 1);
            svc.len = 0;
        } else if (svc.len < sizeof(svc.line)) {
            svc.line[svc.len++] = c;
        }
    }
    if (cons == r->in_cons)
        return; /* nothing taken: no event (the backend would only answer it) */
    __atomic_store_n(&r->in_cons, cons, __ATOMIC_RELEASE);
    evtchn_send(kernel_start_info->console.domU.evtchn);
}

/* control/shutdown after a watch event: the reason asked for, or -1. */
static int svc_shutdown_request(void)
{
    if (xenbus_call(XS_READ, 0, "control/shutdown", NULL) != XS_READ)
        return -1;
    if (!strcmp(xenbus.reply, "poweroff"))
        return SHUTDOWN_poweroff;
    if (!strcmp(xenbus.reply, "reboot"))
        return SHUTDOWN_reboot;
    return -1;
}

static void svc_wait(bool spin)
{
    evtchn_port_t ports[] = {kernel_start_info->store_evtchn,
                             kernel_start_info->console.domU.evtchn};
    struct sched_poll poll = {.nr_ports = 2, .timeout = time_now() + SERVICE_POLL_NS};

    if (spin) {
        while (!evtchn_is_pending(ports[0]) && !evtchn_is_pending(ports[1]))
            __asm__ __volatile__("pause");
        return;
    }
    set_xen_guest_handle(poll.ports, ports);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static void svc_run(bool spin)
{
    unsigned long seen;
    int reason = -1;

    CHECK(kernel_start_info->store_evtchn != 0);
    CHECK_EQ(xenbus_call(XS_WATCH, 0, "control/shutdown", "sd"), XS_WATCH);
    CHECK(xenbus_wait_event(0, time_now() + SERVICE_POLL_NS)); /* fires once when set */
    seen = xenbus.events;
    printk("service: ready\n");
    /* As Linux: the first event reads the node too; a request made
     * before the watch was set is not lost. */
    reason = svc_shutdown_request();
    while (reason < 0) {
        evtchn_clear_pending(kernel_start_info->console.domU.evtchn);
        svc_console();
        if (xenbus_wait_event(seen, time_now())) {
            seen = xenbus.events;
            reason = svc_shutdown_request();
            continue;
        }
        svc_wait(spin);
    }
    printk("service: shutdown request: %s\n", reason == SHUTDOWN_reboot ? "reboot" : "poweroff");
    if (reason == SHUTDOWN_reboot) {
        struct sched_shutdown s = {.reason = SHUTDOWN_reboot};

        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    }
}

static void service_block(void)
{
    svc_run(false);
}

static void service_spin(void)
{
    svc_run(true);
}

static const struct test_case service_cases[] = {{"run", service_block}};
static const struct test_case service_spin_cases[] = {{"run", service_spin}};
TEST_SUITE(test_suite_service, "service", service_cases);
TEST_SUITE(test_suite_service_spin, "service_spin", service_spin_cases);
