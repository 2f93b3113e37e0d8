/* SPDX-License-Identifier: MIT */
/*
 * The console ring ("conring" in Xen): the last bytes the hypervisor
 * logged, which the control domain reads with XEN_SYSCTL_readconsole.
 * Pure: the caller owns the storage and does the locking.
 *
 * Indices run freely (uint32_t, wrapping) and are reduced modulo the
 * size, a power of two, only to address the buffer: prod counts bytes
 * ever put, cons is the oldest byte a reader has not cleared. prod - cons
 * never exceeds the size (the oldest bytes are overwritten).
 */
#ifndef XENOLITH_CONRING_H
#define XENOLITH_CONRING_H

#include <xenolith/types.h>

struct conring {
    char *buf;
    uint32_t size; /* a power of two */
    uint32_t prod, cons;
};

void conring_init(struct conring *r, char *buf, uint32_t size);
void conring_put(struct conring *r, const char *s, size_t len);
/* Moves the contents (as much as fits, newest kept) into a new buffer. */
void conring_move(struct conring *r, char *buf, uint32_t size);
/*
 * Where a read starts: index when incremental and index still names an
 * unread byte or the end (cons < index <= prod, modulo wrapping), else
 * cons, the oldest byte held.
 */
uint32_t conring_read_start(const struct conring *r, bool incremental, uint32_t index);
/* Where conring_copy() puts bytes: the nth byte read goes to offset n. */
typedef int (*conring_copy_fn)(void *ctx, uint32_t offset, const char *src, uint32_t len);
/*
 * Hands the bytes [pos, prod) to copy, oldest first, in pieces contiguous
 * in the buffer, at most max in all; *done counts those copied. 0, or the
 * first nonzero copy returned (then *done stops before that piece).
 */
int conring_copy(const struct conring *r, uint32_t pos, uint32_t prod, uint32_t max,
                 conring_copy_fn copy, void *ctx, uint32_t *done);
/* A reader that read up to pos clears what it read (what has been
 * overwritten since is gone anyway). */
void conring_clear(struct conring *r, uint32_t pos);

#endif
