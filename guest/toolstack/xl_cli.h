/* SPDX-License-Identifier: MIT */
/*
 * Inside the xl CLI: what xl_cli.c (parsing, dispatch, help) shares with
 * the verbs in xl_dom.c (domain life cycle, memory, names, uptime) and
 * xl_host.c (vCPUs, scheduler, host info, dmesg). Not for the backend:
 * its whole interface is xl.h.
 *
 * Everything printed, errors included, goes through the backend's print:
 * the control domain has one console, where xl has stdout and stderr.
 */
#ifndef GUEST_TOOLSTACK_XL_CLI_H
#define GUEST_TOOLSTACK_XL_CLI_H

#include <xenolith/compiler.h>

#include "xl.h"

#define XL_MAX_ARGS 32

/* xl_getopt's answers besides an option letter. */
#define XL_OPT_END  (-1) /* options done, enough positional arguments */
#define XL_OPT_STOP (-2) /* -h, a bad option or too few arguments: return r->status */

/* libxl's error codes, which xl prints as "rc=N". */
#define XL_ERROR_FAIL            (-3)
#define XL_ERROR_NI              (-4)
#define XL_ERROR_NOMEM           (-5)
#define XL_ERROR_INVAL           (-6)
#define XL_ERROR_DOMAIN_NOTFOUND (-21)

#define XL_DOMS_UNREAD (-1)
#define XL_DOMS_FAILED (-2)

#define XL_EXIT_FAILURE 1
#define XL_EXIT_USAGE   2 /* xl's status for a bad option or a missing argument */

/* For verbs without options: only -h, --help or a bad one can come. */
#define XL_NO_OPTIONS(r)                                                                           \
    do {                                                                                           \
        if (xl_getopt(r) != XL_OPT_END)                                                            \
            return (r)->status;                                                                    \
    } while (0)

struct xl_longopt {
    const char *name;
    bool has_arg;
    char letter;
};

struct xl_run;

struct xl_cmd {
    const char *name;
    int (*run)(struct xl_run *r);
    const char *optstring; /* getopt-style short options; 'h' is implied */
    const struct xl_longopt *longopts;
    int nr_required; /* positional arguments xl insists on */
    const char *usage, *desc, *options;
};

struct xl_run {
    const struct xl_backend *b;
    const struct xl_cmd *cmd;
    int argc;
    char **argv;
    /* xl_getopt's state: options may come anywhere, as with GNU getopt. */
    int argi;
    const char *cluster; /* the rest of a "-abc" being read */
    bool no_more_opts;   /* after "--" */
    const char *optarg;
    const char *args[XL_MAX_ARGS]; /* positional arguments, in order */
    int nr_args;
    int status; /* the exit status, when xl_getopt says XL_OPT_STOP */
    /* The domain list, read once per command (xl_domains). */
    int nr_doms; /* or XL_DOMS_UNREAD, XL_DOMS_FAILED */
    struct xl_dominfo *doms;
};

void xl_printf(struct xl_run *r, const char *fmt, ...) __printf(2, 3);
int xl_getopt(struct xl_run *r);
/* For verbs with one flag option: whether it came. false: the caller
 * returns r->status (help was asked for, or the options were bad). */
bool xl_flag_opts(struct xl_run *r, bool *flag);
void xl_help(struct xl_run *r, const char *verb);

/* Every domain (count, or -1 after printing xl's message). */
int xl_domains(struct xl_run *r);
const struct xl_dominfo *xl_dominfo(struct xl_run *r, uint16_t domid);
/* A domain named by id or name, as xl's find_domain: an id is taken as
 * it is, a name must be listed. 0, or XL_EXIT_FAILURE after the message. */
int xl_find_domain(struct xl_run *r, const char *q, uint16_t *domid);

int xl_libxl_rc(int err);
bool xl_parse_ulong(const char *s, unsigned long *v);
/* ns as seconds with one decimal, right-aligned in width: xl's "%*.1f"
 * without floating point (the guest has none). Ties round up; xl's
 * float may round a tie either way. */
void xl_fmt_secs(char *buf, size_t size, uint64_t ns, int width);

int xl_cmd_create(struct xl_run *r);
int xl_cmd_list(struct xl_run *r);
int xl_cmd_destroy(struct xl_run *r);
int xl_cmd_shutdown(struct xl_run *r); /* and reboot, by r->cmd->name */
int xl_cmd_pause(struct xl_run *r);    /* and unpause */
int xl_cmd_console(struct xl_run *r);
int xl_cmd_mem(struct xl_run *r); /* mem-max and mem-set */
int xl_cmd_domid(struct xl_run *r);
int xl_cmd_domname(struct xl_run *r);
int xl_cmd_uptime(struct xl_run *r);
int xl_cmd_vcpu_list(struct xl_run *r);
int xl_cmd_vcpu_pin(struct xl_run *r);
int xl_cmd_vcpu_set(struct xl_run *r);
int xl_cmd_sched_credit(struct xl_run *r);
int xl_cmd_info(struct xl_run *r);
int xl_cmd_dmesg(struct xl_run *r);

#endif
