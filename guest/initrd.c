/* SPDX-License-Identifier: MIT */
/*
 * The boot ramdisk (initrd.h). Xen describes it in start_info: mod_start
 * is its virtual address in the initial mapping, mod_len its size, unless
 * flags has SIF_MOD_START_PFN (mod_start is then a pfn, and the frames may
 * lie outside what mm.c keeps for us: the kernel asks for no such thing
 * with XEN_ELFNOTE_MOD_START_PFN) or SIF_MULTIBOOT_MOD (a list of modules).
 * The archive is untrusted input like any other: cpio.c checks it.
 */
#include <guest/initrd.h>
#include <guest/kernel.h>
#include <xenolith/errno.h>
#include "toolstack/cpio.h"

static int initrd_archive(const void **base, size_t *len)
{
    const start_info_t *si = kernel_start_info;

    if (!si->mod_start || !si->mod_len)
        return -ENOENT;
    if (si->flags & (SIF_MOD_START_PFN | SIF_MULTIBOOT_MOD))
        return -EOPNOTSUPP;
    *base = (const void *)si->mod_start;
    *len = si->mod_len;
    return 0;
}

int initrd_find(const char *path, const void **data, size_t *len)
{
    struct cpio_entry e;
    const void *base;
    size_t size;
    int rc = initrd_archive(&base, &size);

    if (!rc)
        rc = cpio_find(base, size, path, &e);
    if (rc)
        return rc;
    if ((e.mode & CPIO_MODE_TYPE) == CPIO_MODE_DIR)
        return -EISDIR;
    if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_REG)
        return -EINVAL;
    *data = e.data;
    *len = e.size;
    return 0;
}

int initrd_list(int (*fn)(const struct cpio_entry *e, void *arg), void *arg)
{
    struct cpio_iter it;
    struct cpio_entry e;
    const void *base;
    size_t size;
    int rc = initrd_archive(&base, &size);

    if (rc)
        return rc;
    cpio_iter_init(&it, base, size);
    while ((rc = cpio_next(&it, &e)) > 0) {
        int stop = fn(&e, arg);

        if (stop)
            return stop;
    }
    return rc;
}
