/* SPDX-License-Identifier: MIT */
/*
 * The xenstore daemon's pure core, one request at a time: the caller
 * (the ring code of the daemon) hands over a whole message as read from a
 * connection, header and payload; replies and watch events are queued on
 * the connections, in order, for the caller to copy to their rings.
 */
#ifndef XS_PROTO_H
#define XS_PROTO_H

#include "xs_store.h"

/* xs_request's verdict on a protocol violation: close the connection. */
#define XS_CLOSE 1

/* quota may be NULL for xenstored's defaults. */
int xs_store_init(struct xs_store *s, const struct xs_alloc *a, const struct xs_hooks *h,
                  const struct xs_quota *quota);
void xs_store_destroy(struct xs_store *s);

/* A connection for domid (the daemon's own domain is privileged). */
int xs_conn_open(struct xs_store *s, uint16_t domid, bool privileged, uint64_t mfn, uint32_t port,
                 struct xs_conn **out);
void xs_conn_close(struct xs_store *s, struct xs_conn *c);
struct xs_conn *xs_conn_find(const struct xs_store *s, uint16_t domid);
/* The next message to deliver on c, or NULL; the caller frees it with xs_msg_free. */
struct xs_msg *xs_conn_pop(struct xs_conn *c);
void xs_msg_free(struct xs_store *s, struct xs_msg *m);

/*
 * Processes one request of len bytes (header and payload). Returns 0 when
 * the reply is queued (an ERROR reply included), XS_CLOSE when the message
 * breaks the framing (the caller closes the connection, as xenstored does)
 * or -ENOMEM when not even an error reply could be queued.
 */
int xs_request(struct xs_store *s, struct xs_conn *c, const void *msg, size_t len);

/* The name xs_wire.h gives a negative errno ("EINVAL" when it has none). */
const char *xs_error_name(int err);

#endif
