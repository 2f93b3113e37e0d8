/* SPDX-License-Identifier: MIT */
/*
 * Freestanding string and memory functions (hypervisor/lib/string.c).
 * The compiler may emit calls to memcpy/memmove/memset/memcmp on its own
 * (struct copies), so those four must exist with their C names.
 * Host unit tests rename them with tests/unit/include/host_renames.h.
 */
#ifndef XENOLITH_STRING_H
#define XENOLITH_STRING_H

#include <xenolith/types.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/*
 * Copies at most size - 1 bytes and always NUL-terminates when size > 0.
 * Returns strlen(src): a result >= size means the copy was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses an unsigned number in base 2..36, or base 0 for C-style
 * auto-detection ("0x1f" hex, "017" octal, else decimal); base 16 also
 * accepts a "0x" prefix. No leading whitespace or sign is accepted.
 * *end (if end is non-NULL) is set past the last digit consumed, or to s
 * when there is none. A value too big for unsigned long saturates to
 * ULONG_MAX, the digits still being consumed.
 */
unsigned long simple_strtoul(const char *s, const char **end, unsigned int base);

#endif
