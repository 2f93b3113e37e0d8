/* SPDX-License-Identifier: MIT */
/*
 * The boot-module protocol of docs/boot-protocol.md, as pure logic: from
 * the modules' argument strings to the domains they describe. Nothing is
 * read but the strings and nothing printed, so the host unit tests run
 * this file unmodified (tests/unit/test_boot_modules.c).
 *
 * A module's role is its first argument word: "xlcfg" starts a domain,
 * "kernel" and then "ramdisk" may follow it. When no module is "xlcfg"
 * the list is in Xen's form (module 0 is dom0's kernel, module 1 its
 * ramdisk) and there are no groups.
 */
#ifndef XENOLITH_BOOT_MODULES_H
#define XENOLITH_BOOT_MODULES_H

#include <xenolith/bootinfo.h>
#include <xenolith/types.h>

#define BOOT_MODULE_NONE (-1)

enum boot_module_role { BOOT_ROLE_XLCFG, BOOT_ROLE_KERNEL, BOOT_ROLE_RAMDISK, BOOT_ROLE_OTHER };

/* One domain: module indices, BOOT_MODULE_NONE when absent. */
struct boot_group {
    int xlcfg;
    int kernel; /* NONE: the xlcfg module was not followed by a kernel */
    int ramdisk;
    const char *args; /* the xlcfg module's words after "xlcfg" */
};

struct boot_plan {
    bool xen_form; /* no "xlcfg" module at all */
    unsigned int nr_groups;
    struct boot_group groups[BOOT_MAX_MODULES];
    unsigned int nr_stray; /* modules in no group, by index */
    unsigned int stray[BOOT_MAX_MODULES];
};

/* The role of a module from its argument string; *rest: what follows the first word. */
enum boot_module_role boot_modules_role(const char *args, const char **rest);

/* Groups n (at most BOOT_MAX_MODULES) modules given by their argument strings. */
void boot_modules_plan(struct boot_plan *plan, const char *const *args, unsigned int n);

#endif
