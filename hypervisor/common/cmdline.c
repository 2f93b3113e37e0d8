/* SPDX-License-Identifier: MIT */
/*
 * Boot command-line parser.
 *
 * Each token is copied, quotes removed, into a fixed buffer on the stack,
 * split into name and value, and applied to the matching option. Every
 * step that can fail returns a reason text, which the caller's warn hook
 * receives; values are checked in full before anything is stored, so a
 * rejected token leaves its variable as it was.
 *
 * Locking: none; runs once at boot, before other CPUs are up.
 */
#include <xenolith/cmdline.h>
#include <xenolith/compiler.h>
#include <xenolith/string.h>

struct cmdline_token {
    char text[CMDLINE_MAX_TOKEN + 1];
    bool too_long;   /* text holds only the first part */
    bool open_quote; /* the line ended inside quotes */
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Copies the token at p into tok, quotes removed; returns where it ends. */
static const char *next_token(const char *p, struct cmdline_token *tok)
{
    bool quoted = false;
    size_t n = 0;

    tok->too_long = false;
    for (; *p && (quoted || !is_blank(*p)); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (n < CMDLINE_MAX_TOKEN)
            tok->text[n++] = *p;
        else
            tok->too_long = true;
    }
    tok->text[n] = '\0';
    tok->open_quote = quoted;
    return p;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "yes", "on", "true"};
    static const char *const no[] = {"0", "no", "off", "false"};
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
            *out = !strcmp(s, yes[i]);
            return 0;
        }
    }
    return -1;
}

static unsigned int digit_of(char c, unsigned int base)
{
    unsigned int d = c >= '0' && c <= '9'   ? (unsigned int)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a') + 10
                     : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A') + 10
                                            : 16;

    return d < base ? d : 16;
}

/* Decimal or 0x hex with an optional K/M/G suffix; NULL or a reason. */
static const char *parse_uint(const char *s, unsigned long *out)
{
    unsigned int base = 10, shift = 0, d;
    const char *p = s;
    unsigned long v = 0;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (digit_of(*p, base) >= base)
        return "invalid number";
    for (; (d = digit_of(*p, base)) < base; p++) {
        if (v > (~0UL - d) / base)
            return "number out of range";
        v = v * base + d;
    }
    switch (*p) {
    case 'K':
    case 'k':
        shift = 10;
        p++;
        break;
    case 'M':
    case 'm':
        shift = 20;
        p++;
        break;
    case 'G':
    case 'g':
        shift = 30;
        p++;
        break;
    }
    if (*p)
        return "invalid number";
    if (v > (~0UL >> shift))
        return "number out of range";
    *out = v << shift;
    return NULL;
}

/* Applies value (NULL when the token has no '=') to opt; NULL or a reason. */
static const char *apply_option(const struct cmdline_option *opt, const char *value)
{
    bool b = true;
    size_t len;

    switch (opt->type) {
    case CMDLINE_BOOL:
        if (value && parse_bool(value, &b))
            return "invalid boolean";
        *(bool *)opt->var = b;
        return NULL;
    case CMDLINE_UINT:
        return value ? parse_uint(value, opt->var) : "missing value";
    case CMDLINE_STRING:
        if (!value)
            return "missing value";
        len = strnlen(value, opt->size);
        if (len >= opt->size)
            return "value too long";
        memcpy(opt->var, value, len + 1);
        return NULL;
    case CMDLINE_CUSTOM:
        return opt->parse(value ? value : "") ? "invalid value" : NULL;
    }
    return "bad option type";
}

static const struct cmdline_option *find_option(const struct cmdline_option *opts, size_t nr,
                                                const char *name)
{
    size_t i;

    for (i = 0; i < nr; i++) {
        if (!strcmp(opts[i].name, name))
            return &opts[i];
    }
    return NULL;
}

/* "no-name" for a boolean option: sets it false. */
static const char *apply_negated(const struct cmdline_option *opt, const char *value)
{
    if (opt->type != CMDLINE_BOOL)
        return "no- prefix on a non-boolean option";
    if (value)
        return "no- prefix takes no value";
    *(bool *)opt->var = false;
    return NULL;
}

/* Splits text at its first '=' (in place) and applies it; NULL or a reason. */
static const char *apply_token(char *text, const struct cmdline_option *opts, size_t nr)
{
    const struct cmdline_option *opt;
    char *eq = strchr(text, '=');
    const char *value = NULL;

    if (eq) {
        *eq = '\0';
        value = eq + 1;
    }
    opt = find_option(opts, nr, text);
    if (opt)
        return apply_option(opt, value);
    /* An exact match wins, so an option may itself be named "no-...". */
    if (!strncmp(text, "no-", 3) && (opt = find_option(opts, nr, text + 3)))
        return apply_negated(opt, value);
    return "unknown option";
}

unsigned int cmdline_parse(const char *cmdline, const struct cmdline_option *opts, size_t nr_opts,
                           cmdline_warn_fn warn)
{
    struct cmdline_token tok;
    unsigned int warnings = 0;
    const char *p = cmdline ? cmdline : "";
    const char *why;
    char *eq;

    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            return warnings;
        p = next_token(p, &tok);
        if (tok.too_long || tok.open_quote) {
            why = tok.too_long ? "token too long" : "unterminated quote";
            eq = strchr(tok.text, '=');
            if (eq)
                *eq = '\0'; /* name the option, not its value */
        } else {
            why = apply_token(tok.text, opts, nr_opts);
        }
        if (why) {
            warnings++;
            if (warn)
                warn(tok.text, why);
        }
    }
}
