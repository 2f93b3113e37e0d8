/* SPDX-License-Identifier: MIT */
/*
 * Grouping boot modules into domains (hypervisor/common/boot_modules.c),
 * table-driven: each case is a list of module argument strings and the
 * plan it must give, written as "G<xlcfg>,<kernel>,<ramdisk>" per group
 * (-1 for none) and "S<index>" per stray module, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/boot_modules.h>

static struct boot_plan plan;

static const char *plan_string(void)
{
    static char buf[1024];
    size_t len = 0;
    unsigned int i;

    buf[0] = '\0';
    if (plan.xen_form)
        return "xen";
    for (i = 0; i < plan.nr_groups; i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "G%d,%d,%d ", plan.groups[i].xlcfg,
                                plan.groups[i].kernel, plan.groups[i].ramdisk);
    for (i = 0; i < plan.nr_stray; i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "S%u ", plan.stray[i]);
    return buf;
}

struct plan_case {
    const char *what;
    const char *args[BOOT_MAX_MODULES];
    const char *want;
};

static const struct plan_case plan_cases[] = {
    {"one module, Xen's form: no xlcfg word anywhere", {"console=hvc0 root=/dev/xvda"}, "xen"},
    {"kernel and ramdisk in Xen's form", {"", ""}, "xen"},
    {"the words kernel and ramdisk alone do not make the xlcfg form", {"kernel", "ramdisk"}, "xen"},
    {"dom0 alone", {"xlcfg name=dom0.cfg", "kernel"}, "G0,1,-1 "},
    {"dom0 with a ramdisk, a domU without",
     {"xlcfg name=a.cfg", "kernel", "ramdisk", "xlcfg name=b.cfg", "kernel"},
     "G0,1,2 G3,4,-1 "},
    {"blanks around the first word do not matter",
     {"  xlcfg\tname=a.cfg", " kernel ", "ramdisk extra words"},
     "G0,1,2 "},
    {"an xlcfg without a kernel: group kept, kernel none",
     {"xlcfg name=a.cfg", "xlcfg name=b.cfg", "kernel"},
     "G0,-1,-1 G1,2,-1 "},
    {"a ramdisk before the kernel is stray, and so is the kernel after it",
     {"xlcfg name=a.cfg", "ramdisk", "kernel"},
     "G0,-1,-1 S1 S2 "},
    {"a module before the first xlcfg is stray",
     {"kernel", "xlcfg name=a.cfg", "kernel"},
     "G1,2,-1 S0 "},
    {"a second kernel is stray", {"xlcfg name=a.cfg", "kernel", "kernel"}, "G0,1,-1 S2 "},
    {"an unknown word is stray", {"xlcfg name=a.cfg", "kernel", "initrd"}, "G0,1,-1 S2 "},
    {"xlcfgx is not xlcfg", {"xlcfgx", "xlcfg", "kernel"}, "G1,2,-1 S0 "},
};

static unsigned int count_args(const struct plan_case *c)
{
    unsigned int n = 0;

    while (n < BOOT_MAX_MODULES && c->args[n])
        n++;
    return n;
}

static void test_plans(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++) {
        const struct plan_case *c = &plan_cases[i];

        boot_modules_plan(&plan, c->args, count_args(c));
        if (strcmp(plan_string(), c->want) != 0)
            fail_msg("%s: got '%s', want '%s'", c->what, plan_string(), c->want);
    }
}

/* The words after "xlcfg" are handed on for name= and later words. */
static void test_group_args(void **state)
{
    const char *args[] = {"xlcfg name=\"my web.cfg\" foo=1", "kernel"};

    (void)state;
    boot_modules_plan(&plan, args, 2);
    assert_int_equal(plan.nr_groups, 1);
    assert_string_equal(plan.groups[0].args, " name=\"my web.cfg\" foo=1");
}

/* Sixteen modules, the most the boot loader code keeps: eight domains. */
static void test_full_list(void **state)
{
    const char *args[BOOT_MAX_MODULES];

    (void)state;
    for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++)
        args[i] = i % 2 ? "kernel" : "xlcfg";
    boot_modules_plan(&plan, args, BOOT_MAX_MODULES);
    assert_int_equal(plan.nr_groups, BOOT_MAX_MODULES / 2);
    assert_int_equal(plan.nr_stray, 0);
    assert_int_equal(plan.groups[7].kernel, 15);
}

/* Sixteen xlcfg modules and no kernel: sixteen groups, none with a kernel
 * (the hypervisor's table of boot domains is sized for this). */
static void test_only_xlcfg(void **state)
{
    const char *args[BOOT_MAX_MODULES];

    (void)state;
    for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++)
        args[i] = "xlcfg";
    boot_modules_plan(&plan, args, BOOT_MAX_MODULES);
    assert_int_equal(plan.nr_groups, BOOT_MAX_MODULES);
    assert_int_equal(plan.groups[15].kernel, BOOT_MODULE_NONE);
}

static void test_roles(void **state)
{
    const char *rest;

    (void)state;
    assert_int_equal(boot_modules_role("xlcfg name=a", &rest), BOOT_ROLE_XLCFG);
    assert_string_equal(rest, " name=a");
    assert_int_equal(boot_modules_role("kernel", &rest), BOOT_ROLE_KERNEL);
    assert_string_equal(rest, "");
    assert_int_equal(boot_modules_role("ramdisk", NULL), BOOT_ROLE_RAMDISK);
    assert_int_equal(boot_modules_role("", NULL), BOOT_ROLE_OTHER);
    assert_int_equal(boot_modules_role("kern", NULL), BOOT_ROLE_OTHER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans),     cmocka_unit_test(test_group_args),
        cmocka_unit_test(test_full_list), cmocka_unit_test(test_only_xlcfg),
        cmocka_unit_test(test_roles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
