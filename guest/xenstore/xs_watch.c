/* SPDX-License-Identifier: MIT */
/*
 * Xenstore watches, as xenstored keeps them: per connection, keyed by
 * (path, token). A change at P fires each watch on P or an ancestor of P
 * whose domain may read P; removing P also fires the watches below P.
 * "@introduceDomain" and "@releaseDomain" fire only for themselves, and
 * only for the privileged domain (their permissions are dom0's alone).
 */
#include <xenolith/string.h>

#include "xs_store.h"

static void xs_watch_free(struct xs_store *s, struct xs_watch *w)
{
    xs_store_strfree(s, w->path);
    xs_store_strfree(s, w->token);
    xs_store_free(s, w, sizeof(*w));
}

static struct xs_watch *xs_watch_find(const struct xs_conn *c, const char *path, const char *token)
{
    struct xs_watch *w;

    for (w = c->watches; w; w = w->next)
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
            return w;
    return NULL;
}

/* Queues "path\0token\0"; a relative watch sees path below the domain's home. */
static void xs_watch_event(struct xs_store *s, struct xs_conn *c, const struct xs_watch *w,
                           const char *path)
{
    struct xsd_sockmsg hdr = {XS_WATCH_EVENT, 0, 0, 0};
    char home[32];
    size_t plen, tlen = strlen(w->token) + 1;

    if (w->relative) {
        size_t n = xs_path_domain_prefix(c->domid, home);

        if (strncmp(path, home, n) == 0 && path[n] == '/')
            path += n + 1;
    }
    plen = strlen(path) + 1;
    /* A long path below a watch with a long token may not fit: xenstored drops it too. */
    if (plen + tlen > XENSTORE_PAYLOAD_MAX)
        return;
    if (xs_conn_queue(s, c, &hdr, path, plen, w->token, tlen))
        s->dropped_events++;
}

int xs_watch_add(struct xs_store *s, struct xs_conn *c, const char *path, const char *token,
                 struct xs_watch **out)
{
    char *canon = s->path;
    struct xs_watch *w, **link;
    int rc = xs_path_canonical(c->domid, path, true, canon);

    if (rc)
        return rc;
    if (xs_watch_find(c, canon, token))
        return -EEXIST;
    if (!c->privileged && c->nr_watches >= s->quota.watches)
        return -E2BIG;
    w = xs_store_alloc(s, sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->path = xs_store_strdup(s, canon, strlen(canon));
    w->token = xs_store_strdup(s, token, strlen(token));
    w->relative = path[0] != '/' && path[0] != '@';
    if (!w->path || !w->token) {
        xs_watch_free(s, w);
        return -ENOMEM;
    }
    /* Appended, as xenstored does: events go out in the order watches were set. */
    for (link = &c->watches; *link; link = &(*link)->next)
        ;
    w->next = NULL;
    *link = w;
    c->nr_watches++;
    *out = w;
    return 0;
}

void xs_watch_notify(struct xs_store *s, struct xs_conn *c, const struct xs_watch *w)
{
    xs_watch_event(s, c, w, w->path);
}

int xs_watch_remove(struct xs_store *s, struct xs_conn *c, const char *path, const char *token)
{
    char *canon = s->path;
    struct xs_watch **link, *w;
    int rc = xs_path_canonical(c->domid, path, true, canon);

    if (rc)
        return rc;
    for (link = &c->watches; (w = *link); link = &w->next) {
        if (strcmp(w->path, canon) == 0 && strcmp(w->token, token) == 0) {
            *link = w->next;
            c->nr_watches--;
            xs_watch_free(s, w);
            return 0;
        }
    }
    return -ENOENT;
}

void xs_watch_clear(struct xs_store *s, struct xs_conn *c)
{
    while (c->watches) {
        struct xs_watch *w = c->watches;

        c->watches = w->next;
        xs_watch_free(s, w);
    }
    c->nr_watches = 0;
}

/* The path an event for a change at path reports to w, or NULL if w does not fire. */
static const char *xs_watch_match(const struct xs_watch *w, const char *path, bool subtree)
{
    if (xs_path_is_special(path) || xs_path_is_special(w->path))
        return strcmp(w->path, path) == 0 ? path : NULL;
    if (xs_path_is_below(path, w->path))
        return path;
    if (subtree && xs_path_is_below(w->path, path))
        return w->path;
    return NULL;
}

void xs_watch_fire(struct xs_store *s, const char *path, const struct xs_perm *perms,
                   unsigned int nr_perms, bool subtree)
{
    struct xs_conn *c;
    const struct xs_watch *w;

    for (c = s->conns; c; c = c->next) {
        struct xs_caller who = xs_conn_caller(s, c);

        if (xs_path_is_special(path) ? !c->privileged
                                     : !(xs_perm_for(&who, perms, nr_perms) & XS_PERM_READ))
            continue;
        for (w = c->watches; w; w = w->next) {
            const char *event_path = xs_watch_match(w, path, subtree);

            if (event_path)
                xs_watch_event(s, c, w, event_path);
        }
    }
}
