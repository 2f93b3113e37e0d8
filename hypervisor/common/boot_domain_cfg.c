/* SPDX-License-Identifier: MIT */
/*
 * One boot domain from its xl.cfg module (docs/boot-protocol.md): the
 * module's arguments ("xlcfg name=FILE ..."), the file parsed and checked
 * with the shared parser (lib/xlcfg*.c) and Xenolith's limits
 * (xlcfg_support_check), then the checks only the module list allows: a
 * kernel module follows, a ramdisk module exactly when the file names
 * one, and the name is not taken.
 *
 * Diagnostics are printed as the host tool prints them, "FILE:LINE:
 * error: ...", so a message reads the same from the launcher and from
 * the hypervisor's log.
 *
 * Locking: none. The parser's state is static (too big for a stack);
 * only CPU 0 parses, at boot, one file at a time.
 */
#include <xenolith/boot_domains.h>
#include <xenolith/cmdline.h>
#include <xenolith/compiler.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/mm.h>
#include <xenolith/string.h>

static struct xlcfg cfg_parsed;
static struct xlcfg_diags cfg_diags;
static struct xlcfg_domain cfg_dom;

/* The module's argument words; name= is the only one so far. */
static char cfg_arg_name[BOOT_MODSTR_LEN];
static int cfg_arg_module;

static void cfg_arg_warn(const char *option, const char *why)
{
    printk(XENLOG_WARNING "module %d (xlcfg): argument '%s': %s (ignored)\n", cfg_arg_module,
           option, why);
}

static void cfg_read_args(const struct boot_group *g, char *file, size_t size)
{
    static const struct cmdline_option opts[] = {
        {.name = "name", .type = CMDLINE_STRING, .var = cfg_arg_name, .size = sizeof(cfg_arg_name)},
    };

    cfg_arg_name[0] = '\0';
    cfg_arg_module = g->xlcfg;
    cmdline_parse(g->args, opts, ARRAY_SIZE(opts), cfg_arg_warn);
    if (cfg_arg_name[0])
        strlcpy(file, cfg_arg_name, size);
    else
        snprintf(file, size, "module %d", g->xlcfg);
}

static void cfg_print(const char *file, enum xlcfg_severity sev, unsigned int line,
                      unsigned int column, const char *msg)
{
    char where[BOOT_MODSTR_LEN + 16], col[24] = "";

    if (line)
        snprintf(where, sizeof(where), "%s:%u", file, line);
    else
        strlcpy(where, file, sizeof(where));
    if (column)
        snprintf(col, sizeof(col), " (column %u)", column);
    /* The level marker has to open the format string itself. */
    if (sev == XLCFG_ERROR)
        printk(XENLOG_ERR "%s: error: %s%s\n", where, msg, col);
    else
        printk(XENLOG_WARNING "%s: warning: %s%s\n", where, msg, col);
}

static void cfg_print_diags(const char *file)
{
    unsigned int i, dropped = cfg_diags.nr_errors + cfg_diags.nr_warnings - cfg_diags.nr;

    for (i = 0; i < cfg_diags.nr; i++) {
        const struct xlcfg_diag *d = &cfg_diags.diag[i];

        cfg_print(file, d->severity, d->line, d->column, d->message);
    }
    if (dropped)
        printk("%s: note: %u more not shown\n", file, dropped);
}

/* The checks that need the module list; each failure is one error. */
static void cfg_check_modules(const struct boot_group *g, const struct boot_domain *others,
                              unsigned int nr_others)
{
    unsigned int i, line = xlcfg_line(&cfg_parsed, "ramdisk");

    if (g->kernel == BOOT_MODULE_NONE)
        xlcfg_diag_add(&cfg_diags, XLCFG_ERROR, 0, 0,
                       "no 'kernel' module follows this file's 'xlcfg' module");
    if (cfg_dom.ramdisk[0] && g->kernel != BOOT_MODULE_NONE && g->ramdisk == BOOT_MODULE_NONE)
        xlcfg_diag_add(&cfg_diags, XLCFG_ERROR, line, 0,
                       "'ramdisk' is set but no 'ramdisk' module follows the kernel module");
    if (!cfg_dom.ramdisk[0] && g->ramdisk != BOOT_MODULE_NONE)
        xlcfg_diag_add(&cfg_diags, XLCFG_ERROR, line, 0,
                       "a 'ramdisk' module follows, but the file sets no 'ramdisk'");
    for (i = 0; i < nr_others; i++)
        if (others[i].kernel && strcmp(others[i].name, cfg_dom.name) == 0)
            xlcfg_diag_add(&cfg_diags, XLCFG_ERROR, xlcfg_line(&cfg_parsed, "name"), 0,
                           "domain name '", cfg_dom.name, "' is already used by ", others[i].file);
}

static void cfg_fill(struct boot_domain *bd, const struct boot_group *g)
{
    const struct boot_module *m = boot_info.modules;

    bd->kernel = &m[g->kernel];
    bd->ramdisk = g->ramdisk == BOOT_MODULE_NONE ? NULL : &m[g->ramdisk];
    strlcpy(bd->cmdline, cfg_dom.cmdline, sizeof(bd->cmdline));
    bd->pages = (unsigned long)(cfg_dom.memory_mib << (20 - PAGE_SHIFT));
    bd->max_pages = (unsigned long)(cfg_dom.maxmem_mib << (20 - PAGE_SHIFT));
    bd->vcpus = cfg_dom.maxvcpus;
    bd->vcpus_online = cfg_dom.vcpus;
    bd->weight = cfg_dom.weight;
    bd->cap = cfg_dom.cap;
    bd->cpus = cfg_dom.cpus;
    bd->cpus_soft = cfg_dom.cpus_soft;
    bd->on_poweroff = cfg_dom.on_poweroff;
    bd->on_reboot = cfg_dom.on_reboot;
    bd->on_watchdog = cfg_dom.on_watchdog;
    bd->on_crash = cfg_dom.on_crash;
    bd->on_soft_reset = cfg_dom.on_soft_reset;
}

int boot_domain_from_xlcfg(struct boot_domain *bd, const struct boot_group *g,
                           const struct boot_domain *others, unsigned int nr_others)
{
    const struct boot_module *m = &boot_info.modules[g->xlcfg];
    int rc;

    cfg_read_args(g, bd->file, sizeof(bd->file));
    xlcfg_diags_init(&cfg_diags);
    rc = xlcfg_parse_domain(&cfg_dom, &cfg_parsed, __va(m->start), m->end - m->start, &cfg_diags);
    if (!rc) {
        xlcfg_support_check(&cfg_dom, &cfg_parsed, &cfg_diags);
        cfg_check_modules(g, others, nr_others);
    }
    /* A file without a usable name is still named in the report. */
    strlcpy(bd->name, cfg_dom.name[0] ? cfg_dom.name : bd->file, sizeof(bd->name));
    cfg_print_diags(bd->file);
    if (cfg_diags.nr_errors)
        return -EINVAL;
    cfg_fill(bd, g);
    return 0;
}
