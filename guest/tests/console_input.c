/* SPDX-License-Identifier: MIT */
/*
 * Suite "console_input" (Xenolith only: someone has to type): the control
 * domain's console input, announced by VIRQ_CONSOLE and read with
 * CONSOLEIO_read, as Linux's hvc_xen reads it in dom0. The test types
 * "\x01\x01hi" and a newline: two CTRL-a are not a focus switch, so they
 * arrive as input.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/test.h>
#include <guest/time.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define WAIT_NS 30000000000ull /* for the typist */

static long console_wait(evtchn_port_t port)
{
    struct sched_poll poll = {.nr_ports = 1, .timeout = 0};

    set_xen_guest_handle(poll.ports, &port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

static void console_input_line(void)
{
    static const char want[] = "\x01\x01hi\n";
    long port = evtchn_bind_virq(VIRQ_CONSOLE, 0);
    char line[32];
    size_t len = 0;

    CHECK(port > 0);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_read, 0, line), 0);
    test_info("type a line");
    while (len < sizeof(line) - 1 && (len == 0 || line[len - 1] != '\n')) {
        long n;

        CHECK_EQ(console_wait((evtchn_port_t)port), 0);
        evtchn_clear_pending((evtchn_port_t)port);
        n = HYPERVISOR_console_io(CONSOLEIO_read, (int)(sizeof(line) - 1 - len), line + len);
        CHECK(n >= 0);
        len += (size_t)n;
    }
    CHECK_EQ(len, sizeof(want) - 1);
    CHECK(memcmp(line, want, len) == 0);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_read, sizeof(line), line), 0);
    evtchn_close((evtchn_port_t)port);
}

static const struct test_case console_input_cases[] = {
    {"line", console_input_line},
};

TEST_SUITE(test_suite_console_input, "console_input", console_input_cases);

/*
 * Suite "console_flood" (Xenolith only: tests/integration/test_domains.py):
 * 1 MiB of console output as fast as console_io takes it, then a pause
 * and one more line. The hypervisor lets a domain print 64 KiB/s after a
 * 256 KiB burst: most of the flood is dropped, said when the line after
 * the pause gets through, and the other domains print meanwhile.
 */
static void console_flood_write(void)
{
    static char chunk[1024];
    struct sched_poll poll = {.nr_ports = 0};

    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = (i % 64 == 63) ? '\n' : 'f';
    for (int i = 0; i < 1024; i++)
        CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(chunk), chunk), 0);
    poll.timeout = time_now() + 1500000000ull; /* refills 96 KiB */
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    printk("flood: after the pause\n");
}

static const struct test_case console_flood_cases[] = {
    {"write", console_flood_write},
};

TEST_SUITE(test_suite_console_flood, "console_flood", console_flood_cases);
