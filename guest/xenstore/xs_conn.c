/* SPDX-License-Identifier: MIT */
/*
 * Xenstore store and connection bookkeeping: the allocator wrappers, the
 * connection list, and each connection's queue of outgoing messages.
 * A closed connection takes its watches, transactions and undelivered
 * messages with it.
 */
#include <xenolith/string.h>

#include "xs_proto.h"

void *xs_store_alloc(struct xs_store *s, size_t size)
{
    return s->alloc.alloc(s->alloc.ctx, size);
}

void xs_store_free(struct xs_store *s, void *p, size_t size)
{
    if (p)
        s->alloc.free(s->alloc.ctx, p, size);
}

char *xs_store_strdup(struct xs_store *s, const char *str, size_t len)
{
    char *copy = xs_store_alloc(s, len + 1);

    if (copy) {
        memcpy(copy, str, len);
        copy[len] = '\0';
    }
    return copy;
}

void xs_store_strfree(struct xs_store *s, char *str)
{
    if (str)
        xs_store_free(s, str, strlen(str) + 1);
}

struct xs_caller xs_conn_caller(const struct xs_store *s, const struct xs_conn *c)
{
    struct xs_caller who = {c->domid, c->privileged, &s->quota};

    return who;
}

int xs_store_init(struct xs_store *s, const struct xs_alloc *a, const struct xs_hooks *h,
                  const struct xs_quota *quota)
{
    static const struct xs_quota defaults = XS_QUOTA_DEFAULT;

    memset(s, 0, sizeof(*s));
    s->alloc = *a;
    s->hooks = *h;
    s->quota = quota ? *quota : defaults;
    return xs_tree_init(&s->tree, &s->alloc, &s->gen);
}

void xs_store_destroy(struct xs_store *s)
{
    while (s->conns)
        xs_conn_close(s, s->conns);
    xs_tree_destroy(&s->tree);
}

struct xs_conn *xs_conn_find(const struct xs_store *s, uint16_t domid)
{
    struct xs_conn *c;

    for (c = s->conns; c; c = c->next)
        if (c->domid == domid)
            return c;
    return NULL;
}

int xs_conn_open(struct xs_store *s, uint16_t domid, bool privileged, uint64_t mfn, uint32_t port,
                 struct xs_conn **out)
{
    struct xs_conn *c, **tail;

    if (domid >= XS_DOMID_FIRST_RESERVED)
        return -EINVAL;
    if (xs_conn_find(s, domid))
        return -EEXIST;
    c = xs_store_alloc(s, sizeof(*c));
    if (!c)
        return -ENOMEM;
    memset(c, 0, sizeof(*c));
    c->domid = domid;
    c->privileged = privileged;
    c->mfn = mfn;
    c->port = port;
    c->out_tail = &c->out_head;
    /* Appended, so watches fire in the order domains connected. */
    for (tail = &s->conns; *tail; tail = &(*tail)->next)
        ;
    *tail = c;
    *out = c;
    return 0;
}

void xs_conn_close(struct xs_store *s, struct xs_conn *c)
{
    struct xs_conn **link;
    struct xs_msg *m;

    for (link = &s->conns; *link != c; link = &(*link)->next)
        ;
    *link = c->next;
    xs_watch_clear(s, c);
    while (c->txns)
        xs_txn_end(s, c, c->txns, false);
    while ((m = xs_conn_pop(c)))
        xs_msg_free(s, m);
    xs_store_free(s, c, sizeof(*c));
}

struct xs_msg *xs_msg_alloc(struct xs_store *s, const struct xsd_sockmsg *hdr, size_t len)
{
    struct xs_msg *m = xs_store_alloc(s, sizeof(*m) + len);

    if (m) {
        m->next = NULL;
        m->hdr = *hdr;
        m->hdr.len = (uint32_t)len;
    }
    return m;
}

void xs_conn_push(struct xs_conn *c, struct xs_msg *m)
{
    *c->out_tail = m;
    c->out_tail = &m->next;
}

int xs_conn_queue(struct xs_store *s, struct xs_conn *c, const struct xsd_sockmsg *hdr,
                  const void *a, size_t alen, const void *b, size_t blen)
{
    struct xs_msg *m = xs_msg_alloc(s, hdr, alen + blen);

    if (!m)
        return -ENOMEM;
    if (alen)
        memcpy(m->body, a, alen);
    if (blen)
        memcpy(m->body + alen, b, blen);
    xs_conn_push(c, m);
    return 0;
}

struct xs_msg *xs_conn_pop(struct xs_conn *c)
{
    struct xs_msg *m = c->out_head;

    if (m) {
        c->out_head = m->next;
        if (!c->out_head)
            c->out_tail = &c->out_head;
    }
    return m;
}

void xs_msg_free(struct xs_store *s, struct xs_msg *m)
{
    xs_store_free(s, m, sizeof(*m) + m->hdr.len);
}
