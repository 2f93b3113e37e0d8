/* SPDX-License-Identifier: MIT */
/*
 * The .xz container (the .xz file format, version 1.0.4): stream header,
 * blocks, index, stream footer. Only the first stream is decoded; bytes
 * after it are ignored, as the format allows when .xz is embedded in
 * another format (a kernel payload carries the uncompressed size after
 * it). Blocks are LZMA2 (common/lzma2.c), optionally behind the x86 BCJ
 * filter, which is undone in place once the block is decompressed: the
 * LZMA2 dictionary is the output buffer itself, so it must still hold
 * the filtered bytes while LZMA2 runs.
 *
 * The index is checked against the blocks actually decoded without
 * storing them: the record count, the sums of both sizes and a CRC64 over
 * the records must agree. A forged index that collides only makes a
 * corrupt index pass; it cannot change the output, which the per-block
 * check covers.
 */
#include <xenolith/bug.h>
#include <xenolith/decompress.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define XZ_HEADER_LEN    12
#define XZ_FOOTER_LEN    12
#define XZ_CHECK_NONE    0x0
#define XZ_CHECK_CRC32   0x1
#define XZ_CHECK_CRC64   0x4
#define XZ_FILTER_X86    0x04
#define XZ_FILTER_LZMA2  0x21
#define XZ_BLOCK_FLAGS_R 0x3c /* reserved block flag bits */
#define XZ_VLI_MAX_BYTES 9

static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

struct unxz_work {
    uint32_t crc32[256];
    uint64_t crc64[256];
    uint64_t lzma2[]; /* lzma2_workspace_size() bytes */
};

/* What the index must say: folded over the blocks, then over its records. */
struct xz_index_sum {
    uint64_t count, unpadded, usize, hash;
};

struct xz_stream {
    const uint8_t *in;
    size_t in_len, ip;
    uint8_t *out;
    size_t out_cap, op;
    unsigned int check;
    struct unxz_work *w;
    struct xz_index_sum blocks;
};

/* A block header, parsed. */
struct xz_block {
    size_t header_len;
    uint64_t csize, usize; /* UINT64_MAX: not in the header */
    uint32_t dict_size;
    bool bcj;
    uint32_t bcj_start;
};

static uint32_t xz_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t xz_le64(const uint8_t *p)
{
    return xz_le32(p) | (uint64_t)xz_le32(p + 4) << 32;
}

/* Bytes of the check field for each check ID (section 2.1.1.2). */
static size_t xz_check_len(unsigned int check)
{
    static const uint8_t len[16] = {0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64};

    return len[check & 15];
}

static bool bcj_near(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

/*
 * The x86 BCJ filter made the rel32 operand of CALL (E8) and JMP (E9)
 * absolute where it looked like a near target (top byte 00 or FF), so
 * that repeated calls to one function compress well. Whether an E8/E9
 * byte counts as an opcode depends on the E8/E9 bytes just before it
 * that were left alone, kept in `mask`: bit k (k = 1..3) says one was
 * k bytes back, bit k + 4 that its operand's top byte also looked near.
 * The decoder must take exactly the encoder's decisions, which this
 * mirrors: the filter is defined by that behaviour.
 */
void bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start)
{
    /* For bits 1-3 of the mask: may an opcode follow, and which operand
     * byte must then also be near for the address to be re-converted. */
    static const bool allowed[8] = {true, true, true, false, true, false, false, false};
    static const uint8_t byte_shift[8] = {0, 1, 2, 2, 3, 3, 3, 3};
    uint32_t mask = 0;
    size_t last = 0;

    for (size_t i = 0; len >= 5 && i <= len - 5;) {
        uint8_t *op = buf + i;

        if ((op[0] & 0xfe) != 0xe8) {
            i++;
            continue;
        }
        if (i - last > 5)
            mask = 0;
        else
            for (size_t k = i - last; k > 0; k--)
                mask = (mask & 0x77) << 1;
        last = i;
        if (bcj_near(op[4]) && allowed[(mask >> 1) & 7] && (mask >> 1) < 0x10) {
            uint32_t v = xz_le32(op + 1), addr;

            for (;;) {
                addr = v - (start + (uint32_t)i + 5);
                if (mask == 0)
                    break;
                unsigned int sh = 24 - 8 * byte_shift[(mask >> 1) & 7];
                if (!bcj_near((uint8_t)(addr >> sh)))
                    break;
                v = addr ^ ((1u << (sh + 8)) - 1);
            }
            addr = (addr & 0x01ffffff) | ((addr & 0x01000000) ? 0xfe000000 : 0);
            for (int k = 0; k < 4; k++)
                op[1 + k] = (uint8_t)(addr >> (8 * k));
            i += 5;
            mask = 0;
        } else {
            i++;
            mask |= bcj_near(op[4]) ? 0x11 : 0x01;
        }
    }
}

/* A multibyte integer (section 1.2) in p[*pos..end): at most 9 bytes,
 * 63 bits, and no redundant trailing zero byte. */
static int xz_vli(const uint8_t *p, size_t *pos, size_t end, uint64_t *v)
{
    *v = 0;
    for (unsigned int i = 0; i < XZ_VLI_MAX_BYTES; i++) {
        uint8_t b;

        if (*pos >= end)
            return -EINVAL;
        b = p[(*pos)++];
        if (i > 0 && b == 0)
            return -EINVAL;
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return 0;
    }
    return -EINVAL;
}

static void xz_index_add(struct xz_index_sum *s, const uint64_t *crc64, uint64_t unpadded,
                         uint64_t usize)
{
    uint8_t rec[16];

    for (int i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(usize >> (8 * i));
    }
    s->count++;
    s->unpadded += unpadded;
    s->usize += usize;
    s->hash = crc64_update(crc64, s->hash, rec, sizeof(rec));
}

/* One filter flags field; filters in the chain so far are in *b. */
static int xz_filter(struct xz_block *b, const uint8_t *h, size_t *pos, size_t end, bool last)
{
    uint64_t id, psize;
    int err;

    if ((err = xz_vli(h, pos, end, &id)) || (err = xz_vli(h, pos, end, &psize)))
        return err;
    if (psize > end - *pos)
        return -EINVAL;
    if (id == XZ_FILTER_LZMA2 && last) {
        unsigned int bits;

        if (psize != 1)
            return -EINVAL;
        bits = h[*pos];
        if (bits & 0xc0)
            return -EOPNOTSUPP;
        if (bits > 40)
            return -EINVAL;
        b->dict_size = bits == 40 ? UINT32_MAX : (2u | (bits & 1)) << (bits / 2 + 11);
    } else if (id == XZ_FILTER_X86 && !last && !b->bcj) {
        if (psize != 0 && psize != 4)
            return -EINVAL;
        b->bcj = true;
        b->bcj_start = psize ? xz_le32(h + *pos) : 0;
    } else if (id == XZ_FILTER_LZMA2 || (id == XZ_FILTER_X86 && last)) {
        return -EINVAL; /* LZMA2 only last, BCJ never last */
    } else {
        return -EOPNOTSUPP; /* other filters, or BCJ twice */
    }
    *pos += psize;
    return 0;
}

/* The block header (section 3.1) at s->ip, whose first byte is not 0. */
static int xz_block_header(struct xz_stream *s, struct xz_block *b)
{
    const uint8_t *h = s->in + s->ip;
    size_t len = ((size_t)h[0] + 1) * 4, pos = 2, end;
    unsigned int flags, nfilters;
    int err;

    if (len > s->in_len - s->ip)
        return -EINVAL;
    end = len - 4;
    if (crc32_update(s->w->crc32, 0, h, end) != xz_le32(h + end))
        return -EILSEQ;
    flags = h[1];
    if (flags & XZ_BLOCK_FLAGS_R)
        return -EOPNOTSUPP;
    *b = (struct xz_block){.header_len = len, .csize = UINT64_MAX, .usize = UINT64_MAX};
    if ((flags & 0x40) && ((err = xz_vli(h, &pos, end, &b->csize)) || b->csize == 0))
        return err ? err : -EINVAL;
    if ((flags & 0x80) && (err = xz_vli(h, &pos, end, &b->usize)))
        return err;
    nfilters = (flags & 3) + 1;
    for (unsigned int i = 0; i < nfilters; i++)
        if ((err = xz_filter(b, h, &pos, end, i == nfilters - 1)))
            return err;
    for (; pos < end; pos++)
        if (h[pos] != 0) /* padding, or a field we do not know */
            return -EOPNOTSUPP;
    s->ip += len;
    return 0;
}

/* The check field after a block's data (and padding). */
static int xz_check(struct xz_stream *s, const uint8_t *data, size_t len)
{
    const uint8_t *c = s->in + s->ip;
    size_t clen = xz_check_len(s->check);

    if (clen > s->in_len - s->ip)
        return -EINVAL;
    if ((s->check == XZ_CHECK_CRC32 && crc32_update(s->w->crc32, 0, data, len) != xz_le32(c)) ||
        (s->check == XZ_CHECK_CRC64 && crc64_update(s->w->crc64, 0, data, len) != xz_le64(c)))
        return -EILSEQ;
    s->ip += clen;
    return 0;
}

/* One block (section 3): header, LZMA2 data, padding, check. */
static int xz_block(struct xz_stream *s)
{
    size_t start = s->ip, avail, used, n;
    struct xz_block b;
    int err;

    if ((err = xz_block_header(s, &b)))
        return err;
    avail = s->in_len - s->ip;
    if (b.csize != UINT64_MAX) {
        if (b.csize > avail)
            return -EINVAL;
        avail = (size_t)b.csize;
    }
    err = lzma2_decode(s->in + s->ip, avail, &used, s->out + s->op, s->out_cap - s->op, &n,
                       b.dict_size, s->w->lzma2);
    if (err)
        return err;
    if ((b.csize != UINT64_MAX && used != b.csize) || (b.usize != UINT64_MAX && n != b.usize))
        return -EINVAL;
    s->ip += used;
    for (; (s->ip - start) & 3; s->ip++)
        if (s->ip >= s->in_len || s->in[s->ip] != 0)
            return -EINVAL;
    if (b.bcj)
        bcj_x86_decode(s->out + s->op, n, b.bcj_start);
    if ((err = xz_check(s, s->out + s->op, n)))
        return err;
    xz_index_add(&s->blocks, s->w->crc64, b.header_len + used + xz_check_len(s->check), n);
    s->op += n;
    return 0;
}

/* The index (section 4) at s->ip, compared with the blocks decoded. */
static int xz_index(struct xz_stream *s, size_t *index_len)
{
    struct xz_index_sum sum = {0};
    size_t start = s->ip, pos = s->ip + 1;
    uint64_t count;
    int err;

    if ((err = xz_vli(s->in, &pos, s->in_len, &count)))
        return err;
    if (count != s->blocks.count) /* also bounds the loop by the input */
        return -EINVAL;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t unpadded, usize;

        if ((err = xz_vli(s->in, &pos, s->in_len, &unpadded)) ||
            (err = xz_vli(s->in, &pos, s->in_len, &usize)))
            return err;
        xz_index_add(&sum, s->w->crc64, unpadded, usize);
    }
    for (; (pos - start) & 3; pos++)
        if (pos >= s->in_len || s->in[pos] != 0)
            return -EINVAL;
    if (s->in_len - pos < 4)
        return -EINVAL;
    if (crc32_update(s->w->crc32, 0, s->in + start, pos - start) != xz_le32(s->in + pos))
        return -EILSEQ;
    if (sum.unpadded != s->blocks.unpadded || sum.usize != s->blocks.usize ||
        sum.hash != s->blocks.hash)
        return -EINVAL;
    s->ip = pos + 4;
    *index_len = s->ip - start;
    return 0;
}

/* The stream footer (section 2.1.2). */
static int xz_footer(struct xz_stream *s, size_t index_len)
{
    const uint8_t *f = s->in + s->ip;

    if (s->in_len - s->ip < XZ_FOOTER_LEN)
        return -EINVAL;
    if (crc32_update(s->w->crc32, 0, f + 4, 6) != xz_le32(f))
        return -EILSEQ;
    if (((uint64_t)xz_le32(f + 4) + 1) * 4 != index_len || f[8] != s->in[6] || f[9] != s->in[7] ||
        f[10] != 'Y' || f[11] != 'Z')
        return -EINVAL;
    return 0;
}

/* The stream header (section 2.1.1). */
static int xz_header(struct xz_stream *s)
{
    const uint8_t *h = s->in;

    if (s->in_len < sizeof(xz_magic) || memcmp(h, xz_magic, sizeof(xz_magic)) != 0)
        return -ENOEXEC;
    if (s->in_len < XZ_HEADER_LEN)
        return -EINVAL;
    if (crc32_update(s->w->crc32, 0, h + 6, 2) != xz_le32(h + 8))
        return -EILSEQ;
    if (h[6] != 0 || (h[7] & 0xf0))
        return -EOPNOTSUPP;
    s->check = h[7];
    if (s->check != XZ_CHECK_NONE && s->check != XZ_CHECK_CRC32 && s->check != XZ_CHECK_CRC64)
        return -EOPNOTSUPP; /* SHA-256 and the reserved IDs */
    s->ip = XZ_HEADER_LEN;
    return 0;
}

size_t unxz_workspace_size(void)
{
    return sizeof(struct unxz_work) + lzma2_workspace_size();
}

int unxz(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
         void *work)
{
    struct xz_stream s = {.in = in, .in_len = in_len, .out = out, .out_cap = out_cap, .w = work};
    size_t index_len;
    int err;

    ASSERT(((uintptr_t)work & 7) == 0);
    crc32_table_init(s.w->crc32);
    crc64_table_init(s.w->crc64);
    if ((err = xz_header(&s)))
        return err;
    for (;;) {
        if (s.ip >= s.in_len)
            return -EINVAL;
        if (s.in[s.ip] == 0) /* the index indicator */
            break;
        if ((err = xz_block(&s)))
            return err;
    }
    if ((err = xz_index(&s, &index_len)) || (err = xz_footer(&s, index_len)))
        return err;
    *out_len = s.op;
    return 0;
}
