/* SPDX-License-Identifier: MIT */
/*
 * The guest's xenstore client (guest/xenbus.c), over its store ring.
 */
#ifndef GUEST_XENBUS_H
#define GUEST_XENBUS_H

#include <guest/xen.h>
#include <xen/io/xs_wire.h>

struct xenbus_state {
    char reply[256];      /* the last reply's payload, NUL-terminated */
    size_t reply_len;     /* its length (a DIRECTORY's names are NUL-separated) */
    uint32_t type;        /* and its type */
    char event[128];      /* the last watch event: path, NUL, token */
    unsigned long events; /* watch events received */
};
extern struct xenbus_state xenbus;

/* Sends a request (hdr.req_id is filled in) and waits 2 s at most for its
 * reply: its type, -1 on timeout, -2 if the reply answers another request. */
long xenbus_send(struct xsd_sockmsg hdr, const char *body);
/* A request of arguments a and b (either may be NULL) within transaction
 * tx; a WRITE's b is its value, not NUL-terminated. As xenbus_send. */
long xenbus_call(uint32_t type, uint32_t tx, const char *a, const char *b);
/* Reads until a watch event beyond the first `seen` arrives; false past deadline. */
bool xenbus_wait_event(unsigned long seen, uint64_t deadline);

#endif
