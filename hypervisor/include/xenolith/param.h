/* SPDX-License-Identifier: MIT */
/*
 * Boot command-line options. Each subsystem declares its own options next
 * to the variable they set; the linker gathers them into one table that
 * cmdline_parse() walks, so there is no central list to edit.
 */
#ifndef XENOLITH_PARAM_H
#define XENOLITH_PARAM_H

#include <xenolith/cmdline.h>
#include <xenolith/compiler.h>

#define DEFINE_PARAM_(id, n, t, v, sz, fn)                                                         \
    static const struct cmdline_option param_##id __used __section(".param")                       \
        __aligned(8) = {.name = n, .type = t, .var = v, .size = sz, .parse = fn}

#define BOOL_PARAM(n, var)   DEFINE_PARAM_(var, n, CMDLINE_BOOL, &var, sizeof(var), NULL)
#define UINT_PARAM(n, var)   DEFINE_PARAM_(var, n, CMDLINE_UINT, &var, sizeof(var), NULL)
#define STRING_PARAM(n, var) DEFINE_PARAM_(var, n, CMDLINE_STRING, var, sizeof(var), NULL)
#define CUSTOM_PARAM(n, fn)  DEFINE_PARAM_(fn, n, CMDLINE_CUSTOM, NULL, 0, fn)

/* Parses the command line against every declared option; returns warnings. */
unsigned int param_parse_cmdline(const char *cmdline);

#endif
