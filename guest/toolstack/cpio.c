/* SPDX-License-Identifier: MIT */
/*
 * cpio "newc" reader (cpio.h). An entry is a 110-byte header, the name
 * with its NUL, zero padding to a multiple of 4 from the archive's start,
 * the file's bytes, and zero padding again:
 *
 *     070701 ino mode uid gid nlink mtime filesize devmajor devminor
 *            rdevmajor rdevminor namesize check     (8 hex digits each)
 *
 * Offsets are size_t and every length is compared with what is left of
 * the archive (len - off, never off + n > len), so a size of 0xffffffff
 * cannot wrap a sum past the bounds check.
 */
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include "cpio.h"

#define CPIO_MAGIC     "070701"
#define CPIO_MAGIC_LEN 6
#define CPIO_FIELD_LEN 8

/* The header fields this reader uses, by index after the magic. */
enum { CPIO_F_MODE = 1, CPIO_F_FILESIZE = 6, CPIO_F_NAMESIZE = 11, CPIO_FIELDS = 13 };

static size_t cpio_align4(size_t off)
{
    return (off + 3) & ~(size_t)3;
}

/* Field `index` of the header at `h` (8 hex digits); false if not hex. */
static bool cpio_field(const uint8_t *h, unsigned int index, uint32_t *value)
{
    const uint8_t *p = h + CPIO_MAGIC_LEN + index * CPIO_FIELD_LEN;
    uint32_t v = 0;

    for (unsigned int i = 0; i < CPIO_FIELD_LEN; i++) {
        uint8_t c = p[i], digit;

        if (c >= '0' && c <= '9')
            digit = (uint8_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = (uint8_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = (uint8_t)(c - 'A' + 10);
        else
            return false;
        v = v << 4 | digit;
    }
    *value = v;
    return true;
}

/* Bytes [from, to) are inside the archive and all zero. */
static bool cpio_zero_pad(const struct cpio_iter *it, size_t from, size_t to)
{
    if (to > it->len)
        return false;
    for (size_t i = from; i < to; i++)
        if (it->base[i])
            return false;
    return true;
}

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len)
{
    it->base = archive;
    it->len = archive ? len : 0;
    it->off = 0;
    it->state = 0;
}

/* Reads the header at it->off into *e; the name is checked, the data not yet. */
static int cpio_header(const struct cpio_iter *it, struct cpio_entry *e, uint32_t *namesize)
{
    const uint8_t *h;
    uint32_t f[CPIO_FIELDS];
    size_t left;

    if (it->off > it->len || it->len - it->off < CPIO_HEADER_LEN)
        return -EBADMSG; /* truncated header, or no trailer (or no archive) */
    h = it->base + it->off;
    if (memcmp(h, CPIO_MAGIC, CPIO_MAGIC_LEN) != 0)
        return -EBADMSG;
    for (unsigned int i = 0; i < CPIO_FIELDS; i++)
        if (!cpio_field(h, i, &f[i]))
            return -EBADMSG; /* every field is hex, used or not */
    left = it->len - it->off - CPIO_HEADER_LEN;
    *namesize = f[CPIO_F_NAMESIZE];
    /* The size counts the NUL: 0 is no name at all, and the last byte
     * must be the only NUL (strnlen reads at most namesize bytes). */
    if (*namesize == 0 || *namesize > left)
        return -EBADMSG;
    e->name = (const char *)h + CPIO_HEADER_LEN;
    e->name_len = strnlen(e->name, *namesize);
    if (e->name_len != *namesize - 1)
        return -EBADMSG;
    e->mode = f[CPIO_F_MODE];
    e->size = f[CPIO_F_FILESIZE];
    return 0;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
    size_t name_end, data, end;
    uint32_t namesize;
    int rc;

    if (it->state)
        return it->state > 0 ? 0 : it->state;
    rc = cpio_header(it, e, &namesize);
    if (rc)
        goto bad;
    name_end = it->off + CPIO_HEADER_LEN + namesize;
    if (strcmp(e->name, CPIO_TRAILER) == 0) {
        it->state = 1; /* what follows (padding to a block) is not read */
        return 0;
    }
    data = cpio_align4(name_end);
    if (!cpio_zero_pad(it, name_end, data) || e->size > it->len - data)
        goto bad;
    end = data + e->size;
    if (!cpio_zero_pad(it, end, cpio_align4(end)))
        goto bad;
    e->data = it->base + data;
    it->off = cpio_align4(end);
    return 1;
bad:
    it->state = -EBADMSG;
    return it->state;
}

const char *cpio_name_strip(const char *name)
{
    for (;;) {
        if (name[0] == '/')
            name++;
        else if (name[0] == '.' && name[1] == '/')
            name += 2;
        else if (name[0] == '.' && name[1] == '\0')
            name++;
        else
            return name;
    }
}

int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e)
{
    struct cpio_iter it;
    struct cpio_entry cur;
    bool found = false;
    int rc;

    path = cpio_name_strip(path);
    cpio_iter_init(&it, archive, len);
    while ((rc = cpio_next(&it, &cur)) > 0) {
        if (strcmp(cpio_name_strip(cur.name), path) == 0) {
            *e = cur;
            found = true;
        }
    }
    if (rc < 0)
        return rc;
    return found ? 0 : -ENOENT;
}
