/* SPDX-License-Identifier: MIT */
/*
 * The xenstore node tree: values, per-node permissions in Xen's model and
 * the path rules. Pure logic: memory comes from the caller's allocator, so
 * the same file builds for the guest kernel and for host unit tests.
 *
 * Invariants: the root "/" always exists; every node's perms has at least
 * one entry (the owner and the default for everyone else); children are
 * kept in creation order, as xenstored lists them. No locking: the daemon
 * runs one request at a time.
 */
#ifndef XS_TREE_H
#define XS_TREE_H

#include <xenolith/types.h>
#include <xenolith/errno.h> /* before xs_wire.h: it builds its error table from these */
#include <xen/io/xs_wire.h>

/* Permission bits, as xenstored's XS_PERM_*; OWNER is computed, never stored. */
#define XS_PERM_NONE  0u
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PERM_OWNER 8u

#define XS_DOMID_FIRST_RESERVED 0x7FF0u /* DOMID_SELF and above are not domains */

/* Memory for nodes; free gets back the size that was asked for. */
struct xs_alloc {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *p, size_t size);
    void *ctx;
};

/* Per-domain limits; the privileged domain has none (as in xenstored). */
struct xs_quota {
    unsigned int nodes;          /* nodes a domain may own */
    unsigned int watches;        /* per connection */
    unsigned int transactions;   /* open at once, per connection */
    unsigned int entry_size;     /* value + perms + child names of one node */
    unsigned int perms_per_node; /* entries of a SET_PERMS, the owner's included */
};

/* xenstored's defaults (tools/xenstore/xenstored_core.c). */
#define XS_QUOTA_DEFAULT                                                                           \
    {                                                                                              \
        1000, 128, 10, 2048, 5                                                                     \
    }

struct xs_perm {
    uint16_t domid;
    uint8_t perm; /* XS_PERM_READ | XS_PERM_WRITE */
};

struct xs_node {
    struct xs_node *parent, *child, *next; /* child: first; next: sibling */
    char *name;                            /* one component; "" for the root */
    char *value;
    uint32_t value_len;
    uint16_t nr_perms;
    struct xs_perm *perms; /* [0] owner and default, then the ACL */
    uint64_t gen;          /* bumped when value, perms or child set change */
};

struct xs_tree {
    struct xs_node *root;
    const struct xs_alloc *alloc;
    uint64_t *gen; /* shared with clones, so generations stay comparable */
};

/* Who asks: its domain id and whether it is privileged (dom0). */
struct xs_caller {
    uint16_t domid;
    bool privileged;
    const struct xs_quota *quota;
};

/* Path rules (xs_path.c). */
#define XS_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)
int xs_path_canonical(uint16_t domid, const char *in, bool allow_special, char *out);
bool xs_path_is_special(const char *path);
/* Is path equal to or below base? */
bool xs_path_is_below(const char *path, const char *base);
size_t xs_path_domain_prefix(uint16_t domid, char *out);
size_t xs_path_utoa(unsigned long v, char *out);

/* Permission strings ("r5", "b0", ...) to perms and back. */
int xs_perm_parse(const char *s, struct xs_perm *p);
size_t xs_perm_format(const struct xs_perm *p, char *out);
unsigned int xs_perm_for(const struct xs_caller *c, const struct xs_perm *perms,
                         unsigned int nr_perms);

int xs_tree_init(struct xs_tree *t, const struct xs_alloc *a, uint64_t *gen);
void xs_tree_destroy(struct xs_tree *t);
/* A deep copy sharing the generation counter; -ENOMEM leaves dst empty. */
int xs_tree_clone(struct xs_tree *dst, const struct xs_tree *src);

struct xs_node *xs_tree_lookup(const struct xs_tree *t, const char *path);
/* The same for the first len bytes of path (e.g. its parent). */
struct xs_node *xs_tree_lookup_n(const struct xs_tree *t, const char *path, size_t len);
/* Length of the parent's path: 1 for "/x", 0 for "/" itself. */
size_t xs_path_parent_len(const char *path);
/* The nearest existing node at or above path (the root at worst). */
struct xs_node *xs_tree_nearest(const struct xs_tree *t, const char *path);
/*
 * The node at an absolute path if the caller has all of perm on it.
 * Errors are xenstored's: -EACCES when the node or, if it is missing, its
 * nearest ancestor does not grant perm (so existence does not leak).
 */
int xs_tree_get(const struct xs_tree *t, const struct xs_caller *c, const char *path,
                unsigned int perm, struct xs_node **out);

/* Write a value, creating the node and missing parents. */
int xs_tree_write(struct xs_tree *t, const struct xs_caller *c, const char *path, const void *value,
                  uint32_t len);
/* Create the node and missing parents if absent; *created tells which. */
int xs_tree_mkdir(struct xs_tree *t, const struct xs_caller *c, const char *path, bool *created);
/*
 * Remove a node and everything below it. A missing node whose parent
 * exists is fine, as in xenstored: 0 with *removed false.
 */
int xs_tree_rm(struct xs_tree *t, const struct xs_caller *c, const char *path, bool *removed);
int xs_tree_set_perms(struct xs_tree *t, const struct xs_caller *c, const char *path,
                      const struct xs_perm *perms, unsigned int nr);

/* Low-level steps shared with commits: no permission or quota checks. */
/*
 * Create path and its missing parents, each with the perms of the nearest
 * existing ancestor and, if owner >= 0, that owner. All or nothing.
 */
int xs_tree_create_path(struct xs_tree *t, const char *path, int owner, struct xs_node **out);
int xs_tree_set_value(struct xs_tree *t, struct xs_node *n, const void *value, uint32_t len);
int xs_tree_replace_perms(struct xs_tree *t, struct xs_node *n, const struct xs_perm *perms,
                          unsigned int nr);
void xs_tree_unlink(struct xs_tree *t, struct xs_node *n);
/* Pre-order successor of n within the subtree of top; NULL at the end. */
struct xs_node *xs_tree_next(const struct xs_node *n, const struct xs_node *top);
/* Nodes whose owner is domid. */
unsigned int xs_tree_count_owned(const struct xs_tree *t, uint16_t domid);

#endif
