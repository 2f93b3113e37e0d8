/* SPDX-License-Identifier: MIT */
/*
 * The xenstore wire protocol (io/xs_wire.h): one request in, its reply
 * and any watch events queued out. Each operation decodes and checks its
 * arguments first, then changes the store; errors go back as XS_ERROR with
 * xs_wire.h's name for the errno, as xenstored sends them. Operations and
 * their rules follow xenstored (tools/xenstore, docs/misc/xenstore.txt);
 * fixed-arity requests must carry exactly their strings, nothing after.
 */
#include <xenolith/string.h>

#include "xs_proto.h"

struct xs_req {
    struct xs_store *s;
    struct xs_conn *c;
    struct xs_txn *t;     /* the request's transaction, or NULL */
    struct xs_tree *tree; /* t's copy of the store, or the store */
    struct xs_caller who;
    struct xsd_sockmsg hdr;
    const char *body; /* hdr.len bytes */
};

const char *xs_error_name(int err)
{
    unsigned int i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == -err)
            return xsd_errors[i].errstring;
    return "EINVAL"; /* xenstored's fallback for an errno it cannot name */
}

/* Exactly n NUL-terminated strings and nothing after them. */
static int xs_req_args(const struct xs_req *r, const char **argv, unsigned int n)
{
    size_t pos = 0, len;
    unsigned int i;

    for (i = 0; i < n; i++) {
        if (pos >= r->hdr.len)
            return -EINVAL;
        len = strnlen(r->body + pos, r->hdr.len - pos);
        if (pos + len == r->hdr.len)
            return -EINVAL;
        argv[i] = r->body + pos;
        pos += len + 1;
    }
    return pos == r->hdr.len ? 0 : -EINVAL;
}

/* Number of strings when the payload is only NUL-terminated strings, else -EINVAL. */
static int xs_req_count(const struct xs_req *r)
{
    size_t pos = 0, len;
    int n = 0;

    while (pos < r->hdr.len) {
        len = strnlen(r->body + pos, r->hdr.len - pos);
        if (pos + len == r->hdr.len)
            return -EINVAL;
        pos += len + 1;
        n++;
    }
    return n;
}

/* One argument, a node path (no "@special"), canonical in s->path. */
static int xs_req_path(struct xs_req *r, const char **path)
{
    const char *arg;
    int rc = xs_req_args(r, &arg, 1);

    if (!rc)
        rc = xs_path_canonical(r->c->domid, arg, false, r->s->path);
    *path = r->s->path;
    return rc;
}

static int xs_parse_uint(const char *str, unsigned long max, unsigned long *out)
{
    const char *end;

    *out = simple_strtoul(str, &end, 10);
    return end == str || *end != '\0' || *out > max ? -EINVAL : 0;
}

/* A domain id argument, as RELEASE, RESUME and the queries take it. */
static int xs_req_domid(const struct xs_req *r, unsigned long *domid)
{
    const char *arg;
    int rc = xs_req_args(r, &arg, 1);

    return rc ? rc : xs_parse_uint(arg, 0xffff, domid);
}

static int xs_reply(struct xs_req *r, const void *a, size_t alen, const void *b, size_t blen)
{
    return xs_conn_queue(r->s, r->c, &r->hdr, a, alen, b, blen);
}

static int xs_ack(struct xs_req *r)
{
    return xs_reply(r, "OK", 3, NULL, 0);
}

/* Outside a transaction a change fires now; inside, at commit. */
static void xs_req_changed(struct xs_req *r, const char *path, unsigned int levels)
{
    const struct xs_node *n;

    if (r->t) {
        xs_txn_mark(r->t, path, levels, true);
        return;
    }
    n = xs_tree_lookup(r->tree, path);
    xs_watch_fire(r->s, path, n->perms, n->nr_perms, false);
}

/* The node a READ, DIRECTORY or GET_PERMS names, if the caller may read it
 * (and noted in its transaction, if any). */
static int xs_req_readable_node(struct xs_req *r, struct xs_node **n)
{
    const char *path;
    int rc = xs_req_path(r, &path);

    if (!rc && r->t)
        rc = xs_txn_touch(r->s, r->t, path, strlen(path));
    if (!rc)
        rc = xs_tree_get(r->tree, &r->who, path, XS_PERM_READ, n);
    return rc;
}

static int xs_op_read(struct xs_req *r)
{
    struct xs_node *n;
    int rc = xs_req_readable_node(r, &n);

    return rc ? rc : xs_reply(r, n->value, n->value_len, NULL, 0);
}

static int xs_op_write(struct xs_req *r)
{
    size_t plen = strnlen(r->body, r->hdr.len);
    const char *path = r->s->path;
    unsigned int levels = 0;
    int rc;

    /* "path\0value": the value is the rest of the payload, any bytes. */
    if (plen == r->hdr.len)
        return -EINVAL;
    rc = xs_path_canonical(r->c->domid, r->body, false, r->s->path);
    if (!rc && r->t)
        rc = xs_txn_touch_create(r->s, r->t, path, &levels);
    if (!rc)
        rc = xs_tree_write(r->tree, &r->who, path, r->body + plen + 1,
                           (uint32_t)(r->hdr.len - plen - 1));
    if (rc)
        return rc;
    xs_req_changed(r, path, levels);
    return xs_ack(r);
}

static int xs_op_mkdir(struct xs_req *r)
{
    const char *path;
    unsigned int levels = 0;
    bool created = false;
    int rc = xs_req_path(r, &path);

    if (!rc && r->t)
        rc = xs_txn_touch_create(r->s, r->t, path, &levels);
    if (!rc)
        rc = xs_tree_mkdir(r->tree, &r->who, path, &created);
    if (rc)
        return rc;
    if (created)
        xs_req_changed(r, path, levels);
    return xs_ack(r);
}

static int xs_op_rm(struct xs_req *r)
{
    const char *path;
    struct xs_node *n;
    bool removed;
    int rc = xs_req_path(r, &path);

    if (!rc && r->t) {
        rc = xs_txn_touch(r->s, r->t, path, strlen(path));
        if (!rc)
            rc = xs_txn_touch(r->s, r->t, path, xs_path_parent_len(path));
        if (!rc)
            rc = xs_txn_touch_subtree(r->s, r->t, path);
    }
    if (rc)
        return rc;
    /* Fire while the node's perms still exist; the removal below cannot fail then. */
    if (!r->t && !xs_tree_get(r->tree, &r->who, path, XS_PERM_WRITE, &n) && n != r->tree->root)
        xs_watch_fire(r->s, path, n->perms, n->nr_perms, true);
    rc = xs_tree_rm(r->tree, &r->who, path, &removed);
    if (rc)
        return rc;
    if (removed && r->t)
        xs_txn_mark(r->t, path, 1, true);
    return xs_ack(r);
}

static int xs_op_directory(struct xs_req *r)
{
    const struct xs_node *ch;
    struct xs_node *n;
    struct xs_msg *m;
    size_t len = 0, pos = 0;
    int rc = xs_req_readable_node(r, &n);

    if (rc)
        return rc;
    for (ch = n->child; ch; ch = ch->next)
        len += strlen(ch->name) + 1;
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    m = xs_msg_alloc(r->s, &r->hdr, len);
    if (!m)
        return -ENOMEM;
    for (ch = n->child; ch; ch = ch->next) {
        size_t l = strlen(ch->name) + 1;

        memcpy(m->body + pos, ch->name, l);
        pos += l;
    }
    xs_conn_push(r->c, m);
    return 0;
}

static int xs_op_get_perms(struct xs_req *r)
{
    struct xs_node *n;
    struct xs_msg *m;
    char one[8];
    size_t len = 0, pos = 0;
    unsigned int i;
    int rc = xs_req_readable_node(r, &n);

    if (rc)
        return rc;
    for (i = 0; i < n->nr_perms; i++)
        len += xs_perm_format(&n->perms[i], one);
    /* Never more than the SET_PERMS that stored them, but a reply must fit. */
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    m = xs_msg_alloc(r->s, &r->hdr, len);
    if (!m)
        return -ENOMEM;
    for (i = 0; i < n->nr_perms; i++)
        pos += xs_perm_format(&n->perms[i], m->body + pos);
    xs_conn_push(r->c, m);
    return 0;
}

/* Parses "path\0perm\0perm\0..." after the count is known to be nr + 1. */
static int xs_parse_perms(const struct xs_req *r, struct xs_perm *perms, unsigned int nr)
{
    const char *str = r->body + strlen(r->body) + 1;
    unsigned int i;
    int rc;

    for (i = 0; i < nr; i++, str += strlen(str) + 1) {
        rc = xs_perm_parse(str, &perms[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static int xs_op_set_perms(struct xs_req *r)
{
    int count = xs_req_count(r), rc;
    struct xs_perm *perms;
    const char *path = r->s->path;
    unsigned int nr;
    size_t size;

    if (count < 2)
        return -EINVAL;
    nr = (unsigned int)count - 1;
    if (!r->c->privileged && nr > r->s->quota.perms_per_node)
        return -ENOSPC;
    size = nr * sizeof(*perms);
    perms = xs_store_alloc(r->s, size);
    if (!perms)
        return -ENOMEM;
    rc = xs_parse_perms(r, perms, nr);
    if (!rc)
        rc = xs_path_canonical(r->c->domid, r->body, false, r->s->path);
    if (!rc && r->t)
        rc = xs_txn_touch(r->s, r->t, path, strlen(path));
    if (!rc)
        rc = xs_tree_set_perms(r->tree, &r->who, path, perms, nr);
    xs_store_free(r->s, perms, size);
    if (rc)
        return rc;
    xs_req_changed(r, path, 0);
    return xs_ack(r);
}

static int xs_op_watch(struct xs_req *r)
{
    const char *argv[2];
    struct xs_watch *w;
    int rc = xs_req_args(r, argv, 2);

    if (!rc)
        rc = xs_watch_add(r->s, r->c, argv[0], argv[1], &w);
    if (!rc)
        rc = xs_ack(r);
    if (!rc)
        xs_watch_notify(r->s, r->c, w);
    return rc;
}

static int xs_op_unwatch(struct xs_req *r)
{
    const char *argv[2];
    int rc = xs_req_args(r, argv, 2);

    if (!rc)
        rc = xs_watch_remove(r->s, r->c, argv[0], argv[1]);
    return rc ? rc : xs_ack(r);
}

static int xs_op_transaction_start(struct xs_req *r)
{
    const char *arg;
    char id[12];
    uint32_t txid;
    int rc = xs_req_args(r, &arg, 1);

    if (rc)
        return rc;
    if (r->t) /* no nesting */
        return -EBUSY;
    rc = xs_txn_start(r->s, r->c, &txid);
    return rc ? rc : xs_reply(r, id, xs_path_utoa(txid, id) + 1, NULL, 0);
}

static int xs_op_transaction_end(struct xs_req *r)
{
    const char *arg;
    int rc = xs_req_args(r, &arg, 1);

    if (rc)
        return rc;
    if (!r->t)
        return -ENOENT;
    if (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0)
        return -EINVAL;
    rc = xs_txn_end(r->s, r->c, r->t, arg[0] == 'T');
    return rc ? rc : xs_ack(r);
}

/* INTRODUCE domid mfn port: the daemon maps the ring and binds the channel. */
static int xs_op_introduce(struct xs_req *r)
{
    const char *argv[3];
    unsigned long domid, mfn, port;
    struct xs_conn *c;
    int rc = xs_req_args(r, argv, 3);

    if (!rc)
        rc = xs_parse_uint(argv[0], XS_DOMID_FIRST_RESERVED - 1, &domid);
    if (!rc)
        rc = xs_parse_uint(argv[1], ~0ul, &mfn);
    if (!rc)
        rc = xs_parse_uint(argv[2], 0xffffffffu, &port);
    if (rc)
        return rc;
    c = xs_conn_find(r->s, (uint16_t)domid);
    /* Introducing again with the same ring rebinds its channel (xenstored's rule). */
    if (c && c->mfn != mfn)
        return -EINVAL;
    rc = r->s->hooks.introduce(r->s->hooks.ctx, (uint16_t)domid, mfn, (uint32_t)port);
    if (rc)
        return rc;
    if (c) {
        c->port = (uint32_t)port;
        return xs_ack(r);
    }
    /* As xenstored: the control domain is privileged wherever the daemon runs. */
    rc = xs_conn_open(r->s, (uint16_t)domid, domid == 0, mfn, (uint32_t)port, &c);
    if (rc) {
        r->s->hooks.release(r->s->hooks.ctx, (uint16_t)domid);
        return rc;
    }
    xs_watch_fire(r->s, XS_SPECIAL_INTRODUCE, NULL, 0, false);
    return xs_ack(r);
}

/* The domain a RELEASE or RESUME names: introduced, and not the caller itself. */
static int xs_req_other_domain(struct xs_req *r, struct xs_conn **out)
{
    unsigned long domid;
    int rc = xs_req_domid(r, &domid);

    if (rc)
        return rc;
    if (domid == r->c->domid)
        return -EINVAL;
    *out = xs_conn_find(r->s, (uint16_t)domid);
    return *out ? 0 : -ENOENT;
}

static int xs_op_release(struct xs_req *r)
{
    struct xs_conn *c;
    uint16_t domid;
    int rc = xs_req_other_domain(r, &c);

    if (rc)
        return rc;
    domid = c->domid;
    xs_conn_close(r->s, c);
    r->s->hooks.release(r->s->hooks.ctx, domid);
    xs_watch_fire(r->s, XS_SPECIAL_RELEASE, NULL, 0, false);
    return xs_ack(r);
}

static int xs_op_resume(struct xs_req *r)
{
    struct xs_conn *c;
    int rc = xs_req_other_domain(r, &c);

    /* xenstored only clears its "shut down" mark, which this core does not keep. */
    return rc ? rc : xs_ack(r);
}

static int xs_op_get_domain_path(struct xs_req *r)
{
    unsigned long domid;
    char path[32];
    int rc = xs_req_domid(r, &domid);

    return rc ? rc : xs_reply(r, path, xs_path_domain_prefix((uint16_t)domid, path) + 1, NULL, 0);
}

static int xs_op_is_domain_introduced(struct xs_req *r)
{
    unsigned long domid;
    bool known;
    int rc = xs_req_domid(r, &domid);

    if (rc)
        return rc;
    known =
        domid == XS_DOMID_FIRST_RESERVED /* DOMID_SELF */ || xs_conn_find(r->s, (uint16_t)domid);
    return xs_reply(r, known ? "T" : "F", 2, NULL, 0);
}

/* Any payload: xenstored does not look at it. */
static int xs_op_reset_watches(struct xs_req *r)
{
    xs_watch_clear(r->s, r->c);
    while (r->c->txns)
        xs_txn_end(r->s, r->c, r->c->txns, false);
    return xs_ack(r);
}

struct xs_op {
    int (*handler)(struct xs_req *r);
    uint8_t flags;
};
#define XS_OP_PRIV 1 /* the privileged domain only */
#define XS_OP_TXN  2 /* hdr.tx_id names a transaction */

static const struct xs_op xs_ops[XS_TYPE_COUNT] = {
    [XS_DIRECTORY] = {xs_op_directory, XS_OP_TXN},
    [XS_READ] = {xs_op_read, XS_OP_TXN},
    [XS_GET_PERMS] = {xs_op_get_perms, XS_OP_TXN},
    [XS_WATCH] = {xs_op_watch, 0},
    [XS_UNWATCH] = {xs_op_unwatch, 0},
    [XS_TRANSACTION_START] = {xs_op_transaction_start, XS_OP_TXN},
    [XS_TRANSACTION_END] = {xs_op_transaction_end, XS_OP_TXN},
    [XS_INTRODUCE] = {xs_op_introduce, XS_OP_PRIV},
    [XS_RELEASE] = {xs_op_release, XS_OP_PRIV},
    [XS_GET_DOMAIN_PATH] = {xs_op_get_domain_path, 0},
    [XS_WRITE] = {xs_op_write, XS_OP_TXN},
    [XS_MKDIR] = {xs_op_mkdir, XS_OP_TXN},
    [XS_RM] = {xs_op_rm, XS_OP_TXN},
    [XS_SET_PERMS] = {xs_op_set_perms, XS_OP_TXN},
    [XS_IS_DOMAIN_INTRODUCED] = {xs_op_is_domain_introduced, XS_OP_PRIV},
    [XS_RESUME] = {xs_op_resume, XS_OP_PRIV},
    [XS_RESET_WATCHES] = {xs_op_reset_watches, 0},
};

int xs_request(struct xs_store *s, struct xs_conn *c, const void *msg, size_t len)
{
    const struct xs_op *op = NULL;
    struct xs_req r;
    const char *name;
    int rc = 0;

    if (len < sizeof(r.hdr))
        return XS_CLOSE;
    memcpy(&r.hdr, msg, sizeof(r.hdr));
    /* xenstored drops a connection whose header claims too much. */
    if (r.hdr.len > XENSTORE_PAYLOAD_MAX || len != sizeof(r.hdr) + r.hdr.len)
        return XS_CLOSE;
    r.s = s;
    r.c = c;
    r.t = NULL;
    r.tree = &s->tree;
    r.who = xs_conn_caller(s, c);
    r.body = (const char *)msg + sizeof(r.hdr);
    if (r.hdr.type < XS_TYPE_COUNT)
        op = &xs_ops[r.hdr.type];
    if (!op || !op->handler)
        rc = -ENOSYS;
    else if ((op->flags & XS_OP_PRIV) && !c->privileged)
        rc = -EACCES;
    else if ((op->flags & XS_OP_TXN) && r.hdr.tx_id) {
        r.t = xs_txn_find(c, r.hdr.tx_id);
        rc = r.t ? 0 : -ENOENT;
        if (r.t)
            r.tree = &r.t->tree;
    }
    if (!rc)
        rc = op->handler(&r);
    if (!rc)
        return 0;
    name = xs_error_name(rc);
    r.hdr.type = XS_ERROR;
    return xs_reply(&r, name, strlen(name) + 1, NULL, 0) ? -ENOMEM : 0;
}
