/* SPDX-License-Identifier: MIT */
/* The image's function symbols, for backtraces (generated at link time). */
#ifndef XENOLITH_SYMBOLS_H
#define XENOLITH_SYMBOLS_H

#include <xenolith/types.h>

/* Name of the function containing addr and the offset into it; NULL if none. */
const char *symbols_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);

#endif
