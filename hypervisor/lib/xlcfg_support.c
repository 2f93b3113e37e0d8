/* SPDX-License-Identifier: MIT */
/*
 * xl.cfg(5), Xenolith layer: what the hypervisor can run today, on top of
 * what xl accepts. The domain layer (xlcfg_domain.c) says whether a file
 * is a valid xl domain; this file says whether Xenolith can build it as
 * written, so the launcher (through build/host/xlcfg) and the hypervisor
 * (boot_domains.c) refuse the same files with the same words. Each check
 * leaves when the feature it stands for arrives.
 *
 * Locking: none (no shared state).
 */
#include <xenolith/compiler.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include <xenolith/xlcfg.h>

/* Only one vCPU per domain runs until guests can bring up more. */
static void support_vcpus(const struct xlcfg *cfg, const char *key, unsigned int n,
                          struct xlcfg_diags *diags)
{
    char num[XLCFG_NUM_BUF];

    if (n > 1)
        xlcfg_diag_add(diags, XLCFG_ERROR, xlcfg_line(cfg, key), 0, "'", key, "' is ",
                       xlcfg_u64_str(num, n),
                       ": Xenolith runs 1 vCPU per domain until SMP guests are supported");
}

/* destroy, restart (rebuilt from its boot modules) and preserve are done;
 * rename and core dumps need a toolstack. soft-reset is on_soft_reset's
 * default, so it only warns there: a soft reset destroys the domain. */
static void support_action(const struct xlcfg *cfg, const char *key, enum xlcfg_action action,
                           struct xlcfg_diags *diags)
{
    unsigned int line = xlcfg_line(cfg, key);

    if (action == XLCFG_ACTION_DESTROY || action == XLCFG_ACTION_RESTART ||
        action == XLCFG_ACTION_PRESERVE)
        return;
    if (action == XLCFG_ACTION_SOFT_RESET && strcmp(key, "on_soft_reset") == 0) {
        if (line)
            xlcfg_diag_add(diags, XLCFG_WARNING, line, 0,
                           "'on_soft_reset' = 'soft-reset' is not supported yet:"
                           " a soft reset destroys the domain");
        return;
    }
    xlcfg_diag_add(diags, XLCFG_ERROR, line, 0, "'", key, "' = '", xlcfg_action_name(action),
                   "' is not supported yet (use 'destroy', 'restart' or 'preserve')");
}

int xlcfg_support_check(const struct xlcfg_domain *dom, const struct xlcfg *cfg,
                        struct xlcfg_diags *diags)
{
    unsigned int errors = diags->nr_errors;

    support_vcpus(cfg, "vcpus", dom->vcpus, diags);
    if (xlcfg_line(cfg, "maxvcpus")) /* else it is vcpus, reported above */
        support_vcpus(cfg, "maxvcpus", dom->maxvcpus, diags);
    support_action(cfg, "on_poweroff", dom->on_poweroff, diags);
    support_action(cfg, "on_reboot", dom->on_reboot, diags);
    support_action(cfg, "on_watchdog", dom->on_watchdog, diags);
    support_action(cfg, "on_crash", dom->on_crash, diags);
    support_action(cfg, "on_soft_reset", dom->on_soft_reset, diags);
    if (dom->cap)
        xlcfg_diag_add(diags, XLCFG_WARNING, xlcfg_line(cfg, "cap"), 0,
                       "'cap' is not enforced yet (ignored)");
    return diags->nr_errors > errors ? -EINVAL : 0;
}
