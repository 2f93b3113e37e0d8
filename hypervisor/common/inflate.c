/* SPDX-License-Identifier: MIT */
/*
 * Raw DEFLATE decoder (RFC 1951), one shot: all the input at once and an
 * output buffer that holds the whole result, which doubles as the 32 KiB
 * window, so a back-reference is checked only against what has been
 * written so far.
 *
 * Hostile input: the bit reader never reads past in_len (it reports
 * "out of bits" instead); every Huffman code is checked while its table
 * is built (over-subscribed codes always rejected, incomplete ones only
 * in the single-code case RFC 1951 needs); every loop either consumes
 * input bits or produces output, so decoding ends.
 *
 * Huffman decoding: codes up to HUFF_FAST_BITS long come from a direct
 * lookup table; longer ones walk the canonical code length by length
 * (RFC 1951 3.2.2: the codes of one length are consecutive integers).
 */
#include <xenolith/decompress.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define HUFF_MAX_BITS  15
#define HUFF_FAST_BITS 9
#define LITLEN_CODES   288 /* 286 usable; the fixed code defines 288 */
#define DIST_CODES     32  /* 30 usable; the fixed code defines 32 */
#define CLEN_CODES     19
#define END_OF_BLOCK   256

/* How a code may be incomplete (see huff_build). */
enum huff_kind { HUFF_COMPLETE, HUFF_SINGLE_OK };

struct huff {
    /* Indexed by the next HUFF_FAST_BITS input bits: symbol << 4 | length,
     * or 0 when the code is longer (or the bits match no code). */
    uint16_t fast[1 << HUFF_FAST_BITS];
    uint16_t count[HUFF_MAX_BITS + 1]; /* codes of each length */
    uint16_t first[HUFF_MAX_BITS + 1]; /* first code of each length */
    uint16_t index[HUFF_MAX_BITS + 1]; /* where its symbols start in sorted[] */
    uint16_t sorted[LITLEN_CODES];     /* symbols by (length, value) */
};

struct inflate_work {
    struct huff lit, dist; /* lit also holds the code-length code */
    uint8_t lens[LITLEN_CODES + DIST_CODES];
    bool fixed_built; /* lit/dist hold the fixed codes */
};

/* LSB-first bit reader over the input (RFC 1951 3.1.1). */
struct bits {
    const uint8_t *in;
    size_t len, pos;
    uint64_t buf;
    unsigned int cnt;
};

struct inflate {
    struct bits b;
    uint8_t *out;
    size_t cap, pos;
    struct inflate_work *w;
};

/* Length and distance bases and extra bits (RFC 1951 3.2.5). */
static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* The order in which code-length code lengths are sent (RFC 1951 3.2.7). */
static const uint8_t clen_order[CLEN_CODES] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                               11, 4,  12, 3, 13, 2, 14, 1, 15};

static inline void bits_refill(struct bits *b)
{
    while (b->cnt <= 56 && b->pos < b->len) {
        b->buf |= (uint64_t)b->in[b->pos++] << b->cnt;
        b->cnt += 8;
    }
}

static inline void bits_drop(struct bits *b, unsigned int n)
{
    b->buf >>= n;
    b->cnt -= n;
}

/* n <= 16 bits into *v, or -EINVAL when the input has run out. */
static int bits_read(struct bits *b, unsigned int n, unsigned int *v)
{
    bits_refill(b);
    if (b->cnt < n)
        return -EINVAL;
    *v = (unsigned int)(b->buf & ((1u << n) - 1));
    bits_drop(b, n);
    return 0;
}

/* Huffman codes are packed most-significant bit first (RFC 1951 3.1.1). */
static unsigned int bit_reverse(unsigned int code, unsigned int len)
{
    unsigned int r = 0;

    for (unsigned int i = 0; i < len; i++, code >>= 1)
        r = (r << 1) | (code & 1);
    return r;
}

static void huff_fill_fast(struct huff *h)
{
    memset(h->fast, 0, sizeof(h->fast));
    for (unsigned int len = 1; len <= HUFF_FAST_BITS; len++) {
        for (unsigned int k = 0; k < h->count[len]; k++) {
            unsigned int sym = h->sorted[h->index[len] + k];
            unsigned int rev = bit_reverse(h->first[len] + k, len);

            /* Every table slot whose low `len` bits are this code. */
            for (unsigned int j = rev; j < (1u << HUFF_FAST_BITS); j += 1u << len)
                h->fast[j] = (uint16_t)(sym << 4 | len);
        }
    }
}

/*
 * Canonical code from code lengths (each <= 15). An over-subscribed set
 * (more codes than the lengths allow) is never decodable; an incomplete
 * one is allowed only as RFC 1951 needs it: a single code of length 1
 * (one distance code, or a block of only the end-of-block symbol), and
 * no codes at all (a block with no distances; decoding from it fails).
 */
static int huff_build(struct huff *h, const uint8_t *lens, unsigned int n, enum huff_kind kind)
{
    uint16_t next[HUFF_MAX_BITS + 1];
    unsigned int used = 0, code = 0, idx = 0;
    int left = 1;

    memset(h->count, 0, sizeof(h->count));
    for (unsigned int i = 0; i < n; i++)
        h->count[lens[i]]++;
    for (unsigned int len = 1; len <= HUFF_MAX_BITS; len++) {
        left = left * 2 - h->count[len]; /* codes still free at this length */
        if (left < 0)
            return -EINVAL;
        used += h->count[len];
        h->first[len] = (uint16_t)code;
        h->index[len] = (uint16_t)idx;
        next[len] = (uint16_t)idx;
        idx += h->count[len];
        code = (code + h->count[len]) << 1;
    }
    if (left > 0 && used > 0 && !(kind == HUFF_SINGLE_OK && used == 1 && h->count[1] == 1))
        return -EINVAL;
    for (unsigned int i = 0; i < n; i++)
        if (lens[i])
            h->sorted[next[lens[i]]++] = (uint16_t)i;
    huff_fill_fast(h);
    return 0;
}

/* The rare code longer than HUFF_FAST_BITS, or bits that match no code. */
static int huff_decode_slow(struct bits *b, const struct huff *h)
{
    unsigned int code = 0;

    for (unsigned int len = 1; len <= HUFF_MAX_BITS && len <= b->cnt; len++) {
        code = (code << 1) | ((b->buf >> (len - 1)) & 1);
        /* By induction code >= first[len]: shorter prefixes matched nothing. */
        if (code - h->first[len] < h->count[len]) {
            unsigned int sym = h->sorted[h->index[len] + code - h->first[len]];

            bits_drop(b, len);
            return (int)sym;
        }
    }
    return -EINVAL;
}

/* The next symbol, or -EINVAL (invalid code or input exhausted). */
static inline int huff_decode(struct bits *b, const struct huff *h)
{
    unsigned int e;

    bits_refill(b);
    e = h->fast[b->buf & ((1u << HUFF_FAST_BITS) - 1)];
    if (e && (e & 15) <= b->cnt) {
        bits_drop(b, e & 15);
        return (int)(e >> 4);
    }
    return huff_decode_slow(b, h);
}

/* Copies a back-reference; the window is everything written so far. */
static int inflate_copy(struct inflate *s, unsigned int len, unsigned int dist)
{
    uint8_t *dst = s->out + s->pos;
    const uint8_t *src;

    if (dist > s->pos)
        return -EINVAL;
    if (len > s->cap - s->pos)
        return -ENOSPC;
    src = dst - dist;
    for (unsigned int i = 0; i < len; i++) /* may overlap: byte by byte */
        dst[i] = src[i];
    s->pos += len;
    return 0;
}

/* A length/distance pair after length symbol `sym` (257..285). */
static int inflate_match(struct inflate *s, int sym, const struct huff *dist)
{
    unsigned int len, d, extra;
    int dsym, err;

    sym -= 257;
    if (sym >= 29) /* 286 and 287 are never valid */
        return -EINVAL;
    if ((err = bits_read(&s->b, len_extra[sym], &extra)))
        return err;
    len = len_base[sym] + extra;
    dsym = huff_decode(&s->b, dist);
    if (dsym < 0)
        return dsym;
    if (dsym >= 30) /* 30 and 31 are never valid */
        return -EINVAL;
    if ((err = bits_read(&s->b, dist_extra[dsym], &extra)))
        return err;
    d = dist_base[dsym] + extra;
    return inflate_copy(s, len, d);
}

/* The symbols of one Huffman block, up to its end-of-block code. */
static int inflate_codes(struct inflate *s, const struct huff *lit, const struct huff *dist)
{
    for (;;) {
        int sym = huff_decode(&s->b, lit);
        int err;

        if (sym < 0)
            return sym;
        if (sym < 256) {
            if (s->pos == s->cap)
                return -ENOSPC;
            s->out[s->pos++] = (uint8_t)sym;
        } else if (sym == END_OF_BLOCK) {
            return 0;
        } else if ((err = inflate_match(s, sym, dist))) {
            return err;
        }
    }
}

/* Block type 00 (RFC 1951 3.2.4): LEN, NLEN, then LEN raw bytes. */
static int inflate_stored(struct inflate *s)
{
    struct bits *b = &s->b;
    unsigned int len, nlen;

    /* Skip to a byte boundary, then hand the whole bytes the reader has
     * buffered back to the input, so the copy works on bytes. */
    bits_drop(b, b->cnt & 7);
    b->pos -= b->cnt / 8;
    b->buf = 0;
    b->cnt = 0;
    if (b->len - b->pos < 4)
        return -EINVAL;
    len = b->in[b->pos] | (unsigned int)b->in[b->pos + 1] << 8;
    nlen = b->in[b->pos + 2] | (unsigned int)b->in[b->pos + 3] << 8;
    b->pos += 4;
    if (len != (~nlen & 0xffff) || len > b->len - b->pos)
        return -EINVAL;
    if (len > s->cap - s->pos)
        return -ENOSPC;
    memcpy(s->out + s->pos, b->in + b->pos, len);
    s->pos += len;
    b->pos += len;
    return 0;
}

/* Block type 01 (RFC 1951 3.2.6), its codes built once per call. */
static int inflate_fixed(struct inflate *s)
{
    struct inflate_work *w = s->w;
    int err;

    if (!w->fixed_built) {
        memset(w->lens, 8, 144);
        memset(w->lens + 144, 9, 256 - 144);
        memset(w->lens + 256, 7, 280 - 256);
        memset(w->lens + 280, 8, LITLEN_CODES - 280);
        memset(w->lens + LITLEN_CODES, 5, DIST_CODES);
        if ((err = huff_build(&w->lit, w->lens, LITLEN_CODES, HUFF_COMPLETE)) ||
            (err = huff_build(&w->dist, w->lens + LITLEN_CODES, DIST_CODES, HUFF_COMPLETE)))
            return err;
        w->fixed_built = true;
    }
    return inflate_codes(s, &w->lit, &w->dist);
}

/* The code lengths of a dynamic block, run-length coded (RFC 1951 3.2.7). */
static int inflate_read_lens(struct inflate *s, const struct huff *clen, unsigned int n)
{
    uint8_t *lens = s->w->lens;
    unsigned int i = 0, rep, val;

    while (i < n) {
        int sym = huff_decode(&s->b, clen);
        int err;

        if (sym < 0)
            return sym;
        if (sym < 16) {
            lens[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0) /* nothing to repeat */
                return -EINVAL;
            val = lens[i - 1];
            err = bits_read(&s->b, 2, &rep);
            rep += 3;
        } else {
            val = 0;
            err = sym == 17 ? bits_read(&s->b, 3, &rep) : bits_read(&s->b, 7, &rep);
            rep += sym == 17 ? 3 : 11;
        }
        if (err)
            return err;
        if (rep > n - i)
            return -EINVAL;
        memset(lens + i, (int)val, rep);
        i += rep;
    }
    return 0;
}

/* Block type 10 (RFC 1951 3.2.7). */
static int inflate_dynamic(struct inflate *s)
{
    struct inflate_work *w = s->w;
    uint8_t clens[CLEN_CODES] = {0};
    unsigned int hlit, hdist, hclen, v;
    int err;

    if ((err = bits_read(&s->b, 5, &hlit)) || (err = bits_read(&s->b, 5, &hdist)) ||
        (err = bits_read(&s->b, 4, &hclen)))
        return err;
    hlit += 257;
    hdist += 1;
    if (hlit > 286 || hdist > 30)
        return -EINVAL;
    for (unsigned int i = 0; i < hclen + 4; i++) {
        if ((err = bits_read(&s->b, 3, &v)))
            return err;
        clens[clen_order[i]] = (uint8_t)v;
    }
    w->fixed_built = false;
    if ((err = huff_build(&w->lit, clens, CLEN_CODES, HUFF_COMPLETE)) ||
        (err = inflate_read_lens(s, &w->lit, hlit + hdist)))
        return err;
    if (w->lens[END_OF_BLOCK] == 0) /* the block could never end */
        return -EINVAL;
    if ((err = huff_build(&w->lit, w->lens, hlit, HUFF_SINGLE_OK)) ||
        (err = huff_build(&w->dist, w->lens + hlit, hdist, HUFF_SINGLE_OK)))
        return err;
    return inflate_codes(s, &w->lit, &w->dist);
}

size_t inflate_workspace_size(void)
{
    return sizeof(struct inflate_work);
}

int inflate_raw(const uint8_t *in, size_t in_len, size_t *in_used, uint8_t *out, size_t out_cap,
                size_t *out_len, void *work)
{
    struct inflate s = {.b = {.in = in, .len = in_len}, .out = out, .cap = out_cap, .w = work};
    unsigned int final = 0, type;
    int err;

    s.w->fixed_built = false;
    while (!final) {
        if ((err = bits_read(&s.b, 1, &final)) || (err = bits_read(&s.b, 2, &type)))
            return err;
        if (type == 0)
            err = inflate_stored(&s);
        else if (type == 1)
            err = inflate_fixed(&s);
        else if (type == 2)
            err = inflate_dynamic(&s);
        else
            err = -EINVAL;
        if (err)
            return err;
    }
    /* The rest of the last byte is padding; whole buffered bytes are not ours. */
    *in_used = s.b.pos - s.b.cnt / 8;
    *out_len = s.pos;
    return 0;
}
