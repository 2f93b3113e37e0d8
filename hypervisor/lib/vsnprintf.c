/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf/snprintf for the hypervisor and the guest kernel.
 *
 * One pass over the format: each conversion is parsed into a struct
 * fmt_spec, its argument fetched at the width the length modifier names,
 * and the text produced through out_char(), which counts every character
 * but stores only while room for the terminating NUL remains. So the
 * return value is the untruncated length, as C99 asks, and a too small
 * buffer never changes what gets counted.
 *
 * Locking: none (no shared state); callers own buf.
 */
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#define FMT_LEFT  0x01u /* '-': pad on the right */
#define FMT_ZERO  0x02u /* '0': pad numbers with zeros */
#define FMT_SPACE 0x04u /* ' ': space before non-negative signed */
#define FMT_PLUS  0x08u /* '+': sign before non-negative signed */
#define FMT_ALT   0x10u /* '#': 0x prefix, or a leading octal 0 */

/* Big enough for a width or precision; larger ones saturate here. */
#define FMT_NUM_MAX 0x7fffffff

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_spec {
    unsigned int flags;
    int width;     /* >= 0 */
    int precision; /* < 0 when not given */
    enum fmt_length length;
    char conv;
};

struct fmt_out {
    char *buf;
    size_t size;
    size_t len; /* characters produced so far, stored or not */
};

/* Wrapped so helpers can take it by pointer whatever va_list's type is. */
struct fmt_args {
    va_list ap;
};

static void out_char(struct fmt_out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct fmt_out *o, char c, long n)
{
    for (; n > 0; n--)
        out_char(o, c);
}

static void out_str(struct fmt_out *o, const char *s, size_t n)
{
    while (n--)
        out_char(o, *s++);
}

/* Parses a decimal width or precision, saturating instead of overflowing. */
static int parse_num(const char **fmt)
{
    const char *p = *fmt;
    int v = 0;

    for (; *p >= '0' && *p <= '9'; p++)
        v = v > (FMT_NUM_MAX - (*p - '0')) / 10 ? FMT_NUM_MAX : v * 10 + (*p - '0');
    *fmt = p;
    return v;
}

static void parse_flags(const char **fmt, struct fmt_spec *sp)
{
    for (;; (*fmt)++) {
        switch (**fmt) {
        case '-':
            sp->flags |= FMT_LEFT;
            break;
        case '0':
            sp->flags |= FMT_ZERO;
            break;
        case ' ':
            sp->flags |= FMT_SPACE;
            break;
        case '+':
            sp->flags |= FMT_PLUS;
            break;
        case '#':
            sp->flags |= FMT_ALT;
            break;
        default:
            return;
        }
    }
}

/* A negative '*' width means '-' plus its magnitude, as in C. */
static void parse_width(const char **fmt, struct fmt_spec *sp, struct fmt_args *a)
{
    int w;

    if (**fmt != '*') {
        sp->width = parse_num(fmt);
        return;
    }
    (*fmt)++;
    w = va_arg(a->ap, int);
    if (w < 0) {
        sp->flags |= FMT_LEFT;
        w = w < -FMT_NUM_MAX ? FMT_NUM_MAX : -w;
    }
    sp->width = w;
}

/* A negative '*' precision counts as none given. */
static void parse_precision(const char **fmt, struct fmt_spec *sp, struct fmt_args *a)
{
    sp->precision = -1;
    if (**fmt != '.')
        return;
    (*fmt)++;
    if (**fmt == '*') {
        int p = va_arg(a->ap, int);

        (*fmt)++;
        sp->precision = p < 0 ? -1 : p;
    } else {
        sp->precision = parse_num(fmt);
    }
}

static enum fmt_length parse_length(const char **fmt)
{
    const char *p = *fmt;
    enum fmt_length len = LEN_NONE;

    switch (*p) {
    case 'h':
        len = p[1] == 'h' ? LEN_HH : LEN_H;
        break;
    case 'l':
        len = p[1] == 'l' ? LEN_LL : LEN_L;
        break;
    case 'z':
        len = LEN_Z;
        break;
    case 't':
        len = LEN_T;
        break;
    case 'j':
        len = LEN_J;
        break;
    default:
        return LEN_NONE;
    }
    *fmt = p + (len == LEN_HH || len == LEN_LL ? 2 : 1);
    return len;
}

/* *fmt points after the '%'; leaves it at the conversion character. */
static void parse_spec(const char **fmt, struct fmt_spec *sp, struct fmt_args *a)
{
    sp->flags = 0;
    parse_flags(fmt, sp);
    parse_width(fmt, sp, a);
    parse_precision(fmt, sp, a);
    sp->length = parse_length(fmt);
    sp->conv = **fmt;
}

/* Arguments narrower than int arrive promoted; the casts undo that. */
static intmax_t fetch_signed(struct fmt_args *a, enum fmt_length len)
{
    switch (len) {
    case LEN_HH:
        return (signed char)va_arg(a->ap, int);
    case LEN_H:
        return (short)va_arg(a->ap, int);
    case LEN_L:
        return va_arg(a->ap, long);
    case LEN_LL:
        return va_arg(a->ap, long long);
    case LEN_Z:
        return (ptrdiff_t)va_arg(a->ap, size_t);
    case LEN_T:
        return va_arg(a->ap, ptrdiff_t);
    case LEN_J:
        return va_arg(a->ap, intmax_t);
    default:
        return va_arg(a->ap, int);
    }
}

static uintmax_t fetch_unsigned(struct fmt_args *a, enum fmt_length len)
{
    switch (len) {
    case LEN_HH:
        return (unsigned char)va_arg(a->ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(a->ap, unsigned int);
    case LEN_L:
        return va_arg(a->ap, unsigned long);
    case LEN_LL:
        return va_arg(a->ap, unsigned long long);
    case LEN_Z:
        return va_arg(a->ap, size_t);
    case LEN_T:
        return (size_t)va_arg(a->ap, ptrdiff_t);
    case LEN_J:
        return va_arg(a->ap, uintmax_t);
    default:
        return va_arg(a->ap, unsigned int);
    }
}

/* Writes the digits of v backwards from the end of buf; returns the count. */
static int format_digits(char *end, uintmax_t v, unsigned int base, bool upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;

    do {
        *--end = set[v % base];
        v /= base;
        n++;
    } while (v);
    return n;
}

static void emit_integer(struct fmt_out *o, const struct fmt_spec *sp, uintmax_t mag, char sign)
{
    char digits[24]; /* 64 bits in octal is 22 digits */
    unsigned int base = sp->conv == 'o' ? 8 : sp->conv == 'x' || sp->conv == 'X' ? 16 : 10;
    const char *prefix = "";
    long n, zeros, body;

    /* An explicit precision of 0 prints no digits for the value 0. */
    n = mag == 0 && sp->precision == 0
            ? 0
            : format_digits(digits + sizeof(digits), mag, base, sp->conv == 'X');
    if ((sp->flags & FMT_ALT) && base == 16 && mag != 0)
        prefix = sp->conv == 'X' ? "0X" : "0x";
    zeros = sp->precision > n ? sp->precision - n : 0;
    /* '#' with %o: the first digit printed must be a 0. */
    if ((sp->flags & FMT_ALT) && base == 8 && zeros == 0 && (n == 0 || mag != 0))
        zeros = 1;
    body = (sign ? 1 : 0) + (long)strlen(prefix) + zeros + n;
    /* '0' pads with zeros only when there is no precision and no '-'. */
    if ((sp->flags & (FMT_ZERO | FMT_LEFT)) == FMT_ZERO && sp->precision < 0 && sp->width > body) {
        zeros += sp->width - body;
        body = sp->width;
    }
    if (!(sp->flags & FMT_LEFT))
        out_repeat(o, ' ', sp->width - body);
    if (sign)
        out_char(o, sign);
    out_str(o, prefix, strlen(prefix));
    out_repeat(o, '0', zeros);
    out_str(o, digits + sizeof(digits) - n, (size_t)n);
    if (sp->flags & FMT_LEFT)
        out_repeat(o, ' ', sp->width - body);
}

/* Text padded with spaces to the field width, on the side '-' picks. */
static void emit_padded(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
    long pad = (long)sp->width - (long)n;

    if (!(sp->flags & FMT_LEFT))
        out_repeat(o, ' ', pad);
    out_str(o, s, n);
    if (sp->flags & FMT_LEFT)
        out_repeat(o, ' ', pad);
}

static void emit_signed(struct fmt_out *o, const struct fmt_spec *sp, struct fmt_args *a)
{
    intmax_t v = fetch_signed(a, sp->length);
    /* Negate in unsigned arithmetic so INTMAX_MIN does not overflow. */
    uintmax_t mag = v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v;
    char sign = v < 0 ? '-' : (sp->flags & FMT_PLUS) ? '+' : (sp->flags & FMT_SPACE) ? ' ' : 0;

    emit_integer(o, sp, mag, sign);
}

static void emit_pointer(struct fmt_out *o, const struct fmt_spec *sp, struct fmt_args *a)
{
    char text[2 + 16];
    uintptr_t v = (uintptr_t)va_arg(a->ap, void *);
    int i;

    text[0] = '0';
    text[1] = 'x';
    for (i = 0; i < 16; i++)
        text[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
    emit_padded(o, sp, text, sizeof(text));
}

static void emit_string(struct fmt_out *o, const struct fmt_spec *sp, struct fmt_args *a)
{
    const char *s = va_arg(a->ap, const char *);

    if (!s)
        s = "(null)";
    emit_padded(o, sp, s, strnlen(s, sp->precision < 0 ? (size_t)-1 : (size_t)sp->precision));
}

/*
 * Produces one conversion. Returns false for an unknown conversion
 * character, whose text the caller then copies out verbatim.
 */
static bool emit_conversion(struct fmt_out *o, const struct fmt_spec *sp, struct fmt_args *a)
{
    char c;

    switch (sp->conv) {
    case 'd':
    case 'i':
        emit_signed(o, sp, a);
        return true;
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        emit_integer(o, sp, fetch_unsigned(a, sp->length), 0);
        return true;
    case 'c':
        c = (char)va_arg(a->ap, int);
        emit_padded(o, sp, &c, 1);
        return true;
    case 's':
        emit_string(o, sp, a);
        return true;
    case 'p':
        emit_pointer(o, sp, a);
        return true;
    case '%':
        out_char(o, '%');
        return true;
    default:
        return false;
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_out o = {.buf = buf, .size = size, .len = 0};
    struct fmt_args a;
    struct fmt_spec sp;

    va_copy(a.ap, ap);
    while (*fmt) {
        const char *start = fmt;

        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }
        fmt++;
        parse_spec(&fmt, &sp, &a);
        if (!emit_conversion(&o, &sp, &a)) {
            /* Unknown or cut-off conversion: copy its text, keep going. */
            if (*fmt)
                fmt++;
            out_str(&o, start, (size_t)(fmt - start));
            continue;
        }
        fmt++;
    }
    va_end(a.ap);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > FMT_NUM_MAX ? -EOVERFLOW : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
