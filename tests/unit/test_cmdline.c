/* SPDX-License-Identifier: MIT */
/*
 * The boot command-line parser, table-driven: each case is a command
 * line, the state of every option variable afterwards (printed as one
 * string, starting from known defaults) and the exact warnings raised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/cmdline.h>
#include <xenolith/errno.h>

static bool opt_selftest, opt_foo, opt_nothing;
static unsigned long opt_maxcpus, opt_mem;
static char opt_console[16], opt_sched[8];
static char loglvl_seen[300]; /* what the custom parser was given */

static int parse_loglvl(const char *value)
{
    snprintf(loglvl_seen, sizeof(loglvl_seen), "<%s>", value);
    return strcmp(value, "bogus") ? 0 : -EINVAL;
}

static const struct cmdline_option opts[] = {
    {"selftest", CMDLINE_BOOL, &opt_selftest, 0, NULL},
    {"foo", CMDLINE_BOOL, &opt_foo, 0, NULL},
    {"no-thing", CMDLINE_BOOL, &opt_nothing, 0, NULL},
    {"maxcpus", CMDLINE_UINT, &opt_maxcpus, 0, NULL},
    {"mem", CMDLINE_UINT, &opt_mem, 0, NULL},
    {"console", CMDLINE_STRING, opt_console, sizeof(opt_console), NULL},
    {"sched", CMDLINE_STRING, opt_sched, sizeof(opt_sched), NULL},
    {"loglvl", CMDLINE_CUSTOM, NULL, 0, parse_loglvl},
};

static char warnings[1024];

/* Records each warning as "option:why;" in order. */
static void record_warning(const char *option, const char *why)
{
    size_t len = strlen(warnings);

    snprintf(warnings + len, sizeof(warnings) - len, "%s:%s;", option, why);
}

static void reset(void)
{
    opt_selftest = false;
    opt_foo = true; /* so no-foo is visible */
    opt_nothing = false;
    opt_maxcpus = 999;
    opt_mem = 999;
    strcpy(opt_console, "orig");
    strcpy(opt_sched, "orig");
    loglvl_seen[0] = '\0';
    warnings[0] = '\0';
}

static const char *state_string(void)
{
    static char buf[512];

    snprintf(buf, sizeof(buf),
             "selftest=%d foo=%d nothing=%d maxcpus=%lu mem=%lu "
             "console=%s sched=%s loglvl=%s",
             opt_selftest, opt_foo, opt_nothing, opt_maxcpus, opt_mem, opt_console, opt_sched,
             loglvl_seen);
    return buf;
}

#define DEFAULTS "selftest=0 foo=1 nothing=0 maxcpus=999 mem=999 console=orig sched=orig loglvl="

struct cmdline_case {
    const char *what; /* what the case proves */
    const char *line;
    const char *state;  /* state_string() afterwards */
    const char *warned; /* warnings, "option:why;" each */
};

static void run_case(const struct cmdline_case *c)
{
    unsigned int n, expect_n = 0;
    const char *p;

    reset();
    n = cmdline_parse(c->line, opts, sizeof(opts) / sizeof(opts[0]), record_warning);
    for (p = c->warned; *p; p++)
        expect_n += *p == ';';
    if (strcmp(state_string(), c->state) || strcmp(warnings, c->warned) || n != expect_n)
        fail_msg("%s\n  line:   '%s'\n  state:  %s\n  wanted: %s\n  warned: %s (%u)\n"
                 "  wanted: %s (%u)",
                 c->what, c->line, state_string(), c->state, warnings, n, c->warned, expect_n);
}

static void run_table(const struct cmdline_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        run_case(&cases[i]);
}

#define S(selftest, foo, nothing, maxcpus, mem, console, sched, loglvl)                            \
    "selftest=" #selftest " foo=" #foo " nothing=" #nothing " maxcpus=" #maxcpus " mem=" #mem      \
    " console=" console " sched=" sched " loglvl=" loglvl

/* Whole lines: blanks, a typical Xen line, later tokens overriding earlier ones. */
static void test_lines(void **state)
{
    static const struct cmdline_case cases[] = {
        {"empty line: nothing set, nothing warned", "", DEFAULTS, ""},
        {"spaces and tabs only", " \t  \t", DEFAULTS, ""},
        {"a typical line sets every kind of option",
         "console=com1 maxcpus=4 sched=credit selftest loglvl=all no-foo",
         S(1, 0, 0, 4, 999, "com1", "credit", "<all>"), ""},
        {"tabs and runs of blanks separate tokens", "\tselftest\t\tmaxcpus=2   mem=3 ",
         S(1, 1, 0, 2, 3, "orig", "orig", ""), ""},
        {"the last of repeated options wins", "maxcpus=2 maxcpus=8 no-selftest selftest",
         S(1, 1, 0, 8, 999, "orig", "orig", ""), ""},
        {"a bad token does not stop the ones after it", "bar=1 maxcpus=x baz selftest",
         S(1, 1, 0, 999, 999, "orig", "orig", ""),
         "bar:unknown option;maxcpus:invalid number;baz:unknown option;"},
    };

    (void)state;
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* CMDLINE_BOOL: bare name, every accepted spelling, no- prefix, bad values. */
static void test_bool(void **state)
{
    static const struct cmdline_case cases[] = {
        {"bare name sets true", "selftest", S(1, 1, 0, 999, 999, "orig", "orig", ""), ""},
        {"1 and yes are true", "selftest=1 foo=0 foo=yes", S(1, 1, 0, 999, 999, "orig", "orig", ""),
         ""},
        {"on is true", "selftest=on", S(1, 1, 0, 999, 999, "orig", "orig", ""), ""},
        {"true is true", "selftest=true", S(1, 1, 0, 999, 999, "orig", "orig", ""), ""},
        {"0 is false", "foo=0", S(0, 0, 0, 999, 999, "orig", "orig", ""), ""},
        {"no is false", "foo=no", S(0, 0, 0, 999, 999, "orig", "orig", ""), ""},
        {"off is false", "foo=off", S(0, 0, 0, 999, 999, "orig", "orig", ""), ""},
        {"false is false", "foo=false", S(0, 0, 0, 999, 999, "orig", "orig", ""), ""},
        {"no-name sets false", "no-foo", S(0, 0, 0, 999, 999, "orig", "orig", ""), ""},
        {"an option named no-... matches exactly first", "no-thing",
         S(0, 1, 1, 999, 999, "orig", "orig", ""), ""},
        {"unknown word is refused, value kept", "foo=maybe", DEFAULTS, "foo:invalid boolean;"},
        {"empty value is refused", "foo=", DEFAULTS, "foo:invalid boolean;"},
        {"spellings are case-sensitive", "foo=NO", DEFAULTS, "foo:invalid boolean;"},
        {"no- with a value is refused", "no-foo=1", DEFAULTS, "no-foo:no- prefix takes no value;"},
        {"names are case-sensitive", "Selftest", DEFAULTS, "Selftest:unknown option;"},
    };

    (void)state;
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* CMDLINE_UINT: decimal, hex, suffixes, the 64-bit edge, malformed numbers. */
static void test_uint(void **state)
{
    static const struct cmdline_case cases[] = {
        {"decimal", "maxcpus=4", S(0, 1, 0, 4, 999, "orig", "orig", ""), ""},
        {"hex, either x", "maxcpus=0x10 mem=0X1f", S(0, 1, 0, 16, 31, "orig", "orig", ""), ""},
        {"a leading 0 is still decimal", "maxcpus=010", S(0, 1, 0, 10, 999, "orig", "orig", ""),
         ""},
        {"K suffix", "mem=2K", S(0, 1, 0, 999, 2048, "orig", "orig", ""), ""},
        {"m suffix, lower case", "mem=3m", S(0, 1, 0, 999, 3145728, "orig", "orig", ""), ""},
        {"G suffix", "mem=1G", S(0, 1, 0, 999, 1073741824, "orig", "orig", ""), ""},
        {"hex with a suffix", "mem=0x1k", S(0, 1, 0, 999, 1024, "orig", "orig", ""), ""},
        {"largest value", "maxcpus=18446744073709551615 mem=0xffffffffffffffff",
         S(0, 1, 0, 18446744073709551615, 18446744073709551615, "orig", "orig", ""), ""},
        {"largest value that a suffix still fits", "mem=17179869183G",
         S(0, 1, 0, 999, 18446744072635809792, "orig", "orig", ""), ""},
        {"one past the largest", "maxcpus=18446744073709551616", DEFAULTS,
         "maxcpus:number out of range;"},
        {"hex past 64 bits", "maxcpus=0x10000000000000000", DEFAULTS,
         "maxcpus:number out of range;"},
        {"suffix overflows", "mem=17179869184G", DEFAULTS, "mem:number out of range;"},
        {"no value", "maxcpus", DEFAULTS, "maxcpus:missing value;"},
        {"empty value", "maxcpus=", DEFAULTS, "maxcpus:invalid number;"},
        {"not a number", "maxcpus=abc", DEFAULTS, "maxcpus:invalid number;"},
        {"trailing junk", "maxcpus=12x", DEFAULTS, "maxcpus:invalid number;"},
        {"junk after the suffix", "maxcpus=4K4", DEFAULTS, "maxcpus:invalid number;"},
        {"no sign", "maxcpus=-1", DEFAULTS, "maxcpus:invalid number;"},
        {"0x without digits", "maxcpus=0x", DEFAULTS, "maxcpus:invalid number;"},
        {"a blank ends the token", "maxcpus= 4", DEFAULTS,
         "maxcpus:invalid number;4:unknown option;"},
        {"no- on a non-boolean", "no-maxcpus", DEFAULTS,
         "no-maxcpus:no- prefix on a non-boolean option;"},
    };

    (void)state;
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* CMDLINE_STRING and quoting: what fits, what does not, where quotes may go. */
static void test_string_and_quotes(void **state)
{
    static const struct cmdline_case cases[] = {
        {"plain value", "console=com1", S(0, 1, 0, 999, 999, "com1", "orig", ""), ""},
        {"empty value", "console=", S(0, 1, 0, 999, 999, "", "orig", ""), ""},
        {"no value", "console", DEFAULTS, "console:missing value;"},
        {"size - 1 characters fit", "sched=credit2", S(0, 1, 0, 999, 999, "orig", "credit2", ""),
         ""},
        {"size characters do not, value kept", "sched=credit22", DEFAULTS, "sched:value too long;"},
        {"split at the first =", "console=a=b", S(0, 1, 0, 999, 999, "a=b", "orig", ""), ""},
        {"quoted value keeps its blanks", "console=\"com1 com2\" selftest",
         S(1, 1, 0, 999, 999, "com1 com2", "orig", ""), ""},
        {"quotes anywhere in a token", "console=co\"m1 2\"3",
         S(0, 1, 0, 999, 999, "com1 23", "orig", ""), ""},
        {"a quoted whole token", "\"console=vga\"", S(0, 1, 0, 999, 999, "vga", "orig", ""), ""},
        {"empty quotes give an empty value", "console=\"\"", S(0, 1, 0, 999, 999, "", "orig", ""),
         ""},
        {"unterminated quote swallows the line and is refused", "console=\"vga selftest", DEFAULTS,
         "console:unterminated quote;"},
        {"an empty token names no option", "\"\" selftest",
         S(1, 1, 0, 999, 999, "orig", "orig", ""), ":unknown option;"},
    };

    (void)state;
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* CMDLINE_CUSTOM: the parser sees the value ("" without '='), its errors are warned. */
static void test_custom(void **state)
{
    static const struct cmdline_case cases[] = {
        {"value handed over", "loglvl=all", S(0, 1, 0, 999, 999, "orig", "orig", "<all>"), ""},
        {"no '=': the parser gets \"\"", "loglvl", S(0, 1, 0, 999, 999, "orig", "orig", "<>"), ""},
        {"parser refuses", "loglvl=bogus", S(0, 1, 0, 999, 999, "orig", "orig", "<bogus>"),
         "loglvl:invalid value;"},
        {"no- on a custom option", "no-loglvl", DEFAULTS,
         "no-loglvl:no- prefix on a non-boolean option;"},
    };

    (void)state;
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Unknown options are always warned, with their name, never applied. */
static void test_unknown(void **state)
{
    static const struct cmdline_case cases[] = {
        {"unknown bare option", "bar", DEFAULTS, "bar:unknown option;"},
        {"unknown option with a value", "bar=1", DEFAULTS, "bar:unknown option;"},
        {"no- on an unknown option", "no-bar", DEFAULTS, "no-bar:unknown option;"},
        {"value without a name", "=5", DEFAULTS, ":unknown option;"},
        {"a prefix of a name is not the name", "self", DEFAULTS, "self:unknown option;"},
    };

    (void)state;
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * Tokens longer than CMDLINE_MAX_TOKEN are warned (naming the option) and
 * not applied, nothing overflows, and parsing resumes after them; a token
 * of exactly CMDLINE_MAX_TOKEN characters is still fine.
 */
static void test_overlong(void **state)
{
    char line[600], expect[610];
    unsigned int n;

    (void)state;
    reset();
    snprintf(line, sizeof(line), "loglvl=%0*d", CMDLINE_MAX_TOKEN - 7, 0);
    assert_int_equal(strlen(line), CMDLINE_MAX_TOKEN);
    assert_int_equal(cmdline_parse(line, opts, 8, record_warning), 0);
    snprintf(expect, sizeof(expect), "<%s>", line + 7);
    assert_string_equal(loglvl_seen, expect);

    reset();
    snprintf(line, sizeof(line), "console=%0*d selftest", CMDLINE_MAX_TOKEN - 7, 0);
    n = cmdline_parse(line, opts, 8, record_warning);
    assert_int_equal(n, 1);
    assert_string_equal(warnings, "console:token too long;");
    assert_string_equal(opt_console, "orig");
    assert_true(opt_selftest);

    reset();
    memset(line, 'x', 400);
    line[400] = '\0';
    assert_int_equal(cmdline_parse(line, opts, 8, record_warning), 1);
    assert_int_equal(strlen(warnings), CMDLINE_MAX_TOKEN + strlen(":token too long;"));
}

/* A NULL line is empty; a NULL warn hook still gets the warnings counted. */
static void test_null_arguments(void **state)
{
    (void)state;
    reset();
    assert_int_equal(cmdline_parse(NULL, opts, 8, record_warning), 0);
    assert_int_equal(cmdline_parse("bar baz selftest", opts, 8, NULL), 2);
    assert_true(opt_selftest);
    assert_int_equal(cmdline_parse("selftest", NULL, 0, record_warning), 1);
    assert_string_equal(warnings, "selftest:unknown option;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),    cmocka_unit_test(test_bool),
        cmocka_unit_test(test_uint),     cmocka_unit_test(test_string_and_quotes),
        cmocka_unit_test(test_custom),   cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_overlong), cmocka_unit_test(test_null_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
