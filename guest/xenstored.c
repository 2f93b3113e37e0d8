/* SPDX-License-Identifier: MIT */
/*
 * The xenstore daemon, run by the control domain (guest suite
 * "xenstored", with the hypervisor's xenstored=dom0): the store itself is
 * guest/xenstore/; this file connects it to the other domains.
 *
 * The daemon introduces every domain the hypervisor built with a store
 * ring for it, boot domains and the toolstack's alike: it walks the
 * domains (getdomaininfo), asks the hypervisor what it knows of each
 * (XENOLITH_DOMCTL_describe: name, rings, ports, vCPUs wanted online),
 * lays out /local/domain/N as libxl would, and introduces it through the
 * protocol on its own privileged connection. Introducing maps the
 * domain's store page (grant ref GNTTAB_RESERVED_XENSTORE) into a slot of
 * its own and binds the port. Then it moves whole messages between each
 * ring and the store; a domain whose end of the channel closed has gone:
 * it is released and its home removed (the toolstack's part in xl, done
 * here so that boot domains leave nothing behind either).
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

#define XSD_SLOT     304
#define XSD_POLL_NS  100000000ull  /* 100 ms */
#define XSD_FIRST_NS 5000000000ull /* to find a first domain */
#define XSD_MSG_MAX  (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

/* A domain being served; its store page is mapped at area + slot * 4 KiB. */
struct xsd_domain {
    domid_t domid;
    struct xenstore_domain_interface *intf; /* NULL: slot free */
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
    unsigned long area;
    unsigned long tables[3];
    char msg[XSD_MSG_MAX];
    struct xsd_stats stats;
    size_t reply_len; /* of the last reply xsd_local_reply() copied */
    domid_t self;     /* 0, or the xenstore domain's own id */
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

static struct xsd_domain *xsd_slot_of(domid_t domid)
{
    for (unsigned int i = 0; i < XSD_MAX_DOMAINS; i++)
        if (xsd.doms[i].intf && xsd.doms[i].domid == domid)
            return &xsd.doms[i];
    return NULL;
}

/*
 * A request on the daemon's own connection: its arguments NUL-separated.
 * 0, or -1 for an error reply; the reply's body goes to reply (reply_len
 * bytes at most, NUL-terminated) when one is given.
 */
static int xsd_local_reply(uint32_t type, const char *const *args, unsigned int n, char *reply,
                           size_t reply_len)
{
    struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)xsd.msg;
    size_t len = 0;
    struct xs_msg *m;
    int rc = 0;

    for (unsigned int i = 0; i < n; i++) {
        size_t l = strlen(args[i]) + (type == XS_WRITE && i == n - 1 ? 0 : 1);

        if (len + l > XENSTORE_PAYLOAD_MAX)
            return -1;
        memcpy(xsd.msg + sizeof(*hdr) + len, args[i], l);
        len += l;
    }
    *hdr = (struct xsd_sockmsg){.type = type, .len = (uint32_t)len};
    if (xs_request(&xsd.store, xsd.local, xsd.msg, sizeof(*hdr) + len))
        return -1;
    while ((m = xs_conn_pop(xsd.local))) {
        if (m->hdr.type == XS_ERROR)
            rc = -1;
        else if (m->hdr.type == type && reply && reply_len) {
            size_t l = m->hdr.len < reply_len - 1 ? m->hdr.len : reply_len - 1;

            memcpy(reply, m->body, l);
            reply[l] = '\0';
            xsd.reply_len = l;
        }
        if (m->hdr.type == XS_WATCH_EVENT && !strcmp(m->body, XS_SPECIAL_INTRODUCE))
            xsd.stats.introduce_events++;
        if (m->hdr.type == XS_WATCH_EVENT && !strcmp(m->body, XS_SPECIAL_RELEASE))
            xsd.stats.release_events++;
        xs_msg_free(&xsd.store, m);
    }
    return rc;
}

static int xsd_local(uint32_t type, const char *const *args, unsigned int n)
{
    return xsd_local_reply(type, args, n, NULL, 0);
}

static int xsd_node(const char *path, const char *value, const char *owner, const char *reader)
{
    const char *write[] = {path, value};
    const char *perms[] = {path, owner, reader};

    if (xsd_local(XS_WRITE, write, 2))
        return -1;
    return xsd_local(XS_SET_PERMS, perms, reader ? 3 : 2);
}

/* What a domain's home holds, from the hypervisor's description of it. */
struct xsd_desc {
    unsigned int domid;
    struct domctl_info info;
    struct domctl_description d;
};

static int xsd_readable(const struct xsd_desc *x, const char *sub, const char *value)
{
    char path[80], reader[8];

    snprintf(path, sizeof(path), "/local/domain/%u%s", x->domid, sub);
    snprintf(reader, sizeof(reader), "r%u", x->domid);
    return xsd_node(path, value, "n0", reader);
}

static int xsd_readable_u(const struct xsd_desc *x, const char *sub, unsigned long value)
{
    char v[24];

    snprintf(v, sizeof(v), "%lu", value);
    return xsd_readable(x, sub, v);
}

/* memory/, cpu/N/availability, console/ and store/: readable by the domain. */
static int xsd_layout_resources(const struct xsd_desc *x)
{
    int rc = xsd_readable_u(x, "/memory/target", x->info.tot_pages * (PAGE_SIZE >> 10));

    rc = rc ?: xsd_readable_u(x, "/memory/static-max", x->info.max_pages * (PAGE_SIZE >> 10));
    for (unsigned int v = 0; !rc && v <= x->info.max_vcpu_id; v++) {
        char sub[32];

        snprintf(sub, sizeof(sub), "/cpu/%u/availability", v);
        rc = xsd_readable(x, sub, v < x->d.vcpus_online ? "online" : "offline");
    }
    if (x->d.console_port) {
        rc = rc ?: xsd_readable_u(x, "/console/port", x->d.console_port);
        rc = rc ?: xsd_readable_u(x, "/console/ring-ref", x->d.console_mfn);
        rc = rc ?: xsd_readable(x, "/console/type", "xenconsoled");
        rc = rc ?: xsd_readable(x, "/console/output", "pty");
        rc = rc ?: xsd_readable_u(x, "/console/limit", 1048576);
    }
    rc = rc ?: xsd_readable_u(x, "/store/port", x->d.store_port);
    return rc ?: xsd_readable_u(x, "/store/ring-ref", x->d.store_mfn);
}

/*
 * /local/domain/N as libxl lays it out: the domain reads its home, name,
 * domid, memory target, vCPUs' availability, console and store; it owns
 * control/shutdown, the feature flags it announces, and its own subtrees.
 */
static int xsd_layout(const struct xsd_desc *x)
{
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
    char path[64], owner[8];
    int rc;

    snprintf(owner, sizeof(owner), "n%u", x->domid);
    rc = xsd_readable(x, "", "");
    rc = rc ?: xsd_readable_u(x, "/domid", x->domid);
    rc = rc ?: xsd_readable(x, "/name", x->d.name);
    rc = rc ?: xsd_readable(x, "/control", "");
    rc = rc ?: xsd_readable(x, "/device", "");
    for (unsigned int i = 0; !rc && i < ARRAY_SIZE(owned); i++) {
        snprintf(path, sizeof(path), "/local/domain/%u%s", x->domid, owned[i]);
        rc = xsd_node(path, "", owner, NULL);
    }
    return rc ?: xsd_layout_resources(x);
}

/* The store hook for INTRODUCE: map the ring into a free slot, bind the channel. */
static int xsd_introduce(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port)
{
    struct xsd_domain *x = NULL;
    struct gnttab_map_grant_ref map = {
        .flags = GNTMAP_host_map,
        .ref = GNTTAB_RESERVED_XENSTORE,
        .dom = domid,
    };
    long local;

    (void)ctx, (void)mfn;
    if (domid == xsd.self || xsd_slot_of(domid))
        return -EINVAL;
    for (unsigned int i = 0; !x && i < XSD_MAX_DOMAINS; i++)
        if (!xsd.doms[i].intf)
            x = &xsd.doms[i];
    if (!x)
        return -ENOSPC;
    map.host_addr = xsd.area + (unsigned long)(x - xsd.doms) * PAGE_SIZE;
    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1) || map.status != GNTST_okay)
        return -EINVAL;
    local = evtchn_bind_interdomain(domid, port);
    if (local < 0) {
        struct gnttab_unmap_grant_ref unmap = {.host_addr = map.host_addr, .handle = map.handle};

        HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
        return (int)local;
    }
    evtchn_mask((evtchn_port_t)local); /* polled, never an upcall */
    x->domid = domid;
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
    struct xsd_domain *x = xsd_slot_of(domid);
    struct gnttab_unmap_grant_ref unmap;

    (void)ctx;
    if (!x)
        return;
    unmap =
        (struct gnttab_unmap_grant_ref){.host_addr = (unsigned long)x->intf, .handle = x->handle};
    evtchn_close(x->port);
    HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
    if (x->out)
        xs_msg_free(&xsd.store, x->out);
    *x = (struct xsd_domain){0};
    xsd.stats.released++;
}

/* Lays out and introduces one domain the hypervisor gave a store ring. */
static void xsd_add(const struct xsd_desc *x)
{
    char id[8], mfn[24], port[12];
    const char *args[] = {id, mfn, port};

    snprintf(id, sizeof(id), "%u", x->domid);
    snprintf(mfn, sizeof(mfn), "%lu", x->d.store_mfn);
    snprintf(port, sizeof(port), "%u", x->d.store_port);
    if (xsd_layout(x) || xsd_local(XS_INTRODUCE, args, 3)) {
        printk("xenstored: domain %u: cannot introduce it\n", x->domid);
        xsd.stats.errors++;
        return;
    }
    xsd_slot_of((domid_t)x->domid)->conn = xs_conn_find(&xsd.store, (uint16_t)x->domid);
    xsd.stats.introduced++;
    printk("xenstored: domain %u (%s) introduced (port %u)\n", x->domid, x->d.name,
           x->d.store_port);
}

void xenstored_discover(void)
{
    struct xsd_desc x;

    for (domid_t from = 0; domctl_domain_info_from(from, &x.info) == 0; from = x.info.domid + 1) {
        x.domid = x.info.domid;
        if (x.domid == xsd.self || x.info.dying || x.info.shutdown || xsd_slot_of(x.info.domid) ||
            domctl_describe(x.info.domid, &x.d) || !x.d.store_port)
            continue;
        xsd_add(&x);
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

/* A domain that has gone: its connection released, its home removed. */
static void xsd_forget(domid_t domid)
{
    char id[8], home[32];
    const char *release[] = {id}, *rm[] = {home};

    snprintf(id, sizeof(id), "%u", domid);
    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    xsd_local(XS_RELEASE, release, 1);
    xsd_local(XS_RM, rm, 1);
    printk("xenstored: domain %u gone: released\n", domid);
}

unsigned int xenstored_serve(evtchn_port_t *ports)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < XSD_MAX_DOMAINS; i++) {
        struct xsd_domain *x = &xsd.doms[i];
        bool moved;

        if (!x->intf)
            continue;
        if (xsd_peer_gone(x)) {
            xsd_forget(x->domid);
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

/* /local/domain/0, as a toolstack writes it at boot: its name and id. */
static int xsd_control_domain_home(void)
{
    struct domctl_description d;
    const char *name = domctl_describe(0, &d) ? "Domain-0" : d.name;

    if (xsd_node("/local/domain/0/name", name, "n0", NULL) ||
        xsd_node("/local/domain/0/domid", "0", "n0", NULL))
        return -1;
    return 0;
}

int xenstored_start(void)
{
    static const struct xs_alloc alloc = {xsd_alloc, xsd_free, NULL};
    static const struct xs_hooks hooks = {xsd_introduce, xsd_release, NULL};

    struct domctl_description me;

    memset(&xsd, 0, sizeof(xsd));
    /* In a xenstore domain of its own (not the control domain), its id. */
    if (!(kernel_start_info->flags & SIF_PRIVILEGED) && domctl_describe(DOMID_SELF, &me) == 0)
        xsd.self = (domid_t)me.domid;
    if (xs_store_init(&xsd.store, &alloc, &hooks, NULL) ||
        xs_conn_open(&xsd.store, xsd.self, true, 0, 0, &xsd.local))
        return -1;
    xsd.area = mm_area_create(XSD_SLOT, xsd.tables);
    /* As a toolstack does: told of every domain coming and going. */
    if (xsd_local(XS_WATCH, (const char *const[]){XS_SPECIAL_INTRODUCE, "xsd"}, 2) ||
        xsd_local(XS_WATCH, (const char *const[]){XS_SPECIAL_RELEASE, "xsd"}, 2))
        return -1;
    printk("xenstored: serving%s\n", xsd.self ? " from a xenstore domain of its own" : "");
    return xsd_control_domain_home();
}

bool xenstored_serving(domid_t domid)
{
    return xsd_slot_of(domid) != NULL;
}

int xenstored_write(const char *path, const char *value)
{
    return xsd_local(XS_WRITE, (const char *const[]){path, value}, 2);
}

int xenstored_read(const char *path, char *buf, size_t len)
{
    return xsd_local_reply(XS_READ, (const char *const[]){path}, 1, buf, len);
}

int xenstored_directory(const char *path, char *buf, size_t size, size_t *len)
{
    int rc = xsd_local_reply(XS_DIRECTORY, (const char *const[]){path}, 1, buf, size);

    *len = rc ? 0 : xsd.reply_len;
    return rc;
}

unsigned long xenstored_nodes(void)
{
    unsigned long n = 0;

    for (const struct xs_node *x = xsd.store.tree.root; x; x = xs_tree_next(x, xsd.store.tree.root))
        n++;
    return n;
}

int xenstored_run(struct xsd_stats *stats)
{
    evtchn_port_t ports[XSD_MAX_DOMAINS];
    uint64_t first_deadline = time_now() + XSD_FIRST_NS;

    if (xenstored_start())
        return -1;
    for (;;) {
        struct sched_poll poll = {.timeout = time_now() + XSD_POLL_NS};
        unsigned int n;

        xenstored_discover();
        n = xenstored_serve(ports);
        if (n == 0 && (xsd.stats.introduced || time_now() > first_deadline))
            break;
        poll.nr_ports = n;
        set_xen_guest_handle(poll.ports, ports);
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    }
    *stats = xsd.stats;
    return 0;
}
