/* SPDX-License-Identifier: MIT */
/*
 * The xenstore daemon, run by the control domain (guest suite
 * "xenstored", with the hypervisor's xenstored=dom0): the store itself is
 * guest/xenstore/; this file connects it to the other domains.
 *
 * Xenolith's boot domains have no toolstack to introduce them, so the
 * daemon is its own: it looks for domains with an unbound port meant for
 * it (the builder's store channel), lays out /local/domain/N as xl would,
 * and introduces each through the protocol on its own privileged
 * connection. Introducing maps the domain's store page (grant ref
 * GNTTAB_RESERVED_XENSTORE) and binds the port. Then it moves whole
 * messages between each ring and the store until every domain it served
 * has gone (its end of the channel closed), and releases them.
 */
#include <guest/console.h>
#include <guest/domctl.h>
#include <guest/events.h>
#include <guest/grant.h>
#include <guest/heap.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/time.h>
#include <guest/xenstored.h>
#include <guest/xs_ring.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>
#include "xenstore/xs_proto.h"

#define XSD_MAX_DOMAINS 16 /* domain ids 1..15 */
#define XSD_MAX_PORT    8  /* the builder's store port is among a domU's first */
#define XSD_SLOT        304
#define XSD_POLL_NS     100000000ull  /* 100 ms */
#define XSD_FIRST_NS    5000000000ull /* to find a first domain */
#define XSD_MSG_MAX     (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

struct xsd_domain {
    struct xenstore_domain_interface *intf; /* NULL: not introduced */
    evtchn_port_t port;                     /* ours */
    grant_handle_t handle;
    struct xs_conn *conn;
    struct xs_msg *out; /* being written to the ring */
    size_t out_done;
    bool ignored; /* broke the framing: no longer read */
};

static struct {
    struct xs_store store;
    struct xs_conn *local; /* the daemon's own, privileged */
    struct xsd_domain doms[XSD_MAX_DOMAINS];
    unsigned long area; /* where store pages are mapped, one per domid */
    unsigned long tables[3];
    char msg[XSD_MSG_MAX];
    struct xsd_stats stats;
} xsd;

static void *xsd_alloc(void *ctx, size_t size)
{
    unsigned long pfn;

    (void)ctx;
    if (size <= 2048)
        return heap_alloc(size);
    pfn = mm_pages_alloc((size + PAGE_SIZE - 1) / PAGE_SIZE);
    return pfn ? mm_pfn_to_virt(pfn) : NULL;
}

static void xsd_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    if (size <= 2048)
        heap_free(p, size);
    else
        mm_pages_free(mm_virt_to_pfn(p), (size + PAGE_SIZE - 1) / PAGE_SIZE);
}

/* A request on the daemon's own connection: its arguments NUL-separated. */
static int xsd_local(uint32_t type, const char *const *args, unsigned int n)
{
    struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)xsd.msg;
    size_t len = 0;
    struct xs_msg *m;
    int rc = 0;

    for (unsigned int i = 0; i < n; i++) {
        size_t l = strlen(args[i]) + 1;

        memcpy(xsd.msg + sizeof(*hdr) + len, args[i], l);
        len += l;
    }
    *hdr = (struct xsd_sockmsg){.type = type, .len = (uint32_t)len};
    if (xs_request(&xsd.store, xsd.local, xsd.msg, sizeof(*hdr) + len))
        return -1;
    while ((m = xs_conn_pop(xsd.local))) {
        if (m->hdr.type == XS_ERROR)
            rc = -1;
        if (m->hdr.type == XS_WATCH_EVENT && !strcmp(m->body, XS_SPECIAL_INTRODUCE))
            xsd.stats.introduce_events++;
        if (m->hdr.type == XS_WATCH_EVENT && !strcmp(m->body, XS_SPECIAL_RELEASE))
            xsd.stats.release_events++;
        xs_msg_free(&xsd.store, m);
    }
    return rc;
}

static int xsd_node(const char *path, const char *value, const char *owner, const char *reader)
{
    const char *write[] = {path, value};
    const char *perms[] = {path, owner, reader};

    if (xsd_local(XS_WRITE, write, 2))
        return -1;
    return xsd_local(XS_SET_PERMS, perms, reader ? 3 : 2);
}

/* What getdomaininfo tells: memory/target (KiB) and each vCPU available. */
static int xsd_layout_resources(unsigned int domid, unsigned int reader_domid)
{
    struct domctl_info info;
    char path[64], value[24], reader[8];
    int rc;

    if (domctl_domain_info((domid_t)domid, &info))
        return -1;
    snprintf(reader, sizeof(reader), "r%u", reader_domid);
    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
    snprintf(value, sizeof(value), "%lu", info.tot_pages * (PAGE_SIZE >> 10));
    rc = xsd_node(path, value, "n0", reader);
    for (unsigned int v = 0; !rc && v <= info.max_vcpu_id; v++) {
        snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability", domid, v);
        rc = xsd_node(path, "online", "n0", reader);
    }
    return rc;
}

/*
 * /local/domain/N as libxl lays it out: the domain reads its home, its
 * memory target and its vCPUs' availability; it owns control/shutdown,
 * the feature flags it announces, and its own subtrees. Its name is a
 * toolstack's to know, and left out.
 */
static int xsd_layout(unsigned int domid)
{
    static const char *const readable[] = {"", "/domid", "/control"};
    static const char *const owned[] = {
        "/control/shutdown",
        "/control/feature-poweroff",
        "/control/feature-reboot",
        "/control/feature-suspend",
        "/control/sysrq",
        "/data",
        "/drivers",
        "/feature",
        "/attr",
        "/error",
    };
    char path[64], owner[8], reader[8], id[8];
    int rc = 0;

    snprintf(owner, sizeof(owner), "n%u", domid);
    snprintf(reader, sizeof(reader), "r%u", domid);
    snprintf(id, sizeof(id), "%u", domid);
    for (unsigned int i = 0; !rc && i < ARRAY_SIZE(readable); i++) {
        snprintf(path, sizeof(path), "/local/domain/%u%s", domid, readable[i]);
        rc = xsd_node(path, i == 1 ? id : "", "n0", reader);
    }
    for (unsigned int i = 0; !rc && i < ARRAY_SIZE(owned); i++) {
        snprintf(path, sizeof(path), "/local/domain/%u%s", domid, owned[i]);
        rc = xsd_node(path, "", owner, NULL);
    }
    return rc ? rc : xsd_layout_resources(domid, domid);
}

/* The store hook for INTRODUCE: map the ring, bind the channel. */
static int xsd_introduce(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port)
{
    struct xsd_domain *x = &xsd.doms[domid];
    struct gnttab_map_grant_ref map = {
        .host_addr = xsd.area + domid * PAGE_SIZE,
        .flags = GNTMAP_host_map,
        .ref = GNTTAB_RESERVED_XENSTORE,
        .dom = domid,
    };
    long local;

    (void)ctx, (void)mfn;
    if (domid == 0 || domid >= XSD_MAX_DOMAINS || x->intf)
        return -EINVAL;
    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1) || map.status != GNTST_okay)
        return -EINVAL;
    local = evtchn_bind_interdomain(domid, port);
    if (local < 0) {
        struct gnttab_unmap_grant_ref unmap = {.host_addr = map.host_addr, .handle = map.handle};

        HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
        return (int)local;
    }
    evtchn_mask((evtchn_port_t)local); /* polled, never an upcall */
    x->intf = (struct xenstore_domain_interface *)map.host_addr;
    /* We say why we stop reading a domain (intf->error), as xenstored does. */
    x->intf->server_features |= XENSTORE_SERVER_FEATURE_ERROR;
    x->handle = map.handle;
    x->port = (evtchn_port_t)local;
    return 0;
}

/* The store hook for RELEASE: unbind and unmap; queued output is dropped. */
static void xsd_release(void *ctx, uint16_t domid)
{
    struct xsd_domain *x = &xsd.doms[domid];
    struct gnttab_unmap_grant_ref unmap = {.host_addr = (unsigned long)x->intf,
                                           .handle = x->handle};

    (void)ctx;
    if (domid >= XSD_MAX_DOMAINS || !x->intf)
        return;
    evtchn_close(x->port);
    HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
    if (x->out)
        xs_msg_free(&xsd.store, x->out);
    *x = (struct xsd_domain){0};
    xsd.stats.released++;
}

/* A port of domain `domid` left unbound for us by the builder, or 0. */
static evtchn_port_t xsd_store_port(unsigned int domid)
{
    for (evtchn_port_t p = 1; p < XSD_MAX_PORT; p++) {
        struct evtchn_status st;

        if (evtchn_status((domid_t)domid, p, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
            st.u.unbound.dom == 0)
            return p;
    }
    return 0;
}

/* Lays out and introduces domains that appeared since the last look. */
static void xsd_discover(void)
{
    for (unsigned int domid = 1; domid < XSD_MAX_DOMAINS; domid++) {
        char id[8], port_s[12];
        const char *args[] = {id, "0", port_s};
        evtchn_port_t port;

        if (xsd.doms[domid].intf || !(port = xsd_store_port(domid)))
            continue;
        snprintf(id, sizeof(id), "%u", domid);
        snprintf(port_s, sizeof(port_s), "%u", port);
        if (xsd_layout(domid) || xsd_local(XS_INTRODUCE, args, 3)) {
            printk("xenstored: domain %u: cannot introduce it\n", domid);
            xsd.stats.errors++;
            continue;
        }
        xsd.doms[domid].conn = xs_conn_find(&xsd.store, (uint16_t)domid);
        xsd.stats.introduced++;
        printk("xenstored: domain %u introduced (port %u)\n", domid, port);
    }
}

/* Whole requests from the ring into the store; true if any was taken. */
static bool xsd_read_requests(struct xsd_domain *x)
{
    struct xenstore_domain_interface *intf = x->intf;
    struct xsd_sockmsg hdr;
    bool any = false;

    while (!x->ignored) {
        XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
        long used = xs_ring_used(intf->req_cons, prod);
        size_t len;

        if (used < (long)sizeof(hdr))
            break;
        xs_ring_get(intf->req, &intf->req_cons, prod, &hdr, sizeof(hdr), true);
        len = sizeof(hdr) + (hdr.len <= XENSTORE_PAYLOAD_MAX ? hdr.len : 0);
        if (hdr.len <= XENSTORE_PAYLOAD_MAX && (size_t)used < len)
            break; /* the rest is still coming */
        xs_ring_get(intf->req, &intf->req_cons, prod, xsd.msg, len, false);
        any = true;
        xsd.stats.requests++;
        if (xs_request(&xsd.store, x->conn, xsd.msg, len) == XS_CLOSE) {
            printk("xenstored: domain %u broke the framing (length %u): ignored from now\n",
                   x->conn->domid, hdr.len);
            x->ignored = true;
            WRITE_ONCE(intf->error, XENSTORE_ERROR_PROTO);
        }
    }
    if (xs_ring_used(intf->req_cons, __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE)) < 0 &&
        !x->ignored) {
        printk("xenstored: domain %u: request ring indices corrupt: ignored from now\n",
               x->conn->domid);
        x->ignored = true;
        WRITE_ONCE(intf->error, XENSTORE_ERROR_RINGIDX);
    }
    return any;
}

/* Queued replies and events into the ring, as far as it has room. */
static bool xsd_write_replies(struct xsd_domain *x)
{
    struct xenstore_domain_interface *intf = x->intf;
    bool any = false;

    for (;;) {
        size_t total;
        long n;

        if (!x->out && !(x->out = xs_conn_pop(x->conn)))
            break;
        total = sizeof(x->out->hdr) + x->out->hdr.len;
        n = xs_ring_put(intf->rsp, __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE),
                        &intf->rsp_prod, (const char *)&x->out->hdr + x->out_done,
                        total - x->out_done);
        if (n <= 0)
            break; /* full, or corrupt: the domain's own loss */
        any = true;
        x->out_done += (size_t)n;
        if (x->out_done < total)
            break;
        xs_msg_free(&xsd.store, x->out);
        x->out = NULL;
        x->out_done = 0;
    }
    return any;
}

/* Has the domain at the other end of x's channel gone? */
static bool xsd_peer_gone(const struct xsd_domain *x)
{
    struct evtchn_status st;

    return evtchn_status(DOMID_SELF, x->port, &st) != 0 || st.status != EVTCHNSTAT_interdomain;
}

static unsigned int xsd_serve_once(evtchn_port_t *ports)
{
    unsigned int n = 0;

    for (unsigned int domid = 1; domid < XSD_MAX_DOMAINS; domid++) {
        struct xsd_domain *x = &xsd.doms[domid];
        char id[8];
        const char *args[] = {id};
        bool moved;

        if (!x->intf)
            continue;
        if (xsd_peer_gone(x)) {
            snprintf(id, sizeof(id), "%u", domid);
            xsd_local(XS_RELEASE, args, 1);
            printk("xenstored: domain %u gone: released\n", domid);
            continue;
        }
        evtchn_clear_pending(x->port);
        moved = xsd_read_requests(x);
        moved |= xsd_write_replies(x);
        if (moved)
            evtchn_send(x->port);
        ports[n++] = x->port;
    }
    return n;
}

int xenstored_run(struct xsd_stats *stats)
{
    static const struct xs_alloc alloc = {xsd_alloc, xsd_free, NULL};
    static const struct xs_hooks hooks = {xsd_introduce, xsd_release, NULL};
    evtchn_port_t ports[XSD_MAX_DOMAINS];
    uint64_t first_deadline = time_now() + XSD_FIRST_NS;

    memset(&xsd, 0, sizeof(xsd));
    if (xs_store_init(&xsd.store, &alloc, &hooks, NULL) ||
        xs_conn_open(&xsd.store, 0, true, 0, 0, &xsd.local))
        return -1;
    xsd.area = mm_area_create(XSD_SLOT, xsd.tables);
    /* As a toolstack does: told of every domain coming and going. */
    if (xsd_local(XS_WATCH, (const char *const[]){XS_SPECIAL_INTRODUCE, "xsd"}, 2) ||
        xsd_local(XS_WATCH, (const char *const[]){XS_SPECIAL_RELEASE, "xsd"}, 2))
        return -1;
    printk("xenstored: serving\n");
    for (;;) {
        struct sched_poll poll = {.timeout = time_now() + XSD_POLL_NS};
        unsigned int n;

        xsd_discover();
        n = xsd_serve_once(ports);
        if (n == 0 && (xsd.stats.introduced || time_now() > first_deadline))
            break;
        poll.nr_ports = n;
        set_xen_guest_handle(poll.ports, ports);
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    *stats = xsd.stats;
    return 0;
}
