/* SPDX-License-Identifier: MIT */
/*
 * Freestanding string and memory functions.
 *
 * Plain C, shared by the hypervisor and the host unit tests. The copy and
 * fill loops move a machine word at a time once both pointers are word
 * aligned; the word type is may_alias so these loops stay correct under
 * strict aliasing, whatever type the caller's objects have.
 *
 * Invariant: nothing here allocates, locks or touches memory outside the
 * ranges the caller passes. Locking: none needed (no shared state).
 */
#include <xenolith/string.h>

typedef unsigned long __attribute__((may_alias)) str_word_t;

#define WORD_SIZE sizeof(str_word_t)

static bool both_word_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & (WORD_SIZE - 1)) == 0;
}

/* No restrict here: memmove uses this for overlaps where dst < src. */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    /*
     * Each word is read before it is written, so with dst below src no
     * byte is overwritten before it has been read.
     */
    if (both_word_aligned(d, s)) {
        for (; n >= WORD_SIZE; n -= WORD_SIZE) {
            *(str_word_t *)d = *(const str_word_t *)s;
            d += WORD_SIZE;
            s += WORD_SIZE;
        }
    }
    while (n--)
        *d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

/* Copies from the end, for a destination that overlaps above the source. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    if (both_word_aligned(d, s)) {
        for (; n >= WORD_SIZE; n -= WORD_SIZE) {
            d -= WORD_SIZE;
            s -= WORD_SIZE;
            *(str_word_t *)d = *(const str_word_t *)s;
        }
    }
    while (n--)
        *--d = *--s;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

    /* A forward copy is safe unless dst starts inside [src, src + n). */
    if (d - s >= n)
        copy_forward(dst, src, n);
    else
        copy_backward(dst, src, n);
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    /* The byte replicated into every byte of a word. */
    str_word_t word = (unsigned char)c * (~0UL / 0xff);

    /* Head bytes until aligned, then whole words, then the tail. */
    while (n && ((uintptr_t)d & (WORD_SIZE - 1))) {
        *d++ = (unsigned char)c;
        n--;
    }
    for (; n >= WORD_SIZE; n -= WORD_SIZE) {
        *(str_word_t *)d = word;
        d += WORD_SIZE;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

/* Bytes compare as unsigned char, as C requires. */
int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
        if (!*x)
            break;
    }
    return 0;
}

/* The terminating NUL counts as part of the string: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    char ch = (char)c;
    const char *last = NULL;

    for (;; s++) {
        if (*s == ch)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

/* Value of c as a digit in bases up to 36, or 36 when it is none. */
static unsigned int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned int)(c - '0');
    if (c >= 'a' && c <= 'z')
        return (unsigned int)(c - 'a') + 10;
    if (c >= 'A' && c <= 'Z')
        return (unsigned int)(c - 'A') + 10;
    return 36;
}

/*
 * A "0x" prefix counts only when a hex digit follows it, so "0x" alone
 * parses as 0 with *end at the 'x', as strtoul does.
 */
static bool has_hex_prefix(const char *s)
{
    return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16;
}

unsigned long simple_strtoul(const char *s, const char **end, unsigned int base)
{
    const unsigned long max = ~0UL;
    const char *p = s;
    unsigned long v = 0;
    unsigned int d;

    if (base == 0)
        base = has_hex_prefix(p) ? 16 : p[0] == '0' ? 8 : 10;
    if (base == 16 && has_hex_prefix(p))
        p += 2;
    if (base < 2 || base > 36) {
        p = s;
        base = 1; /* no character is a digit: nothing is consumed */
    }
    for (; (d = digit_value(*p)) < base; p++)
        v = v > (max - d) / base ? max : v * base + d;
    if (end)
        *end = p;
    return v;
}
