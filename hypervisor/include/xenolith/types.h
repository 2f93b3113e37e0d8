/* SPDX-License-Identifier: MIT */
/*
 * Basic types. Only freestanding headers are used, so every file that
 * includes this also compiles for the build host's unit tests.
 */
#ifndef XENOLITH_TYPES_H
#define XENOLITH_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;  /* machine (physical) address */
typedef uint64_t s_time_t; /* system time in ns since boot */

#define TIME_NEVER ((s_time_t)UINT64_MAX)

#endif
