/* SPDX-License-Identifier: MIT */
/*
 * The xl.cfg parser's domain layer (hypervisor/lib/xlcfg_domain.c),
 * table-driven: each case is a file, the domain fields it must produce
 * (each "|key=value|" must appear in the dumped domain) and the exact
 * diagnostics. Defaults, every key, every action, xl's cmdline rules,
 * type checks, ranges and the warnings for unknown and unsupported keys.
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
static struct xlcfg_domain dom;

/* The smallest valid file: xl needs a name, a PV guest a kernel. */
#define OK "name = 'd'\nkernel = 'k'\n"

static const char *dom_string(void)
{
    static char buf[4096];

    snprintf(buf, sizeof(buf),
             "|name=%s|kernel=%s|ramdisk=%s|cmdline=%s|memory=%llu|maxmem=%llu|vcpus=%u"
             "|maxvcpus=%u|weight=%u|cap=%u|on_poweroff=%s|on_reboot=%s|on_watchdog=%s"
             "|on_crash=%s|on_soft_reset=%s|cpus=%llx|cpus_soft=%llx|",
             dom.name, dom.kernel, dom.ramdisk, dom.cmdline, (unsigned long long)dom.memory_mib,
             (unsigned long long)dom.maxmem_mib, dom.vcpus, dom.maxvcpus, dom.weight, dom.cap,
             xlcfg_action_name(dom.on_poweroff), xlcfg_action_name(dom.on_reboot),
             xlcfg_action_name(dom.on_watchdog), xlcfg_action_name(dom.on_crash),
             xlcfg_action_name(dom.on_soft_reset), (unsigned long long)dom.cpus,
             (unsigned long long)dom.cpus_soft);
    return buf;
}

static const char *diags_string(void)
{
    return xlcfg_diags_text(&diags, false);
}

struct domain_case {
    const char *what; /* what the case proves */
    const char *text;
    const char *fields; /* "a=1|b=2": each must appear in dom_string() */
    const char *diags;  /* "E<line> message\n" each; rc is -EINVAL iff an E is there */
};

/* Each '|'-separated field of want must be one of the dump's fields. */
static const char *missing_field(const char *want)
{
    static char field[1200];
    const char *p = want, *bar;

    while (*p) {
        bar = strchr(p, '|');
        snprintf(field, sizeof(field), "|%.*s|", (int)(bar ? bar - p : (long)strlen(p)), p);
        if (!strstr(dom_string(), field))
            return field;
        p = bar ? bar + 1 : p + strlen(p);
    }
    return NULL;
}

static void run_cases(const struct domain_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct domain_case *c = &cases[i];
        const char *missing;
        int rc;

        xlcfg_diags_init(&diags);
        rc = xlcfg_parse_domain(&dom, &cfg, c->text, strlen(c->text), &diags);
        missing = missing_field(c->fields);
        if (missing || strcmp(diags_string(), c->diags) ||
            rc != (strchr(c->diags, 'E') == c->diags || strstr(c->diags, "\nE") ? -EINVAL : 0))
            fail_msg("%s\n  text:   '%s'\n  domain: %s\n  lacks:  %s\n  diags:  %s  wanted: %s"
                     "  rc: %d",
                     c->what, c->text, dom_string(), missing ? missing : "-", diags_string(),
                     c->diags, rc);
    }
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* Defaults as xl's, and every supported key set once. */
static void test_defaults_and_keys(void **state)
{
    static const struct domain_case cases[] = {
        {"defaults: libxl's 32 MiB, 1 vCPU, weight 256, no cap, xl's actions", OK,
         "name=d|kernel=k|ramdisk=|cmdline=|memory=32|maxmem=32|vcpus=1|maxvcpus=1|weight=256"
         "|cap=0|on_poweroff=destroy|on_reboot=restart|on_watchdog=destroy|on_crash=destroy"
         "|on_soft_reset=soft-reset",
         ""},
        {"every supported key",
         "name = 'web'\nkernel = '/boot/vmlinuz'\nramdisk = '/boot/initrd.img'\n"
         "cmdline = 'console=hvc0'\nmemory = 512\nmaxmem = 1024\nvcpus = 2\nmaxvcpus = 4\n"
         "cpu_weight = 512\ncap = 150\non_poweroff = 'preserve'\non_reboot = 'destroy'\n"
         "on_watchdog = 'restart'\non_crash = 'coredump-destroy'\non_soft_reset = 'destroy'\n"
         "type = 'pv'\n",
         "name=web|kernel=/boot/vmlinuz|ramdisk=/boot/initrd.img|cmdline=console=hvc0"
         "|memory=512|maxmem=1024|vcpus=2|maxvcpus=4|weight=512|cap=150|on_poweroff=preserve"
         "|on_reboot=destroy|on_watchdog=restart|on_crash=coredump-destroy"
         "|on_soft_reset=destroy",
         ""},
        {"maxmem defaults to memory", OK "memory = 256", "memory=256|maxmem=256", ""},
        {"maxvcpus defaults to vcpus", OK "vcpus = 3", "vcpus=3|maxvcpus=3", ""},
        {"weight is accepted as a synonym of cpu_weight", OK "weight = 64", "weight=64", ""},
        {"of weight and cpu_weight the later wins", OK "weight = 64\ncpu_weight = 128",
         "weight=128", ""},
        {"numbers may be quoted, as xl reads them", OK "memory = '0x100'\nvcpus = \"2\"",
         "memory=256|vcpus=2", ""},
        {"a number may stand for a string", "name = 42\nkernel = 'k'", "name=42", ""},
        {"the later assignment wins", OK "memory = 64\nmemory = 128", "memory=128", ""},
        {"builder = 'generic' is the old spelling of PV", OK "builder = 'generic'", "name=d", ""},
        {"extremes that fit", OK "memory = 16777216\nvcpus = 4096\nweight = 65535\ncap = 409600",
         "memory=16777216|vcpus=4096|weight=65535|cap=409600", ""},
        {"cap 0 is no cap; cap up to 100 per vCPU", OK "vcpus = 2\ncap = 200", "cap=200", ""},
    };

    (void)state;
    RUN(cases);
}

/* Each action keyword, on each of the five keys. */
static void test_actions(void **state)
{
    static const struct domain_case cases[] = {
        {"destroy", OK "on_reboot = 'destroy'", "on_reboot=destroy", ""},
        {"restart", OK "on_poweroff = 'restart'", "on_poweroff=restart", ""},
        {"rename-restart", OK "on_crash = 'rename-restart'", "on_crash=rename-restart", ""},
        {"preserve", OK "on_watchdog = 'preserve'", "on_watchdog=preserve", ""},
        {"coredump-destroy", OK "on_crash = 'coredump-destroy'", "on_crash=coredump-destroy", ""},
        {"coredump-restart", OK "on_crash = 'coredump-restart'", "on_crash=coredump-restart", ""},
        {"soft-reset", OK "on_soft_reset = 'soft-reset'\non_poweroff = 'soft-reset'",
         "on_soft_reset=soft-reset|on_poweroff=soft-reset", ""},
        {"an unknown action", OK "on_crash = 'reboot'", "on_crash=destroy",
         "E3 'on_crash' must be destroy, restart, rename-restart, preserve, coredump-destroy, "
         "coredump-restart or soft-reset, not 'reboot'\n"},
        {"actions are case-sensitive, as xl's", OK "on_reboot = 'Restart'", "",
         "E3 'on_reboot' must be destroy, restart, rename-restart, preserve, coredump-destroy, "
         "coredump-restart or soft-reset, not 'Restart'\n"},
        {"an action as a list", OK "on_poweroff = ['destroy']", "",
         "E3 'on_poweroff' must be a string, not a list\n"},
    };

    (void)state;
    RUN(cases);
    assert_string_equal(xlcfg_action_name((enum xlcfg_action)99), "?");
}

#define CPULIST_ERR                                                                                \
    "' must be 'all' or pCPUs 0-63 as N, N-M and ^N joined by ',' (and name one"                   \
    " at least), not "

/* cpus and cpus_soft: xl's CPU lists, as bitmaps; all pCPUs when not set. */
static void test_cpu_lists(void **state)
{
    static const struct domain_case cases[] = {
        {"not set: every pCPU", OK, "cpus=ffffffffffffffff|cpus_soft=ffffffffffffffff", ""},
        {"one pCPU", OK "cpus = '2'", "cpus=4", ""},
        {"ranges and single pCPUs", OK "cpus = '0-3,8,10-11'", "cpus=d0f", ""},
        {"^ takes pCPUs out again", OK "cpus = '0-7,^3,^5-6'", "cpus=97", ""},
        {"all", OK "cpus_soft = 'all'", "cpus_soft=ffffffffffffffff", ""},
        {"the last pCPU of the bitmap", OK "cpus = '60-63'", "cpus=f000000000000000", ""},
        {"past the bitmap", OK "cpus = '64'", "", "E3 'cpus" CPULIST_ERR "'64'\n"},
        {"a range backwards", OK "cpus = '3-1'", "", "E3 'cpus" CPULIST_ERR "'3-1'\n"},
        {"nothing left", OK "cpus_soft = '1,^1'", "", "E3 'cpus_soft" CPULIST_ERR "'1,^1'\n"},
        {"NUMA nodes are not understood", OK "cpus = 'nodes:0'", "",
         "E3 'cpus" CPULIST_ERR "'nodes:0'\n"},
        {"a trailing comma", OK "cpus = '1,'", "", "E3 'cpus" CPULIST_ERR "'1,'\n"},
        {"a per-vCPU list is not read yet", OK "cpus = ['1', '2']", "",
         "E3 'cpus' must be a string, not a list\n"},
    };

    (void)state;
    RUN(cases);
}

/* xl builds the command line from cmdline, or from root and extra. */
static void test_cmdline(void **state)
{
    static const struct domain_case cases[] = {
        {"cmdline alone", OK "cmdline = 'a b'", "cmdline=a b", ""},
        {"root and extra: root=ROOT EXTRA", OK "root = '/dev/xvda1 ro'\nextra = 'quiet'",
         "cmdline=root=/dev/xvda1 ro quiet", ""},
        {"root alone: root=ROOT", OK "root = '/dev/xvda1'", "cmdline=root=/dev/xvda1", ""},
        {"extra alone: EXTRA", OK "extra = 'console=hvc0'", "cmdline=console=hvc0", ""},
        {"extra with '+=', as people write it", OK "extra = 'a'\nextra += ' b'", "cmdline=a b", ""},
        {"cmdline wins over root and extra, with a warning at root's line",
         OK "root = 'r'\nextra = 'x'\ncmdline = 'c'", "cmdline=c",
         "W3 ignoring 'root' and 'extra' in favour of 'cmdline'\n"},
        {"... or at extra's line when there is no root", OK "extra = 'x'\ncmdline = 'c'",
         "cmdline=c", "W3 ignoring 'root' and 'extra' in favour of 'cmdline'\n"},
        {"a control character (here a newline escape) is refused", OK "cmdline = 'a\\nb'", "",
         "E3 'cmdline' contains a control character\n"},
        {"a tab too", OK "extra = 'a\\tb'", "", "E3 'extra' contains a control character\n"},
        {"cmdline as a list", OK "cmdline = ['a']", "",
         "E3 'cmdline' must be a string, not a list\n"},
    };

    (void)state;
    RUN(cases);
}

/* Only PV guests: type and the older builder key. */
static void test_type(void **state)
{
    static const struct domain_case cases[] = {
        {"type pv", OK "type = 'pv'", "name=d", ""},
        {"type hvm", OK "type = 'hvm'", "", "E3 only PV guests are supported (type = 'hvm')\n"},
        {"type pvh", OK "type = \"pvh\"", "", "E3 only PV guests are supported (type = 'pvh')\n"},
        {"an unknown type", OK "type = 'kvm'", "", "E3 'type' must be pv, pvh or hvm, not 'kvm'\n"},
        {"builder hvm", OK "builder = 'hvm'", "",
         "E3 only PV guests are supported (builder = 'hvm')\n"},
        {"an unknown builder", OK "builder = 'x'", "",
         "E3 'builder' must be generic or hvm, not 'x'\n"},
    };

    (void)state;
    RUN(cases);
}

/* Numbers: types, ranges and the checks between keys. */
static void test_numbers(void **state)
{
    static const struct domain_case cases[] = {
        {"memory as a word", OK "memory = 'lots'", "memory=32",
         "E3 'memory' must be a number, not 'lots'\n"},
        {"memory as a list", OK "memory = [512]", "", "E3 'memory' must be a number, not a list\n"},
        {"memory 0", OK "memory = 0", "", "E3 'memory' must be at least 1\n"},
        {"memory above 16 TiB", OK "memory = 16777217", "",
         "E3 'memory' must be at most 16777216\n"},
        {"maxmem below memory", OK "memory = 512\nmaxmem = 256", "",
         "E4 maxmem (256 MiB) is less than memory (512 MiB)\n"},
        {"vcpus 0", OK "vcpus = 0", "", "E3 'vcpus' must be at least 1\n"},
        {"vcpus above the limit", OK "vcpus = 4097", "", "E3 'vcpus' must be at most 4096\n"},
        {"maxvcpus below vcpus, as xl refuses", OK "vcpus = 4\nmaxvcpus = 2", "",
         "E4 maxvcpus (2) is less than vcpus (4)\n"},
        {"weight 0", OK "cpu_weight = 0", "", "E3 'cpu_weight' must be at least 1\n"},
        {"weight above 65535", OK "weight = 65536", "", "E3 'weight' must be at most 65535\n"},
        {"cap above 100 per vCPU", OK "cap = 101", "", "E3 cap 101 is above 100 per vCPU (100)\n"},
        {"a wrong value leaves the default and the next keys still apply",
         OK "vcpus = 'x'\nmemory = 64", "vcpus=1|memory=64",
         "E3 'vcpus' must be a number, not 'x'\n"},
        {"a long word is cut in the message",
         OK "memory = '0123456789012345678901234567890123456789z'", "",
         "E3 'memory' must be a number, not '0123456789012345678901234567890123456789...'\n"},
    };

    (void)state;
    RUN(cases);
}

/* Names and paths: required, not empty, within their fields. */
static void test_strings(void **state)
{
    static const struct domain_case cases[] = {
        {"no name, no kernel: two errors about the whole file", "memory = 64", "",
         "E0 missing 'name' (every domain needs a name)\n"
         "E0 missing 'kernel' (a PV guest boots from a kernel image)\n"},
        {"an empty name", "name = ''\nkernel = 'k'", "", "E1 'name' is empty\n"},
        {"an empty kernel", "name = 'd'\nkernel = \"\"", "", "E2 'kernel' is empty\n"},
        {"an empty ramdisk means none", OK "ramdisk = ''", "ramdisk=", ""},
        {"the longest name, 63 characters",
         "kernel = 'k'\nname = '012345678901234567890123456789012345678901234567890123456789012'",
         "name=012345678901234567890123456789012345678901234567890123456789012", ""},
        {"a name of 64 characters is too long",
         "kernel = 'k'\nname = '0123456789012345678901234567890123456789012345678901234567890123'",
         "", "E2 'name' is longer than the limit of 63\n"},
        {"kernel as a list", "name = 'd'\nkernel = ['k']", "",
         "E2 'kernel' must be a string, not a list\n"},
    };

    (void)state;
    RUN(cases);
}

/* Unknown and not-yet-supported keys warn, with their line, and the
 * domain is still good. */
static void test_warnings(void **state)
{
    static const struct domain_case cases[] = {
        {"an unknown key", OK "colour = 'blue'", "name=d", "W3 unknown key 'colour' (ignored)\n"},
        {"keys are case-sensitive", OK "Memory = 64", "memory=32",
         "W3 unknown key 'Memory' (ignored)\n"},
        {"devices xl knows", OK "vif = ['bridge=xenbr0']\ndisk = ['phy:/dev/vg/d,xvda,w']",
         "name=d",
         "W3 'vif' is not supported yet (ignored)\nW4 'disk' is not supported yet (ignored)\n"},
        {"other xl keys", OK "uuid = 'x'\nbootloader = 'pygrub'\nvif = []", "name=d",
         "W3 'uuid' is not supported yet (ignored)\n"
         "W4 'bootloader' is not supported yet (ignored)\n"
         "W5 'vif' is not supported yet (ignored)\n"},
        {"warnings and errors together, in file order", OK "foo = 1\nmemory = 0\nvif = []", "",
         "W3 unknown key 'foo' (ignored)\nE4 'memory' must be at least 1\n"
         "W5 'vif' is not supported yet (ignored)\n"},
    };

    (void)state;
    RUN(cases);
}

/* A syntax error ends it all: no domain checks on half a file. */
static void test_syntax_error_stops(void **state)
{
    static const char text[] = "name = 'd'\nmemory = 'x\n";

    (void)state;
    xlcfg_diags_init(&diags);
    assert_int_equal(xlcfg_parse_domain(&dom, &cfg, text, strlen(text), &diags), -EINVAL);
    assert_string_equal(diags_string(), "E2 unterminated string (strings end on their line)\n");
    assert_string_equal(dom.name, ""); /* only defaults */
    assert_int_equal(dom.memory_mib, 32);
}

/* fill() applies a file on top of what dom holds, and may be run with a
 * cfg parsed separately (as the hypervisor does with its own buffers). */
static void test_fill_separately(void **state)
{
    static const char text[] = OK "memory = 100";

    (void)state;
    xlcfg_diags_init(&diags);
    assert_int_equal(xlcfg_parse(&cfg, text, strlen(text), &diags), 0);
    xlcfg_domain_init(&dom);
    dom.vcpus = 3; /* a caller's own default survives keys that are absent */
    assert_int_equal(xlcfg_domain_fill(&dom, &cfg, &diags), 0);
    assert_int_equal(dom.memory_mib, 100);
    assert_int_equal(dom.vcpus, 3);
    assert_int_equal(dom.maxvcpus, 3);
    assert_int_equal(diags.nr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_keys),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_cpu_lists),
        cmocka_unit_test(test_cmdline),
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_syntax_error_stops),
        cmocka_unit_test(test_fill_separately),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
