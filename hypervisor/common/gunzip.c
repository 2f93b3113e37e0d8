/* SPDX-License-Identifier: MIT */
/*
 * gzip member (RFC 1952): a header with optional fields, a raw DEFLATE
 * stream (common/inflate.c), and a trailer with the CRC32 and the size
 * mod 2^32 of the uncompressed data, both verified. Only the first
 * member is decoded; anything after it is ignored.
 *
 * Every header field is checked against in_len before it is read, and
 * the NUL-terminated name and comment are searched only within in[].
 */
#include <xenolith/bug.h>
#include <xenolith/decompress.h>
#include <xenolith/errno.h>

#define GZ_HEADER_LEN  10
#define GZ_TRAILER_LEN 8
#define GZ_CM_DEFLATE  8

/* FLG bits (RFC 1952 2.3.1). */
#define GZ_FTEXT     0x01 /* a hint only */
#define GZ_FHCRC     0x02
#define GZ_FEXTRA    0x04
#define GZ_FNAME     0x08
#define GZ_FCOMMENT  0x10
#define GZ_FRESERVED 0xe0

struct gunzip_work {
    uint32_t crc_table[256];
    uint64_t inflate[]; /* inflate_workspace_size() bytes, 8-aligned */
};

static uint32_t gz_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Past a NUL-terminated field at *pos, or -EINVAL if in[] has no NUL. */
static int gz_skip_string(const uint8_t *in, size_t in_len, size_t *pos)
{
    for (size_t i = *pos; i < in_len; i++) {
        if (in[i] == 0) {
            *pos = i + 1;
            return 0;
        }
    }
    return -EINVAL;
}

/* Parses the header (RFC 1952 2.3) and sets *hdr_len to its size. */
static int gz_header(const uint8_t *in, size_t in_len, const uint32_t *crc_table, size_t *hdr_len)
{
    size_t pos = GZ_HEADER_LEN;
    uint8_t flg;
    int err;

    if (in_len < 2 || in[0] != 0x1f || in[1] != 0x8b)
        return -ENOEXEC;
    if (in_len < GZ_HEADER_LEN)
        return -EINVAL;
    flg = in[3];
    /* Only method 8 is defined; reserved flags may announce fields we
     * would misparse (RFC 1952 2.3.1.2 asks for an error). */
    if (in[2] != GZ_CM_DEFLATE || (flg & GZ_FRESERVED))
        return -EOPNOTSUPP;
    if (flg & GZ_FEXTRA) {
        size_t xlen;

        if (in_len - pos < 2)
            return -EINVAL;
        xlen = in[pos] | (size_t)in[pos + 1] << 8;
        pos += 2;
        if (in_len - pos < xlen)
            return -EINVAL;
        pos += xlen;
    }
    if ((flg & GZ_FNAME) && (err = gz_skip_string(in, in_len, &pos)))
        return err;
    if ((flg & GZ_FCOMMENT) && (err = gz_skip_string(in, in_len, &pos)))
        return err;
    if (flg & GZ_FHCRC) {
        uint32_t crc = crc32_update(crc_table, 0, in, pos);

        if (in_len - pos < 2)
            return -EINVAL;
        if ((crc & 0xffff) != (in[pos] | (uint32_t)in[pos + 1] << 8))
            return -EILSEQ;
        pos += 2;
    }
    *hdr_len = pos;
    return 0;
}

size_t gunzip_workspace_size(void)
{
    return sizeof(struct gunzip_work) + inflate_workspace_size();
}

int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
           void *work)
{
    struct gunzip_work *w = work;
    size_t hdr_len, used, n;
    const uint8_t *trailer;
    int err;

    ASSERT(((uintptr_t)work & 7) == 0);
    crc32_table_init(w->crc_table);
    if ((err = gz_header(in, in_len, w->crc_table, &hdr_len)))
        return err;
    err = inflate_raw(in + hdr_len, in_len - hdr_len, &used, out, out_cap, &n, w->inflate);
    if (err)
        return err;
    if (in_len - hdr_len - used < GZ_TRAILER_LEN)
        return -EINVAL;
    trailer = in + hdr_len + used;
    if (gz_le32(trailer) != crc32_update(w->crc_table, 0, out, n) ||
        gz_le32(trailer + 4) != (uint32_t)n)
        return -EILSEQ;
    *out_len = n;
    return 0;
}

size_t gunzip_size_hint(const uint8_t *in, size_t in_len)
{
    /* Smallest member: header, one empty fixed block (2 bytes), trailer. */
    if (in_len < GZ_HEADER_LEN + 2 + GZ_TRAILER_LEN)
        return 0;
    return gz_le32(in + in_len - 4);
}
