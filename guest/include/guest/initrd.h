/* SPDX-License-Identifier: MIT */
/*
 * The kernel's boot ramdisk as a cpio "newc" archive of files (how
 * `./xenolith run --files DIR` hands the control domain its kernels and
 * xl.cfg files; docs/boot-protocol.md). Read in place, never copied:
 * the archive stays where Xen loaded it, below the frames mm.c gives out.
 */
#ifndef GUEST_INITRD_H
#define GUEST_INITRD_H

#include <xenolith/types.h>

struct cpio_entry; /* guest/toolstack/cpio.h */

/*
 * The regular file at `path` ("a/b", "./a/b" or "/a/b"): 0 with *data and
 * *len set (the bytes are the ramdisk's; no NUL is added), -ENOENT when
 * there is no ramdisk or no such entry, -EISDIR for a directory, -EINVAL
 * for another kind of entry, -EBADMSG when the archive is malformed,
 * -EOPNOTSUPP when Xen passed the ramdisk in a form we do not map.
 */
int initrd_find(const char *path, const void **data, size_t *len);

/*
 * Calls fn for each entry, in archive order, until it returns non-zero
 * (which is then returned). 0 once every entry was seen, or the errors of
 * initrd_find: the entries before a malformed part are seen first.
 */
int initrd_list(int (*fn)(const struct cpio_entry *e, void *arg), void *arg);

#endif
