/* SPDX-License-Identifier: MIT */
/*
 * The xenstore node tree (see xs_tree.h). Walks are iterative: a path may
 * be 1500 components deep, more than a guest kernel stack can recurse.
 * Every operation that allocates does so before it changes anything, so
 * a failed allocation leaves the tree as it was.
 */
#include <xenolith/string.h>

#include "xs_tree.h"

static void *xs_zalloc(const struct xs_tree *t, size_t size)
{
    void *p = t->alloc->alloc(t->alloc->ctx, size);

    if (p)
        memset(p, 0, size);
    return p;
}

static void xs_free(const struct xs_tree *t, void *p, size_t size)
{
    if (p)
        t->alloc->free(t->alloc->ctx, p, size);
}

static void xs_node_free(const struct xs_tree *t, struct xs_node *n)
{
    xs_free(t, n->name, strlen(n->name) + 1);
    xs_free(t, n->value, n->value_len);
    xs_free(t, n->perms, n->nr_perms * sizeof(*n->perms));
    xs_free(t, n, sizeof(*n));
}

/* A detached node named name[0..len) with a copy of perms (owner >= 0 replaces it). */
static struct xs_node *xs_node_new(const struct xs_tree *t, const char *name, size_t len,
                                   const struct xs_perm *perms, unsigned int nr, int owner)
{
    struct xs_node *n = xs_zalloc(t, sizeof(*n));

    if (!n)
        return NULL;
    n->name = xs_zalloc(t, len + 1);
    n->perms = xs_zalloc(t, nr * sizeof(*perms));
    if (!n->name || !n->perms) {
        xs_free(t, n->name, len + 1);
        xs_free(t, n->perms, nr * sizeof(*perms));
        xs_free(t, n, sizeof(*n));
        return NULL;
    }
    memcpy(n->name, name, len);
    memcpy(n->perms, perms, nr * sizeof(*perms));
    n->nr_perms = (uint16_t)nr;
    if (owner >= 0)
        n->perms[0].domid = (uint16_t)owner;
    n->gen = ++*t->gen;
    return n;
}

static void xs_node_append_child(struct xs_node *parent, struct xs_node *n)
{
    struct xs_node **link = &parent->child;

    while (*link)
        link = &(*link)->next;
    *link = n;
    n->parent = parent;
    n->next = NULL;
}

struct xs_node *xs_tree_next(const struct xs_node *n, const struct xs_node *top)
{
    if (n->child)
        return n->child;
    while (n != top) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/* Frees n and its subtree; n must already be detached from its parent. */
static void xs_subtree_free(const struct xs_tree *t, struct xs_node *n)
{
    struct xs_node *cur = n;

    /* Free the deepest first child, then retry from its parent, up to n. */
    for (;;) {
        struct xs_node *parent;

        while (cur->child)
            cur = cur->child;
        if (cur == n) {
            xs_node_free(t, cur);
            return;
        }
        parent = cur->parent;
        parent->child = cur->next;
        xs_node_free(t, cur);
        cur = parent;
    }
}

int xs_tree_init(struct xs_tree *t, const struct xs_alloc *a, uint64_t *gen)
{
    static const struct xs_perm root_perm = {0, XS_PERM_NONE};

    t->alloc = a;
    t->gen = gen;
    t->root = xs_node_new(t, "", 0, &root_perm, 1, -1);
    return t->root ? 0 : -ENOMEM;
}

void xs_tree_destroy(struct xs_tree *t)
{
    if (t->root)
        xs_subtree_free(t, t->root);
    t->root = NULL;
}

static struct xs_node *xs_node_copy(const struct xs_tree *t, const struct xs_node *src)
{
    struct xs_node *n = xs_node_new(t, src->name, strlen(src->name), src->perms, src->nr_perms, -1);

    if (!n)
        return NULL;
    if (src->value_len) {
        n->value = t->alloc->alloc(t->alloc->ctx, src->value_len);
        if (!n->value) {
            xs_node_free(t, n);
            return NULL;
        }
        memcpy(n->value, src->value, src->value_len);
        n->value_len = src->value_len;
    }
    n->gen = src->gen;
    return n;
}

int xs_tree_clone(struct xs_tree *dst, const struct xs_tree *src)
{
    const struct xs_node *s = src->root;
    struct xs_node *d;

    dst->alloc = src->alloc;
    dst->gen = src->gen;
    dst->root = d = xs_node_copy(dst, s);
    if (!d)
        return -ENOMEM;
    /* Walk both trees in step: d is always the copy of s. */
    for (;;) {
        struct xs_node *copy;

        if (s->child) {
            s = s->child;
            copy = xs_node_copy(dst, s);
            if (!copy)
                goto nomem;
            xs_node_append_child(d, copy);
            d = copy;
            continue;
        }
        while (s != src->root && !s->next) {
            s = s->parent;
            d = d->parent;
        }
        if (s == src->root)
            return 0;
        s = s->next;
        copy = xs_node_copy(dst, s);
        if (!copy)
            goto nomem;
        xs_node_append_child(d->parent, copy);
        d = copy;
    }
nomem:
    xs_tree_destroy(dst);
    return -ENOMEM;
}

static struct xs_node *xs_child_named(const struct xs_node *n, const char *name, size_t len)
{
    struct xs_node *c;

    for (c = n->child; c; c = c->next)
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    return NULL;
}

/* Walks path[0..len); *rest is where the walk stopped (len when found). */
static struct xs_node *xs_tree_walk(const struct xs_tree *t, const char *path, size_t len,
                                    size_t *rest)
{
    struct xs_node *n = t->root, *c;
    size_t pos = 1, end;

    while (pos < len) {
        for (end = pos; end < len && path[end] != '/'; end++)
            ;
        c = xs_child_named(n, path + pos, end - pos);
        if (!c)
            break;
        n = c;
        pos = end + 1;
    }
    *rest = pos;
    return n;
}

struct xs_node *xs_tree_lookup_n(const struct xs_tree *t, const char *path, size_t len)
{
    size_t rest;
    struct xs_node *n = xs_tree_walk(t, path, len, &rest);

    return rest >= len ? n : NULL;
}

struct xs_node *xs_tree_lookup(const struct xs_tree *t, const char *path)
{
    return xs_tree_lookup_n(t, path, strlen(path));
}

struct xs_node *xs_tree_nearest(const struct xs_tree *t, const char *path)
{
    size_t rest;

    return xs_tree_walk(t, path, strlen(path), &rest);
}

size_t xs_path_parent_len(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash || path[1] == '\0')
        return 0;
    return slash == path ? 1 : (size_t)(slash - path);
}

int xs_tree_get(const struct xs_tree *t, const struct xs_caller *c, const char *path,
                unsigned int perm, struct xs_node **out)
{
    struct xs_node *n = xs_tree_lookup(t, path);

    *out = n;
    if (n)
        return (xs_perm_for(c, n->perms, n->nr_perms) & perm) == perm ? 0 : -EACCES;
    /* Only someone the nearest ancestor lets in may learn that the node is missing. */
    n = xs_tree_nearest(t, path);
    return (xs_perm_for(c, n->perms, n->nr_perms) & perm) ? -ENOENT : -EACCES;
}

/* What xenstored's per-node size quota counts: value, perms, child names. */
static size_t xs_node_size(const struct xs_node *n, uint32_t value_len)
{
    const struct xs_node *c;
    size_t size = value_len + n->nr_perms * sizeof(struct xs_perm);

    for (c = n->child; c; c = c->next)
        size += strlen(c->name) + 1;
    return size;
}

unsigned int xs_tree_count_owned(const struct xs_tree *t, uint16_t domid)
{
    const struct xs_node *n;
    unsigned int count = 0;

    for (n = t->root; n; n = xs_tree_next(n, t->root))
        count += n->perms[0].domid == domid;
    return count;
}

int xs_tree_create_path(struct xs_tree *t, const char *path, int owner, struct xs_node **out)
{
    size_t len = strlen(path), pos, end;
    struct xs_node *base = xs_tree_walk(t, path, len, &pos);
    struct xs_node *first = NULL, *last = NULL, *n;

    if (pos >= len) {
        *out = base;
        return 0;
    }
    /* Build the missing chain detached, so running out of memory changes nothing. */
    for (; pos < len; pos = end + 1) {
        for (end = pos; end < len && path[end] != '/'; end++)
            ;
        n = xs_node_new(t, path + pos, end - pos, base->perms, base->nr_perms, owner);
        if (!n) {
            if (first)
                xs_subtree_free(t, first);
            return -ENOMEM;
        }
        if (last) {
            last->child = n;
            n->parent = last;
        } else {
            first = n;
        }
        last = n;
    }
    xs_node_append_child(base, first);
    base->gen = ++*t->gen;
    *out = last;
    return 0;
}

/* Installs a buffer already allocated (or NULL for an empty value). */
static void xs_node_take_value(struct xs_tree *t, struct xs_node *n, char *buf, uint32_t len)
{
    xs_free(t, n->value, n->value_len);
    n->value = buf;
    n->value_len = len;
    n->gen = ++*t->gen;
}

static int xs_value_dup(struct xs_tree *t, const void *value, uint32_t len, char **buf)
{
    *buf = NULL;
    if (!len)
        return 0;
    *buf = t->alloc->alloc(t->alloc->ctx, len);
    if (!*buf)
        return -ENOMEM;
    memcpy(*buf, value, len);
    return 0;
}

int xs_tree_set_value(struct xs_tree *t, struct xs_node *n, const void *value, uint32_t len)
{
    char *buf;
    int rc = xs_value_dup(t, value, len, &buf);

    if (!rc)
        xs_node_take_value(t, n, buf, len);
    return rc;
}

int xs_tree_replace_perms(struct xs_tree *t, struct xs_node *n, const struct xs_perm *perms,
                          unsigned int nr)
{
    struct xs_perm *copy = xs_zalloc(t, nr * sizeof(*perms));

    if (!copy)
        return -ENOMEM;
    memcpy(copy, perms, nr * sizeof(*perms));
    xs_free(t, n->perms, n->nr_perms * sizeof(*n->perms));
    n->perms = copy;
    n->nr_perms = (uint16_t)nr;
    n->gen = ++*t->gen;
    return 0;
}

void xs_tree_unlink(struct xs_tree *t, struct xs_node *n)
{
    struct xs_node **link = &n->parent->child;

    while (*link != n)
        link = &(*link)->next;
    *link = n->next;
    n->parent->gen = ++*t->gen;
    n->parent = NULL;
    n->next = NULL;
    xs_subtree_free(t, n);
}

/* Nodes create_path would add for path. */
static unsigned int xs_tree_missing(const struct xs_tree *t, const char *path)
{
    size_t len = strlen(path), pos, i;
    unsigned int missing = 0;

    xs_tree_walk(t, path, len, &pos);
    if (pos >= len)
        return 0;
    for (i = pos, missing = 1; i < len; i++)
        missing += path[i] == '/';
    return missing;
}

/* Unprivileged callers may own at most quota->nodes nodes. */
static int xs_tree_check_node_quota(const struct xs_tree *t, const struct xs_caller *c,
                                    const char *path)
{
    unsigned int missing = xs_tree_missing(t, path);

    if (c->privileged || !missing)
        return 0;
    return xs_tree_count_owned(t, c->domid) + missing > c->quota->nodes ? -ENOSPC : 0;
}

int xs_tree_write(struct xs_tree *t, const struct xs_caller *c, const char *path, const void *value,
                  uint32_t len)
{
    struct xs_node *n;
    char *buf;
    int rc = xs_tree_get(t, c, path, XS_PERM_WRITE, &n);

    if (rc && rc != -ENOENT)
        return rc;
    if (!c->privileged) {
        /* A new node inherits the nearest ancestor's perms and has no children. */
        size_t size = n ? xs_node_size(n, len)
                        : len + xs_tree_nearest(t, path)->nr_perms * sizeof(struct xs_perm);

        if (size > c->quota->entry_size)
            return -ENOSPC;
    }
    if (!n) {
        rc = xs_tree_check_node_quota(t, c, path);
        if (rc)
            return rc;
    }
    rc = xs_value_dup(t, value, len, &buf);
    if (rc)
        return rc;
    if (!n) {
        rc = xs_tree_create_path(t, path, c->privileged ? -1 : c->domid, &n);
        if (rc) {
            xs_free(t, buf, len);
            return rc;
        }
    }
    xs_node_take_value(t, n, buf, len);
    return 0;
}

int xs_tree_mkdir(struct xs_tree *t, const struct xs_caller *c, const char *path, bool *created)
{
    struct xs_node *n;
    int rc = xs_tree_get(t, c, path, XS_PERM_WRITE, &n);

    *created = false;
    if (rc != -ENOENT)
        return rc;
    rc = xs_tree_check_node_quota(t, c, path);
    if (!rc)
        rc = xs_tree_create_path(t, path, c->privileged ? -1 : c->domid, &n);
    *created = !rc;
    return rc;
}

int xs_tree_rm(struct xs_tree *t, const struct xs_caller *c, const char *path, bool *removed)
{
    struct xs_node *n;
    int rc = xs_tree_get(t, c, path, XS_PERM_WRITE, &n);

    *removed = false;
    if (rc == -ENOENT)
        return xs_tree_lookup_n(t, path, xs_path_parent_len(path)) ? 0 : -ENOENT;
    if (rc)
        return rc;
    if (n == t->root)
        return -EINVAL;
    xs_tree_unlink(t, n);
    *removed = true;
    return 0;
}

int xs_tree_set_perms(struct xs_tree *t, const struct xs_caller *c, const char *path,
                      const struct xs_perm *perms, unsigned int nr)
{
    struct xs_node *n;
    int rc;

    if (!nr)
        return -EINVAL;
    if (!c->privileged && nr > c->quota->perms_per_node)
        return -ENOSPC;
    /* Only the owner (or the privileged domain) may change permissions. */
    rc = xs_tree_get(t, c, path, XS_PERM_WRITE | XS_PERM_OWNER, &n);
    if (rc)
        return rc;
    if (!c->privileged && perms[0].domid != n->perms[0].domid)
        return -EPERM;
    return xs_tree_replace_perms(t, n, perms, nr);
}
