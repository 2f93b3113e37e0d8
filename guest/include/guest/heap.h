/* SPDX-License-Identifier: MIT */
/* A small kernel heap: power-of-two size classes carved from frames. */
#ifndef GUEST_HEAP_H
#define GUEST_HEAP_H

#include <xenolith/types.h>

#define HEAP_MAX_SIZE 2048

void heap_init(void);
/* Zeroed memory of at most HEAP_MAX_SIZE bytes, 16-byte aligned; NULL if none. */
void *heap_alloc(size_t size);
void heap_free(void *p, size_t size);
/* Blocks currently handed out (for leak checks in tests). */
unsigned long heap_in_use(void);

#endif
