/* SPDX-License-Identifier: MIT */
/*
 * A reader for cpio "newc" archives (magic 070701, the format of Linux
 * initramfs images and of `./xenolith run --files`) held in memory. Pure
 * logic: it only reads the bytes it is given, so it builds for the guest
 * kernel and for host unit tests alike.
 *
 * Every header field is untrusted: the magic, the hex digits, the name's
 * size and terminating NUL, the zero padding to 4 bytes and the file sizes
 * are all checked against the archive's length before anything is read
 * through them. A malformed archive is an error (-EBADMSG) however far
 * the reader got, and stays one: the iterator reads nothing after it.
 * The archive ends at the entry named "TRAILER!!!"; an archive without
 * one is malformed. No locking: an iterator belongs to its caller.
 */
#ifndef GUEST_TOOLSTACK_CPIO_H
#define GUEST_TOOLSTACK_CPIO_H

#include <xenolith/types.h>

#define CPIO_HEADER_LEN 110 /* "070701" and 13 fields of 8 hex digits */
#define CPIO_TRAILER    "TRAILER!!!"

/* The file-type bits of an entry's mode, as in stat(2). */
#define CPIO_MODE_TYPE 0170000u
#define CPIO_MODE_DIR  0040000u
#define CPIO_MODE_REG  0100000u
#define CPIO_MODE_LINK 0120000u

struct cpio_entry {
    const char *name; /* as stored ("a/b", "./a/b", ...), NUL-terminated */
    size_t name_len;  /* strlen(name) */
    uint32_t mode;
    const void *data; /* inside the archive; size bytes, no NUL added */
    size_t size;
};

struct cpio_iter {
    const uint8_t *base;
    size_t len;
    size_t off; /* of the next header */
    int state;  /* 0 while going; 1 at the trailer; -EBADMSG once malformed */
};

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len);

/*
 * The next entry: 1 with *e filled, 0 once the trailer is reached (and on
 * every later call), -EBADMSG when the archive is malformed (likewise).
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/*
 * The entry whose name is `path`, any of "a/b", "./a/b" and "/a/b"
 * matching any other (the root directory is "", "." or "/"). The whole
 * archive is read, so a malformed one is -EBADMSG even after a match;
 * when a name occurs twice, the later entry wins, as when Linux unpacks
 * an initramfs. 0 with *e filled, -ENOENT when there is no such entry.
 */
int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e);

/* `name` without its leading "/" and "./" parts ("./a/b" -> "a/b"). */
const char *cpio_name_strip(const char *name);

#endif
