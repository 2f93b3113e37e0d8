/* SPDX-License-Identifier: MIT */
/*
 * xl's command line (see xl.h): the verb table, option parsing as xl's
 * getopt_long loop does it, help, domain lookup by name or id, and the
 * shell-style word splitting of a typed line. The verbs themselves live
 * in xl_dom.c and xl_host.c.
 *
 * Messages and exit statuses follow Xen 4.17's tools/xl (xl.c, xl_utils.c
 * and libxl_utils.c for find_domain): a bad option is "option `x' not
 * supported." and status 2, too few arguments "'xl V' requires at least
 * N argument(s)." plus the verb's help and status 2, an unknown verb
 * "command not implemented" and status 1. Differences: no global options
 * (-v -f -N -t -T) and the help texts are our own words.
 *
 * Not reentrant: one command runs at a time. The domain list is static,
 * kept off the guest's 16 KiB kernel stack.
 */
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#include "xl_cli.h"

static struct xl_dominfo xl_dom_buf[XL_MAX_DOMAINS];

/* One call, one print: a line longer than the buffer is cut, so callers
 * print long texts in pieces (the backend prints dmesg itself). */
void xl_printf(struct xl_run *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    r->b->print(r->b->ctx, buf, (size_t)n);
}

bool xl_parse_ulong(const char *s, unsigned long *v)
{
    const char *end;

    if (*s < '0' || *s > '9')
        return false;
    *v = simple_strtoul(s, &end, 10);
    return *end == '\0' && *v != ~0ul;
}

void xl_fmt_secs(char *buf, size_t size, uint64_t ns, int width)
{
    uint64_t tenths = (ns + 50000000) / 100000000;

    snprintf(buf, size, "%*llu.%llu", width > 2 ? width - 2 : 1, (unsigned long long)(tenths / 10),
             (unsigned long long)(tenths % 10));
}

/* libxl reports failures in its own codes; the backend in errnos. */
int xl_libxl_rc(int err)
{
    switch (err) {
    case -ESRCH:
        return XL_ERROR_DOMAIN_NOTFOUND;
    case -ENOMEM:
        return XL_ERROR_NOMEM;
    case -EINVAL:
        return XL_ERROR_INVAL;
    case -ENOSYS:
        return XL_ERROR_NI;
    default:
        return XL_ERROR_FAIL;
    }
}

/* A failed list is not asked again in the same command: one message. */
int xl_domains(struct xl_run *r)
{
    if (r->nr_doms == XL_DOMS_UNREAD) {
        int n = r->b->list(r->b->ctx, r->doms, XL_MAX_DOMAINS);

        if (n < 0)
            xl_printf(r, "libxl_list_domain failed.\n");
        r->nr_doms = n < 0 ? XL_DOMS_FAILED : n;
    }
    return r->nr_doms < 0 ? -1 : r->nr_doms;
}

const struct xl_dominfo *xl_dominfo(struct xl_run *r, uint16_t domid)
{
    int n = xl_domains(r);

    for (int i = 0; i < n; i++)
        if (r->doms[i].domid == domid)
            return &r->doms[i];
    return NULL;
}

int xl_find_domain(struct xl_run *r, const char *q, uint16_t *domid)
{
    unsigned long id;
    int n = 0, rc = XL_ERROR_INVAL;

    if (xl_parse_ulong(q, &id)) {
        if (id <= 0xffff) {
            *domid = (uint16_t)id;
            return 0;
        }
    } else {
        n = xl_domains(r);
        if (n < 0)
            rc = XL_ERROR_NOMEM; /* libxl_name_to_domid's code when listing fails */
    }
    for (int i = 0; i < n; i++) {
        if (!strcmp(r->doms[i].name, q)) {
            *domid = r->doms[i].domid;
            return 0;
        }
    }
    xl_printf(r, "%s is an invalid domain identifier (rc=%d)\n", q, rc);
    return XL_EXIT_FAILURE;
}

static int xl_stop(struct xl_run *r, int status)
{
    r->status = status;
    return XL_OPT_STOP;
}

static int xl_bad_option(struct xl_run *r, char c)
{
    xl_printf(r, "option `%c' not supported.\n", c);
    return xl_stop(r, XL_EXIT_USAGE);
}

static int xl_opts_done(struct xl_run *r)
{
    int need = r->cmd->nr_required;

    if (r->nr_args >= need)
        return XL_OPT_END;
    xl_printf(r, "'xl %s' requires at least %d argument%s.\n\n", r->cmd->name, need,
              need > 1 ? "s" : "");
    xl_help(r, r->cmd->name);
    return xl_stop(r, XL_EXIT_USAGE);
}

/* The option's argument: the rest of its word, or the next word. */
static bool xl_take_optarg(struct xl_run *r, const char *rest)
{
    if (rest && *rest)
        r->optarg = rest;
    else if (r->argi < r->argc)
        r->optarg = r->argv[r->argi++];
    else
        return false;
    return true;
}

static int xl_short_opt(struct xl_run *r)
{
    char c = *r->cluster++;
    const char *spec = c != ':' ? strchr(r->cmd->optstring, c) : NULL;
    const char *rest = r->cluster;

    if (!*r->cluster)
        r->cluster = NULL;
    if (c == 'h') {
        xl_help(r, r->cmd->name);
        return xl_stop(r, 0);
    }
    if (!spec)
        return xl_bad_option(r, c);
    if (spec[1] == ':') {
        r->cluster = NULL;
        if (!xl_take_optarg(r, rest))
            return xl_bad_option(r, c);
    }
    return c;
}

/* "--name", "--name=value" or "--name value"; only whole names. */
static int xl_long_opt(struct xl_run *r, const char *word)
{
    static const struct xl_longopt help = {"help", false, 'h'};
    const char *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);
    const struct xl_longopt *o = r->cmd->longopts;

    for (; o && o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, word, len))
            break;
    if (!o || !o->name)
        o = !strcmp(word, "help") ? &help : NULL;
    if (!o) {
        xl_printf(r, "option `--%s' not supported.\n", word);
        return xl_stop(r, XL_EXIT_USAGE);
    }
    if (o->letter == 'h') {
        xl_help(r, r->cmd->name);
        return xl_stop(r, 0);
    }
    if (o->has_arg && !xl_take_optarg(r, eq ? eq + 1 : NULL))
        return xl_bad_option(r, o->letter);
    return o->letter;
}

/*
 * The next option letter, as GNU getopt_long with xl's optstrings:
 * options and positional arguments may mix (positional ones are
 * collected in r->args), "--" ends the options and a lone "-" is an
 * argument.
 */
int xl_getopt(struct xl_run *r)
{
    while (!r->cluster) {
        const char *a;

        if (r->argi >= r->argc)
            return xl_opts_done(r);
        a = r->argv[r->argi++];
        if (r->no_more_opts || a[0] != '-' || !a[1]) {
            if (r->nr_args == XL_MAX_ARGS) {
                xl_printf(r, "xl: too many arguments.\n");
                return xl_stop(r, XL_EXIT_USAGE);
            }
            r->args[r->nr_args++] = a;
        } else if (!strcmp(a, "--")) {
            r->no_more_opts = true;
        } else if (a[1] == '-') {
            return xl_long_opt(r, a + 2);
        } else {
            r->cluster = a + 1;
        }
    }
    return xl_short_opt(r);
}

bool xl_flag_opts(struct xl_run *r, bool *flag)
{
    int opt;

    while ((opt = xl_getopt(r)) > 0)
        *flag = true;
    return opt == XL_OPT_END;
}

static const struct xl_longopt xl_create_longopts[] = {
    {"defconfig", true, 'f'}, {"quiet", false, 'q'}, {NULL, false, 0}};
static const struct xl_longopt xl_list_longopts[] = {{"long", false, 'l'}, {NULL, false, 0}};
static const struct xl_longopt xl_shutdown_longopts[] = {
    {"all", false, 'a'}, {"wait", false, 'w'}, {NULL, false, 0}};
static const struct xl_longopt xl_vcpu_set_longopts[] = {{"ignore-host", false, 'i'},
                                                         {NULL, false, 0}};
static const struct xl_longopt xl_sched_longopts[] = {{"domain", true, 'd'},
                                                      {"weight", true, 'w'},
                                                      {"cap", true, 'c'},
                                                      {"schedparam", false, 's'},
                                                      {"tslice_ms", true, 't'},
                                                      {"ratelimit_us", true, 'r'},
                                                      {"migration_delay_us", true, 'm'},
                                                      {"cpupool", true, 'p'},
                                                      {NULL, false, 0}};
static const struct xl_longopt xl_dmesg_longopts[] = {{"clear", false, 'c'}, {NULL, false, 0}};

/* In xl's order (tools/xl/xl_cmdtable.c); descriptions in our words. */
static const struct xl_cmd xl_cmds[] = {
    {"create", xl_cmd_create, "cdef:pqF", xl_create_longopts, 0,
     "<ConfigFile> [options] [key=value ...]", "Build a domain from an xl.cfg file and start it",
     "-c          Attach to its console once it runs.\n"
     "-f FILE     Read the configuration from FILE.\n"
     "-p          Leave it paused once built.\n"
     "-q          Do not print the \"Parsing config\" line.\n"
     "-e, -F, -d  Accepted for xl's sake; no effect here."},
    {"list", xl_cmd_list, "l", xl_list_longopts, 0, "[options] [Domain]",
     "Show every domain, or one", "-l, --long  Print each domain's details as JSON."},
    {"destroy", xl_cmd_destroy, "f", NULL, 1, "[options] <Domain>",
     "Kill a domain at once, without asking it", "-f          Allow destroying domain 0 as well."},
    {"shutdown", xl_cmd_shutdown, "awF", xl_shutdown_longopts, 0, "[options] <-a|Domain>",
     "Ask a domain to power off",
     "-a, --all   Every domain but domain 0.\n"
     "-w, --wait  Return only once it has shut down.\n"
     "-F          Accepted for xl's sake (PV guests need no fallback)."},
    {"reboot", xl_cmd_shutdown, "awF", xl_shutdown_longopts, 0, "[options] <-a|Domain>",
     "Ask a domain to restart",
     "-a, --all   Every domain but domain 0.\n"
     "-w, --wait  Return only once it has shut down.\n"
     "-F          Accepted for xl's sake (PV guests need no fallback)."},
    {"pause", xl_cmd_pause, "", NULL, 1, "<Domain>", "Stop running a domain's vCPUs", NULL},
    {"unpause", xl_cmd_pause, "", NULL, 1, "<Domain>", "Let a paused domain run again", NULL},
    {"console", xl_cmd_console, "n:t:", NULL, 1, "[options] <Domain>",
     "Connect to a domain's console (leave with Ctrl-])",
     "-t TYPE     Console type: pv (the only one here), serial or vuart.\n"
     "-n NUMBER   Console number (only 0)."},
    {"mem-max", xl_cmd_mem, "", NULL, 2, "<Domain> <Size[b|k|m|g|t]>",
     "Set the most memory a domain may hold (plain numbers are MiB)", NULL},
    {"mem-set", xl_cmd_mem, "", NULL, 2, "<Domain> <Size[b|k|m|g|t]>",
     "Set the memory a domain should balloon to (plain numbers are MiB)", NULL},
    {"vcpu-list", xl_cmd_vcpu_list, "", NULL, 0, "[Domain ...]",
     "Show the vCPUs of every domain, or of some", NULL},
    {"vcpu-pin", xl_cmd_vcpu_pin, "", NULL, 3, "<Domain> <VCPU|all> <Hard|-|all> [Soft|-|all]",
     "Choose the pCPUs a vCPU may run on",
     "CPU lists look like 0-2,5 or all; ^N leaves N out; - keeps the current one."},
    {"vcpu-set", xl_cmd_vcpu_set, "i", xl_vcpu_set_longopts, 2, "[option] <Domain> <vCPUs>",
     "Set how many of a domain's vCPUs are online",
     "-i, --ignore-host  Allow more vCPUs than the host has pCPUs."},
    {"info", xl_cmd_info, "", NULL, 0, "[name]", "Show facts about the host and the hypervisor",
     NULL},
    {"sched-credit", xl_cmd_sched_credit, "d:w:c:p:t:r:m:s", xl_sched_longopts, 0,
     "[-d <Domain> [-w WEIGHT] [-c CAP]] [-s] [-p CPUPOOL]",
     "Show or change credit scheduler weights and caps",
     "-d DOMAIN   The domain to show or change.\n"
     "-w WEIGHT   Its weight (1-65535).\n"
     "-c CAP      Its cap, in % of one pCPU (0: none).\n"
     "-s          Show the scheduler's own parameters.\n"
     "-p CPUPOOL  Only this pool (there is only Pool-0)."},
    {"domid", xl_cmd_domid, "", NULL, 1, "<DomainName>", "Print the id of a named domain", NULL},
    {"domname", xl_cmd_domname, "", NULL, 1, "<DomainId>", "Print the name of a domain id", NULL},
    {"dmesg", xl_cmd_dmesg, "c", xl_dmesg_longopts, 0, "[-c]", "Print the hypervisor's console log",
     "-c, --clear  Empty the log after printing it."},
    {"uptime", xl_cmd_uptime, "", NULL, 0, "[Domain ...]",
     "Show how long domains have been running", NULL},
};

static const struct xl_cmd *xl_cmd_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(xl_cmds); i++)
        if (!strcmp(xl_cmds[i].name, name))
            return &xl_cmds[i];
    return NULL;
}

/* xl's help layout (xl.c: help()), with no global options. */
void xl_help(struct xl_run *r, const char *verb)
{
    const struct xl_cmd *c;

    if (!verb || !strcmp(verb, "help")) {
        xl_printf(r, "Usage xl <subcommand> [args]\n\nxl full list of subcommands:\n\n");
        for (size_t i = 0; i < ARRAY_SIZE(xl_cmds); i++)
            xl_printf(r, " %-19s %s\n", xl_cmds[i].name, xl_cmds[i].desc);
        return;
    }
    c = xl_cmd_find(verb);
    if (!c) {
        xl_printf(r, "command \"%s\" not implemented\n", verb);
        return;
    }
    xl_printf(r, "Usage: xl %s %s\n\n%s.\n\n", c->name, c->usage, c->desc);
    if (c->options)
        xl_printf(r, "Options:\n\n%s\n", c->options);
}

int xl_main(const struct xl_backend *b, int argc, char **argv)
{
    struct xl_run r = {.b = b, .argi = 1, .nr_doms = XL_DOMS_UNREAD, .doms = xl_dom_buf};

    if (argc < 2) {
        xl_help(&r, NULL);
        return XL_EXIT_FAILURE;
    }
    if (argv[1][0] == '-') {
        xl_printf(&r, "unknown global option\n");
        return XL_EXIT_FAILURE;
    }
    if (!strcmp(argv[1], "help")) {
        xl_help(&r, argc > 2 ? argv[2] : NULL);
        return 0;
    }
    r.cmd = xl_cmd_find(argv[1]);
    if (!r.cmd) {
        xl_printf(&r, "command not implemented\n");
        return XL_EXIT_FAILURE;
    }
    r.argc = argc - 1;
    r.argv = argv + 1;
    return r.cmd->run(&r);
}

static bool xl_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Words are copied down over the line as they are read, quotes dropped,
 * so the write position never passes the read position.
 */
int xl_split_line(char *line, char **argv, int max)
{
    char *rd = line, *wr = line;
    int n = 0;

    for (;;) {
        char c;

        while (xl_is_blank(*rd))
            rd++;
        if (!*rd)
            return n;
        if (n == max)
            return -1;
        argv[n++] = wr;
        while (*rd && !xl_is_blank(*rd)) {
            if (*rd == '\'' || *rd == '"') {
                char quote = *rd++;

                while (*rd && *rd != quote)
                    *wr++ = *rd++;
                if (!*rd)
                    return -1;
                rd++;
            } else {
                *wr++ = *rd++;
            }
        }
        c = *rd; /* read before the NUL may land on it */
        *wr++ = '\0';
        if (c)
            rd++;
    }
}
