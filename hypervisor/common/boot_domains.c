/* SPDX-License-Identifier: MIT */
/*
 * Domains built at boot from the boot modules (docs/boot-protocol.md),
 * and what happens when they end.
 *
 * Two forms. With "xlcfg" modules, each xlcfg/kernel/ramdisk group is a
 * domain configured by its xl.cfg (boot_domain_cfg.c): the first is dom0,
 * the control domain; the others are domUs 1, 2, ... by position. A
 * domain that cannot be built leaves its id unused, so ids always follow
 * the order of the files. Without, Xen's form: module 0 is dom0's kernel
 * and command line, module 1 its ramdisk; dom0_mem= (default 64 MiB) and
 * dom0_max_vcpus= stand for the missing xl.cfg, and dom0 is "Domain-0".
 *
 * Every domain is built before any is unpaused, so none can end (and the
 * reaper conclude that the machine is done) while others are still being
 * built.
 *
 * A domain that ends prints "Domain N (name) ended: reason" once. Its xl
 * action then applies: destroy; preserve (kept, shut down, with its
 * memory); restart: destroyed and built again from the same modules with
 * the same id, at most BOOT_MAX_RESTARTS times so that a guest that fails
 * at once cannot loop forever (then it ends as destroy). When every boot
 * domain has ended the machine's verdict is pass exactly when each was
 * built and ended with poweroff.
 *
 * Free memory is logged before the first build and once every domain is
 * gone: with nothing preserved the two are equal, which the integration
 * tests check (no frame leaks across build, run, restart and destroy).
 *
 * Locking: none. Boot runs on CPU 0 before its idle loop; domain_ended()
 * and domains_all_ended() run in CPU 0's DOMAIN_REAP softirq, one at a
 * time, and are the only later users of this file's state.
 */
#include <xenolith/boot_domains.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/sched.h>
#include <xenolith/shutdown.h>
#include <xenolith/string.h>
#include <xen/sched.h>
#include <asm/dom_build.h>

#define BOOT_MAX_RESTARTS 4

static unsigned long opt_dom0_mem = 64ul << 20;
UINT_PARAM("dom0_mem", opt_dom0_mem);
static unsigned long opt_dom0_max_vcpus = 1;
UINT_PARAM("dom0_max_vcpus", opt_dom0_max_vcpus);

/* xenstored=dom0: the control domain runs the xenstore daemon, so every
 * other domain is built with a store ring granted to it and a port it
 * binds. xenstored=domN: boot domain N runs it, a xenstore domain of its
 * own (Xen's disaggregation): every other domain, the control domain
 * included, gets a ring granted to N, and N may read the domain list
 * (getdomaininfo, XENOLITH_DOMCTL_describe) and nothing else of domctl.
 * Off by default: a guest would wait forever for replies. */
static int opt_xenstore_domid = -1;

static int parse_xenstored(const char *v)
{
    const char *end;
    unsigned long id;

    if (!strcmp(v, "none")) {
        opt_xenstore_domid = -1;
        return 0;
    }
    if (strncmp(v, "dom", 3))
        return -EINVAL;
    id = simple_strtoul(v + 3, &end, 10);
    if (end == v + 3 || *end || id >= BOOT_MAX_DOMAINS)
        return -EINVAL;
    opt_xenstore_domid = (int)id;
    return 0;
}
CUSTOM_PARAM("xenstored", parse_xenstored);

static struct boot_plan boot_plan;
static struct boot_domain boot_doms[BOOT_MAX_DOMAINS]; /* by domain id */
static unsigned int nr_boot_doms;

static unsigned int domains_built;        /* first builds, restarts not counted */
static unsigned int domains_live;         /* boot domains built and not ended */
static unsigned int domains_preserved;    /* ended, kept with their memory */
static unsigned int domains_not_poweroff; /* ended otherwise, or never built */
static unsigned int boot_errors;          /* modules that belong to no domain */
static unsigned long free_before;         /* heap frames before the first build */
static bool all_ended;

static unsigned int boot_disposition(enum xlcfg_action action)
{
    return action == XLCFG_ACTION_PRESERVE ? DOMAIN_ACTION_preserve : DOMAIN_ACTION_destroy;
}

/* xl.cfg's cpus and cpus_soft for every vCPU of d; -EINVAL after saying why. */
static int boot_domain_affinity(struct domain *d, const struct boot_domain *bd)
{
    unsigned int i;
    int rc = 0;

    for (i = 0; !rc && i < d->max_vcpus; i++)
        rc = sched_set_affinity(d->vcpus[i], bd->cpus, bd->cpus_soft);
    if (rc == -EOPNOTSUPP && (~bd->cpus || ~bd->cpus_soft))
        printk(XENLOG_WARNING "WARNING: %s: 'cpus' and 'cpus_soft' ignored: sched=%s has no"
                              " affinity\n",
               bd->name, sched_chosen_name());
    if (rc == -EINVAL)
        printk(XENLOG_ERR "Domain %u (%s) not built: 'cpus' names none of this machine's pCPUs\n",
               bd->id, bd->name);
    return rc == -EINVAL ? rc : 0;
}

/* Creates and lays out bd's domain, paused; NULL after saying why. */
static struct domain *boot_domain_build(const struct boot_domain *bd)
{
    struct pv_build_params p = {
        .kernel = __va(bd->kernel->start),
        .kernel_size = bd->kernel->end - bd->kernel->start,
        .ramdisk = bd->ramdisk ? __va(bd->ramdisk->start) : NULL,
        .ramdisk_size = bd->ramdisk ? bd->ramdisk->end - bd->ramdisk->start : 0,
        .cmdline = bd->cmdline,
        .nr_pages = bd->pages,
        .store_domid = opt_xenstore_domid,
    };
    struct domain *d;
    int rc;

    if (bd->pages > heap_free_frames()) {
        printk(XENLOG_ERR "Domain %u (%s) not built: %lu KiB of memory asked, %lu KiB free\n",
               bd->id, bd->name, bd->pages * 4, heap_free_frames() * 4);
        return NULL;
    }
    d = domain_create(bd->id, bd->name, bd->vcpus, bd->max_pages, bd->privileged);
    if (!d) {
        printk(XENLOG_ERR "Domain %u (%s) not built: cannot create it\n", bd->id, bd->name);
        return NULL;
    }
    if (sched_adjust(d, bd->weight, bd->cap))
        printk(XENLOG_WARNING "WARNING: %s: weight %u, cap %u refused by the scheduler\n", bd->name,
               bd->weight, bd->cap);
    if (boot_domain_affinity(d, bd)) {
        domain_destroy(d);
        return NULL;
    }
    d->vcpus_online = bd->vcpus_online;
    d->is_xenstore = opt_xenstore_domid > 0 && bd->id == opt_xenstore_domid;
    d->on_poweroff = boot_disposition(bd->on_poweroff);
    d->on_reboot = boot_disposition(bd->on_reboot);
    d->on_crash = boot_disposition(bd->on_crash);
    rc = pv_build_domain(d, &p, NULL);
    if (rc) {
        printk(XENLOG_ERR "Domain %u (%s) not built: loading its kernel failed (error %d)\n",
               bd->id, bd->name, rc);
        domain_destroy(d);
        return NULL;
    }
    return d;
}

/* Xen's form: dom0 from module 0 (and its ramdisk, module 1). */
static int boot_domains_xen_form(struct boot_domain *bd)
{
    const struct boot_module *m = boot_info.modules;
    unsigned int i;

    memset(bd, 0, sizeof(*bd));
    bd->privileged = true;
    strlcpy(bd->name, "Domain-0", sizeof(bd->name));
    strlcpy(bd->file, "module 0", sizeof(bd->file));
    bd->kernel = &m[0];
    bd->ramdisk = boot_info.nr_modules > 1 ? &m[1] : NULL;
    strlcpy(bd->cmdline, m[0].string, sizeof(bd->cmdline));
    bd->pages = bd->max_pages = opt_dom0_mem >> PAGE_SHIFT;
    bd->weight = 256;
    bd->cpus = bd->cpus_soft = ~0ull;
    for (i = 2; i < boot_info.nr_modules; i++)
        printk(XENLOG_WARNING "module %u: not used (Xen's form takes dom0's kernel and ramdisk)\n",
               i);
    bd->vcpus = (unsigned int)opt_dom0_max_vcpus;
    if (opt_dom0_max_vcpus < 1 || opt_dom0_max_vcpus > MAX_VIRT_CPUS) {
        printk(XENLOG_ERR "dom0_max_vcpus=%lu: a domain has 1 to %u vCPUs\n", opt_dom0_max_vcpus,
               MAX_VIRT_CPUS);
        return -EINVAL;
    }
    return 0;
}

/* The xlcfg form: one domain per group, ids by position. */
static void boot_domains_xlcfg_form(void)
{
    unsigned int i;

    for (i = 0; i < boot_plan.nr_stray; i++) {
        unsigned int n = boot_plan.stray[i];

        printk(XENLOG_ERR "module %u ('%s'): error: belongs to no domain (expected 'xlcfg"
                          " name=FILE', then 'kernel', then 'ramdisk')\n",
               n, boot_info.modules[n].string);
        boot_errors++;
    }
    for (i = 0; i < boot_plan.nr_groups; i++) {
        struct boot_domain *bd = &boot_doms[nr_boot_doms++];

        memset(bd, 0, sizeof(*bd));
        bd->id = (domid_t)i;
        bd->privileged = i == 0;
        if (boot_domain_from_xlcfg(bd, &boot_plan.groups[i], boot_doms, i)) {
            printk(XENLOG_ERR "Domain %u (%s) not built: errors in %s\n", i, bd->name, bd->file);
            bd->kernel = NULL; /* no build, and no name to collide with */
            domains_not_poweroff++;
        }
    }
}

static void boot_domains_plan(void)
{
    const char *args[BOOT_MAX_MODULES];
    unsigned int i;

    for (i = 0; i < boot_info.nr_modules; i++)
        args[i] = boot_info.modules[i].string;
    boot_modules_plan(&boot_plan, args, boot_info.nr_modules);
    if (!boot_plan.xen_form) {
        boot_domains_xlcfg_form();
        return;
    }
    nr_boot_doms = 1;
    if (boot_domains_xen_form(&boot_doms[0])) {
        printk(XENLOG_ERR "Domain 0 (Domain-0) not built: bad dom0 options\n");
        boot_doms[0].kernel = NULL;
        domains_not_poweroff++;
    }
}

void boot_domains_create(void)
{
    struct domain *built[BOOT_MAX_DOMAINS];
    unsigned int i, n = 0;

    if (boot_info.nr_modules == 0) {
        printk("No boot modules: no domains to run\n");
        return;
    }
    boot_domains_plan();
    free_before = heap_free_frames();
    for (i = 0; i < nr_boot_doms; i++) {
        if (!boot_doms[i].kernel)
            continue;
        built[n] = boot_domain_build(&boot_doms[i]);
        if (!built[n]) {
            domains_not_poweroff++;
            continue;
        }
        boot_doms[i].live = true;
        n++;
    }
    domains_built = domains_live = n;
    printk("Boot domains: %u built, %lu KiB free before\n", n, free_before * 4);
    for (i = 0; i < n; i++)
        domain_unpause(built[i]);
    if (n == 0)
        domains_all_ended();
}

/* The xl action for a shutdown reason. A suspended domain has no
 * toolstack to resume it, and a soft reset is not supported: both are
 * destroyed (docs/boot-protocol.md). */
static enum xlcfg_action boot_action(const struct boot_domain *bd, unsigned int reason)
{
    if (!bd)
        return XLCFG_ACTION_DESTROY;
    switch (reason) {
    case SHUTDOWN_poweroff:
        return bd->on_poweroff;
    case SHUTDOWN_reboot:
        return bd->on_reboot;
    case SHUTDOWN_crash:
        return bd->on_crash;
    case SHUTDOWN_watchdog:
        return bd->on_watchdog;
    case SHUTDOWN_soft_reset:
        return bd->on_soft_reset == XLCFG_ACTION_SOFT_RESET ? XLCFG_ACTION_DESTROY
                                                            : bd->on_soft_reset;
    default:
        return XLCFG_ACTION_DESTROY;
    }
}

static struct boot_domain *boot_domain_of(const struct domain *d)
{
    struct boot_domain *bd = d->domain_id < nr_boot_doms ? &boot_doms[d->domain_id] : NULL;

    return bd && bd->live ? bd : NULL;
}

/* Destroys d (its id and memory are needed again) and builds bd anew. */
static bool boot_domain_restart(struct boot_domain *bd, struct domain *d)
{
    struct domain *nd;

    printk("Domain %u (%s) restarting after %s (restart %u of at most %u)\n", bd->id, bd->name,
           domain_shutdown_name(d->shutdown_reason), bd->restarts + 1, BOOT_MAX_RESTARTS);
    domain_destroy(d);
    bd->restarts++;
    nd = boot_domain_build(bd);
    if (!nd)
        return false;
    domain_unpause(nd);
    return true;
}

static void boot_domain_report_end(struct boot_domain *bd, domid_t id, const char *name,
                                   unsigned int reason, bool preserve)
{
    printk("Domain %u (%s) ended: %s\n", id, name, domain_shutdown_name(reason));
    if (reason != SHUTDOWN_poweroff)
        domains_not_poweroff++;
    if (preserve) {
        printk("Domain %u (%s) preserved: shut down, its memory kept\n", id, name);
        domains_preserved++;
    }
    if (!bd)
        return;
    bd->live = false;
    domains_live--;
    /* The reaper ends the machine once no domain exists; preserved ones
     * always do, so when they are all that is left, the end is now. */
    if (domains_live == 0 && domains_preserved)
        domains_all_ended();
}

bool domain_ended(struct domain *d)
{
    struct boot_domain *bd = boot_domain_of(d);
    unsigned int reason = d->shutdown_reason;
    enum xlcfg_action action = boot_action(bd, reason);

    if (action == XLCFG_ACTION_RESTART && bd->restarts < BOOT_MAX_RESTARTS) {
        if (boot_domain_restart(bd, d))
            return false;
        /* d is gone and could not be built again: that is its end. */
        boot_domain_report_end(bd, bd->id, bd->name, reason, false);
        return false;
    }
    if (action == XLCFG_ACTION_RESTART)
        printk(XENLOG_WARNING "Domain %u (%s) restarted %u times: not again, destroying it\n",
               bd->id, bd->name, bd->restarts);
    boot_domain_report_end(bd, d->domain_id, d->name, reason, action == XLCFG_ACTION_PRESERVE);
    return action != XLCFG_ACTION_PRESERVE;
}

void domains_all_ended(void)
{
    bool pass = domains_built && !domains_not_poweroff && !boot_errors;

    if (all_ended)
        return;
    all_ended = true;
    printk("Boot domains: %lu KiB free after all ended%s\n", heap_free_frames() * 4,
           domains_preserved ? " (preserved domains keep theirs)" : "");
    printk("All domains have ended\n");
    machine_verdict(pass ? EXIT_PASS : EXIT_FAIL);
}
