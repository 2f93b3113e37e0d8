/* SPDX-License-Identifier: MIT */
/*
 * hypervisor/lib/vsnprintf.c (as xl_vsnprintf/xl_snprintf) against the
 * host libc for every format where C defines the result, at several
 * buffer sizes; then the cases where we differ from libc on purpose
 * (%p, NULL %s, unknown conversions).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "host_renames.h"
#include <xenolith/lib.h>
#define HOST_RENAMES_UNDO
#include "host_renames.h"

#define OUT   512
#define GUARD 'Z'

/*
 * Formats fmt with both implementations into buffers of size 0, 1, 2, 7
 * and OUT: return values must match, and so must every byte written,
 * with nothing written past size.
 */
static void vcheck(const char *fmt, va_list ap)
{
    static const size_t sizes[] = {0, 1, 2, 7, OUT};
    char ours[OUT + 8], want[OUT + 8];
    size_t i;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        va_list a, b;
        int n_ours, n_want;

        memset(ours, GUARD, sizeof(ours));
        memset(want, GUARD, sizeof(want));
        va_copy(a, ap);
        n_ours = xl_vsnprintf(sizes[i] ? ours : NULL, sizes[i], fmt, a);
        va_end(a);
        va_copy(b, ap);
        n_want = vsnprintf(sizes[i] ? want : NULL, sizes[i], fmt, b);
        va_end(b);
        if (n_ours != n_want || memcmp(ours, want, sizeof(ours)) != 0)
            fail_msg("format \"%s\", size %zu: got %d \"%.*s\", libc %d \"%.*s\"", fmt, sizes[i],
                     n_ours, (int)sizes[i], ours, n_want, (int)sizes[i], want);
    }
}

/* The format attribute makes the compiler check each call's argument types. */
static void __attribute__((format(printf, 1, 2))) check(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(fmt, ap);
    va_end(ap);
}

/*
 * Same comparison without the compile-time check, for what C defines but
 * -Wformat flags: a flag another one overrides (gcc), and an int argument
 * out of range for hh/h, which C says is converted (clang).
 */
static void check_unchecked(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(fmt, ap);
    va_end(ap);
}

/* Plain text, %% and %c, including a NUL character in the middle. */
static void test_text_and_chars(void **state)
{
    (void)state;
    check("%s", "");
    check("plain text, no conversions");
    check("100%% sure %%%%");
    check("[%c]", 'x');
    check("[%3c][%-3c]", 'y', 'z');
    check("a%cb", 0); /* embedded NUL: bytes after it still match */
}

/* %d/%i: signs, flags, width, precision, and where zero padding goes. */
static void test_signed(void **state)
{
    (void)state;
    check("%d %i %d %d", 0, 42, -42, INT_MAX);
    check("%d", INT_MIN);
    check("[%5d][%-5d][%05d]", 42, 42, 42);
    check_unchecked("[%-05d]", 42); /* '-' beats '0' */
    check("[%+d][%+d][% d][% d]", 5, -5, 5, -5);
    check_unchecked("[%+ d][% +d]", 5, 5);                    /* '+' beats ' ' */
    check("[%05d][%+05d][% 05d]", -42, 42, 42);               /* zeros after the sign */
    check("[%.3d][%.3d][%.0d][%.0d][%+.0d]", 7, -7, 0, 1, 0); /* .0 and 0: no digits */
    check("[%8.3d][%-8.3d]", -7, 7);
    check_unchecked("[%08.3d][%08.3x]", 7, 7u); /* precision disables '0' */
    check("[%.10d][%20.15d]", -42, 123456789);
    check("[%2d][%1d]", 12345, -1); /* width never truncates */
}

/* %u %x %X %o with '#': prefixes only for non-zero hex, a leading 0 for octal. */
static void test_unsigned(void **state)
{
    (void)state;
    check("%u %u %u", 0u, 42u, UINT_MAX);
    check("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u);
    check("[%#x][%#X][%#o][%#x][%#o]", 255u, 255u, 8u, 0u, 0u);
    check("[%#.0o][%.0o][%#.0x][%.0x]", 0u, 0u, 0u, 0u);
    check("[%#.3o][%#.1o][%#5o]", 8u, 8u, 8u); /* precision already gives the 0 */
    check("[%#10x][%#-10x][%#010x][%010x]", 0xabu, 0xabu, 0xabu, 0xabu);
    check("[%.5x][%8.5X][%-8.5o]", 0x1fu, 0x1fu, 9u);
    check("%x %o", (unsigned int)-1, (unsigned int)-1);
}

/* Length modifiers: each fetches and truncates its own type. */
static void test_lengths(void **state)
{
    (void)state;
    check("%hhd %hhu %hd %hu", (signed char)-5, (unsigned char)200, (short)-300,
          (unsigned short)60000);
    check_unchecked("%hhd %hhd %hhu %hhx", 300, -129, -1, 0x1ff); /* truncated */
    check_unchecked("%hd %hd %hu %hx", 70000, -32769, -1, 0x1ffff);
    check("%ld %ld %lu %lx", LONG_MIN, LONG_MAX, ULONG_MAX, ULONG_MAX);
    check("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL, ULLONG_MAX);
    check("%zu %zx %zd %zd", (size_t)SIZE_MAX, (size_t)0x1234, (ssize_t)-5, (ssize_t)77);
    check("%zd %zd", (ssize_t)-5000000000LL, (ssize_t)SSIZE_MAX); /* wider than int */
    check("%td %td %tx", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)-1, (ptrdiff_t)255);
    check("%jd %jd %ju %jx", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, (uintmax_t)0xfeed);
    check("[%-+12ld][%012lld][%#18lx]", 77L, -77LL, 0xfeedUL);
}

/* %s: precision cuts, width pads on either side. */
static void test_strings(void **state)
{
    (void)state;
    check("[%s][%10s][%-10s]", "abc", "abc", "abc");
    check("[%.2s][%.0s][%10.2s][%-10.5s]", "abcdef", "abcdef", "abcdef", "ab");
    check("[%2s]", "longer than width");
    check("%s/%s:%d", "dir", "file.c", 123);
}

/* '*' width and precision, including negative values. */
static void test_star(void **state)
{
    (void)state;
    check("[%*d][%*d][%-*d]", 6, 42, -6, 42, 6, 42);       /* negative width means '-' */
    check("[%.*d][%.*d][%.*s]", 4, 7, -1, 7, 3, "abcdef"); /* negative precision: none */
    check("[%*.*x][%0*d]", 8, 4, 0xabu, 6, -3);
    check("[%.*s]", -5, "whole");
}

/* Output longer than the buffer: C99 length returned, truncated text terminated. */
static void test_long_output(void **state)
{
    char small[16];
    int n;

    (void)state;
    check("%300d|", 1);
    check("%-300s|%s", "x", "y");
    check("%.400d", 5);
    memset(small, GUARD, sizeof(small));
    n = xl_snprintf(small, 10, "%s", "0123456789abcdef");
    assert_int_equal(n, 16);
    assert_string_equal(small, "012345678");
    assert_int_equal(small[10], GUARD); /* nothing past size */
}

/* %p: always "0x" and 16 hex digits, unlike glibc; width still applies. */
static void test_pointer(void **state)
{
    char buf[64];

    (void)state;
    assert_int_equal(xl_snprintf(buf, sizeof(buf), "%p", (void *)0x1234), 18);
    assert_string_equal(buf, "0x0000000000001234");
    xl_snprintf(buf, sizeof(buf), "%p", NULL);
    assert_string_equal(buf, "0x0000000000000000");
    xl_snprintf(buf, sizeof(buf), "%p", (void *)0xffff82d040000000UL);
    assert_string_equal(buf, "0xffff82d040000000");
    xl_snprintf(buf, sizeof(buf), "[%20p][%-20p]", (void *)1, (void *)1);
    assert_string_equal(buf, "[  0x0000000000000001][0x0000000000000001  ]");
}

/* A NULL %s prints "(null)", cut by precision and padded like any string. */
static void test_null_string(void **state)
{
    const char *volatile null = NULL; /* volatile: hide the NULL from -Wformat */
    char buf[32];

    (void)state;
    assert_int_equal(xl_snprintf(buf, sizeof(buf), "%s", null), 6);
    assert_string_equal(buf, "(null)");
    xl_snprintf(buf, sizeof(buf), "[%.3s][%8s]", null, null);
    assert_string_equal(buf, "[(nu][  (null)]");
}

/* Unknown conversions are copied verbatim and do not consume an argument. */
static void test_unknown_conversion(void **state)
{
    const char *volatile fmt1 = "a%yb%d";
    const char *volatile fmt2 = "end%";
    const char *volatile fmt3 = "%-5.2qz";
    char buf[32];

    (void)state;
    assert_int_equal(xl_snprintf(buf, sizeof(buf), fmt1, 7), 5);
    assert_string_equal(buf, "a%yb7");
    assert_int_equal(xl_snprintf(buf, sizeof(buf), fmt2, 0), 4); /* '%' at the end */
    assert_string_equal(buf, "end%");
    xl_snprintf(buf, sizeof(buf), fmt3, 0);
    assert_string_equal(buf, "%-5.2qz");
}

/* size 0 writes nothing (buf may be NULL); size 1 writes only the NUL. */
static void test_small_sizes(void **state)
{
    char buf[4] = {GUARD, GUARD, GUARD, GUARD};

    (void)state;
    assert_int_equal(xl_snprintf(NULL, 0, "%d", 12345), 5);
    assert_int_equal(xl_snprintf(buf, 0, "%d", 12345), 5);
    assert_int_equal(buf[0], GUARD);
    assert_int_equal(xl_snprintf(buf, 1, "%d", 12345), 5);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], GUARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_chars), cmocka_unit_test(test_signed),
        cmocka_unit_test(test_unsigned),       cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_strings),        cmocka_unit_test(test_star),
        cmocka_unit_test(test_long_output),    cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_null_string),    cmocka_unit_test(test_unknown_conversion),
        cmocka_unit_test(test_small_sizes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
