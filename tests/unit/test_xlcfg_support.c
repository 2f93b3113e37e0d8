/* SPDX-License-Identifier: MIT */
/*
 * The xl.cfg Xenolith layer (hypervisor/lib/xlcfg_support.c): what the
 * hypervisor cannot run yet. Each case is a file and the exact
 * diagnostics xlcfg_support_check adds (after a clean parse), one
 * "E|W<line> message" per line.
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

#define OK "name = 'd'\nkernel = 'k'\n" /* lines 1 and 2 */

static const char *diags_string(void)
{
    return xlcfg_diags_text(&diags, false);
}

struct support_case {
    const char *what;
    const char *text;
    int rc;
    const char *diags;
};

#define VCPU_MSG ": Xenolith runs at most 32 vCPUs per domain\n"
#define ACTIONS  "' is not supported yet (use 'destroy', 'restart' or 'preserve')\n"

static const struct support_case support_cases[] = {
    {"xl's defaults are all supported (on_reboot restart, on_soft_reset soft-reset)", OK, 0, ""},
    {"every supported action",
     OK "on_poweroff='preserve'\non_reboot='destroy'\n"
        "on_crash='restart'\non_watchdog='preserve'\n"
        "on_soft_reset='restart'\n",
     0, ""},
    {"one vCPU written out is fine", OK "vcpus = 1\nmaxvcpus = 1\n", 0, ""},
    {"two vCPUs are fine", OK "vcpus = 2\n", 0, ""},
    {"32 vCPUs, the shared_info limit, are fine", OK "vcpus = 32\n", 0, ""},
    {"33 vCPUs: an error on the vcpus line", OK "vcpus = 33\n", -EINVAL,
     "E3 'vcpus' is 33" VCPU_MSG},
    {"maxvcpus above the limit is its own line's error", OK "vcpus = 2\nmaxvcpus = 64\n", -EINVAL,
     "E4 'maxvcpus' is 64" VCPU_MSG},
    {"maxvcpus above vcpus warns: no xenstore to say which are online",
     OK "vcpus = 2\nmaxvcpus = 4\n", 0,
     "W4 'maxvcpus' above 'vcpus': without xenstore the guest may bring up all 4\n"},
    {"rename-restart needs a toolstack", OK "on_reboot = 'rename-restart'\n", -EINVAL,
     "E3 'on_reboot' = 'rename-restart" ACTIONS},
    {"core dumps are not written",
     OK "on_crash = 'coredump-destroy'\n"
        "on_watchdog = 'coredump-restart'\n",
     -EINVAL,
     "E4 'on_watchdog' = 'coredump-restart" ACTIONS "E3 'on_crash' = 'coredump-destroy" ACTIONS},
    {"soft-reset on another key is an error", OK "on_poweroff = 'soft-reset'\n", -EINVAL,
     "E3 'on_poweroff' = 'soft-reset" ACTIONS},
    {"soft-reset written out on on_soft_reset only warns", OK "on_soft_reset = 'soft-reset'\n", 0,
     "W3 'on_soft_reset' = 'soft-reset' is not supported yet: a soft reset destroys the"
     " domain\n"},
    {"a cap is enforced: no warning", OK "cap = 50\n", 0, ""},
    {"a zero cap is no cap", OK "cap = 0\n", 0, ""},
};

static void test_support(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(support_cases) / sizeof(support_cases[0]); i++) {
        const struct support_case *c = &support_cases[i];
        int rc;

        xlcfg_diags_init(&diags);
        if (xlcfg_parse_domain(&dom, &cfg, c->text, strlen(c->text), &diags) != 0)
            fail_msg("%s: the file does not parse:\n%s", c->what, diags_string());
        rc = xlcfg_support_check(&dom, &cfg, &diags);
        if (rc != c->rc || strcmp(diags_string(), c->diags) != 0)
            fail_msg("%s: rc %d (want %d), diagnostics:\n%swant:\n%s", c->what, rc, c->rc,
                     diags_string(), c->diags);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_support),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
