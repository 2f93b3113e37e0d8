/* SPDX-License-Identifier: MIT */
/* Xenstore ring streams (see xs_ring.h). */
#include <guest/xs_ring.h>

long xs_ring_used(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
    XENSTORE_RING_IDX used = prod - cons;

    return used > XENSTORE_RING_SIZE ? -1 : (long)used;
}

long xs_ring_put(char *ring, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX *prod, const void *data,
                 size_t len)
{
    long used = xs_ring_used(cons, *prod);
    size_t n = 0;

    if (used < 0)
        return -1;
    while (n < len && (size_t)used + n < XENSTORE_RING_SIZE) {
        ring[MASK_XENSTORE_IDX(*prod + n)] = ((const char *)data)[n];
        n++;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the bytes before the index */
    __atomic_store_n(prod, *prod + (XENSTORE_RING_IDX)n, __ATOMIC_RELAXED);
    return (long)n;
}

long xs_ring_get(const char *ring, XENSTORE_RING_IDX *cons, XENSTORE_RING_IDX prod, void *data,
                 size_t len, bool peek)
{
    long used = xs_ring_used(*cons, prod);
    size_t n = 0;

    if (used < 0)
        return -1;
    __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the bytes after the index */
    for (; n < len && n < (size_t)used; n++)
        ((char *)data)[n] = ring[MASK_XENSTORE_IDX(*cons + n)];
    if (!peek) {
        __atomic_thread_fence(__ATOMIC_RELEASE); /* read before the space goes back */
        __atomic_store_n(cons, *cons + (XENSTORE_RING_IDX)n, __ATOMIC_RELAXED);
    }
    return (long)n;
}
