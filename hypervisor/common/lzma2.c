/* SPDX-License-Identifier: MIT */
/*
 * LZMA2 decoder, one shot: the output buffer is the dictionary, so a
 * back-reference is a copy from earlier in out[] (checked against the
 * bytes decoded since the last dictionary reset and the declared
 * dictionary size), and nothing but the ~28 KiB of probabilities needs
 * a work area.
 *
 * LZMA2 is a sequence of chunks, each led by a control byte: 0 ends the
 * stream; 1 and 2 are uncompressed chunks (1 also resets the dictionary);
 * 0x80-0xff are LZMA chunks, bits 5-6 saying what to reset first (nothing,
 * the state, the state and new lc/lp/pb, or those and the dictionary) and
 * bits 0-4 the top of the uncompressed size. Each LZMA chunk is a range
 * coder stream of its own, which must be used up exactly.
 *
 * Hostile input: every chunk's sizes are checked against in[] and out[]
 * before it is decoded; the range decoder feeds zeros past the chunk end
 * and the chunk is then rejected; every LZMA symbol produces at least one
 * byte, so the work is bounded by the output size.
 */
#include <xenolith/decompress.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define LZMA_STATES     12
#define LZMA_LIT_STATES 7  /* states below this follow a literal */
#define LZMA_POS_MAX    16 /* 1 << pb, pb <= 4 */
#define LZMA_LIT_MAX    16 /* 1 << (lc + lp), lc + lp <= 4 in LZMA2 */
#define LZMA_LIT_PROBS  0x300
#define LZMA_LEN_STATES 4
#define LZMA_DIST_SLOTS 64
#define LZMA_DIST_MODEL 14  /* slots below this use dist_special */
#define LZMA_FULL_DISTS 128 /* 1 << (LZMA_DIST_MODEL / 2) */
#define LZMA_ALIGN_BITS 4
#define LZMA_MATCH_MIN  2
#define LZMA2_CHUNK_HDR 5 /* control byte, 2 size bytes, 2 compressed size bytes */
#define LZMA2_PROPS_MAX (9 * 5 * 5)

/* Range coder: 11-bit probabilities, adapted by 1/32 per bit. */
#define RC_PROB_BITS 11
#define RC_PROB_INIT (1u << (RC_PROB_BITS - 1))
#define RC_MOVE_BITS 5
#define RC_TOP       (1u << 24)

struct lzma_len_probs {
    uint16_t choice, choice2;
    uint16_t low[LZMA_POS_MAX][8], mid[LZMA_POS_MAX][8], high[256];
};

/* Every member is uint16_t, so reset can treat it as one array. */
struct lzma_probs {
    uint16_t is_match[LZMA_STATES][LZMA_POS_MAX];
    uint16_t is_rep[LZMA_STATES], is_rep0[LZMA_STATES];
    uint16_t is_rep1[LZMA_STATES], is_rep2[LZMA_STATES];
    uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_MAX];
    uint16_t dist_slot[LZMA_LEN_STATES][LZMA_DIST_SLOTS];
    uint16_t dist_special[LZMA_FULL_DISTS - LZMA_DIST_MODEL + 1];
    uint16_t dist_align[1 << LZMA_ALIGN_BITS];
    struct lzma_len_probs match_len, rep_len;
    uint16_t literal[LZMA_LIT_MAX][LZMA_LIT_PROBS];
};

struct rc {
    const uint8_t *in;
    size_t pos, end;
    uint32_t range, code;
    bool overrun; /* wanted a byte past the chunk: the chunk is corrupt */
};

struct lzma_dec {
    struct rc rc;
    struct lzma_probs *p;
    uint8_t *out;
    size_t pos;        /* bytes decoded into out[] */
    size_t limit;      /* end of the current chunk in out[] */
    size_t dict_start; /* position of the last dictionary reset */
    uint32_t dict_size;
    uint32_t rep[4]; /* the last four distances, minus one */
    unsigned int state, lc, lp_mask, pb_mask;
};

static inline void rc_normalize(struct rc *rc)
{
    if (rc->range < RC_TOP) {
        uint8_t b = 0;

        if (rc->pos < rc->end)
            b = rc->in[rc->pos++];
        else
            rc->overrun = true;
        rc->range <<= 8;
        rc->code = (rc->code << 8) | b;
    }
}

static inline unsigned int rc_bit(struct rc *rc, uint16_t *prob)
{
    uint32_t bound;

    rc_normalize(rc);
    bound = (rc->range >> RC_PROB_BITS) * *prob;
    if (rc->code < bound) {
        rc->range = bound;
        *prob += ((1u << RC_PROB_BITS) - *prob) >> RC_MOVE_BITS;
        return 0;
    }
    rc->range -= bound;
    rc->code -= bound;
    *prob -= *prob >> RC_MOVE_BITS;
    return 1;
}

/* `bits` bits, most significant first, through a binary tree of probs. */
static inline unsigned int rc_tree(struct rc *rc, uint16_t *probs, unsigned int bits)
{
    unsigned int m = 1;

    for (unsigned int i = 0; i < bits; i++)
        m = (m << 1) | rc_bit(rc, &probs[m]);
    return m - (1u << bits);
}

/* Like rc_tree, but the value's bits come least significant first. */
static inline unsigned int rc_tree_reverse(struct rc *rc, uint16_t *probs, unsigned int bits)
{
    unsigned int m = 1, v = 0;

    for (unsigned int i = 0; i < bits; i++) {
        unsigned int bit = rc_bit(rc, &probs[m]);

        m = (m << 1) | bit;
        v |= bit << i;
    }
    return v;
}

/* Bits of probability 1/2, most significant first. */
static inline uint32_t rc_direct(struct rc *rc, unsigned int bits)
{
    uint32_t v = 0;

    while (bits--) {
        uint32_t bit;

        rc_normalize(rc);
        rc->range >>= 1;
        bit = rc->code >= rc->range;
        if (bit)
            rc->code -= rc->range;
        v = (v << 1) | bit;
    }
    return v;
}

/* Each chunk's range coder starts with a zero byte and the 32-bit code. */
static int rc_init(struct rc *rc, const uint8_t *in, size_t pos, size_t end)
{
    if (end - pos < 5 || in[pos] != 0)
        return -EINVAL;
    rc->in = in;
    rc->code = (uint32_t)in[pos + 1] << 24 | (uint32_t)in[pos + 2] << 16 |
               (uint32_t)in[pos + 3] << 8 | in[pos + 4];
    rc->range = 0xffffffffu;
    rc->pos = pos + 5;
    rc->end = end;
    rc->overrun = false;
    return rc->code == rc->range ? -EINVAL : 0; /* code < range in any valid stream */
}

static void lzma_reset_state(struct lzma_dec *d)
{
    uint16_t *p = (uint16_t *)d->p;

    for (size_t i = 0; i < sizeof(*d->p) / sizeof(uint16_t); i++)
        p[i] = RC_PROB_INIT;
    d->state = 0;
    memset(d->rep, 0, sizeof(d->rep));
}

/* One byte, coded against its predecessor and, after a match, against
 * the byte at the last distance (the "matched literal"). */
static inline int lzma_literal(struct lzma_dec *d)
{
    size_t rel = d->pos - d->dict_start;
    unsigned int prev = rel ? d->out[d->pos - 1] : 0;
    uint16_t *probs = d->p->literal[((rel & d->lp_mask) << d->lc) + (prev >> (8 - d->lc))];
    unsigned int sym = 1;

    if (d->state >= LZMA_LIT_STATES) {
        unsigned int match;

        if (d->rep[0] >= rel)
            return -EINVAL;
        match = d->out[d->pos - d->rep[0] - 1];
        do {
            unsigned int mbit = (match >> 7) & 1, bit;

            match <<= 1;
            bit = rc_bit(&d->rc, &probs[0x100 + (mbit << 8) + sym]);
            sym = (sym << 1) | bit;
            if (bit != mbit)
                break;
        } while (sym < 0x100);
    }
    while (sym < 0x100)
        sym = (sym << 1) | rc_bit(&d->rc, &probs[sym]);
    d->out[d->pos++] = (uint8_t)sym;
    d->state = d->state < 4 ? 0 : d->state < 10 ? d->state - 3 : d->state - 6;
    return 0;
}

/* Match length minus LZMA_MATCH_MIN: 0-7, 8-15 or 16-271. */
static inline unsigned int lzma_len(struct lzma_dec *d, struct lzma_len_probs *lp, unsigned int ps)
{
    if (!rc_bit(&d->rc, &lp->choice))
        return rc_tree(&d->rc, lp->low[ps], 3);
    if (!rc_bit(&d->rc, &lp->choice2))
        return 8 + rc_tree(&d->rc, lp->mid[ps], 3);
    return 16 + rc_tree(&d->rc, lp->high, 8);
}

/* Distance minus one of a new match: a 6-bit slot picks the top bits,
 * then modelled (short) or direct and aligned (long) low bits. */
static inline uint32_t lzma_dist(struct lzma_dec *d, unsigned int len)
{
    unsigned int ls = len < LZMA_LEN_STATES - 1 ? len : LZMA_LEN_STATES - 1;
    unsigned int slot = rc_tree(&d->rc, d->p->dist_slot[ls], 6), nbits;
    uint32_t dist;

    if (slot < 4)
        return slot;
    nbits = (slot >> 1) - 1;
    dist = (2 | (slot & 1)) << nbits;
    if (slot < LZMA_DIST_MODEL)
        return dist + rc_tree_reverse(&d->rc, d->p->dist_special + dist - slot, nbits);
    dist += rc_direct(&d->rc, nbits - LZMA_ALIGN_BITS) << LZMA_ALIGN_BITS;
    return dist + rc_tree_reverse(&d->rc, d->p->dist_align, LZMA_ALIGN_BITS);
}

/* Copies len bytes from rep[0] + 1 back; all of it must be dictionary. */
static inline int lzma_copy(struct lzma_dec *d, unsigned int len)
{
    uint64_t dist = (uint64_t)d->rep[0] + 1;
    uint8_t *dst = d->out + d->pos;
    const uint8_t *src;

    if (dist > d->pos - d->dict_start || dist > d->dict_size || len > d->limit - d->pos)
        return -EINVAL;
    src = dst - dist;
    for (unsigned int i = 0; i < len; i++) /* may overlap: byte by byte */
        dst[i] = src[i];
    d->pos += len;
    return 0;
}

/* A match (is_match was 1): new distance, or one of the last four. */
static inline int lzma_match(struct lzma_dec *d, unsigned int ps)
{
    struct lzma_probs *p = d->p;
    unsigned int s = d->state, len;

    if (!rc_bit(&d->rc, &p->is_rep[s])) {
        len = lzma_len(d, &p->match_len, ps);
        d->rep[3] = d->rep[2];
        d->rep[2] = d->rep[1];
        d->rep[1] = d->rep[0];
        d->rep[0] = lzma_dist(d, len); /* all-ones (end marker) fails in lzma_copy */
        d->state = s < LZMA_LIT_STATES ? 7 : 10;
    } else if (!rc_bit(&d->rc, &p->is_rep0[s])) {
        if (!rc_bit(&d->rc, &p->is_rep0_long[s][ps])) { /* one byte from rep[0] */
            d->state = s < LZMA_LIT_STATES ? 9 : 11;
            return lzma_copy(d, 1);
        }
        len = lzma_len(d, &p->rep_len, ps);
        d->state = s < LZMA_LIT_STATES ? 8 : 11;
    } else {
        uint32_t dist;

        if (!rc_bit(&d->rc, &p->is_rep1[s])) {
            dist = d->rep[1];
        } else {
            unsigned int i = rc_bit(&d->rc, &p->is_rep2[s]) ? 3 : 2;

            dist = d->rep[i];
            if (i == 3)
                d->rep[3] = d->rep[2];
            d->rep[2] = d->rep[1];
        }
        d->rep[1] = d->rep[0];
        d->rep[0] = dist;
        len = lzma_len(d, &p->rep_len, ps);
        d->state = s < LZMA_LIT_STATES ? 8 : 11;
    }
    return lzma_copy(d, len + LZMA_MATCH_MIN);
}

/* Symbols until the chunk's output is complete. */
static int lzma_run(struct lzma_dec *d)
{
    while (d->pos < d->limit) {
        unsigned int ps = (unsigned int)(d->pos - d->dict_start) & d->pb_mask;
        int err;

        if (!rc_bit(&d->rc, &d->p->is_match[d->state][ps]))
            err = lzma_literal(d);
        else
            err = lzma_match(d, ps);
        if (err)
            return err;
    }
    return 0;
}

/* lc/lp/pb from the properties byte: (pb * 5 + lp) * 9 + lc. */
static int lzma_props(struct lzma_dec *d, unsigned int b)
{
    unsigned int lc = b % 9, lp = (b / 9) % 5, pb = b / 45;

    if (b >= LZMA2_PROPS_MAX || lc + lp > 4)
        return -EINVAL;
    d->lc = lc;
    d->lp_mask = (1u << lp) - 1;
    d->pb_mask = (1u << pb) - 1;
    return 0;
}

/* An LZMA chunk; *ip is at its control byte. */
static int lzma2_lzma_chunk(struct lzma_dec *d, const uint8_t *in, size_t in_len, size_t *ip,
                            size_t out_cap, bool *need_props)
{
    size_t hdr = LZMA2_CHUNK_HDR, usize, csize;
    unsigned int ctl = in[*ip];
    int err;

    if (ctl >= 0xc0)
        hdr++; /* a properties byte follows */
    if (in_len - *ip < hdr)
        return -EINVAL;
    usize = ((size_t)(ctl & 0x1f) << 16 | (size_t)in[*ip + 1] << 8 | in[*ip + 2]) + 1;
    csize = ((size_t)in[*ip + 3] << 8 | in[*ip + 4]) + 1;
    if (ctl >= 0xc0) {
        if ((err = lzma_props(d, in[*ip + 5])))
            return err;
        *need_props = false;
    } else if (*need_props) {
        return -EINVAL;
    }
    if (ctl >= 0xa0)
        lzma_reset_state(d);
    *ip += hdr;
    if (csize > in_len - *ip)
        return -EINVAL;
    if (usize > out_cap - d->pos)
        return -ENOSPC;
    if ((err = rc_init(&d->rc, in, *ip, *ip + csize)))
        return err;
    d->limit = d->pos + usize;
    if ((err = lzma_run(d)))
        return err;
    /* The encoder flushed its range coder, which ends with the byte of a
     * last normalisation; then all bytes are used, with nothing left over. */
    rc_normalize(&d->rc);
    if (d->rc.overrun || d->rc.pos != d->rc.end || d->rc.code != 0)
        return -EINVAL;
    *ip += csize;
    return 0;
}

/* An uncompressed chunk; *ip is at its control byte. */
static int lzma2_copy_chunk(struct lzma_dec *d, const uint8_t *in, size_t in_len, size_t *ip,
                            size_t out_cap)
{
    size_t size;

    if (in_len - *ip < 3)
        return -EINVAL;
    size = ((size_t)in[*ip + 1] << 8 | in[*ip + 2]) + 1;
    *ip += 3;
    if (size > in_len - *ip)
        return -EINVAL;
    if (size > out_cap - d->pos)
        return -ENOSPC;
    memcpy(d->out + d->pos, in + *ip, size);
    d->pos += size;
    *ip += size;
    return 0;
}

size_t lzma2_workspace_size(void)
{
    return sizeof(struct lzma_probs);
}

int lzma2_decode(const uint8_t *in, size_t in_len, size_t *in_used, uint8_t *out, size_t out_cap,
                 size_t *out_len, uint32_t dict_size, void *work)
{
    struct lzma_dec d = {.p = work, .out = out, .dict_size = dict_size};
    bool need_reset = true, need_props = true;
    size_t ip = 0;

    for (;;) {
        unsigned int ctl;
        int err;

        if (ip >= in_len)
            return -EINVAL;
        ctl = in[ip];
        if (ctl == 0)
            break;
        /* The first chunk resets the dictionary; after any reset the next
         * LZMA chunk must bring new properties (and so reset the state). */
        if (ctl == 1 || ctl >= 0xe0) {
            d.dict_start = d.pos;
            need_reset = false;
            need_props = true;
        } else if (need_reset) {
            return -EINVAL;
        }
        if (ctl >= 0x80)
            err = lzma2_lzma_chunk(&d, in, in_len, &ip, out_cap, &need_props);
        else if (ctl <= 2)
            err = lzma2_copy_chunk(&d, in, in_len, &ip, out_cap);
        else
            err = -EINVAL;
        if (err)
            return err;
    }
    *in_used = ip + 1;
    *out_len = d.pos;
    return 0;
}
