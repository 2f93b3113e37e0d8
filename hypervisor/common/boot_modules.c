/* SPDX-License-Identifier: MIT */
/*
 * Grouping boot modules into domains (docs/boot-protocol.md): each
 * "xlcfg" module opens a domain, which takes the "kernel" module right
 * after it and then, if present, the "ramdisk" module. Anything out of
 * that order belongs to no domain and is listed as stray, so the caller
 * can report it instead of guessing what was meant.
 *
 * Pure: reads only the argument strings. No locking (boot only).
 */
#include <xenolith/boot_modules.h>
#include <xenolith/string.h>

static bool boot_word_is(const char *args, const char *word, size_t len)
{
    return len == strlen(word) && strncmp(args, word, len) == 0;
}

enum boot_module_role boot_modules_role(const char *args, const char **rest)
{
    size_t len;

    while (*args == ' ' || *args == '\t')
        args++;
    for (len = 0; args[len] && args[len] != ' ' && args[len] != '\t'; len++)
        ;
    if (rest)
        *rest = args + len;
    if (boot_word_is(args, "xlcfg", len))
        return BOOT_ROLE_XLCFG;
    if (boot_word_is(args, "kernel", len))
        return BOOT_ROLE_KERNEL;
    if (boot_word_is(args, "ramdisk", len))
        return BOOT_ROLE_RAMDISK;
    return BOOT_ROLE_OTHER;
}

void boot_modules_plan(struct boot_plan *plan, const char *const *args, unsigned int n)
{
    struct boot_group *g = NULL;
    unsigned int i;

    memset(plan, 0, sizeof(*plan));
    plan->xen_form = true;
    for (i = 0; i < n && i < BOOT_MAX_MODULES; i++)
        if (boot_modules_role(args[i], NULL) == BOOT_ROLE_XLCFG)
            plan->xen_form = false;
    if (plan->xen_form)
        return;

    for (i = 0; i < n && i < BOOT_MAX_MODULES; i++) {
        const char *rest;
        enum boot_module_role role = boot_modules_role(args[i], &rest);

        if (role == BOOT_ROLE_XLCFG) {
            g = &plan->groups[plan->nr_groups++];
            g->xlcfg = (int)i;
            g->kernel = g->ramdisk = BOOT_MODULE_NONE;
            g->args = rest;
        } else if (role == BOOT_ROLE_KERNEL && g && g->xlcfg == (int)i - 1) {
            g->kernel = (int)i;
        } else if (role == BOOT_ROLE_RAMDISK && g && g->kernel == (int)i - 1) {
            g->ramdisk = (int)i;
        } else {
            plan->stray[plan->nr_stray++] = i;
        }
    }
}
