/* SPDX-License-Identifier: MIT */
/* Walks the linker-gathered table of boot options (see xenolith/param.h). */
#include <xenolith/console.h>
#include <xenolith/param.h>

extern const struct cmdline_option __param_start[], __param_end[];

static void param_warn(const char *option, const char *why)
{
    printk(XENLOG_WARNING "WARNING: command line: '%s': %s\n", option, why);
}

unsigned int param_parse_cmdline(const char *cmdline)
{
    return cmdline_parse(cmdline, __param_start, (size_t)(__param_end - __param_start), param_warn);
}
