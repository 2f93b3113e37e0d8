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

/*
 * A domain's vCPUs live in its shared_info (XEN_LEGACY_MAX_VCPUS of them).
 * Without xenstore a PV guest cannot learn which vCPUs are meant to be
 * online, so it may bring up all maxvcpus of them: said when they differ.
 */
static void support_vcpus(const struct xlcfg_domain *dom, const struct xlcfg *cfg,
                          struct xlcfg_diags *diags)
{
    const char *key = xlcfg_line(cfg, "maxvcpus") ? "maxvcpus" : "vcpus";
    char num[XLCFG_NUM_BUF], max[XLCFG_NUM_BUF];

    if (dom->maxvcpus > XLCFG_SUPPORTED_VCPUS)
        xlcfg_diag_add(diags, XLCFG_ERROR, xlcfg_line(cfg, key), 0, "'", key, "' is ",
                       xlcfg_u64_str(num, dom->maxvcpus), ": Xenolith runs at most ",
                       xlcfg_u64_str(max, XLCFG_SUPPORTED_VCPUS), " vCPUs per domain");
    else if (dom->maxvcpus > dom->vcpus)
        xlcfg_diag_add(diags, XLCFG_WARNING, xlcfg_line(cfg, "maxvcpus"), 0,
                       "'maxvcpus' above 'vcpus': without xenstore the guest may bring up all ",
                       xlcfg_u64_str(num, dom->maxvcpus));
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

    support_vcpus(dom, cfg, diags);
    support_action(cfg, "on_poweroff", dom->on_poweroff, diags);
    support_action(cfg, "on_reboot", dom->on_reboot, diags);
    support_action(cfg, "on_watchdog", dom->on_watchdog, diags);
    support_action(cfg, "on_crash", dom->on_crash, diags);
    support_action(cfg, "on_soft_reset", dom->on_soft_reset, diags);
    return diags->nr_errors > errors ? -EINVAL : 0;
}
