/* SPDX-License-Identifier: MIT */
/*
 * The two byte streams of a xenstore ring page (io/xs_wire.h): requests
 * from the domain to the daemon, replies and watch events back. Each side
 * owns one index of each stream; the other's is read once per call and
 * trusted only up to a ring's worth (more is corruption: xs_ring_used()
 * says so with -1 and nothing is copied).
 */
#ifndef GUEST_XS_RING_H
#define GUEST_XS_RING_H

#include <guest/xen.h>
#include <xen/io/xs_wire.h>

/* Bytes waiting between cons and prod, or -1 if the indices are corrupt. */
long xs_ring_used(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod);
/* Appends up to len bytes to `ring` after *prod (the reader at `cons`);
 * publishes the new *prod. Returns the bytes written, or -1 if corrupt. */
long xs_ring_put(char *ring, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX *prod, const void *data,
                 size_t len);
/* Copies up to len bytes from `ring` at *cons (written up to `prod`);
 * consumes them unless peek. Returns the bytes copied, or -1 if corrupt. */
long xs_ring_get(const char *ring, XENSTORE_RING_IDX *cons, XENSTORE_RING_IDX prod, void *data,
                 size_t len, bool peek);

#endif
