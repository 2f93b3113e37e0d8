/* SPDX-License-Identifier: MIT */
/*
 * hypervisor/lib/string.c, called under its xl_* host names and checked
 * against byte-by-byte reference results (and libc where they agree).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "host_renames.h"
#include <xenolith/compiler.h>
#include <xenolith/string.h>
#define HOST_RENAMES_UNDO
#include "host_renames.h"

#define BUF   96
#define GUARD 0xa5

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)(i * 7 + 3);
}

/*
 * memcpy for every length 0..64 and every src/dst alignment 0..8 copies
 * exactly n bytes: word and byte paths both, no byte outside dst touched.
 */
static void test_memcpy(void **state)
{
    unsigned char src[BUF], dst[BUF];
    size_t n, so, dof, i;

    (void)state;
    for (i = 0; i < BUF; i++)
        src[i] = pattern_byte(i);
    for (n = 0; n <= 64; n++)
        for (so = 0; so <= 8; so++)
            for (dof = 0; dof <= 8; dof++) {
                memset(dst, GUARD, sizeof(dst));
                assert_ptr_equal(xl_memcpy(dst + dof, src + so, n), dst + dof);
                for (i = 0; i < BUF; i++) {
                    unsigned char want = i >= dof && i < dof + n ? src[so + i - dof] : GUARD;
                    assert_int_equal(dst[i], want);
                }
            }
}

/*
 * memmove within one buffer, every overlap in both directions: the result
 * equals copying through a separate temporary buffer.
 */
static void test_memmove_overlap(void **state)
{
    unsigned char buf[BUF], want[BUF], tmp[BUF];
    size_t n, so, dof, i;

    (void)state;
    for (n = 0; n <= 40; n++)
        for (so = 0; so <= 24; so++)
            for (dof = 0; dof <= 24; dof++) {
                for (i = 0; i < BUF; i++)
                    buf[i] = want[i] = pattern_byte(i);
                for (i = 0; i < n; i++)
                    tmp[i] = want[so + i];
                for (i = 0; i < n; i++)
                    want[dof + i] = tmp[i];
                assert_ptr_equal(xl_memmove(buf + dof, buf + so, n), buf + dof);
                assert_memory_equal(buf, want, BUF);
            }
}

/* memset fills exactly n bytes at every alignment, using only the low byte of c. */
static void test_memset(void **state)
{
    unsigned char buf[BUF];
    size_t n, off, i;

    (void)state;
    for (n = 0; n <= 70; n++)
        for (off = 0; off <= 8; off++) {
            memset(buf, GUARD, sizeof(buf));
            assert_ptr_equal(xl_memset(buf + off, 0x1c3, n), buf + off);
            for (i = 0; i < BUF; i++)
                assert_int_equal(buf[i], i >= off && i < off + n ? 0xc3 : GUARD);
        }
}

/* memcmp compares as unsigned char, stops at n, and is 0 for n == 0. */
static void test_memcmp(void **state)
{
    (void)state;
    assert_int_equal(xl_memcmp("abc", "abc", 3), 0);
    assert_true(xl_memcmp("abc", "abd", 3) < 0);
    assert_true(xl_memcmp("abd", "abc", 3) > 0);
    assert_int_equal(xl_memcmp("abX", "abY", 2), 0);
    assert_int_equal(xl_memcmp("x", "y", 0), 0);
    /* 0x80 is above 0x7f as unsigned char (it would be below as signed). */
    assert_true(xl_memcmp("\x80", "\x7f", 1) > 0);
    /* Bytes after an embedded NUL still count. */
    assert_true(xl_memcmp("a\0b", "a\0c", 3) < 0);
}

/* strlen and strnlen, including max below, at and above the length. */
static void test_strlen_strnlen(void **state)
{
    (void)state;
    assert_int_equal(xl_strlen(""), 0);
    assert_int_equal(xl_strlen("hello"), 5);
    assert_int_equal(xl_strnlen("hello", 0), 0);
    assert_int_equal(xl_strnlen("hello", 3), 3);
    assert_int_equal(xl_strnlen("hello", 5), 5);
    assert_int_equal(xl_strnlen("hello", 100), 5);
}

/* Sign of a comparison result, so tests do not depend on magnitudes. */
static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* strcmp/strncmp: order, prefixes, unsigned bytes, the n limit; same signs as libc. */
static void test_strcmp_strncmp(void **state)
{
    static const char *const s[] = {"", "a", "ab", "abc", "abd", "b", "\x80", "\x7f", "Ab"};
    size_t i, j, n;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(s); i++)
        for (j = 0; j < ARRAY_SIZE(s); j++) {
            assert_int_equal(sign(xl_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
            for (n = 0; n <= 4; n++)
                assert_int_equal(sign(xl_strncmp(s[i], s[j], n)), sign(strncmp(s[i], s[j], n)));
        }
    /* Sanity of the oracle itself for the unsigned case. */
    assert_true(xl_strcmp("\x80", "\x7f") > 0);
    assert_int_equal(xl_strncmp("abc", "abd", 2), 0);
}

/* strchr finds the first c, strrchr the last; both find the NUL for c == 0. */
static void test_strchr_strrchr(void **state)
{
    const char *s = "a/b/c";

    (void)state;
    assert_ptr_equal(xl_strchr(s, '/'), s + 1);
    assert_ptr_equal(xl_strrchr(s, '/'), s + 3);
    assert_null(xl_strchr(s, 'x'));
    assert_null(xl_strrchr(s, 'x'));
    assert_ptr_equal(xl_strchr(s, '\0'), s + 5);
    assert_ptr_equal(xl_strrchr(s, '\0'), s + 5);
    assert_ptr_equal(xl_strchr(s, 'a'), s);
    assert_ptr_equal(xl_strrchr(s, 'a'), s);
    /* c is converted to char: 0x100 + '/' still finds '/'. */
    assert_ptr_equal(xl_strchr(s, 0x100 + '/'), s + 1);
}

/* strlcpy copies what fits, always terminates, returns strlen(src). */
static void test_strlcpy(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(xl_strlcpy(buf, "abc", sizeof(buf)), 3);
    assert_string_equal(buf, "abc");
    assert_int_equal(buf[4], 'Z'); /* nothing past the NUL */

    assert_int_equal(xl_strlcpy(buf, "abcdefghij", sizeof(buf)), 10);
    assert_string_equal(buf, "abcdefg"); /* truncated, terminated */

    assert_int_equal(xl_strlcpy(buf, "abcdefg", sizeof(buf)), 7); /* exactly fits */
    assert_string_equal(buf, "abcdefg");

    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(xl_strlcpy(buf, "abc", 0), 3); /* size 0: dst untouched */
    assert_int_equal(buf[0], 'Z');
    assert_int_equal(xl_strlcpy(buf, "abc", 1), 3); /* size 1: just the NUL */
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'Z');
}

/* simple_strtoul: bases, prefixes, where parsing stops, saturation, bad bases. */
static void test_simple_strtoul(void **state)
{
    static const struct {
        const char *s;
        unsigned int base;
        unsigned long value;
        size_t consumed;
    } cases[] = {
        {"123", 10, 123, 3},
        {"123abc", 10, 123, 3}, /* stops at the first non-digit */
        {"0x1f", 0, 31, 4},     /* auto: hex */
        {"0X1F", 16, 31, 4},    /* base 16 takes a prefix too */
        {"1f", 16, 31, 2},
        {"017", 0, 15, 3}, /* auto: octal */
        {"018", 0, 1, 2},  /* octal stops at 8 */
        {"0", 0, 0, 1},
        {"0x", 0, 0, 1}, /* no hex digit: "0", end at 'x' */
        {"0xg", 16, 0, 1},
        {"09", 0, 0, 1},
        {"99", 0, 99, 2}, /* auto: decimal */
        {"101", 2, 5, 3},
        {"z", 36, 35, 1},
        {"", 10, 0, 0},
        {"abc", 10, 0, 0},
        {" 5", 10, 0, 0}, /* no whitespace skipping */
        {"-5", 10, 0, 0}, /* no sign */
        {"18446744073709551615", 10, ULONG_MAX, 20},
        {"18446744073709551616", 10, ULONG_MAX, 20}, /* saturates */
        {"ffffffffffffffffff", 16, ULONG_MAX, 18},
        {"12", 1, 0, 0}, /* bad base: nothing consumed */
        {"12", 37, 0, 0},
    };
    const char *end;
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        unsigned long v = xl_simple_strtoul(cases[i].s, &end, cases[i].base);

        if (v != cases[i].value || (size_t)(end - cases[i].s) != cases[i].consumed)
            fail_msg("case %zu \"%s\" base %u: got %lu, %td consumed", i, cases[i].s, cases[i].base,
                     v, end - cases[i].s);
    }
    /* end may be NULL. */
    assert_int_equal(xl_simple_strtoul("42", NULL, 10), 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy),         cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_memset),         cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_strlen_strnlen), cmocka_unit_test(test_strcmp_strncmp),
        cmocka_unit_test(test_strchr_strrchr), cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_simple_strtoul),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
