/* SPDX-License-Identifier: MIT */
/*
 * Formatted output (hypervisor/lib/vsnprintf.c).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, flags "-0 +#", width and
 * precision (also as '*'), length modifiers hh h l ll z t j. Differences
 * from C: %p always prints "0x" and 16 hex digits, a NULL %s prints
 * "(null)" (cut by the precision like any string), %n and floating point
 * are not supported, and an unknown conversion is copied out verbatim.
 *
 * Both return the length the full output has (C99 semantics), without the
 * NUL, and always NUL-terminate when size > 0. Host unit tests rename them
 * with tests/unit/include/host_renames.h.
 */
#ifndef XENOLITH_LIB_H
#define XENOLITH_LIB_H

#include <stdarg.h>
#include <xenolith/compiler.h>
#include <xenolith/types.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
