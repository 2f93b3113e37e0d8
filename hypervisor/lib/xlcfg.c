/* SPDX-License-Identifier: MIT */
/*
 * xl.cfg(5) parser, generic layer: text -> entries (xenolith/xlcfg.h).
 *
 * A hand-written recursive-descent parser over a byte range. Values are
 * copied, dequoted, into cfg->pool and list items into cfg->atoms, so
 * the caller's text may go away afterwards. Every limit is checked before
 * the write it guards, and the first syntax error ends the parse: a
 * guess at where the next statement starts would mostly add noise.
 *
 * Invariants: cfg->pool_used <= XLCFG_POOL_SIZE, cfg->nr_atoms <=
 * XLCFG_MAX_ITEMS, cfg->nr_entries <= XLCFG_MAX_ENTRIES; each key appears
 * in at most one entry. Locking: none (no shared state).
 */
#include <xenolith/compiler.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include <xenolith/xlcfg.h>

struct xlcfg_parser {
    const char *p, *end;
    const char *line_start;
    unsigned int line;
    struct xlcfg *cfg;
    struct xlcfg_diags *diags;
};

/* A value as parsed, before it is stored under its key. */
struct xlcfg_value {
    enum xlcfg_kind kind;
    struct xlcfg_atom atom;   /* STRING, NUMBER */
    struct xlcfg_atom *items; /* LIST: the tail of cfg->atoms */
    unsigned int nr_items;
    unsigned int column; /* where the value starts */
};

/* ---- Numbers ---- */

static unsigned int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned int)(c - 'a') + 10;
    if (c >= 'A' && c <= 'F')
        return (unsigned int)(c - 'A') + 10;
    return 99;
}

/* As xl's strtol(s, .., 0), without sign or blanks, and with no wrap-around. */
int xlcfg_parse_number(const char *s, size_t len, uint64_t *out)
{
    unsigned int base = 10, d;
    bool overflow = false;
    uint64_t v = 0;
    size_t i = 0;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (len >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }
    if (i == len)
        return -EINVAL; /* "" or a bare "0x" */
    for (; i < len; i++) {
        d = digit_value(s[i]);
        if (d >= base)
            return -EINVAL;
        if (v > (UINT64_MAX - d) / base)
            overflow = true; /* keep going: "99...9z" is invalid, not too large */
        v = v * base + d;
    }
    if (overflow)
        return -ERANGE;
    *out = v;
    return 0;
}

/* ---- Lexing ---- */

static bool at_end(const struct xlcfg_parser *ps)
{
    return ps->p >= ps->end;
}

/* The next byte, or -1 at the end. */
static int peek(const struct xlcfg_parser *ps)
{
    return at_end(ps) ? -1 : (unsigned char)*ps->p;
}

static unsigned int column(const struct xlcfg_parser *ps)
{
    return (unsigned int)(ps->p - ps->line_start) + 1;
}

static void take_newline(struct xlcfg_parser *ps)
{
    ps->p++;
    ps->line++;
    ps->line_start = ps->p;
}

/* '\r' counts as a blank, so files saved with CRLF line ends parse. */
static void skip_blanks(struct xlcfg_parser *ps)
{
    while (peek(ps) == ' ' || peek(ps) == '\t' || peek(ps) == '\r')
        ps->p++;
}

static void skip_comment(struct xlcfg_parser *ps)
{
    if (peek(ps) == '#')
        while (!at_end(ps) && *ps->p != '\n')
            ps->p++;
}

/* Blanks, comments and newlines: what may separate list items. */
static void skip_space(struct xlcfg_parser *ps)
{
    for (;;) {
        skip_blanks(ps);
        skip_comment(ps);
        if (peek(ps) != '\n')
            return;
        take_newline(ps);
    }
}

static bool is_key_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_key_char(int c)
{
    return is_key_start(c) || (c >= '0' && c <= '9') || c == '.';
}

/* How a byte reads in a message: 'x', end of line, end of file, byte 0xNN. */
static const char *byte_text(int c, char buf[12])
{
    static const char hex[] = "0123456789abcdef";

    if (c < 0)
        return "the end of the file";
    if (c == '\n')
        return "the end of the line";
    if (c > ' ' && c < 0x7f) {
        buf[0] = '\'';
        buf[1] = (char)c;
        buf[2] = '\'';
        buf[3] = '\0';
        return buf;
    }
    strlcpy(buf, "byte 0x", 12);
    buf[7] = hex[(c >> 4) & 15];
    buf[8] = hex[c & 15];
    buf[9] = '\0';
    return buf;
}

/* Adds an error at the current line; evaluates to -EINVAL. */
#define parse_error(ps, col, ...)                                                                  \
    (xlcfg_diag_add((ps)->diags, XLCFG_ERROR, (ps)->line, col, __VA_ARGS__), -EINVAL)

static int unexpected(struct xlcfg_parser *ps, const char *what)
{
    char buf[12];

    return parse_error(ps, column(ps), what, ", found ", byte_text(peek(ps), buf));
}

/* ---- Values ---- */

static size_t pool_room(const struct xlcfg *cfg)
{
    return XLCFG_POOL_SIZE - cfg->pool_used;
}

static int pool_full(struct xlcfg_parser *ps, unsigned int col)
{
    return parse_error(ps, col, "configuration too large: its values need more than 32768 bytes");
}

/* After a backslash: the byte an escape stands for, as xl's dequoting. */
static int parse_escape(struct xlcfg_parser *ps, char *out)
{
    static const char plain[] = "\"'\\abfnrtv";
    static const char meant[] = "\"'\\\a\b\f\n\r\t\v";
    unsigned int col = column(ps) - 1, v = 0, n, max = 3, base = 8;
    const char *hit;
    char buf[12];

    if (at_end(ps) || *ps->p == '\n')
        return 1; /* the string is unterminated: the caller says so */
    hit = strchr(plain, *ps->p);
    if (hit && *hit) {
        ps->p++;
        *out = meant[hit - plain];
        return 0;
    }
    if (*ps->p == 'x') {
        ps->p++;
        base = 16;
        max = 2;
    } else if (digit_value(*ps->p) >= 8) {
        return parse_error(ps, col, "unknown escape: backslash then ", byte_text(peek(ps), buf),
                           " (known: \\\" \\' \\\\ \\a \\b \\f \\n \\r \\t \\v \\xHH \\ooo)");
    }
    for (n = 0; n < max && !at_end(ps) && digit_value(*ps->p) < base; n++)
        v = v * base + digit_value(*ps->p++);
    if (n == 0 || (base == 16 && n != 2))
        return parse_error(ps, col, "escape '\\x' needs two hex digits");
    if (v > 255)
        return parse_error(ps, col, "octal escape above \\377");
    if (v == 0)
        return parse_error(ps, col, "a string cannot hold a NUL character");
    *out = (char)v;
    return 0;
}

static int parse_string(struct xlcfg_parser *ps, struct xlcfg_atom *atom)
{
    struct xlcfg *cfg = ps->cfg;
    char *out = cfg->pool + cfg->pool_used, quote = *ps->p, c;
    unsigned int col = column(ps);
    size_t n = 0;
    int rc;

    atom->kind = XLCFG_STRING;
    atom->line = ps->line;
    atom->column = col;
    if (!pool_room(cfg))
        return pool_full(ps, col); /* not even room for the NUL */
    ps->p++;
    for (;;) {
        if (at_end(ps) || *ps->p == '\n')
            return parse_error(ps, col, "unterminated string (strings end on their line)");
        c = *ps->p++;
        if (c == quote)
            break;
        if (c == '\\') {
            rc = parse_escape(ps, &c);
            if (rc > 0)
                continue; /* backslash at the line's end: report it as unterminated */
            if (rc < 0)
                return rc;
        }
        if (n == XLCFG_STRING_MAX)
            return parse_error(ps, col, "string longer than 1024 characters");
        if (n + 1 >= pool_room(cfg))
            return pool_full(ps, col);
        out[n++] = c;
    }
    out[n] = '\0';
    cfg->pool_used += n + 1;
    atom->str = out;
    return 0;
}

/* A number token runs over every key-like byte, so "12ab" and "1.5" are
 * reported whole rather than as a number followed by junk. */
static int parse_number_token(struct xlcfg_parser *ps, struct xlcfg_atom *atom)
{
    struct xlcfg *cfg = ps->cfg;
    const char *start = ps->p;
    char text[XLCFG_KEY_MAX + 1];
    size_t len;
    int rc;

    atom->kind = XLCFG_NUMBER;
    atom->line = ps->line;
    atom->column = column(ps);
    while (is_key_char(peek(ps)))
        ps->p++;
    len = (size_t)(ps->p - start);
    /* No str* on the source: it need not be NUL-terminated. */
    memcpy(text, start, MIN(len, sizeof(text) - 1));
    text[MIN(len, sizeof(text) - 1)] = '\0';
    if (len >= sizeof(text))
        return parse_error(ps, atom->column, "invalid number '", text, "...'");
    rc = xlcfg_parse_number(start, len, &atom->num);
    if (rc == -ERANGE)
        return parse_error(ps, atom->column, "number '", text, "' is too large (max 2^64-1)");
    if (rc)
        return parse_error(ps, atom->column, "invalid number '", text,
                           "' (decimal, 0x hex or 0 octal integers)");
    if (len + 1 > pool_room(cfg))
        return pool_full(ps, atom->column);
    memcpy(cfg->pool + cfg->pool_used, text, len + 1);
    atom->str = cfg->pool + cfg->pool_used;
    cfg->pool_used += len + 1;
    return 0;
}

/* xl has no bare words: name = foo is an error there too. */
static int unquoted(struct xlcfg_parser *ps)
{
    char word[XLCFG_KEY_MAX + 1];
    unsigned int col = column(ps);
    size_t n = 0;

    while (is_key_char(peek(ps)) && n < sizeof(word) - 1)
        word[n++] = *ps->p++;
    word[n] = '\0';
    return parse_error(ps, col, "unquoted text '", word, "': strings need quotes");
}

static int parse_atom(struct xlcfg_parser *ps, struct xlcfg_atom *atom)
{
    int c = peek(ps);

    if (c == '"' || c == '\'')
        return parse_string(ps, atom);
    if (c >= '0' && c <= '9')
        return parse_number_token(ps, atom);
    if (is_key_start(c))
        return unquoted(ps);
    return unexpected(ps, "expected a value (a \"string\", a number or a [list])");
}

static int list_end(struct xlcfg_parser *ps, unsigned int open_col, unsigned int open_line)
{
    char num[XLCFG_NUM_BUF];

    if (!at_end(ps))
        return unexpected(ps, "expected ',' or ']' in the list");
    xlcfg_diag_add(ps->diags, XLCFG_ERROR, open_line, open_col,
                   "unterminated list: '[' without ']' (the file ends on line ",
                   xlcfg_u64_str(num, ps->line), ")");
    return -EINVAL;
}

static int parse_list(struct xlcfg_parser *ps, struct xlcfg_value *v)
{
    struct xlcfg *cfg = ps->cfg;
    unsigned int open_line = ps->line, open_col = column(ps);
    int rc;

    v->kind = XLCFG_LIST;
    v->items = &cfg->atoms[cfg->nr_atoms];
    v->nr_items = 0;
    ps->p++;
    for (;;) {
        skip_space(ps);
        if (peek(ps) == ']')
            break; /* empty list, or a comma before the ']' */
        if (at_end(ps))
            return list_end(ps, open_col, open_line);
        if (peek(ps) == '[')
            return parse_error(ps, column(ps), "nested lists are not supported");
        if (v->nr_items == XLCFG_LIST_MAX)
            return parse_error(ps, column(ps), "list longer than 32 items");
        if (cfg->nr_atoms == XLCFG_MAX_ITEMS)
            return parse_error(ps, column(ps),
                               "configuration too large: more than 512 list items in all");
        rc = parse_atom(ps, &cfg->atoms[cfg->nr_atoms]);
        if (rc)
            return rc;
        cfg->nr_atoms++;
        v->nr_items++;
        skip_space(ps);
        if (peek(ps) == ']')
            break;
        if (peek(ps) != ',')
            return list_end(ps, open_col, open_line);
        ps->p++;
    }
    ps->p++;
    return 0;
}

static int parse_value(struct xlcfg_parser *ps, struct xlcfg_value *v)
{
    int rc;

    v->column = column(ps);
    v->items = NULL;
    v->nr_items = 0;
    if (peek(ps) == '[')
        return parse_list(ps, v);
    rc = parse_atom(ps, &v->atom);
    v->kind = v->atom.kind;
    return rc;
}

/* ---- Statements ---- */

static struct xlcfg_entry *find_entry(struct xlcfg *cfg, const char *key)
{
    unsigned int i;

    for (i = 0; i < cfg->nr_entries; i++)
        if (!strcmp(cfg->entries[i].key, key))
            return &cfg->entries[i];
    return NULL;
}

/* key += string: the joined text is a new pool string (the old one stays unused). */
static int append_string(struct xlcfg_parser *ps, struct xlcfg_entry *e,
                         const struct xlcfg_value *v)
{
    struct xlcfg *cfg = ps->cfg;
    size_t a = strlen(e->atom.str), b = strlen(v->atom.str);
    char *out = cfg->pool + cfg->pool_used;

    if (a + b > XLCFG_STRING_MAX)
        return parse_error(ps, v->column, "string longer than 1024 characters after '+='");
    if (a + b + 1 > pool_room(cfg))
        return pool_full(ps, v->column);
    memcpy(out, e->atom.str, a);
    memcpy(out + a, v->atom.str, b + 1);
    cfg->pool_used += a + b + 1;
    e->atom.str = out;
    return 0;
}

/* key += [list]: the new items sit at the end of cfg->atoms; the old ones
 * are copied in front of them unless they are already there. */
static int append_list(struct xlcfg_parser *ps, struct xlcfg_entry *e, const struct xlcfg_value *v)
{
    struct xlcfg *cfg = ps->cfg;
    unsigned int old = e->nr_items;

    if (old + v->nr_items > XLCFG_LIST_MAX)
        return parse_error(ps, v->column, "list longer than 32 items after '+='");
    if (e->items + old != v->items) {
        if (cfg->nr_atoms + old > XLCFG_MAX_ITEMS)
            return parse_error(ps, v->column,
                               "configuration too large: more than 512 list items in all");
        memmove(v->items + old, v->items, v->nr_items * sizeof(*v->items));
        memcpy(v->items, e->items, old * sizeof(*v->items));
        cfg->nr_atoms += old;
        e->items = v->items;
    }
    e->nr_items = old + v->nr_items;
    return 0;
}

static int store_append(struct xlcfg_parser *ps, struct xlcfg_entry *e, const struct xlcfg_value *v)
{
    if (e->kind == XLCFG_NUMBER)
        return parse_error(ps, v->column, "'+=' works on strings and lists, not numbers");
    if (e->kind != v->kind)
        return parse_error(ps, v->column,
                           "'+=' cannot add a list to a string or a string to a list");
    return e->kind == XLCFG_STRING ? append_string(ps, e, v) : append_list(ps, e, v);
}

static int store(struct xlcfg_parser *ps, const char *key, unsigned int line, bool append,
                 const struct xlcfg_value *v)
{
    struct xlcfg *cfg = ps->cfg;
    struct xlcfg_entry *e = find_entry(cfg, key);
    int rc;

    if (append && v->kind == XLCFG_NUMBER)
        return parse_error(ps, v->column, "'+=' works on strings and lists, not numbers");
    if (append && e) { /* without an earlier value, += is = (as in xl) */
        rc = store_append(ps, e, v);
        if (!rc)
            e->line = line;
        return rc;
    }
    if (!e) {
        if (cfg->nr_entries == XLCFG_MAX_ENTRIES)
            return parse_error(ps, 1, "more than 128 keys in one file");
        e = &cfg->entries[cfg->nr_entries++];
        strlcpy(e->key, key, sizeof(e->key));
    }
    e->kind = v->kind;
    e->line = line;
    e->atom = v->atom;
    e->items = v->items;
    e->nr_items = v->kind == XLCFG_LIST ? v->nr_items : 0;
    return 0;
}

static int parse_key(struct xlcfg_parser *ps, char key[XLCFG_KEY_MAX + 1])
{
    unsigned int col = column(ps);
    size_t n = 0;

    if (!is_key_start(peek(ps)))
        return unexpected(ps, "expected a key (KEY = VALUE)");
    while (is_key_char(peek(ps))) {
        if (n == XLCFG_KEY_MAX)
            return parse_error(ps, col, "key longer than 64 characters");
        key[n++] = *ps->p++;
    }
    key[n] = '\0';
    return 0;
}

/* KEY = VALUE or KEY += VALUE, then a comment, ';', a newline or the end. */
static int parse_statement(struct xlcfg_parser *ps)
{
    char key[XLCFG_KEY_MAX + 1];
    unsigned int line = ps->line;
    struct xlcfg_value v;
    bool append = false;
    int rc;

    rc = parse_key(ps, key);
    if (rc)
        return rc;
    skip_blanks(ps);
    if (peek(ps) == '+' && ps->p + 1 < ps->end && ps->p[1] == '=') {
        append = true;
        ps->p++;
    } else if (peek(ps) != '=') {
        return unexpected(ps, "expected '=' after the key");
    }
    ps->p++;
    skip_blanks(ps);
    rc = parse_value(ps, &v);
    if (rc)
        return rc;
    skip_blanks(ps);
    skip_comment(ps);
    if (!at_end(ps) && *ps->p != '\n' && *ps->p != ';')
        return unexpected(ps, "expected the end of the line or ';' after the value");
    return store(ps, key, line, append, &v);
}

/* A NUL cannot be part of any token; say so instead of stopping there. */
static int check_no_nul(struct xlcfg_parser *ps)
{
    const char *p;

    for (p = ps->p; p < ps->end; p++) {
        if (*p == '\n') {
            ps->line++;
            ps->line_start = p + 1;
        } else if (*p == '\0') {
            ps->p = p;
            return parse_error(ps, column(ps), "NUL byte in the file");
        }
    }
    ps->line = 1;
    ps->line_start = ps->p;
    return 0;
}

int xlcfg_parse(struct xlcfg *cfg, const char *text, size_t len, struct xlcfg_diags *diags)
{
    struct xlcfg_parser ps;
    int rc;

    if (!text)
        text = ""; /* NULL + 0 is undefined */
    ps = (struct xlcfg_parser){text, text + len, text, 1, cfg, diags};

    cfg->nr_entries = 0;
    cfg->nr_atoms = 0;
    cfg->pool_used = 0;
    rc = check_no_nul(&ps);
    while (!rc) {
        skip_blanks(&ps);
        skip_comment(&ps);
        if (at_end(&ps))
            break;
        if (*ps.p == '\n')
            take_newline(&ps);
        else if (*ps.p == ';')
            ps.p++; /* an empty statement, as in "a = 1;;" */
        else
            rc = parse_statement(&ps);
    }
    return rc;
}

const struct xlcfg_entry *xlcfg_find(const struct xlcfg *cfg, const char *key)
{
    return find_entry((struct xlcfg *)cfg, key);
}

unsigned int xlcfg_line(const struct xlcfg *cfg, const char *key)
{
    const struct xlcfg_entry *e = xlcfg_find(cfg, key);

    return e ? e->line : 0;
}
