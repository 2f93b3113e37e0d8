/* SPDX-License-Identifier: MIT */
/*
 * Domains built at boot from the boot modules (docs/boot-protocol.md).
 * boot_domains.c builds and ends them; boot_domain_cfg.c turns one
 * domain's xl.cfg module into the struct boot_domain that builds it.
 */
#ifndef XENOLITH_BOOT_DOMAINS_H
#define XENOLITH_BOOT_DOMAINS_H

#include <xenolith/boot_modules.h>
#include <xenolith/domain.h>
#include <xenolith/xlcfg.h>

/* One per xlcfg module: a list of xlcfg modules alone makes that many
 * groups (each then fails for want of a kernel), so no fewer. */
#define BOOT_MAX_DOMAINS BOOT_MAX_MODULES

/* Everything needed to build a boot domain, and to build it again on restart. */
struct boot_domain {
    domid_t id;
    bool privileged;
    bool live; /* built and not ended (restarts included) */
    char name[DOMAIN_NAME_LEN];
    char file[BOOT_MODSTR_LEN]; /* the xl.cfg's base name, for messages */
    const struct boot_module *kernel, *ramdisk;
    char cmdline[1024];
    unsigned long pages, max_pages;
    unsigned int vcpus;        /* created; vCPU 0 up, the others down until the guest ups them */
    unsigned int vcpus_online; /* xl.cfg's vcpus: xenstore says these are available */
    unsigned int weight;
    uint64_t cpus, cpus_soft; /* hard and soft affinity, pCPU bitmaps */
    unsigned int cap;         /* % of one pCPU; 0: none */
    unsigned int restarts;
    enum xlcfg_action on_poweroff, on_reboot, on_watchdog, on_crash, on_soft_reset;
};

/* Builds and starts the domains the boot modules describe. */
void boot_domains_create(void);

/*
 * Fills bd from the xlcfg module of group g (modules: boot_info's), with
 * others[0..nr_others) the domains before it (names are unique). Prints
 * every diagnostic as "FILE:LINE: error|warning: ..."; returns 0, or
 * -EINVAL when the domain cannot be built (bd->name and bd->file are set
 * either way, for the caller's report).
 */
int boot_domain_from_xlcfg(struct boot_domain *bd, const struct boot_group *g,
                           const struct boot_domain *others, unsigned int nr_others);

#endif
