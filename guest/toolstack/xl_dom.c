/* SPDX-License-Identifier: MIT */
/*
 * xl's domain verbs: create, list, destroy, shutdown, reboot, pause,
 * unpause, console, mem-max, mem-set, domid, domname, uptime. Formats and
 * messages are those of Xen 4.17's tools/xl (the file is named at each
 * verb); where the backend cannot tell what libxl would, the comment
 * says what we do instead.
 */
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#include "xl_cli.h"

/*
 * create (xl_vmcontrol.c: main_create, create_domain). A first word that
 * is neither an option nor key=value is the config file; -f names it
 * too; any other plain word is an error. -p pauses the domain right after
 * the backend has created and started it: a short run before the pause
 * is possible, where xl never lets it run. A failure's exit status is
 * libxl's code negated, as xl's, from the backend's errno.
 */
int xl_cmd_create(struct xl_run *r)
{
    const char *config = NULL, *extra[XL_MAX_ARGS];
    bool console = false, paused = false, quiet = false;
    unsigned int nr_extra = 0;
    uint16_t domid;
    int opt, first = 0, rc;

    if (r->argc > 1 && r->argv[1][0] != '-' && !strchr(r->argv[1], '=')) {
        config = r->argv[1];
        first = 1;
    }
    while ((opt = xl_getopt(r)) > 0) {
        if (opt == 'c')
            console = true;
        else if (opt == 'f')
            config = r->optarg;
        else if (opt == 'p')
            paused = true;
        else if (opt == 'q')
            quiet = true;
    }
    if (opt == XL_OPT_STOP)
        return r->status;
    for (int i = first; i < r->nr_args; i++) {
        if (strchr(r->args[i], '=')) {
            extra[nr_extra++] = r->args[i];
        } else if (!config) {
            config = r->args[i];
        } else {
            xl_help(r, "create");
            return XL_EXIT_USAGE;
        }
    }
    if (!config) {
        xl_printf(r, "Config file not specified and none in save file\n");
        return -XL_ERROR_INVAL;
    }
    if (!quiet)
        xl_printf(r, "Parsing config from %s\n", config);
    rc = r->b->create(r->b->ctx, config, extra, nr_extra, &domid);
    if (rc)
        return -xl_libxl_rc(rc);
    if (paused && r->b->pause(r->b->ctx, domid))
        xl_printf(r, "Failed to pause domain %u\n", domid);
    if (console && r->b->console(r->b->ctx, domid))
        xl_printf(r, "Unable to attach console\n");
    return 0;
}

/* xl_info.c: list_domains. The fifth state letter is the shutdown reason. */
static void xl_list_row(struct xl_run *r, const struct xl_dominfo *d)
{
    static const char reasons[] = "-rscwS"; /* SHUTDOWN_poweroff .. soft_reset */
    unsigned int why = d->shutdown ? d->shutdown_reason : 0;
    char secs[24];

    xl_fmt_secs(secs, sizeof(secs), d->cpu_time_ns, 8);
    xl_printf(r, "%-40s %5u %5llu %5u     %c%c%c%c%c%c  %s\n", d->name, d->domid,
              (unsigned long long)(d->mem_kib / 1024), d->vcpus_online, d->running ? 'r' : '-',
              d->blocked ? 'b' : '-', d->paused ? 'p' : '-', d->shutdown ? 's' : '-',
              why < sizeof(reasons) - 1 ? reasons[why] : '?', d->dying ? 'd' : '-', secs);
}

static void xl_json_string(char *out, size_t size, const char *s)
{
    size_t n = 0;

    for (; *s && n + 3 < size; s++) {
        if (*s == '"' || *s == '\\')
            out[n++] = '\\';
        out[n++] = *s;
    }
    out[n] = '\0';
}

/*
 * list -l. xl prints each domain's whole libxl_domain_config as JSON; we
 * have only what the domain list says, so we print that part of it, in
 * the same shape and names: [{"domid", "config": {"c_info": {"name"},
 * "b_info": {"max_vcpus", "max_memkb"}}}], indented by 4 as yajl does.
 */
static void xl_list_json(struct xl_run *r, const struct xl_dominfo *d, int n)
{
    char name[2 * XL_NAME_LEN + 1];

    xl_printf(r, "[\n");
    for (int i = 0; i < n; i++) {
        xl_json_string(name, sizeof(name), d[i].name);
        xl_printf(r,
                  "    {\n        \"domid\": %u,\n        \"config\": {\n"
                  "            \"c_info\": {\n                \"name\": \"%s\"\n            },\n"
                  "            \"b_info\": {\n                \"max_vcpus\": %u,\n"
                  "                \"max_memkb\": %llu\n            }\n        }\n    }%s\n",
                  d[i].domid, name, d[i].max_vcpus, (unsigned long long)d[i].maxmem_kib,
                  i + 1 < n ? "," : "");
    }
    xl_printf(r, "]\n");
}

/* list (xl_info.c: main_list): every domain, or the one named; like xl
 * 4.17, more than one is a usage error. -v, -Z, -c, -n are not offered. */
int xl_cmd_list(struct xl_run *r)
{
    const struct xl_dominfo *d = r->doms;
    bool details = false;
    uint16_t domid;
    int n;

    if (!xl_flag_opts(r, &details)) /* -l */
        return r->status;
    if (r->nr_args > 1) {
        xl_help(r, "list");
        return XL_EXIT_FAILURE;
    }
    if (r->nr_args == 1) {
        if (xl_find_domain(r, r->args[0], &domid))
            return XL_EXIT_FAILURE;
        if (xl_domains(r) < 0)
            return XL_EXIT_FAILURE;
        d = xl_dominfo(r, domid);
        if (!d) {
            xl_printf(r, "Error: Domain '%s' does not exist.\n", r->args[0]);
            return XL_EXIT_FAILURE;
        }
        n = 1;
    } else {
        n = xl_domains(r);
        if (n < 0)
            return XL_EXIT_FAILURE;
    }
    if (details) {
        xl_list_json(r, d, n);
        return 0;
    }
    xl_printf(r, "Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
    for (int i = 0; i < n; i++)
        xl_list_row(r, &d[i]);
    return 0;
}

/* destroy (xl_vmcontrol.c: destroy_domain). */
int xl_cmd_destroy(struct xl_run *r)
{
    bool force = false;
    uint16_t domid;
    int rc;

    if (!xl_flag_opts(r, &force)) /* -f */
        return r->status;
    if (xl_find_domain(r, r->args[0], &domid))
        return XL_EXIT_FAILURE;
    if (domid == 0 && !force) {
        xl_printf(r, "Not destroying domain 0; use -f to force.\n"
                     "This can only be done when using a disaggregated hardware domain and "
                     "toolstack.\n\n");
        return XL_EXIT_FAILURE;
    }
    rc = r->b->destroy(r->b->ctx, domid);
    if (rc) {
        xl_printf(r, "destroy failed (rc=%d)\n", xl_libxl_rc(rc));
        return XL_EXIT_FAILURE;
    }
    return 0;
}

static int xl_signal(struct xl_run *r, uint16_t domid, bool reboot)
{
    int rc;

    xl_printf(r, reboot ? "Rebooting domain %u\n" : "Shutting down domain %u\n", domid);
    rc = r->b->shutdown(r->b->ctx, domid, reboot);
    if (rc) {
        xl_printf(r, "%s failed (rc=%d)\n", reboot ? "reboot" : "shutdown", xl_libxl_rc(rc));
        return XL_EXIT_FAILURE;
    }
    return 0;
}

/* -w: xl logs each domain's end (xl_vmcontrol.c: wait_for_domain_deaths). */
static int xl_wait(struct xl_run *r, const uint16_t *ids, int n)
{
    xl_printf(r, "Waiting for %d domains\n", n);
    for (int i = 0; i < n; i++) {
        const struct xl_dominfo *d;
        int rc = r->b->wait_shutdown(r->b->ctx, ids[i]);

        if (rc) {
            xl_printf(r, "Failed to get event, quitting (rc=%d)\n", xl_libxl_rc(rc));
            return XL_EXIT_FAILURE;
        }
        r->nr_doms = XL_DOMS_UNREAD; /* list again: it has changed */
        if (xl_domains(r) < 0)
            return XL_EXIT_FAILURE;
        d = xl_dominfo(r, ids[i]);
        if (d && d->shutdown)
            xl_printf(r, "Domain %u has been shut down, reason code %u\n", ids[i],
                      d->shutdown_reason);
        else
            xl_printf(r, "Domain %u has been destroyed\n", ids[i]);
    }
    return 0;
}

/* shutdown and reboot (xl_vmcontrol.c: main_shutdown_or_reboot). */
int xl_cmd_shutdown(struct xl_run *r)
{
    bool reboot = !strcmp(r->cmd->name, "reboot");
    uint16_t ids[XL_MAX_DOMAINS];
    bool all = false, wait = false;
    int opt, n = 0;

    while ((opt = xl_getopt(r)) > 0) {
        if (opt == 'a')
            all = true;
        else if (opt == 'w')
            wait = true;
    }
    if (opt == XL_OPT_STOP)
        return r->status;
    if (!all && !r->nr_args) {
        xl_printf(r, "You must specify -a or a domain id.\n\n");
        return XL_EXIT_FAILURE;
    }
    if (all) {
        int nr = xl_domains(r);

        if (nr < 0)
            return XL_EXIT_FAILURE;
        for (int i = 0; i < nr; i++)
            if (r->doms[i].domid != 0)
                ids[n++] = r->doms[i].domid;
    } else if (xl_find_domain(r, r->args[0], &ids[n++])) {
        return XL_EXIT_FAILURE;
    }
    for (int i = 0; i < n; i++)
        if (xl_signal(r, ids[i], reboot))
            return XL_EXIT_FAILURE;
    return wait ? xl_wait(r, ids, n) : 0;
}

/*
 * pause and unpause (xl_vmcontrol.c). xl ignores libxl's answer, which
 * logs its own error and exits 0; we print "<verb> failed (rc=N)", as
 * xl's destroy does, and exit 1.
 */
int xl_cmd_pause(struct xl_run *r)
{
    bool pause = !strcmp(r->cmd->name, "pause");
    uint16_t domid;
    int rc;

    XL_NO_OPTIONS(r);
    if (xl_find_domain(r, r->args[0], &domid))
        return XL_EXIT_FAILURE;
    rc = pause ? r->b->pause(r->b->ctx, domid) : r->b->unpause(r->b->ctx, domid);
    if (rc) {
        xl_printf(r, "%s failed (rc=%d)\n", r->cmd->name, xl_libxl_rc(rc));
        return XL_EXIT_FAILURE;
    }
    return 0;
}

/* console (xl_console.c): only the PV console, number 0, exists here. */
int xl_cmd_console(struct xl_run *r)
{
    bool other = false;
    uint16_t domid;
    int opt;

    while ((opt = xl_getopt(r)) > 0) {
        if (opt == 't' && strcmp(r->optarg, "pv") && strcmp(r->optarg, "serial") &&
            strcmp(r->optarg, "vuart")) {
            xl_printf(r, "console type supported are: pv, serial, vuart\n");
            return XL_EXIT_FAILURE;
        }
        other |= (opt == 't' && strcmp(r->optarg, "pv")) || (opt == 'n' && strcmp(r->optarg, "0"));
    }
    if (opt == XL_OPT_STOP)
        return r->status;
    if (xl_find_domain(r, r->args[0], &domid))
        return XL_EXIT_FAILURE;
    if (other || r->b->console(r->b->ctx, domid)) {
        xl_printf(r, "Unable to attach console\n");
        return XL_EXIT_FAILURE;
    }
    return 0;
}

/*
 * xl_parse.c: parse_mem_size_kb. A number and at most one unit letter,
 * either case: b(ytes) k m g t; none means MiB. Stricter than xl's
 * strtoll: no sign, blanks or overflow.
 */
static bool xl_parse_mem_kib(const char *s, uint64_t *kib)
{
    const char *end;
    unsigned long v;
    unsigned int shift;
    char unit;

    if (*s < '0' || *s > '9')
        return false;
    v = simple_strtoul(s, &end, 10);
    if (v == ~0ul || (end[0] && end[1]))
        return false;
    unit = end[0] >= 'A' && end[0] <= 'Z' ? end[0] - 'A' + 'a' : end[0];
    if (unit == 'b') {
        *kib = v >> 10;
        return true;
    }
    shift = unit == 't' ? 30 : unit == 'g' ? 20 : unit == 'm' || !unit ? 10 : unit == 'k' ? 0 : 99;
    if (shift == 99 || v > (UINT64_MAX >> shift))
        return false;
    *kib = (uint64_t)v << shift;
    return true;
}

/* mem-max and mem-set (xl_mem.c). */
int xl_cmd_mem(struct xl_run *r)
{
    bool max = !strcmp(r->cmd->name, "mem-max");
    uint16_t domid;
    uint64_t kib;
    int rc;

    XL_NO_OPTIONS(r);
    if (xl_find_domain(r, r->args[0], &domid))
        return XL_EXIT_FAILURE;
    if (!xl_parse_mem_kib(r->args[1], &kib)) {
        xl_printf(r, "invalid memory size: %s\n", r->args[1]);
        return XL_EXIT_FAILURE;
    }
    rc = max ? r->b->mem_max(r->b->ctx, domid, kib) : r->b->mem_set(r->b->ctx, domid, kib);
    if (rc) {
        xl_printf(r, "cannot set domid %u %s max memory to : %s\n", domid,
                  max ? "static" : "dynamic", r->args[1]);
        return XL_EXIT_FAILURE;
    }
    return 0;
}

/* domid and domname (xl_info.c): names and ids through the list only. */
int xl_cmd_domid(struct xl_run *r)
{
    int n;

    XL_NO_OPTIONS(r);
    n = xl_domains(r);
    for (int i = 0; i < n; i++) {
        if (!strcmp(r->doms[i].name, r->args[0])) {
            xl_printf(r, "%u\n", r->doms[i].domid);
            return 0;
        }
    }
    xl_printf(r, "Can't get domid of domain name '%s', maybe this domain does not exist.\n",
              r->args[0]);
    return XL_EXIT_FAILURE;
}

int xl_cmd_domname(struct xl_run *r)
{
    const struct xl_dominfo *d;
    unsigned long id;

    XL_NO_OPTIONS(r);
    if (!xl_parse_ulong(r->args[0], &id)) {
        xl_printf(r, "Invalid domain id.\n\n");
        return XL_EXIT_FAILURE;
    }
    d = id <= 0xffff ? xl_dominfo(r, (uint16_t)id) : NULL;
    if (!d) {
        xl_printf(
            r, "Can't get domain name of domain id '%lu', maybe this domain does not exist.\n", id);
        return XL_EXIT_FAILURE;
    }
    xl_printf(r, "%s\n", d->name);
    return 0;
}

/* xl_info.c: uptime_to_string, long form. */
static void xl_uptime_row(struct xl_run *r, const struct xl_dominfo *d, uint64_t now)
{
    uint64_t s = now > d->start_ns ? (now - d->start_ns) / 1000000000 : 0;
    unsigned long days = s / 86400;
    unsigned int h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
    char up[40];

    if (days)
        snprintf(up, sizeof(up), "%lu day%s, %2u:%02u:%02u", days, days > 1 ? "s" : "", h, m, sec);
    else
        snprintf(up, sizeof(up), "%2u:%02u:%02u", h, m, sec);
    xl_printf(r, "%-33s %4u %s\n", d->name, d->domid, up);
}

/*
 * uptime (xl_info.c: print_uptime): every domain, or those named. Time
 * since each domain's creation by the hypervisor's clock (xl reads dom0's
 * /proc/uptime for dom0). -s, which needs the wall clock, is not offered.
 * An id with no domain is skipped, as xl does.
 */
int xl_cmd_uptime(struct xl_run *r)
{
    uint16_t ids[XL_MAX_ARGS];
    uint64_t now;
    int n;

    XL_NO_OPTIONS(r);
    for (int i = 0; i < r->nr_args; i++)
        if (xl_find_domain(r, r->args[i], &ids[i]))
            return XL_EXIT_FAILURE;
    n = xl_domains(r);
    if (n < 0)
        return XL_EXIT_FAILURE;
    now = r->b->now_ns(r->b->ctx);
    xl_printf(r, "%-33s %4s %s\n", "Name", "ID", "Uptime");
    for (int i = 0; i < (r->nr_args ? r->nr_args : n); i++) {
        const struct xl_dominfo *d = r->nr_args ? xl_dominfo(r, ids[i]) : &r->doms[i];

        if (d)
            xl_uptime_row(r, d, now);
    }
    return 0;
}
