/* SPDX-License-Identifier: MIT */
/*
 * The xl.cfg tests' view of diagnostics: one line each, "E<line> message"
 * or "W<line> message" (with ":<column>" after the line when asked), so
 * a case states every diagnostic it expects as one string.
 */
#ifndef TESTS_UNIT_XLCFG_DIAGS_TEXT_H
#define TESTS_UNIT_XLCFG_DIAGS_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <xenolith/xlcfg.h>

static inline const char *xlcfg_diags_text(const struct xlcfg_diags *diags, bool with_column)
{
    static char buf[8192];
    size_t len = 0;

    buf[0] = '\0';
    for (unsigned int i = 0; i < diags->nr; i++) {
        const struct xlcfg_diag *d = &diags->diag[i];
        char where[32];

        snprintf(where, sizeof(where), with_column ? "%u:%u" : "%u", d->line, d->column);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%c%s %s\n",
                                d->severity == XLCFG_ERROR ? 'E' : 'W', where, d->message);
    }
    return buf;
}

#endif
