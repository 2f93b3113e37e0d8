/* SPDX-License-Identifier: MIT */
/*
 * Suites "ring_front" (domain 1) and "ring_back" (domain 2): two guests
 * set up a shared ring the way a split driver does, and stream data over
 * it. Xenolith only: the control domain serves xenstore (suite
 * xenstored, hypervisor option xenstored=dom0).
 *
 * The frontend grants a page to the backend and allocates a port for it,
 * publishes both under its home (data/demo/{ring-ref,event-channel},
 * readable by the backend) and says state 3 (XenbusStateInitialised).
 * The backend, watching that, maps the page, binds the port and says 4
 * (Connected) under its own home. The frontend then streams
 * DEMO_BYTES of a pseudo-random sequence through the ring; the backend
 * publishes the checksum of what it received, unmaps, closes, and says
 * 6 (Closed); the frontend compares checksums and ends its grant.
 * Each side prints the stream's throughput as a BENCH line (ticks per
 * KiB; instructions under -icount).
 */
#include <guest/events.h>
#include <guest/grant.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/xenbus.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#define DEMO_FRONT     1
#define DEMO_BACK      2
#define DEMO_REF       8
#define DEMO_SLOT      305 /* grant table at its start, the mapped ring after */
#define DEMO_BYTES     (1u << 20)
#define DEMO_WAIT_NS   10000000000ull
#define DEMO_RING_DATA 2048

struct demo_ring {
    uint32_t prod, cons; /* bytes ever written and read */
    uint32_t done;       /* the frontend wrote everything */
    uint32_t pad;
    uint8_t data[DEMO_RING_DATA];
};

static struct {
    unsigned long area, tables[3];
    evtchn_port_t port;
} demo;

/* The next byte of the stream, and the running checksum (FNV-1a). */
static uint8_t demo_byte(uint32_t i)
{
    return (uint8_t)((i * 2654435761u) >> 24);
}

static uint64_t demo_fnv(uint64_t h, uint8_t b)
{
    return (h ^ b) * 0x100000001b3ull;
}

static void demo_must(long rc, const char *what)
{
    if (rc < 0) {
        test_fail(__FILE__, __LINE__, "%s: %ld", what, rc);
        test_abort();
    }
}

static void demo_write(const char *path, const char *value)
{
    long rc = xenbus_call(XS_WRITE, 0, path, value);

    demo_must(rc == XS_WRITE ? 0 : -1, path);
}

/* data/demo, owned by us and readable by `peer` (its children inherit that). */
static void demo_publish_dir(unsigned int self, unsigned int peer)
{
    char body[32];
    int n;

    demo_write("data/demo", "");
    n = snprintf(body, sizeof(body), "data/demo%cn%u%cr%u", 0, self, 0, peer);
    demo_must(xenbus_send((struct xsd_sockmsg){.type = XS_SET_PERMS, .len = (uint32_t)n + 1},
                          body) == XS_SET_PERMS
                  ? 0
                  : -1,
              "set_perms");
}

/* Waits until `path` reads `want` (a watch wakes us; 10 s at most). */
static void demo_wait_value(const char *path, const char *want)
{
    uint64_t deadline = time_now() + DEMO_WAIT_NS;
    unsigned long seen = xenbus.events;

    demo_must(xenbus_call(XS_WATCH, 0, path, "demo") == XS_WATCH ? 0 : -1, "watch");
    for (;;) {
        if (xenbus_call(XS_READ, 0, path, NULL) == XS_READ && !strcmp(xenbus.reply, want))
            break;
        if (!xenbus_wait_event(seen, deadline))
            demo_must(-1, path);
        seen = xenbus.events;
    }
    xenbus_call(XS_UNWATCH, 0, path, "demo");
}

static void demo_print_rate(const char *name, uint64_t ticks)
{
    printk("BENCH %s %lu per KiB\n", name, (unsigned long)(ticks / (DEMO_BYTES >> 10)));
}

static void ring_front_stream(void)
{
    unsigned long pfn = mm_page_alloc();
    struct demo_ring *r = mm_pfn_to_virt(pfn);
    char value[24], path[64];
    uint64_t sum = 0xcbf29ce484222325ull, t0;
    long port;

    CHECK(pfn);
    memset(r, 0, PAGE_SIZE);
    demo.area = mm_area_create(DEMO_SLOT, demo.tables);
    CHECK_EQ(gnttab_map_table(demo.area, 1), 0);
    gnttab_grant(DEMO_REF, DEMO_BACK, mm_pfn_to_mfn(pfn), false);
    demo_must(port = evtchn_alloc_unbound(DOMID_SELF, DEMO_BACK), "alloc_unbound");
    demo.port = (evtchn_port_t)port;
    evtchn_mask(demo.port);
    demo_publish_dir(DEMO_FRONT, DEMO_BACK);
    snprintf(value, sizeof(value), "%u", DEMO_REF);
    demo_write("data/demo/ring-ref", value);
    snprintf(value, sizeof(value), "%u", demo.port);
    demo_write("data/demo/event-channel", value);
    demo_write("data/demo/state", "3");
    snprintf(path, sizeof(path), "/local/domain/%u/data/demo/state", DEMO_BACK);
    demo_wait_value(path, "4");
    t0 = time_rdtsc();
    for (uint32_t i = 0; i < DEMO_BYTES;) {
        uint32_t cons = __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);

        evtchn_clear_pending(demo.port);
        while (i < DEMO_BYTES && r->prod - cons < DEMO_RING_DATA) {
            r->data[r->prod % DEMO_RING_DATA] = demo_byte(i);
            sum = demo_fnv(sum, demo_byte(i++));
            __atomic_store_n(&r->prod, r->prod + 1, __ATOMIC_RELEASE);
        }
        evtchn_send(demo.port);
        if (i < DEMO_BYTES &&
            r->prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE) == DEMO_RING_DATA) {
            struct sched_poll poll = {.nr_ports = 1, .timeout = time_now() + DEMO_WAIT_NS};

            set_xen_guest_handle(poll.ports, &demo.port);
            HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
        }
    }
    __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
    evtchn_send(demo.port);
    demo_print_rate("ring_stream_front", time_rdtsc() - t0);
    snprintf(path, sizeof(path), "/local/domain/%u/data/demo/state", DEMO_BACK);
    demo_wait_value(path, "6");
    snprintf(path, sizeof(path), "/local/domain/%u/data/demo/checksum", DEMO_BACK);
    CHECK_EQ(xenbus_call(XS_READ, 0, path, NULL), XS_READ);
    snprintf(value, sizeof(value), "%016lx", (unsigned long)sum);
    test_info("sent %u bytes, checksum %s; the backend's %s", DEMO_BYTES, value, xenbus.reply);
    CHECK(strcmp(xenbus.reply, value) == 0);
    CHECK(gnttab_end(DEMO_REF)); /* unmapped: the grant ends at once */
    CHECK_EQ(evtchn_close(demo.port), 0);
    demo_write("data/demo/state", "6"); /* read: the backend may go (and its home with it) */
}

/* Reads a number the frontend published. */
static unsigned long demo_read_front(const char *leaf)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/data/demo/%s", DEMO_FRONT, leaf);
    demo_must(xenbus_call(XS_READ, 0, path, NULL) == XS_READ ? 0 : -1, path);
    return simple_strtoul(xenbus.reply, NULL, 10);
}

static void ring_back_stream(void)
{
    struct gnttab_map_grant_ref map = {.flags = GNTMAP_host_map, .dom = DEMO_FRONT};
    struct gnttab_unmap_grant_ref unmap;
    uint64_t sum = 0xcbf29ce484222325ull, t0;
    char path[64], value[24];
    struct demo_ring *r;
    uint32_t got = 0;
    long port;

    demo_publish_dir(DEMO_BACK, DEMO_FRONT);
    demo_write("data/demo/state", "2");
    snprintf(path, sizeof(path), "/local/domain/%u/data/demo/state", DEMO_FRONT);
    demo_wait_value(path, "3");
    demo.area = mm_area_create(DEMO_SLOT, demo.tables);
    map.host_addr = demo.area + PAGE_SIZE;
    map.ref = (grant_ref_t)demo_read_front("ring-ref");
    CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1), 0);
    CHECK_EQ(map.status, GNTST_okay);
    r = (struct demo_ring *)map.host_addr;
    demo_must(port = evtchn_bind_interdomain(DEMO_FRONT, demo_read_front("event-channel")),
              "bind_interdomain");
    demo.port = (evtchn_port_t)port;
    evtchn_mask(demo.port);
    demo_write("data/demo/state", "4");
    t0 = time_rdtsc();
    for (;;) {
        uint32_t prod, done;

        evtchn_clear_pending(demo.port);
        done = __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
        prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE);
        if (prod - r->cons > DEMO_RING_DATA)
            demo_must(-1, "ring indices");
        while (r->cons != prod) {
            sum = demo_fnv(sum, r->data[r->cons % DEMO_RING_DATA]);
            __atomic_store_n(&r->cons, r->cons + 1, __ATOMIC_RELEASE);
            got++;
        }
        evtchn_send(demo.port);
        if (done && r->cons == __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE))
            break;
        struct sched_poll poll = {.nr_ports = 1, .timeout = time_now() + DEMO_WAIT_NS};

        set_xen_guest_handle(poll.ports, &demo.port);
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    demo_print_rate("ring_stream_back", time_rdtsc() - t0);
    test_info("received %u bytes", got);
    CHECK_EQ(got, DEMO_BYTES);
    snprintf(value, sizeof(value), "%016lx", (unsigned long)sum);
    demo_write("data/demo/checksum", value);
    unmap = (struct gnttab_unmap_grant_ref){.host_addr = map.host_addr, .handle = map.handle};
    CHECK_EQ(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1), 0);
    CHECK_EQ(unmap.status, GNTST_okay);
    CHECK_EQ(evtchn_close(demo.port), 0);
    demo_write("data/demo/state", "6");
    /* Closed on both sides before we end: xenstored removes a domain's
     * home once it has gone, and the frontend still reads ours. */
    snprintf(path, sizeof(path), "/local/domain/%u/data/demo/state", DEMO_FRONT);
    demo_wait_value(path, "6");
}

static const struct test_case ring_front_cases[] = {{"stream", ring_front_stream}};
static const struct test_case ring_back_cases[] = {{"stream", ring_back_stream}};
TEST_SUITE(test_suite_ring_front, "ring_front", ring_front_cases);
TEST_SUITE(test_suite_ring_back, "ring_back", ring_back_cases);
