/* SPDX-License-Identifier: MIT */
/* Host build of the invariant checks: a failed check aborts the test binary. */
#ifndef XENOLITH_BUG_H
#define XENOLITH_BUG_H

#include <stdio.h>
#include <stdlib.h>

#define panic(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())
#define BUG()      panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (cond)                                                                                  \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                               \
    } while (0)
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            panic("ASSERT(%s) failed at %s:%d", #cond, __FILE__, __LINE__);                        \
    } while (0)

#endif
