/* SPDX-License-Identifier: MIT */
/*
 * Invariant checks. BUG_ON is always on; ASSERT only in debug builds.
 * Guest input never reaches either: guests get error codes instead.
 * Host unit tests replace this header (tests/unit/include/xenolith/bug.h).
 */
#ifndef XENOLITH_BUG_H
#define XENOLITH_BUG_H

#include <xenolith/compiler.h>

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)

#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(cond))                                                                        \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                               \
    } while (0)

#ifdef NDEBUG
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        (void)sizeof(cond);                                                                        \
    } while (0)
#else
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(!(cond)))                                                                     \
            panic("ASSERT(%s) failed at %s:%d", #cond, __FILE__, __LINE__);                        \
    } while (0)
#endif

#endif
