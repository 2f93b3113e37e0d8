/* SPDX-License-Identifier: MIT */
/*
 * The guest command line (start_info.cmd_line, from the module's
 * arguments): "suite=NAME[,NAME...]" and "hypercall=page|syscall".
 * It is parsed before the first hypercall, since it decides how
 * hypercalls are made; unknown words are only recorded here and reported
 * once the console works. Suite names point into a private copy of the line.
 */
#include <guest/kernel.h>
#include <xenolith/string.h>

struct cmdline kernel_cmdline;
static char cmdline_copy[MAX_GUEST_CMDLINE];

static bool cmdline_is_opt(const char *word, const char *name, const char **value)
{
    size_t n = strlen(name);

    if (strncmp(word, name, n) != 0 || word[n] != '=')
        return false;
    *value = word + n + 1;
    return true;
}

static void cmdline_suites(char *list)
{
    while (*list && kernel_cmdline.nr_suites < CMDLINE_MAX_SUITES) {
        char *comma = strchr(list, ',');

        if (comma)
            *comma = '\0';
        if (*list)
            kernel_cmdline.suites[kernel_cmdline.nr_suites++] = list;
        if (!comma)
            break;
        list = comma + 1;
    }
}

static void cmdline_word(char *word)
{
    const char *value;

    if (cmdline_is_opt(word, "suite", &value))
        cmdline_suites((char *)value);
    else if (cmdline_is_opt(word, "hypercall", &value) && strcmp(value, "page") == 0)
        kernel_cmdline.hypercall_syscall = false;
    else if (cmdline_is_opt(word, "hypercall", &value) && strcmp(value, "syscall") == 0)
        kernel_cmdline.hypercall_syscall = true;
    else if (kernel_cmdline.nr_unknown < ARRAY_SIZE(kernel_cmdline.unknown))
        kernel_cmdline.unknown[kernel_cmdline.nr_unknown++] = word;
}

void cmdline_parse(const char *line)
{
    char *p = cmdline_copy;

    strlcpy(cmdline_copy, line, sizeof(cmdline_copy));
    while (*p) {
        char *word;

        while (*p == ' ')
            p++;
        if (!*p)
            break;
        word = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = '\0';
        cmdline_word(word);
    }
}
