/* SPDX-License-Identifier: MIT */
/*
 * Domains built at boot from the boot modules, and what happens when
 * they end.
 *
 * Without a boot configuration, as on Xen: module 0 is dom0's kernel and
 * its arguments are dom0's command line; module 1, if present, is dom0's
 * ramdisk. dom0_mem= sets dom0's memory (default 64 MiB).
 *
 * Every domain that ends is reported as "Domain N (name) ended: reason".
 * When the last one is gone the machine ends (qemu_exit): pass if every
 * domain ended with poweroff, fail otherwise.
 */
#include <xenolith/boot_domains.h>
#include <xenolith/bootinfo.h>
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/shutdown.h>
#include <xen/sched.h>
#include <asm/dom_build.h>

static unsigned long opt_dom0_mem = 64ul << 20;
UINT_PARAM("dom0_mem", opt_dom0_mem);

static unsigned int domains_built, domains_not_poweroff;

static int build_boot_domain(domid_t id, const char *name, const struct boot_module *kernel,
                             const struct boot_module *ramdisk, const char *cmdline,
                             uint64_t mem_bytes, bool privileged)
{
    unsigned long pages = (unsigned long)(mem_bytes >> PAGE_SHIFT);
    struct pv_build_params p = {
        .kernel = __va(kernel->start),
        .kernel_size = kernel->end - kernel->start,
        .ramdisk = ramdisk ? __va(ramdisk->start) : NULL,
        .ramdisk_size = ramdisk ? ramdisk->end - ramdisk->start : 0,
        .cmdline = cmdline,
        .nr_pages = pages,
    };
    struct domain *d;
    int rc;

    if (pages > heap_free_frames()) {
        printk(XENLOG_ERR "%s: %lu KiB of memory asked, %lu KiB free\n", name, pages * 4,
               heap_free_frames() * 4);
        return -ENOMEM;
    }
    d = domain_create(id, name, 1, pages, privileged);
    if (!d)
        return -ENOMEM;
    rc = pv_build_domain(d, &p);
    if (rc) {
        printk(XENLOG_ERR "%s: cannot build the domain: error %d\n", name, rc);
        domain_destroy(d);
        return rc;
    }
    domains_built++;
    domain_unpause(d);
    return 0;
}

void boot_domains_create(void)
{
    const struct boot_module *m = boot_info.modules;

    if (boot_info.nr_modules == 0) {
        printk("No boot modules: no domains to run\n");
        return;
    }
    build_boot_domain(0, "dom0", &m[0], boot_info.nr_modules > 1 ? &m[1] : NULL, m[0].string,
                      opt_dom0_mem, true);
    if (domains_built == 0)
        domains_all_ended();
}

bool domain_ended(struct domain *d)
{
    unsigned int action = d->shutdown_reason == SHUTDOWN_crash      ? d->on_crash
                          : d->shutdown_reason == SHUTDOWN_poweroff ? d->on_poweroff
                                                                    : d->on_reboot;

    printk("Domain %u (%s) ended: %s\n", d->domain_id, d->name,
           domain_shutdown_name(d->shutdown_reason));
    if (d->shutdown_reason != SHUTDOWN_poweroff)
        domains_not_poweroff++;
    return action == DOMAIN_ACTION_destroy;
}

void domains_all_ended(void)
{
    printk("All domains have ended\n");
    machine_verdict(domains_not_poweroff || domains_built == 0 ? EXIT_FAIL : EXIT_PASS);
}
