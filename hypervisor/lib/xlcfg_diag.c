/* SPDX-License-Identifier: MIT */
/*
 * xl.cfg(5) parser: the diagnostics both layers raise (xenolith/xlcfg.h).
 *
 * No printf in the parser: a message is the concatenation of a few
 * strings, and numbers are turned to text here. Diagnostics past
 * XLCFG_MAX_DIAGS are counted but not kept, so a file full of unknown
 * keys cannot overflow anything; a message is cut to XLCFG_MSG_MAX.
 *
 * Locking: none (no shared state).
 */
#include <stdarg.h> /* freestanding, like stdint.h */
#include <xenolith/string.h>
#include <xenolith/xlcfg.h>

void xlcfg_diags_init(struct xlcfg_diags *diags)
{
    diags->nr_errors = 0;
    diags->nr_warnings = 0;
    diags->nr = 0;
}

void xlcfg_diag_add_parts(struct xlcfg_diags *diags, enum xlcfg_severity severity,
                          unsigned int line, unsigned int column, ...)
{
    struct xlcfg_diag *d;
    const char *part;
    size_t len = 0;
    va_list ap;

    if (severity == XLCFG_ERROR)
        diags->nr_errors++;
    else
        diags->nr_warnings++;
    if (diags->nr == XLCFG_MAX_DIAGS)
        return;
    d = &diags->diag[diags->nr++];
    d->severity = severity;
    d->line = line;
    d->column = column;
    d->message[0] = '\0';
    va_start(ap, column);
    while ((part = va_arg(ap, const char *)) != NULL) {
        /* strlcpy returns the length it wanted: clamp to what fits. */
        len += strlcpy(d->message + len, part, sizeof(d->message) - len);
        if (len >= sizeof(d->message) - 1)
            break;
    }
    va_end(ap);
}

const char *xlcfg_u64_str(char buf[XLCFG_NUM_BUF], uint64_t v)
{
    char digits[XLCFG_NUM_BUF - 1]; /* least significant first */
    size_t n = 0, i;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
    return buf;
}
