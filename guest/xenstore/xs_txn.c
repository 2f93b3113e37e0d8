/* SPDX-License-Identifier: MIT */
/*
 * Xenstore transactions. A transaction works on a private copy of the
 * tree taken at start and remembers, for every node it read or changed,
 * whether it existed then and its generation. Commit fails with -EAGAIN
 * if any of those nodes has since changed in the store (xenstored's rule);
 * otherwise the changed nodes are copied into a fresh copy of the store,
 * which then replaces it, so a commit that runs out of memory changes
 * nothing.
 *
 * Invariant: a node's generation changes with its value, its perms and
 * its set of children, so reading a directory conflicts with a concurrent
 * create or remove below it.
 */
#include <xenolith/string.h>

#include "xs_store.h"

int xs_txn_start(struct xs_store *s, struct xs_conn *c, uint32_t *id)
{
    struct xs_txn *t;

    if (!c->privileged && c->nr_txns >= s->quota.transactions)
        return -ENOSPC;
    t = xs_store_alloc(s, sizeof(*t));
    if (!t)
        return -ENOMEM;
    if (xs_tree_clone(&t->tree, &s->tree)) {
        xs_store_free(s, t, sizeof(*t));
        return -ENOMEM;
    }
    /* Ids are never 0 (no transaction) and unique on the connection. */
    do
        t->id = ++c->next_txn_id;
    while (!t->id || xs_txn_find(c, t->id));
    t->recs = NULL;
    t->next = c->txns;
    c->txns = t;
    c->nr_txns++;
    *id = t->id;
    return 0;
}

struct xs_txn *xs_txn_find(const struct xs_conn *c, uint32_t id)
{
    struct xs_txn *t;

    for (t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

static struct xs_txn_rec *xs_txn_rec_find(const struct xs_txn *t, const char *path, size_t len)
{
    struct xs_txn_rec *r;

    for (r = t->recs; r; r = r->next)
        if (strncmp(r->path, path, len) == 0 && r->path[len] == '\0')
            return r;
    return NULL;
}

int xs_txn_touch(struct xs_store *s, struct xs_txn *t, const char *path, size_t len)
{
    struct xs_txn_rec *r, **tail;
    const struct xs_node *n;

    if (xs_txn_rec_find(t, path, len))
        return 0;
    r = xs_store_alloc(s, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->path = xs_store_strdup(s, path, len);
    if (!r->path) {
        xs_store_free(s, r, sizeof(*r));
        return -ENOMEM;
    }
    n = xs_tree_lookup_n(&t->tree, path, len);
    r->existed = n != NULL;
    r->gen = n ? n->gen : 0;
    r->modified = r->fire = false;
    /* Kept in first-touch order: parents created before their children. */
    for (tail = &t->recs; *tail; tail = &(*tail)->next)
        ;
    r->next = NULL;
    *tail = r;
    return 0;
}

/* Length of the parent of path[0..len) (len > 1). */
static size_t xs_txn_parent_len(const char *path, size_t len)
{
    while (len > 1 && path[--len] != '/')
        ;
    return len ? len : 1;
}

int xs_txn_touch_create(struct xs_store *s, struct xs_txn *t, const char *path,
                        unsigned int *levels)
{
    size_t len = strlen(path);
    int rc;

    *levels = 0;
    rc = xs_txn_touch(s, t, path, len);
    /* Up from a missing node: its missing ancestors and the first existing one. */
    while (!rc && len > 1 && !xs_tree_lookup_n(&t->tree, path, len)) {
        len = xs_txn_parent_len(path, len);
        rc = xs_txn_touch(s, t, path, len);
        ++*levels;
    }
    return rc;
}

/* Appends "/name" to the path of length *len in buf. */
static void xs_txn_path_push(char *buf, size_t *len, const char *name)
{
    size_t n = strlen(name);

    if (*len > 1)
        buf[(*len)++] = '/';
    memcpy(buf + *len, name, n + 1);
    *len += n;
}

int xs_txn_touch_subtree(struct xs_store *s, struct xs_txn *t, const char *path)
{
    const struct xs_node *top = xs_tree_lookup(&t->tree, path), *cur;
    size_t len = strlen(path);
    char *buf;
    int rc = 0;

    if (!top || !top->child)
        return 0;
    buf = xs_store_alloc(s, XS_PATH_BUF);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, path, len + 1);
    cur = top->child;
    xs_txn_path_push(buf, &len, cur->name);
    /* Depth first; buf always holds cur's path (the tree only has valid, bounded paths). */
    while (!rc) {
        rc = xs_txn_touch(s, t, buf, len);
        if (cur->child) {
            cur = cur->child;
            xs_txn_path_push(buf, &len, cur->name);
            continue;
        }
        while (cur != top && !cur->next) {
            cur = cur->parent;
            len = xs_txn_parent_len(buf, len);
        }
        if (cur == top)
            break;
        len = xs_txn_parent_len(buf, len);
        cur = cur->next;
        xs_txn_path_push(buf, &len, cur->name);
    }
    xs_store_free(s, buf, XS_PATH_BUF);
    return rc;
}

void xs_txn_mark(struct xs_txn *t, const char *path, unsigned int levels, bool fire)
{
    size_t len = strlen(path);
    struct xs_txn_rec *r;

    for (;;) {
        r = xs_txn_rec_find(t, path, len);
        if (r) {
            r->modified = true;
            r->fire |= fire;
        }
        if (!levels-- || len <= 1)
            return;
        fire = false;
        len = xs_txn_parent_len(path, len);
    }
}

static bool xs_txn_conflicts(const struct xs_store *s, const struct xs_txn *t)
{
    const struct xs_txn_rec *r;

    for (r = t->recs; r; r = r->next) {
        const struct xs_node *n = xs_tree_lookup(&s->tree, r->path);

        if (r->existed != (n != NULL) || (n && n->gen != r->gen))
            return true;
    }
    return false;
}

/* Makes path in work what it is in the transaction's tree. */
static int xs_txn_copy_node(struct xs_tree *work, const struct xs_tree *mine, const char *path)
{
    const struct xs_node *src = xs_tree_lookup(mine, path);
    struct xs_node *dst = xs_tree_lookup(work, path), *c, *next;
    int rc;

    if (!src) {
        if (dst && dst != work->root)
            xs_tree_unlink(work, dst);
        return 0;
    }
    if (!dst) {
        rc = xs_tree_create_path(work, path, -1, &dst);
        if (rc)
            return rc;
    }
    rc = xs_tree_set_value(work, dst, src->value, src->value_len);
    if (!rc)
        rc = xs_tree_replace_perms(work, dst, src->perms, src->nr_perms);
    if (rc)
        return rc;
    /* Children the transaction removed. Any added since start would have conflicted. */
    for (c = dst->child; c; c = next) {
        const struct xs_node *s;

        next = c->next;
        for (s = src->child; s && strcmp(s->name, c->name) != 0; s = s->next)
            ;
        if (!s)
            xs_tree_unlink(work, c);
    }
    return 0;
}

static void xs_txn_fire(struct xs_store *s, const struct xs_txn *t)
{
    const struct xs_txn_rec *r;

    for (r = t->recs; r; r = r->next) {
        const struct xs_node *mine, *old;

        if (!r->fire)
            continue;
        mine = xs_tree_lookup(&t->tree, r->path);
        old = xs_tree_lookup(&s->tree, r->path);
        if (mine)
            xs_watch_fire(s, r->path, mine->perms, mine->nr_perms, false);
        else if (old)
            xs_watch_fire(s, r->path, old->perms, old->nr_perms, true);
    }
}

static int xs_txn_commit(struct xs_store *s, const struct xs_txn *t)
{
    struct xs_tree work;
    const struct xs_txn_rec *r;
    int rc;

    if (xs_txn_conflicts(s, t))
        return -EAGAIN;
    rc = xs_tree_clone(&work, &s->tree);
    for (r = t->recs; r && !rc; r = r->next)
        if (r->modified)
            rc = xs_txn_copy_node(&work, &t->tree, r->path);
    if (rc) {
        xs_tree_destroy(&work);
        return rc;
    }
    /* Events use the perms from before the swap for removed nodes. */
    xs_txn_fire(s, t);
    xs_tree_destroy(&s->tree);
    s->tree = work;
    return 0;
}

int xs_txn_end(struct xs_store *s, struct xs_conn *c, struct xs_txn *t, bool commit)
{
    struct xs_txn **link;
    int rc = commit ? xs_txn_commit(s, t) : 0;

    for (link = &c->txns; *link != t; link = &(*link)->next)
        ;
    *link = t->next;
    c->nr_txns--;
    while (t->recs) {
        struct xs_txn_rec *r = t->recs;

        t->recs = r->next;
        xs_store_strfree(s, r->path);
        xs_store_free(s, r, sizeof(*r));
    }
    xs_tree_destroy(&t->tree);
    xs_store_free(s, t, sizeof(*t));
    return rc;
}
