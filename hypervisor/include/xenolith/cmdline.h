/* SPDX-License-Identifier: MIT */
/*
 * Boot command-line parser (hypervisor/common/cmdline.c), Xen style:
 *   console=com1 com1=115200,8n1 loglvl=all maxcpus=4 selftest no-foo
 *
 * Tokens are separated by spaces or tabs; double quotes group text that
 * may hold blanks (name="a b") and are removed. A token is name or
 * name=value, split at its first '='. Per type:
 *   CMDLINE_BOOL    var is bool *: "name" (true), "no-name" (false),
 *                   "name=1|0|yes|no|on|off|true|false"
 *   CMDLINE_UINT    var is unsigned long *: decimal or 0x hex, optional
 *                   K, M or G suffix (binary multiples)
 *   CMDLINE_STRING  var is char[size], value and NUL must fit
 *   CMDLINE_CUSTOM  parse(value) returns 0 or -EINVAL; value is "" when
 *                   the token has no '='
 * A later token overrides an earlier one. Each unknown option, missing or
 * invalid value, unterminated quote and token longer than
 * CMDLINE_MAX_TOKEN is reported through warn (nothing is skipped
 * silently), and its variable is left unchanged.
 *
 * No dynamic memory and no shared state: the caller serializes.
 */
#ifndef XENOLITH_CMDLINE_H
#define XENOLITH_CMDLINE_H

#include <xenolith/types.h>

#define CMDLINE_MAX_TOKEN 255

enum cmdline_type { CMDLINE_BOOL, CMDLINE_UINT, CMDLINE_STRING, CMDLINE_CUSTOM };

struct cmdline_option {
    const char *name;
    enum cmdline_type type;
    void *var;                       /* BOOL, UINT, STRING */
    size_t size;                     /* STRING: bytes at var */
    int (*parse)(const char *value); /* CUSTOM */
};

/* option: the name part of the token (cut short if overlong); why: the reason. */
typedef void (*cmdline_warn_fn)(const char *option, const char *why);

/* Applies cmdline (NULL is empty) to opts; returns the number of warnings. warn may be NULL. */
unsigned int cmdline_parse(const char *cmdline, const struct cmdline_option *opts, size_t nr_opts,
                           cmdline_warn_fn warn);

#endif
