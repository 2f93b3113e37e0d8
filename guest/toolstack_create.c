/* SPDX-License-Identifier: MIT */
/*
 * xl create, and what becomes of the domains it created: the xl.cfg and
 * the kernel come from the control domain's boot ramdisk (initrd.c), the
 * file is read by the parser the hypervisor uses for boot domains
 * (hypervisor/lib/xlcfg*.c), and the domain is made as libxl makes one:
 * createdomain, max_mem (with libxl's 1 MiB of slack), scheduler
 * parameters, affinity, then the build (XENOLITH_DOMCTL_build: the
 * hypervisor's builder), xenstore's introduction, unpause. Any failure
 * destroys what was made, so nothing is left behind.
 *
 * When a domain it created shuts down (VIRQ_DOM_EXC), its xl.cfg action
 * follows: destroy, restart (a new domain from the same file and
 * arguments, as xl does) or preserve.
 */
#include <guest/console.h>
#include <guest/domctl.h>
#include <guest/initrd.h>
#include <guest/time.h>
#include <guest/toolstack.h>
#include <guest/xenstored.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>
#include <xenolith/xlcfg.h>

#define TS_MAX_EXTRA     8
#define TS_EXTRA_LEN     256
#define TS_CFG_MAX       (XLCFG_POOL_SIZE)
#define MAXMEM_SLACK_KIB 1024 /* libxl's LIBXL_MAXMEM_CONSTANT */
#define TS_MAX_RESTARTS  4

/* A domain this toolstack created, with what restarting it takes. */
struct ts_domain {
    bool used;
    domid_t domid;
    char path[128];
    char extra[TS_MAX_EXTRA][TS_EXTRA_LEN];
    unsigned int nr_extra, restarts;
    enum xlcfg_action on_poweroff, on_reboot, on_watchdog, on_crash, on_soft_reset;
    uint64_t start_ns;
};

static struct ts_domain ts_doms[XL_MAX_DOMAINS];

/* Parser state: too big for a stack, and the shell runs one command at a time. */
static struct xlcfg ts_cfg;
static struct xlcfg_diags ts_diags;
static struct xlcfg_domain ts_dom;
static char ts_text[TS_CFG_MAX];

/* Set while the shell's prompt may be on the line: the first message
 * then starts a new line, and the shell knows to show the prompt again. */
static bool *ts_spoke;

static void ts_printf(const char *fmt, ...) __printf(1, 2);
static void ts_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    if (ts_spoke && !*ts_spoke) {
        *ts_spoke = true;
        toolstack_print(NULL, "\n", 1);
    }
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    toolstack_print(NULL, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static struct ts_domain *ts_find(domid_t domid)
{
    for (unsigned int i = 0; i < XL_MAX_DOMAINS; i++)
        if (ts_doms[i].used && ts_doms[i].domid == domid)
            return &ts_doms[i];
    return NULL;
}

uint64_t toolstack_start_time(domid_t domid)
{
    const struct ts_domain *t = ts_find(domid);

    return t ? t->start_ns : 0;
}

/* Diagnostics as the hypervisor prints them; lines past the file are the extra arguments. */
static void ts_print_diags(const char *path, unsigned int file_lines)
{
    for (unsigned int i = 0; i < ts_diags.nr; i++) {
        const struct xlcfg_diag *d = &ts_diags.diag[i];
        const char *sev = d->severity == XLCFG_ERROR ? "error" : "warning";

        if (d->line > file_lines)
            ts_printf("%s: command line argument %u: %s: %s\n", path, d->line - file_lines, sev,
                      d->message);
        else if (d->line)
            ts_printf("%s:%u: %s: %s\n", path, d->line, sev, d->message);
        else
            ts_printf("%s: %s: %s\n", path, sev, d->message);
    }
}

/* The file, then each key=value as a line of its own; -errno after saying why. */
static int ts_parse(const char *path, const char *const *extra, unsigned int nr_extra)
{
    const void *data;
    size_t len, used;
    unsigned int file_lines = 1;
    int rc;

    if (initrd_find(path, &data, &len)) {
        ts_printf("Failed to read config file: %s: No such file or directory\n", path);
        return -ENOENT;
    }
    if (len >= sizeof(ts_text)) {
        ts_printf("%s: error: larger than %zu bytes\n", path, sizeof(ts_text) - 1);
        return -E2BIG;
    }
    memcpy(ts_text, data, len);
    used = len;
    for (size_t i = 0; i < len; i++)
        file_lines += ts_text[i] == '\n';
    if (used && ts_text[used - 1] != '\n')
        ts_text[used++] = '\n';
    else
        file_lines--;
    for (unsigned int i = 0; i < nr_extra; i++) {
        size_t l = strlen(extra[i]);

        if (used + l + 2 > sizeof(ts_text))
            return -E2BIG;
        memcpy(ts_text + used, extra[i], l);
        used += l;
        ts_text[used++] = '\n';
    }
    xlcfg_diags_init(&ts_diags);
    rc = xlcfg_parse_domain(&ts_dom, &ts_cfg, ts_text, used, &ts_diags);
    if (!rc)
        rc = xlcfg_support_check(&ts_dom, &ts_cfg, &ts_diags);
    ts_print_diags(path, file_lines);
    return rc ? -EINVAL : 0;
}

static bool ts_name_taken(const char *name)
{
    struct domctl_info info;
    struct domctl_description d;

    for (domid_t from = 0; domctl_domain_info_from(from, &info) == 0; from = info.domid + 1)
        if (!domctl_describe(info.domid, &d) && !strcmp(d.name, name))
            return true;
    return false;
}

static int ts_affinity(domid_t domid)
{
    int rc = 0;

    if (!~ts_dom.cpus && !~ts_dom.cpus_soft)
        return 0;
    for (unsigned int v = 0; !rc && v < ts_dom.maxvcpus; v++)
        rc = (int)domctl_set_affinity(domid, v, ts_dom.cpus, ts_dom.cpus_soft);
    return rc;
}

/* The parsed domain, made and started; -errno after saying why, nothing left. */
static int ts_make(uint16_t *out)
{
    const void *kernel, *ramdisk = NULL;
    size_t kernel_len, ramdisk_len = 0;
    struct domctl_build_args a = {0};
    struct domctl_built built;
    const char *step;
    domid_t domid;
    int rc;

    if (ts_name_taken(ts_dom.name)) {
        ts_printf("xl: domain with name \"%s\" already exists\n", ts_dom.name);
        return -EEXIST;
    }
    if (initrd_find(ts_dom.kernel, &kernel, &kernel_len) ||
        (ts_dom.ramdisk[0] && initrd_find(ts_dom.ramdisk, &ramdisk, &ramdisk_len))) {
        ts_printf("xl: cannot read %s: No such file or directory\n",
                  ramdisk || !ts_dom.ramdisk[0] ? ts_dom.kernel : ts_dom.ramdisk);
        return -ENOENT;
    }
    rc = (int)domctl_create(ts_dom.maxvcpus, &domid);
    if (rc) {
        ts_printf("xl: cannot create domain %s: error %d\n", ts_dom.name, rc);
        return rc;
    }
    step = "max_mem";
    rc = (int)domctl_max_mem(domid, ts_dom.maxmem_mib * 1024 + MAXMEM_SLACK_KIB);
    if (!rc && (step = "scheduler parameters"))
        rc = (int)domctl_sched_credit_set(domid, ts_dom.weight, ts_dom.cap);
    if (rc == -EINVAL && step[0] == 's')
        rc = 0; /* not the credit scheduler: xl.cfg's weight and cap do not apply */
    if (!rc && (step = "vCPU affinity"))
        rc = ts_affinity(domid);
    if (!rc && (step = "build")) {
        a = (struct domctl_build_args){
            .kernel = kernel,
            .kernel_len = kernel_len,
            .ramdisk = ramdisk,
            .ramdisk_len = ramdisk_len,
            .cmdline = ts_dom.cmdline,
            .name = ts_dom.name,
            .nr_pages = ts_dom.memory_mib * 256,
            .vcpus_online = ts_dom.vcpus,
            .store_domid = ts_xs_domid(),
        };
        rc = (int)domctl_build(domid, &a, &built);
    }
    if (rc) {
        if (rc == -ENOMEM)
            ts_printf("xl: cannot create %s: not enough free memory for %lu MiB\n", ts_dom.name,
                      (unsigned long)ts_dom.memory_mib);
        else
            ts_printf("xl: cannot create %s: %s failed (error %d)\n", ts_dom.name, step, rc);
        toolstack_destroy(domid);
        return rc;
    }
    ts_xs_discover(); /* its home and its introduction */
    rc = (int)domctl_unpause(domid);
    if (rc) {
        ts_printf("xl: cannot start %s (error %d)\n", ts_dom.name, rc);
        toolstack_destroy(domid);
        return rc;
    }
    *out = domid;
    return 0;
}

static void ts_record(struct ts_domain *t, domid_t domid, const char *path,
                      const char *const *extra, unsigned int nr_extra)
{
    t->used = true;
    t->domid = domid;
    strlcpy(t->path, path, sizeof(t->path));
    t->nr_extra = nr_extra;
    for (unsigned int i = 0; i < nr_extra; i++)
        strlcpy(t->extra[i], extra[i], sizeof(t->extra[i]));
    t->on_poweroff = ts_dom.on_poweroff;
    t->on_reboot = ts_dom.on_reboot;
    t->on_watchdog = ts_dom.on_watchdog;
    t->on_crash = ts_dom.on_crash;
    t->on_soft_reset = ts_dom.on_soft_reset;
    t->start_ns = time_now();
}

int toolstack_create(void *ctx, const char *path, const char *const *extra, unsigned int nr_extra,
                     uint16_t *domid)
{
    struct ts_domain *slot = NULL;
    int rc;

    (void)ctx;
    if (nr_extra > TS_MAX_EXTRA)
        return -E2BIG;
    for (unsigned int i = 0; i < nr_extra; i++)
        if (strlen(extra[i]) >= TS_EXTRA_LEN)
            return -E2BIG;
    for (unsigned int i = 0; !slot && i < XL_MAX_DOMAINS; i++)
        if (!ts_doms[i].used)
            slot = &ts_doms[i];
    if (!slot) {
        ts_printf("xl: at most %u domains at once\n", XL_MAX_DOMAINS);
        return -ENOSPC;
    }
    rc = ts_parse(path, extra, nr_extra);
    if (!rc)
        rc = ts_make(domid);
    if (!rc)
        ts_record(slot, *domid, path, extra, nr_extra);
    return rc;
}

int toolstack_destroy(domid_t domid)
{
    struct ts_domain *t = ts_find(domid);
    struct domctl_info info;
    long rc = domctl_destroy(domid);

    if (rc)
        return (int)rc;
    /* Gone once getdomaininfo no longer finds it (its frames are back
     * then), and once xenstored has released it (unmapped its store page,
     * removed its home). */
    while (domctl_domain_info(domid, &info) == 0 || ts_xs_serving(domid))
        toolstack_idle(10000000ull);
    if (t)
        t->used = false;
    return 0;
}

static enum xlcfg_action ts_action(const struct ts_domain *t, unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return t->on_poweroff;
    case SHUTDOWN_reboot:
        return t->on_reboot;
    case SHUTDOWN_watchdog:
        return t->on_watchdog;
    case SHUTDOWN_crash:
        return t->on_crash;
    case SHUTDOWN_soft_reset:
        return t->on_soft_reset == XLCFG_ACTION_SOFT_RESET ? XLCFG_ACTION_DESTROY
                                                           : t->on_soft_reset;
    }
    return XLCFG_ACTION_DESTROY; /* suspend: nothing here resumes it */
}

static void ts_restart(struct ts_domain *t)
{
    const char *extra[TS_MAX_EXTRA];
    struct ts_domain copy = *t;
    uint16_t domid;

    toolstack_destroy(t->domid);
    if (copy.restarts >= TS_MAX_RESTARTS) {
        ts_printf("xl: %s restarted %u times: not again\n", copy.path, copy.restarts);
        return;
    }
    for (unsigned int i = 0; i < copy.nr_extra; i++)
        extra[i] = copy.extra[i];
    if (toolstack_create(NULL, copy.path, extra, copy.nr_extra, &domid) == 0) {
        ts_find(domid)->restarts = copy.restarts + 1;
        ts_printf("xl: domain restarted as %u\n", domid);
    }
}

void toolstack_domains_changed(bool *spoke)
{
    ts_spoke = spoke;
    for (unsigned int i = 0; i < XL_MAX_DOMAINS; i++) {
        struct ts_domain *t = &ts_doms[i];
        struct domctl_info info;
        enum xlcfg_action action;

        if (!t->used)
            continue;
        if (domctl_domain_info(t->domid, &info)) {
            t->used = false; /* destroyed by someone else */
            continue;
        }
        if (!info.shutdown || info.dying)
            continue;
        action = ts_action(t, info.shutdown_reason);
        ts_printf("Domain %u has shut down, reason code %u: %s\n", t->domid, info.shutdown_reason,
                  xlcfg_action_name(action));
        if (action == XLCFG_ACTION_PRESERVE) {
            t->used = false; /* kept as it is; xl destroy ends it */
            continue;
        }
        if (action == XLCFG_ACTION_RESTART)
            ts_restart(t);
        else
            toolstack_destroy(t->domid);
    }
    ts_spoke = NULL;
}
