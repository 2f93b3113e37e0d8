/* SPDX-License-Identifier: MIT */
/*
 * The xenstore daemon's state: the tree, one connection per domain (its
 * watches, transactions and queue of outgoing messages) and the hooks to
 * the world outside the pure core (mapping rings, binding event channels).
 *
 * Invariants: at most one connection per domid; a connection's queue
 * holds whole messages in the order the domain must read them. No
 * locking: one request is processed at a time.
 */
#ifndef XS_STORE_H
#define XS_STORE_H

#include "xs_tree.h"

/* One outgoing message: header then hdr.len bytes of payload. */
struct xs_msg {
    struct xs_msg *next;
    struct xsd_sockmsg hdr;
    char body[];
};

struct xs_watch {
    struct xs_watch *next;
    char *path;    /* canonical: absolute or "@special" */
    char *token;   /* as given */
    bool relative; /* events report the path below the domain's home */
};

/* A node a transaction has seen, as it was when the transaction began. */
struct xs_txn_rec {
    struct xs_txn_rec *next;
    char *path;
    bool existed;
    uint64_t gen;  /* if existed */
    bool modified; /* copy its state to the store at commit */
    bool fire;     /* and fire watches for it */
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    struct xs_tree tree; /* private copy of the store taken at start */
    struct xs_txn_rec *recs;
};

struct xs_conn {
    struct xs_conn *next;
    uint16_t domid;
    bool privileged;
    uint64_t mfn;  /* the ring's frame, as introduced */
    uint32_t port; /* its event channel */
    struct xs_watch *watches;
    unsigned int nr_watches;
    struct xs_txn *txns;
    unsigned int nr_txns;
    uint32_t next_txn_id;
    struct xs_msg *out_head, **out_tail;
};

/* The daemon's side of INTRODUCE and RELEASE; a nonzero return is -errno. */
struct xs_hooks {
    int (*introduce)(void *ctx, uint16_t domid, uint64_t mfn, uint32_t port);
    void (*release)(void *ctx, uint16_t domid);
    void *ctx;
};

struct xs_store {
    struct xs_tree tree;
    uint64_t gen;
    struct xs_alloc alloc;
    struct xs_quota quota;
    struct xs_hooks hooks;
    struct xs_conn *conns;
    unsigned long dropped_events; /* watch events lost to a failed allocation */
    char path[XS_PATH_BUF];       /* scratch for the request being processed */
};

#define XS_SPECIAL_INTRODUCE "@introduceDomain"
#define XS_SPECIAL_RELEASE   "@releaseDomain"

/* Allocation through the store's allocator (xs_proto.c). */
void *xs_store_alloc(struct xs_store *s, size_t size);
void xs_store_free(struct xs_store *s, void *p, size_t size);
char *xs_store_strdup(struct xs_store *s, const char *str, size_t len);
void xs_store_strfree(struct xs_store *s, char *str);
struct xs_caller xs_conn_caller(const struct xs_store *s, const struct xs_conn *c);
/* A message with len bytes of payload to fill, then queued on c with xs_conn_push. */
struct xs_msg *xs_msg_alloc(struct xs_store *s, const struct xsd_sockmsg *hdr, size_t len);
void xs_conn_push(struct xs_conn *c, struct xs_msg *m);
/* Queues header type/req_id/tx_id with payload a then b on c. */
int xs_conn_queue(struct xs_store *s, struct xs_conn *c, const struct xsd_sockmsg *hdr,
                  const void *a, size_t alen, const void *b, size_t blen);

/* Watches (xs_watch.c). */
int xs_watch_add(struct xs_store *s, struct xs_conn *c, const char *path, const char *token,
                 struct xs_watch **out);
/* The event xenstored sends for a new watch, so clients need not read first. */
void xs_watch_notify(struct xs_store *s, struct xs_conn *c, const struct xs_watch *w);
int xs_watch_remove(struct xs_store *s, struct xs_conn *c, const char *path, const char *token);
void xs_watch_clear(struct xs_store *s, struct xs_conn *c);
/*
 * A change at path (whose perms say who may see it) fires every watch on
 * path or above it; subtree (a removal) also fires watches below it.
 */
void xs_watch_fire(struct xs_store *s, const char *path, const struct xs_perm *perms,
                   unsigned int nr_perms, bool subtree);

/* Transactions (xs_txn.c). */
int xs_txn_start(struct xs_store *s, struct xs_conn *c, uint32_t *id);
struct xs_txn *xs_txn_find(const struct xs_conn *c, uint32_t id);
/* Record path[0..len) as the transaction first sees it. */
int xs_txn_touch(struct xs_store *s, struct xs_txn *t, const char *path, size_t len);
/*
 * Touch path and the ancestors a create there would change (the missing
 * ones and the first existing one); *levels counts those ancestors.
 */
int xs_txn_touch_create(struct xs_store *s, struct xs_txn *t, const char *path,
                        unsigned int *levels);
/*
 * Touch every node below path: a removal hides them from the transaction,
 * yet a concurrent change to any of them must still make the commit fail.
 */
int xs_txn_touch_subtree(struct xs_store *s, struct xs_txn *t, const char *path);
/* After a successful change: path (fire says whether it fires) and levels ancestors. */
void xs_txn_mark(struct xs_txn *t, const char *path, unsigned int levels, bool fire);
/* Ends t (commit or abort) and frees it; -EAGAIN if the store moved under it. */
int xs_txn_end(struct xs_store *s, struct xs_conn *c, struct xs_txn *t, bool commit);

#endif
