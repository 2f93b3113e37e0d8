/* SPDX-License-Identifier: MIT */
/*
 * The xl.cfg parser's generic layer (hypervisor/lib/xlcfg.c), table-driven:
 * each case is a text, the entries it parses to (dumped as one string)
 * and the exact diagnostics. Grammar, errors, line numbers, then the size
 * limits, built at run time to just fit and to just not fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/errno.h>
#include <xenolith/xlcfg.h>
#include "xlcfg_diags_text.h"

static struct xlcfg cfg;
static struct xlcfg_diags diags;
static char big[200000]; /* generated texts */

/* "E<line>:<col> message\n" per diagnostic, W for warnings. */
static const char *diags_string(void)
{
    return xlcfg_diags_text(&diags, true);
}

static size_t dump_atom(char *buf, size_t size, const struct xlcfg_atom *a)
{
    if (a->kind == XLCFG_NUMBER)
        return (size_t)snprintf(buf, size, "#%llu", (unsigned long long)a->num);
    return (size_t)snprintf(buf, size, "\"%s\"", a->str);
}

/* "key@line=value; " per entry: "text" strings, #numbers, [lists]. */
static const char *entries_string(void)
{
    static char buf[8192];
    size_t len = 0;
    unsigned int i, j;

    buf[0] = '\0';
    for (i = 0; i < cfg.nr_entries; i++) {
        const struct xlcfg_entry *e = &cfg.entries[i];

        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s@%u=", e->key, e->line);
        if (e->kind != XLCFG_LIST) {
            len += dump_atom(buf + len, sizeof(buf) - len, &e->atom);
        } else {
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[");
            for (j = 0; j < e->nr_items; j++) {
                len += dump_atom(buf + len, sizeof(buf) - len, &e->items[j]);
                if (j + 1 < e->nr_items)
                    len += (size_t)snprintf(buf + len, sizeof(buf) - len, ",");
            }
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "]");
        }
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "; ");
    }
    return buf;
}

struct parse_case {
    const char *what; /* what the case proves */
    const char *text;
    const char *entries; /* entries_string() afterwards */
    const char *diags;   /* diags_string(): empty means success */
};

static void run_cases(const struct parse_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct parse_case *c = &cases[i];
        int rc;

        xlcfg_diags_init(&diags);
        rc = xlcfg_parse(&cfg, c->text, strlen(c->text), &diags);
        if (strcmp(entries_string(), c->entries) || strcmp(diags_string(), c->diags) ||
            rc != (*c->diags ? -EINVAL : 0))
            fail_msg("%s\n  text:    '%s'\n  entries: %s\n  wanted:  %s\n  diags:   %s"
                     "  wanted:  %s  rc: %d",
                     c->what, c->text, entries_string(), c->entries, diags_string(), c->diags, rc);
    }
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* What a file may look like: every grammar rule that succeeds. */
static void test_grammar(void **state)
{
    static const struct parse_case cases[] = {
        {"empty text: no entries", "", "", ""},
        {"only blank lines, blanks and comments", "\n  \t\n# a comment\n   # indented\n", "", ""},
        {"double-quoted string", "name = \"web\"", "name@1=\"web\"; ", ""},
        {"single-quoted string", "name='web'\n", "name@1=\"web\"; ", ""},
        {"no blanks around '='", "name=\"a\"", "name@1=\"a\"; ", ""},
        {"empty string", "extra = ''", "extra@1=\"\"; ", ""},
        {"the other quote inside a string is plain", "a = \"it's\"\nb = 'say \"hi\"'",
         "a@1=\"it's\"; b@2=\"say \"hi\"\"; ", ""},
        {"'#' inside a string is not a comment", "a = \"x # y\" # real comment", "a@1=\"x # y\"; ",
         ""},
        {"decimal number", "memory = 512", "memory@1=#512; ", ""},
        {"hex number, either x and case", "a = 0x1F\nb = 0XfF", "a@1=#31; b@2=#255; ", ""},
        {"a leading 0 is octal, as xl's strtol", "a = 010\nb = 0", "a@1=#8; b@2=#0; ", ""},
        {"largest number", "a = 18446744073709551615\nb = 0xffffffffffffffff",
         "a@1=#18446744073709551615; b@2=#18446744073709551615; ", ""},
        {"trailing ';' ends a statement", "a = 1;\nb = 2 ;", "a@1=#1; b@2=#2; ", ""},
        {"';' separates statements on one line", "a = 1; b = 'x';c=3",
         "a@1=#1; b@1=\"x\"; c@1=#3; ", ""},
        {"empty statements are allowed", ";;\na = 1;;", "a@2=#1; ", ""},
        {"keys: letters, digits, '_' and '.'", "_a.b_9 = 1\nCPU_weight = 2",
         "_a.b_9@1=#1; CPU_weight@2=#2; ", ""},
        {"no newline at the end of the file", "a = 1\nb = 2", "a@1=#1; b@2=#2; ", ""},
        {"CRLF line ends", "a = 1\r\nb = 'x'\r\n", "a@1=#1; b@2=\"x\"; ", ""},
        {"a later assignment replaces the value and the line", "a = 1\nb = 2\na = 'x'",
         "a@3=\"x\"; b@2=#2; ", ""},
        {"replacing a list by a number", "a = [1]\na = 2", "a@2=#2; ", ""},
    };

    (void)state;
    RUN(cases);
}

/* Lists: spanning lines, comments inside, trailing commas, mixed atoms. */
static void test_lists(void **state)
{
    static const struct parse_case cases[] = {
        {"empty list", "vif = []", "vif@1=[]; ", ""},
        {"empty list with blanks and newlines", "vif = [ \n\n ]\nx = 1", "vif@1=[]; x@4=#1; ", ""},
        {"one item", "disk = ['a']", "disk@1=[\"a\"]; ", ""},
        {"items of both kinds", "a = [ 'x', 2, \"y\" ]", "a@1=[\"x\",#2,\"y\"]; ", ""},
        {"trailing comma", "a = ['x', 'y',]", "a@1=[\"x\",\"y\"]; ", ""},
        {"a list spans lines; the entry keeps the key's line, the next entry its own",
         "a = [\n  'x',\n  'y'\n]\nb = 1", "a@1=[\"x\",\"y\"]; b@5=#1; ", ""},
        {"comments inside a list", "a = [ # first\n 'x', # the x\n # alone\n 'y' ] # end",
         "a@1=[\"x\",\"y\"]; ", ""},
        {"the comma may start the next line", "a = [ 'x'\n , 'y' ]", "a@1=[\"x\",\"y\"]; ", ""},
    };

    (void)state;
    RUN(cases);
}

/* Escapes in strings, as xl's dequoting, in both kinds of quotes. */
static void test_escapes(void **state)
{
    static const struct parse_case cases[] = {
        {"quotes and backslash", "a = \"\\\"\\'\\\\\"", "a@1=\"\"'\\\"; ", ""},
        {"single quotes use the same escapes", "a = 'it\\'s'", "a@1=\"it's\"; ", ""},
        {"\\x with two hex digits", "a = '\\x41\\x7a'", "a@1=\"Az\"; ", ""},
        {"octal, one to three digits", "a = '\\101\\60x\\0601'", "a@1=\"A0x01\"; ", ""},
        {"control escapes reach the value", "a = 'x\\ty'", "a@1=\"x\ty\"; ", ""},
        {"\\x needs two digits", "a = '\\x4'", "", "E1:6 escape '\\x' needs two hex digits\n"},
        {"unknown escape", "a = 'x\\q'", "",
         "E1:7 unknown escape: backslash then 'q' (known: \\\" \\' \\\\ \\a \\b \\f \\n \\r \\t "
         "\\v \\xHH \\ooo)\n"},
        {"an escaped NUL is refused", "a = '\\0'", "",
         "E1:6 a string cannot hold a NUL character\n"},
        {"\\x00 is refused too", "a = \"\\x00\"", "",
         "E1:6 a string cannot hold a NUL character\n"},
        {"octal above 255", "a = '\\400'", "", "E1:6 octal escape above \\377\n"},
        {"a backslash at the end of a line does not continue the string", "a = 'x\\\nb = 1'", "",
         "E1:5 unterminated string (strings end on their line)\n"},
    };

    (void)state;
    RUN(cases);
}

/* '+=' appends to strings and lists, as xl's, and nothing else. */
static void test_append(void **state)
{
    static const struct parse_case cases[] = {
        {"strings join", "extra = 'a'\nextra += ' b'", "extra@2=\"a b\"; ", ""},
        {"lists join in order", "vif = ['a']\nvif += ['b', 'c']", "vif@2=[\"a\",\"b\",\"c\"]; ",
         ""},
        {"a list that is not the last one is moved, others stay",
         "a = [1]\nb = [2]\na += [3]\nb += [4]", "a@3=[#1,#3]; b@4=[#2,#4]; ", ""},
        {"appending an empty list", "a = [1]\na += []", "a@2=[#1]; ", ""},
        {"without an earlier value, += is =", "extra += 'x'", "extra@1=\"x\"; ", ""},
        {"no blank between + and = needed on the key side", "a='x'\na+='y'", "a@2=\"xy\"; ", ""},
        {"numbers cannot be added", "a = 1\na += 2", "a@1=#1; ",
         "E2:6 '+=' works on strings and lists, not numbers\n"},
        {"nor added to", "a = 1\na += 'x'", "a@1=#1; ",
         "E2:6 '+=' works on strings and lists, not numbers\n"},
        {"a number += on an unset key", "a += 2", "",
         "E1:6 '+=' works on strings and lists, not numbers\n"},
        {"a list to a string", "a = 'x'\na += ['y']", "a@1=\"x\"; ",
         "E2:6 '+=' cannot add a list to a string or a string to a list\n"},
        {"a string to a list", "a = ['x']\na += 'y'", "a@1=[\"x\"]; ",
         "E2:6 '+=' cannot add a list to a string or a string to a list\n"},
        {"'+' alone is not an operator", "a + = 1", "",
         "E1:3 expected '=' after the key, found '+'\n"},
    };

    (void)state;
    RUN(cases);
}

/* Every syntax error: message, line and column; parsing stops there. */
static void test_errors(void **state)
{
    static const struct parse_case cases[] = {
        {"no '='", "name 'x'", "", "E1:6 expected '=' after the key, found '''\n"},
        {"a key alone on its line", "a = 1\nname\nb = 2", "a@1=#1; ",
         "E2:5 expected '=' after the key, found the end of the line\n"},
        {"no value before the end of the line", "name =\n", "",
         "E1:7 expected a value (a \"string\", a number or a [list]), found the end of the line\n"},
        {"no value at the end of the file", "name = ", "",
         "E1:8 expected a value (a \"string\", a number or a [list]), found the end of the file\n"},
        {"no value before a comment", "name = # x", "",
         "E1:8 expected a value (a \"string\", a number or a [list]), found '#'\n"},
        {"a statement must start with a key", "= 1", "",
         "E1:1 expected a key (KEY = VALUE), found '='\n"},
        {"a key cannot start with a digit", "9a = 1", "",
         "E1:1 expected a key (KEY = VALUE), found '9'\n"},
        {"unquoted words are not values", "on_crash = destroy", "",
         "E1:12 unquoted text 'destroy': strings need quotes\n"},
        {"unterminated string at the end of the line", "a = 1\nname = \"web\nb = 2", "a@1=#1; ",
         "E2:8 unterminated string (strings end on their line)\n"},
        {"unterminated string at the end of the file", "name = 'web", "",
         "E1:8 unterminated string (strings end on their line)\n"},
        {"junk after a value", "a = 'x' 'y'", "",
         "E1:9 expected the end of the line or ';' after the value, found '''\n"},
        {"junk after a number", "a = 1 2", "",
         "E1:7 expected the end of the line or ';' after the value, found '2'\n"},
        {"not a number: letters after digits", "a = 12ab", "",
         "E1:5 invalid number '12ab' (decimal, 0x hex or 0 octal integers)\n"},
        {"not a number: a fraction", "a = 1.5", "",
         "E1:5 invalid number '1.5' (decimal, 0x hex or 0 octal integers)\n"},
        {"not a number: 8 in octal", "a = 08", "",
         "E1:5 invalid number '08' (decimal, 0x hex or 0 octal integers)\n"},
        {"not a number: 0x alone", "a = 0x", "",
         "E1:5 invalid number '0x' (decimal, 0x hex or 0 octal integers)\n"},
        {"no sign", "a = -1", "",
         "E1:5 expected a value (a \"string\", a number or a [list]), found '-'\n"},
        {"one past the largest number", "a = 18446744073709551616", "",
         "E1:5 number '18446744073709551616' is too large (max 2^64-1)\n"},
        {"hex past 64 bits", "a = 0x10000000000000000", "",
         "E1:5 number '0x10000000000000000' is too large (max 2^64-1)\n"},
        {"unterminated list, reported at its '['", "a = 1\nvif = [ 'x',\n 'y'\n", "a@1=#1; ",
         "E2:7 unterminated list: '[' without ']' (the file ends on line 4)\n"},
        {"missing comma between items", "a = [ 'x' 'y' ]", "",
         "E1:11 expected ',' or ']' in the list, found '''\n"},
        {"two commas", "a = [ 'x',, 'y' ]", "",
         "E1:11 expected a value (a \"string\", a number or a [list]), found ','\n"},
        {"nested lists", "a = [ [1] ]", "", "E1:7 nested lists are not supported\n"},
        {"a control byte", "a = 1\n\001", "a@1=#1; ",
         "E2:1 expected a key (KEY = VALUE), found byte 0x01\n"},
        {"a non-ASCII byte outside strings", "a = \xc3\xa9", "",
         "E1:5 expected a value (a \"string\", a number or a [list]), found byte 0xc3\n"},
        {"non-ASCII bytes inside strings are kept", "a = '\xc3\xa9'", "a@1=\"\xc3\xa9\"; ", ""},
        {"the first error stops the parse", "a = 'x\nb = 'y", "",
         "E1:5 unterminated string (strings end on their line)\n"},
    };

    (void)state;
    RUN(cases);
}

/* A NUL byte anywhere is an error with its place; NULL text is empty. */
static void test_nul_and_null(void **state)
{
    static const char text[] = "a = 1\nb = '\0'";

    (void)state;
    xlcfg_diags_init(&diags);
    assert_int_equal(xlcfg_parse(&cfg, text, sizeof(text) - 1, &diags), -EINVAL);
    assert_string_equal(diags_string(), "E2:6 NUL byte in the file\n");
    xlcfg_diags_init(&diags);
    assert_int_equal(xlcfg_parse(&cfg, NULL, 0, &diags), 0);
    assert_int_equal(cfg.nr_entries, 0);
    /* len is what counts: a text cut in the middle of a string is unterminated. */
    xlcfg_diags_init(&diags);
    assert_int_equal(xlcfg_parse(&cfg, "a = 'xyz' ", 7, &diags), -EINVAL);
}

/* Appends n copies of c. */
static char *fill(char *p, char c, size_t n)
{
    memset(p, c, n);
    return p + n;
}

static int parse_big(size_t len)
{
    xlcfg_diags_init(&diags);
    return xlcfg_parse(&cfg, big, len, &diags);
}

/* Keys and strings: the longest that fit, and one more. */
static void test_limits_key_and_string(void **state)
{
    char *p;

    (void)state;
    p = fill(big, 'k', XLCFG_KEY_MAX);
    p += sprintf(p, " = 1");
    assert_int_equal(parse_big((size_t)(p - big)), 0); /* a 64-character key fits */
    assert_int_equal(strlen(cfg.entries[0].key), XLCFG_KEY_MAX);

    p = fill(big, 'k', XLCFG_KEY_MAX + 1);
    p += sprintf(p, " = 1");
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL); /* 65 do not */
    assert_string_equal(diags_string(), "E1:1 key longer than 64 characters\n");

    p = big + sprintf(big, "a = '");
    p = fill(p, 's', XLCFG_STRING_MAX);
    p += sprintf(p, "'");
    assert_int_equal(parse_big((size_t)(p - big)), 0); /* a 1024-character string fits */
    assert_int_equal(strlen(cfg.entries[0].atom.str), XLCFG_STRING_MAX);

    p = big + sprintf(big, "a = '");
    p = fill(p, 's', XLCFG_STRING_MAX + 1);
    p += sprintf(p, "'");
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL); /* 1025 do not */
    assert_string_equal(diags_string(), "E1:5 string longer than 1024 characters\n");

    /* '+=' to exactly 1024 fits; one more does not. */
    p = big + sprintf(big, "a = '");
    p = fill(p, 's', 1000);
    p += sprintf(p, "'\na += '");
    p = fill(p, 't', 24);
    p += sprintf(p, "'");
    assert_int_equal(parse_big((size_t)(p - big)), 0);
    assert_int_equal(strlen(cfg.entries[0].atom.str), XLCFG_STRING_MAX);
    p += sprintf(p, "\na += 'u'");
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL);
    assert_string_equal(diags_string(), "E3:6 string longer than 1024 characters after '+='\n");
}

/* Lists: 32 items fit, 33 do not, directly or through '+='. */
static void test_limits_list(void **state)
{
    char *p;
    int i;

    (void)state;
    p = big + sprintf(big, "a = [");
    for (i = 0; i < XLCFG_LIST_MAX; i++)
        p += sprintf(p, "%d,", i);
    p += sprintf(p, "]");
    assert_int_equal(parse_big((size_t)(p - big)), 0);
    assert_int_equal(cfg.entries[0].nr_items, XLCFG_LIST_MAX);
    assert_int_equal(cfg.entries[0].items[31].num, 31);

    p = big + sprintf(big, "a = [");
    for (i = 0; i <= XLCFG_LIST_MAX; i++)
        p += sprintf(p, "%d,", i);
    p += sprintf(p, "]");
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL);
    assert_string_equal(diags_string(), "E1:92 list longer than 32 items\n");

    p = big + sprintf(big, "a = [");
    for (i = 0; i < XLCFG_LIST_MAX; i++)
        p += sprintf(p, "%d,", i);
    p += sprintf(p, "]\na += [1]");
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL);
    assert_string_equal(diags_string(), "E2:6 list longer than 32 items after '+='\n");
}

/* 128 keys fit, 129 do not; the value pool and the item array run out
 * with an error, not an overflow (ASan watches the writes). */
static void test_limits_totals(void **state)
{
    char *p = big;
    int i, j;

    (void)state;
    for (i = 0; i < XLCFG_MAX_ENTRIES; i++)
        p += sprintf(p, "k%d = %d\n", i, i);
    assert_int_equal(parse_big((size_t)(p - big)), 0);
    assert_int_equal(cfg.nr_entries, XLCFG_MAX_ENTRIES);
    p += sprintf(p, "k0 = 'again'\n"); /* an old key still fits */
    assert_int_equal(parse_big((size_t)(p - big)), 0);
    p += sprintf(p, "one_more = 1\n");
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL);
    assert_string_equal(diags_string(), "E130:1 more than 128 keys in one file\n");

    /* 40 strings of 1000 bytes: more than the 32 KiB pool. */
    for (p = big, i = 0; i < 40; i++) {
        p += sprintf(p, "s%d = '", i);
        p = fill(p, 'x', 1000);
        p += sprintf(p, "'\n");
    }
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL);
    assert_string_equal(diags_string(),
                        "E33:7 configuration too large: its values need more than 32768 bytes\n");
    assert_true(cfg.pool_used <= XLCFG_POOL_SIZE);

    /* 17 full lists: more than 512 items in all. */
    for (p = big, i = 0; i < 17; i++) {
        p += sprintf(p, "l%d = [", i);
        for (j = 0; j < XLCFG_LIST_MAX; j++)
            p += sprintf(p, "%d,", j);
        p += sprintf(p, "]\n");
    }
    assert_int_equal(parse_big((size_t)(p - big)), -EINVAL);
    assert_string_equal(diags_string(),
                        "E17:8 configuration too large: more than 512 list items in all\n");
    assert_int_equal(cfg.nr_atoms, XLCFG_MAX_ITEMS);
}

/* Numbers keep their text; lookups; the diagnostics' own limits. */
static void test_helpers(void **state)
{
    char num[XLCFG_NUM_BUF];
    uint64_t v = 7;
    int i;

    (void)state;
    xlcfg_diags_init(&diags);
    assert_int_equal(xlcfg_parse(&cfg, "a = 010\nb = 0x1f\nc = 'x'", 24, &diags), 0);
    assert_string_equal(xlcfg_find(&cfg, "a")->atom.str, "010"); /* text as written */
    assert_string_equal(xlcfg_find(&cfg, "b")->atom.str, "0x1f");
    assert_int_equal(xlcfg_find(&cfg, "c")->atom.column, 5);
    assert_null(xlcfg_find(&cfg, "d"));
    assert_int_equal(xlcfg_line(&cfg, "b"), 2);
    assert_int_equal(xlcfg_line(&cfg, "d"), 0);

    assert_int_equal(xlcfg_parse_number("", 0, &v), -EINVAL);
    assert_int_equal(xlcfg_parse_number("12", 1, &v), 0); /* only len bytes count */
    assert_int_equal(v, 1);
    assert_string_equal(xlcfg_u64_str(num, 0), "0");
    assert_string_equal(xlcfg_u64_str(num, UINT64_MAX), "18446744073709551615");

    /* More diagnostics than kept: all counted, the first 32 kept. */
    xlcfg_diags_init(&diags);
    for (i = 0; i < XLCFG_MAX_DIAGS + 5; i++)
        xlcfg_diag_add(&diags, i % 2 ? XLCFG_WARNING : XLCFG_ERROR, (unsigned int)i, 0, "m");
    assert_int_equal(diags.nr, XLCFG_MAX_DIAGS);
    assert_int_equal(diags.nr_errors + diags.nr_warnings, XLCFG_MAX_DIAGS + 5);
    /* A message longer than its buffer is cut, still terminated. */
    memset(big, 'm', 400);
    big[400] = '\0';
    xlcfg_diags_init(&diags);
    xlcfg_diag_add(&diags, XLCFG_ERROR, 1, 0, "a", big, "b");
    assert_int_equal(strlen(diags.diag[0].message), XLCFG_MSG_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grammar),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nul_and_null),
        cmocka_unit_test(test_limits_key_and_string),
        cmocka_unit_test(test_limits_list),
        cmocka_unit_test(test_limits_totals),
        cmocka_unit_test(test_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
