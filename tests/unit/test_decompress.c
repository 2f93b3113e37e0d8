/* SPDX-License-Identifier: MIT */
/*
 * The decompressors (common/inflate.c, gunzip.c, lzma2.c, unxz.c, crc.c)
 * and the bzImage payload lookup (common/bzimage.c). Reference streams
 * come from the host's zlib and liblzma at test time, so every level,
 * strategy, preset, check and filter combination is an independent
 * encoder's output; hand-built streams cover what encoders never emit.
 * Every input is decoded from a heap copy of exactly its size, into an
 * output buffer of exactly out_cap bytes, so ASan sees any stray access.
 * The fuzz loops are seeded, so a failure repeats.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include <xenolith/bzimage.h>
#include <xenolith/decompress.h>
#include <xenolith/errno.h>

/* ---- helpers ------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

enum pattern { P_ZERO, P_RANDOM, P_TEXT, P_REPEAT, P_X86, P_MIXED, P_COUNT };

static void fill(uint8_t *buf, size_t n, enum pattern p)
{
    static const char *const words[] = {"the ",   "hypervisor ", "domain ", "page ", "grant ",
                                        "event ", "channel ",    "xen ",    "of ",   "\n"};

    for (size_t i = 0; i < n;) {
        uint64_t r = rng();
        enum pattern q = p == P_MIXED ? (enum pattern)((i / 5000) % P_MIXED) : p;

        if (q == P_TEXT) {
            const char *w = words[r % 10];

            for (size_t k = 0; w[k] && i < n; k++)
                buf[i++] = (uint8_t)w[k];
            continue;
        }
        if (q == P_ZERO)
            buf[i] = 0;
        else if (q == P_RANDOM)
            buf[i] = (uint8_t)r;
        else if (q == P_REPEAT)
            buf[i] = (uint8_t)("abcdefg"[i % 7] ^ (r % 97 == 0)); /* rare changes */
        else /* opcodes, near call targets, and small-alphabet noise */
            buf[i] = (uint8_t)((const uint8_t[]){0xe8, 0xe9, 0x00, 0xff, 0x48, 0x89}[r % 6] ^
                               ((r >> 8) % 8 == 0 ? (uint8_t)(r >> 16) : 0));
        i++;
    }
}

static uint8_t *memdup(const void *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);

    assert_non_null(q);
    if (n)
        memcpy(q, p, n);
    return q;
}

typedef int (*decoder_fn)(const uint8_t *, size_t, uint8_t *, size_t, size_t *, void *);

/* Decodes from an exact-size copy into an exact-size buffer; the result
 * (if any) is copied to *res (malloc'd, caller frees). */
static int run(decoder_fn fn, const uint8_t *in, size_t in_len, size_t cap, uint8_t **res,
               size_t *res_len)
{
    size_t ws = fn == gunzip ? gunzip_workspace_size()
                : fn == unxz ? unxz_workspace_size()
                             : decompress_workspace_size();
    uint8_t *inc = memdup(in, in_len), *out = malloc(cap ? cap : 1);
    void *work = malloc(ws);
    size_t out_len = (size_t)-1;
    int ret;

    assert_non_null(out);
    assert_non_null(work);
    memset(work, 0xa5, ws); /* no reliance on zeroed work areas */
    ret = fn(inc, in_len, out, cap, &out_len, work);
    if (ret == 0) {
        assert_true(out_len <= cap);
        if (res)
            *res = memdup(out, out_len);
        if (res_len)
            *res_len = out_len;
    }
    free(inc);
    free(out);
    free(work);
    return ret;
}

/* Decodes and requires exactly `want`; then checks -ENOSPC one byte short. */
static void expect_roundtrip(decoder_fn fn, const uint8_t *z, size_t zlen, const uint8_t *want,
                             size_t n)
{
    uint8_t *got;
    size_t got_len;

    assert_int_equal(run(fn, z, zlen, n, &got, &got_len), 0);
    assert_int_equal(got_len, n);
    assert_memory_equal(got, want, n);
    free(got);
    if (n > 0)
        assert_int_equal(run(fn, z, zlen, n - 1, NULL, NULL), -ENOSPC);
}

static bool is_documented_error(int ret)
{
    return ret == -EINVAL || ret == -EILSEQ || ret == -ENOSPC || ret == -EOPNOTSUPP ||
           ret == -ENOEXEC;
}

/* ---- reference encoders -------------------------------------------- */

static uint8_t *gz_encode(const uint8_t *in, size_t n, int level, int strategy, int wbits,
                          gz_header *hdr, size_t *zlen)
{
    z_stream zs = {0};
    uint8_t *z;
    size_t cap;

    assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, wbits, 9, strategy), Z_OK);
    if (hdr)
        assert_int_equal(deflateSetHeader(&zs, hdr), Z_OK);
    cap = deflateBound(&zs, n) + 1024;
    z = malloc(cap);
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)n;
    zs.next_out = z;
    zs.avail_out = (uInt)cap;
    /* A sync flush midway forces an empty stored block. */
    if (n > 100) {
        zs.avail_in = (uInt)(n / 2);
        assert_int_equal(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
        zs.avail_in = (uInt)(n - n / 2);
    }
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *zlen = zs.total_out;
    deflateEnd(&zs);
    return z;
}

struct xz_opts {
    uint32_t preset;
    lzma_check check;
    bool bcj;
    uint32_t bcj_start;
    int lc, lp, pb; /* -1: the preset's */
    bool limit_dict;
};

static uint8_t *xz_encode(const uint8_t *in, size_t n, const struct xz_opts *o, size_t *zlen)
{
    lzma_options_lzma lz;
    lzma_options_bcj bcj = {.start_offset = o->bcj_start};
    lzma_filter f[3];
    size_t cap = lzma_stream_buffer_bound(n), pos = 0, k = 0;
    uint8_t *z = malloc(cap);

    assert_false(lzma_lzma_preset(&lz, o->preset));
    if (o->lc >= 0) {
        lz.lc = (uint32_t)o->lc;
        lz.lp = (uint32_t)o->lp;
        lz.pb = (uint32_t)o->pb;
    }
    /* Small inputs need no big dictionary; it only costs encoder time. */
    if (o->limit_dict)
        while (lz.dict_size > 4096 && lz.dict_size / 2 >= n)
            lz.dict_size /= 2;
    if (o->bcj)
        f[k++] = (lzma_filter){LZMA_FILTER_X86, o->bcj_start ? &bcj : NULL};
    f[k++] = (lzma_filter){LZMA_FILTER_LZMA2, &lz};
    f[k] = (lzma_filter){LZMA_VLI_UNKNOWN, NULL};
    assert_int_equal(lzma_stream_buffer_encode(f, o->check, NULL, in, n, z, &pos, cap), LZMA_OK);
    *zlen = pos;
    return z;
}

/* liblzma's verdict on a (possibly corrupt) stream: its output, or NULL. */
static uint8_t *xz_reference(const uint8_t *z, size_t zlen, size_t cap, size_t *n)
{
    lzma_stream s = LZMA_STREAM_INIT;
    uint8_t *out = malloc(cap ? cap : 1);
    lzma_ret r;

    assert_int_equal(lzma_stream_decoder(&s, UINT64_MAX, 0), LZMA_OK);
    s.next_in = z;
    s.avail_in = zlen;
    s.next_out = out;
    s.avail_out = cap;
    r = lzma_code(&s, LZMA_FINISH);
    *n = s.total_out;
    lzma_end(&s);
    if (r != LZMA_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* zlib's verdict on a (possibly corrupt) gzip member: its output, or NULL. */
static uint8_t *gz_reference(const uint8_t *z, size_t zlen, size_t cap, size_t *n)
{
    z_stream zs = {0};
    uint8_t *out = malloc(cap ? cap : 1);
    int r;

    assert_int_equal(inflateInit2(&zs, 31), Z_OK);
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)zlen;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    r = inflate(&zs, Z_FINISH);
    *n = zs.total_out;
    inflateEnd(&zs);
    if (r != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static void fix_crc32(uint8_t *buf, size_t start, size_t len, size_t at)
{
    uint32_t c = (uint32_t)crc32(0, buf + start, (uInt)len);

    memcpy(buf + at, &c, 4); /* little-endian host, like the format */
}

/* ---- CRC ----------------------------------------------------------- */

static void test_crc(void **state)
{
    static uint32_t t32[256];
    static uint64_t t64[256];
    uint8_t buf[4096];

    (void)state;
    crc32_table_init(t32);
    crc64_table_init(t64);
    /* The check values of both CRCs ("123456789"). */
    assert_int_equal(crc32_update(t32, 0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
    assert_true(crc64_update(t64, 0, (const uint8_t *)"123456789", 9) == 0x995dc9bbdf1939faull);
    rng_state = 1;
    fill(buf, sizeof(buf), P_RANDOM);
    for (size_t n = 0; n <= sizeof(buf); n += 97) {
        uint32_t c = crc32_update(t32, 0, buf, n / 3);

        assert_int_equal(crc32_update(t32, c, buf + n / 3, n - n / 3), crc32(0, buf, (uInt)n));
        assert_true(crc64_update(t64, 0, buf, n) == lzma_crc64(buf, n, 0));
    }
}

/* ---- gzip ---------------------------------------------------------- */

static const size_t gz_sizes[] = {0, 1, 2, 3, 17, 258, 1000, 32768, 32769, 70000, 300000};
static const struct {
    int level, strategy;
} gz_modes[] = {{0, Z_DEFAULT_STRATEGY}, {1, Z_DEFAULT_STRATEGY},
                {9, Z_DEFAULT_STRATEGY}, {6, Z_FIXED},
                {6, Z_HUFFMAN_ONLY},     {9, Z_RLE},
                {1, Z_FILTERED}};

static void test_gzip_roundtrip(void **state)
{
    unsigned int cases = 0;

    (void)state;
    rng_state = 2;
    for (size_t si = 0; si < sizeof(gz_sizes) / sizeof(gz_sizes[0]); si++) {
        for (int p = 0; p < P_COUNT; p++) {
            size_t n = gz_sizes[si], zlen;
            uint8_t *data = malloc(n + 1);

            fill(data, n, (enum pattern)p);
            for (size_t m = 0; m < sizeof(gz_modes) / sizeof(gz_modes[0]); m++) {
                uint8_t *z =
                    gz_encode(data, n, gz_modes[m].level, gz_modes[m].strategy, 31, NULL, &zlen);

                expect_roundtrip(gunzip, z, zlen, data, n);
                assert_int_equal(gunzip_size_hint(z, zlen), n);
                assert_int_equal(decompress_detect(z, zlen), DECOMP_GZIP);
                free(z);
                cases++;
            }
            free(data);
        }
    }
    print_message("gzip round trips: %u\n", cases);
}

/* Small windows and raw DEFLATE, through inflate_raw directly. */
static void test_inflate_raw(void **state)
{
    uint8_t data[50000], *work = malloc(inflate_workspace_size());

    (void)state;
    rng_state = 3;
    fill(data, sizeof(data), P_MIXED);
    for (int wbits = 9; wbits <= 15; wbits += 3) {
        for (int level = 0; level <= 9; level += 3) {
            size_t zlen, used, n;
            uint8_t *z =
                gz_encode(data, sizeof(data), level, Z_DEFAULT_STRATEGY, -wbits, NULL, &zlen);
            uint8_t *zc = malloc(zlen + 3), *out = malloc(sizeof(data));

            memcpy(zc, z, zlen);
            memcpy(zc + zlen, "xyz", 3); /* trailing bytes are not consumed */
            assert_int_equal(inflate_raw(zc, zlen + 3, &used, out, sizeof(data), &n, work), 0);
            assert_int_equal(used, zlen);
            assert_int_equal(n, sizeof(data));
            assert_memory_equal(out, data, n);
            free(z);
            free(zc);
            free(out);
        }
    }
    free(work);
}

static void test_gzip_header_fields(void **state)
{
    uint8_t data[3000], extra[300];
    char name[] = "vmlinux", comment[] = "a comment";
    gz_header h = {.extra = extra,
                   .extra_len = sizeof(extra),
                   .name = (Bytef *)name,
                   .comment = (Bytef *)comment,
                   .hcrc = 1,
                   .os = 3};
    size_t zlen, hdr = 10 + 2 + sizeof(extra) + sizeof(name) + sizeof(comment);
    uint8_t *z;

    (void)state;
    rng_state = 4;
    fill(data, sizeof(data), P_TEXT);
    fill(extra, sizeof(extra), P_RANDOM);
    z = gz_encode(data, sizeof(data), 6, Z_DEFAULT_STRATEGY, 31, &h, &zlen);
    assert_int_equal(z[3], 0x02 | 0x04 | 0x08 | 0x10);
    expect_roundtrip(gunzip, z, zlen, data, sizeof(data));
    /* Every header prefix is truncated input. */
    for (size_t k = 0; k < hdr + 2; k++)
        assert_int_equal(run(gunzip, z, k, sizeof(data), NULL, NULL), k < 2 ? -ENOEXEC : -EINVAL);
    z[hdr] ^= 1; /* the header CRC16 */
    assert_int_equal(run(gunzip, z, zlen, sizeof(data), NULL, NULL), -EILSEQ);
    z[hdr] ^= 1;
    z[hdr - 2] ^= 0x40; /* the comment, covered by the header CRC */
    assert_int_equal(run(gunzip, z, zlen, sizeof(data), NULL, NULL), -EILSEQ);
    free(z);
}

static void test_gzip_bad(void **state)
{
    uint8_t data[1000];
    size_t zlen;
    uint8_t *z;

    (void)state;
    rng_state = 5;
    fill(data, sizeof(data), P_TEXT);
    z = gz_encode(data, sizeof(data), 9, Z_DEFAULT_STRATEGY, 31, NULL, &zlen);
    expect_roundtrip(decompress, z, zlen, data, sizeof(data));
    /* Wrong magic: not gzip at all. */
    z[1] ^= 0xff;
    assert_int_equal(run(gunzip, z, zlen, sizeof(data), NULL, NULL), -ENOEXEC);
    assert_int_equal(decompress_detect(z, zlen), -ENOEXEC);
    z[1] ^= 0xff;
    /* Method 7 and a reserved flag bit: not something we can parse. */
    z[2] = 7;
    assert_int_equal(run(gunzip, z, zlen, sizeof(data), NULL, NULL), -EOPNOTSUPP);
    z[2] = 8;
    z[3] |= 0x20;
    assert_int_equal(run(gunzip, z, zlen, sizeof(data), NULL, NULL), -EOPNOTSUPP);
    z[3] &= ~0x20;
    /* Trailer: CRC32, then ISIZE. */
    for (size_t k = zlen - 8; k < zlen; k++) {
        z[k] ^= 0x10;
        assert_int_equal(run(gunzip, z, zlen, sizeof(data), NULL, NULL), -EILSEQ);
        z[k] ^= 0x10;
    }
    /* FNAME without its NUL, inside a 10-byte header. */
    z[3] = 0x08;
    assert_int_equal(run(gunzip, z, 10, sizeof(data), NULL, NULL), -EINVAL);
    free(z);
}

/* ---- hand-built DEFLATE -------------------------------------------- */

struct bw {
    uint8_t buf[512];
    size_t n;
    unsigned int bit;
};

static void bw_put(struct bw *w, uint32_t v, unsigned int bits)
{
    for (unsigned int i = 0; i < bits; i++, w->bit++) {
        if (w->bit == 8) {
            w->bit = 0;
            w->n++;
        }
        w->buf[w->n] |= (uint8_t)(((v >> i) & 1) << w->bit);
    }
}

static size_t bw_len(const struct bw *w)
{
    return w->n + (w->bit > 0);
}

/* Writes symbol `sym` of the canonical code with these lengths. */
static void bw_sym(struct bw *w, const uint8_t *lens, unsigned int n, unsigned int sym)
{
    unsigned int code = 0;

    for (unsigned int len = 1; len <= 15; len++) {
        for (unsigned int s = 0; s < n; s++) {
            if (lens[s] != len)
                continue;
            if (s == sym) {
                for (int b = (int)len - 1; b >= 0; b--)
                    bw_put(w, (code >> b) & 1, 1);
                return;
            }
            code++;
        }
        code <<= 1;
    }
    fail_msg("symbol %u has no code", sym);
}

/* A final dynamic block header; code lengths sent with a flat 4-bit
 * code for 0..15 (order index of 15 is 18, so all 19 CL lengths). */
static void bw_dynamic(struct bw *w, const uint8_t *lit, unsigned int nlit, const uint8_t *dist,
                       unsigned int ndist)
{
    static const uint8_t order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                      11, 4,  12, 3, 13, 2, 14, 1, 15};
    uint8_t cl[19] = {0};

    for (int s = 0; s < 16; s++)
        cl[s] = 4;
    bw_put(w, 1, 1);
    bw_put(w, 2, 2);
    bw_put(w, nlit - 257, 5);
    bw_put(w, ndist - 1, 5);
    bw_put(w, 15, 4);
    for (int i = 0; i < 19; i++)
        bw_put(w, cl[order[i]], 3);
    for (unsigned int i = 0; i < nlit; i++)
        bw_sym(w, cl, 19, lit[i]);
    for (unsigned int i = 0; i < ndist; i++)
        bw_sym(w, cl, 19, dist[i]);
}

static int inflate_buf(const struct bw *w, uint8_t *out, size_t cap, size_t *n)
{
    uint8_t *in = memdup(w->buf, bw_len(w)), *work = malloc(inflate_workspace_size());
    size_t used;
    int ret = inflate_raw(in, bw_len(w), &used, out, cap, n, work);

    free(in);
    free(work);
    return ret;
}

/* A dynamic block with the given code lengths and symbols (< 0: none). */
static int dyn_case(const int *lit_lens, const int *dist_lens, unsigned int ndist, const int *syms,
                    uint8_t *out, size_t *n)
{
    uint8_t lit[286] = {0}, dist[30] = {0};
    struct bw w = {0};

    for (int i = 0; lit_lens[i] >= 0; i += 2)
        lit[lit_lens[i]] = (uint8_t)lit_lens[i + 1];
    for (int i = 0; dist_lens[i] >= 0; i += 2)
        dist[dist_lens[i]] = (uint8_t)dist_lens[i + 1];
    bw_dynamic(&w, lit, 286, dist, ndist);
    for (int i = 0; syms[i] >= 0; i += 2)
        bw_sym(&w, syms[i + 1] ? dist : lit, syms[i + 1] ? ndist : 286, (unsigned int)syms[i]);
    return inflate_buf(&w, out, 64, n);
}

/* Dynamic blocks with chosen code lengths. */
static void test_inflate_handmade_codes(void **state)
{
    uint8_t out[64];
    size_t n;

    (void)state;
    /* Each case: code lengths as {symbol, length} lists, then {symbol, is_dist}. */
    /* 'a', 'a', end; one distance code of length 1 (allowed incomplete). */
    assert_int_equal(dyn_case((int[]){'a', 1, 256, 1, -1}, (int[]){0, 1, -1}, 1,
                              (int[]){'a', 0, 'a', 0, 256, 0, -1}, out, &n),
                     0);
    assert_int_equal(n, 2);
    /* 'a', then length 3 at distance 1 through the single distance code. */
    assert_int_equal(dyn_case((int[]){'a', 1, 256, 2, 257, 2, -1}, (int[]){0, 1, -1}, 1,
                              (int[]){'a', 0, 257, 0, 0, 1, 256, 0, -1}, out, &n),
                     0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "aaaa", 4);
    /* No distance codes at all, literals only: fine until a match needs one. */
    assert_int_equal(
        dyn_case((int[]){'a', 1, 256, 1, -1}, (int[]){-1}, 1, (int[]){'a', 0, 256, 0, -1}, out, &n),
        0);
    assert_int_equal(dyn_case((int[]){'a', 1, 256, 2, 257, 2, -1}, (int[]){-1}, 1,
                              (int[]){'a', 0, 257, 0, -1}, out, &n),
                     -EINVAL);
    /* Over-subscribed and incomplete literal/length codes. */
    assert_int_equal(dyn_case((int[]){'a', 1, 256, 1, 257, 1, -1}, (int[]){0, 1, -1}, 1,
                              (int[]){256, 0, -1}, out, &n),
                     -EINVAL);
    assert_int_equal(
        dyn_case((int[]){'a', 2, 256, 2, -1}, (int[]){0, 1, -1}, 1, (int[]){256, 0, -1}, out, &n),
        -EINVAL);
    /* No end-of-block code. */
    assert_int_equal(
        dyn_case((int[]){'a', 1, 'b', 1, -1}, (int[]){0, 1, -1}, 1, (int[]){'a', 0, -1}, out, &n),
        -EINVAL);
    /* Incomplete distance codes: two codes 1/2 + 1/4, or one of length 2. */
    assert_int_equal(dyn_case((int[]){'a', 1, 256, 1, -1}, (int[]){0, 1, 1, 2, -1}, 2,
                              (int[]){256, 0, -1}, out, &n),
                     -EINVAL);
    assert_int_equal(
        dyn_case((int[]){'a', 1, 256, 1, -1}, (int[]){0, 2, -1}, 1, (int[]){256, 0, -1}, out, &n),
        -EINVAL);
    /* Distance 2 when one byte has been written. */
    assert_int_equal(dyn_case((int[]){'a', 1, 256, 2, 257, 2, -1}, (int[]){0, 1, 1, 1, -1}, 2,
                              (int[]){'a', 0, 257, 0, 1, 1, -1}, out, &n),
                     -EINVAL);
}

/* Stored, fixed and dynamic-header cases, bit by bit. */
static void test_inflate_handmade_blocks(void **state)
{
    uint8_t out[64];
    size_t n;
    struct bw w;

    (void)state;
    /* Block type 3. */
    w = (struct bw){0};
    bw_put(&w, 7, 3);
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* Stored: LEN/NLEN mismatch; an empty stored block is fine. */
    w = (struct bw){.buf = {1, 0, 0, 0, 0}, .n = 5};
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    w = (struct bw){.buf = {1, 0, 0, 0xff, 0xff}, .n = 5};
    assert_int_equal(inflate_buf(&w, out, 64, &n), 0);
    assert_int_equal(n, 0);
    /* Stored block longer than the output: -ENOSPC; than the input: -EINVAL. */
    w = (struct bw){.buf = {1, 3, 0, 0xfc, 0xff, 'a', 'b', 'c'}, .n = 8};
    assert_int_equal(inflate_buf(&w, out, 2, &n), -ENOSPC);
    w.n = 7;
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* Fixed block: match at position 0 (code 257 = 0000001, distance 0). */
    w = (struct bw){0};
    bw_put(&w, 3, 3);
    bw_put(&w, 0x40, 7); /* 0000001 reversed */
    bw_put(&w, 0, 5);
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* Fixed block: literal/length 286 (11000110), never valid. */
    w = (struct bw){0};
    bw_put(&w, 3, 3);
    bw_put(&w, 0x63, 8); /* 11000110 reversed */
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* Fixed block: 'a' (00110000 + 0x61 = 10010001), then length 3 with
     * distance code 30 (11110), never valid. */
    w = (struct bw){0};
    bw_put(&w, 3, 3);
    bw_put(&w, 0x89, 8); /* 10010001 reversed */
    bw_put(&w, 0x40, 7);
    bw_put(&w, 0x0f, 5); /* 11110 reversed */
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* Dynamic header: HLIT 287, and a first code-length code of 16. */
    w = (struct bw){0};
    bw_put(&w, 5, 3);
    bw_put(&w, 30, 5);
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    w = (struct bw){0};
    bw_put(&w, 5, 3);
    bw_put(&w, 0, 14); /* HLIT 257, HDIST 1, HCLEN 4: lengths of 16, 17, 18, 0 */
    bw_put(&w, 1 | 0 << 3 | 0 << 6 | 1 << 9, 12); /* 16 and 0: one bit each */
    bw_put(&w, 1, 1); /* code 1 is 16 (codes follow symbol order): nothing to repeat */
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* A code-length code with one code only is incomplete: rejected. */
    w = (struct bw){0};
    bw_put(&w, 5, 3);
    bw_put(&w, 0, 14);
    bw_put(&w, 1 << 9, 12); /* only symbol 0, length 1 */
    bw_put(&w, 0, 8);
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
    /* Over-subscribed code-length code: all 19 of length 1. */
    w = (struct bw){0};
    bw_put(&w, 5, 3);
    bw_put(&w, 0, 10);
    bw_put(&w, 15, 4);
    for (int i = 0; i < 19; i++)
        bw_put(&w, 1, 3);
    assert_int_equal(inflate_buf(&w, out, 64, &n), -EINVAL);
}

/* Truncation at every prefix and corruption at every byte of small streams. */
static void check_damage(decoder_fn fn, const uint8_t *z, size_t zlen, const uint8_t *data,
                         size_t n, bool checked)
{
    uint8_t *m = memdup(z, zlen), *got;
    size_t got_len;

    for (size_t k = 0; k < zlen; k++) {
        int ret = run(fn, z, k, n, NULL, NULL);

        assert_true(is_documented_error(ret));
    }
    for (size_t k = 0; k < zlen; k++) {
        for (int bit = 0; bit < 8; bit += 3) {
            int ret;

            m[k] ^= (uint8_t)(1 << bit);
            ret = run(fn, m, zlen, n, &got, &got_len);
            m[k] ^= (uint8_t)(1 << bit);
            if (ret == 0) {
                /* Only fields no check covers may change (gzip MTIME/OS/XFL). */
                if (checked) {
                    assert_int_equal(got_len, n);
                    assert_memory_equal(got, data, n);
                }
                free(got);
            } else {
                assert_true(is_documented_error(ret));
            }
        }
    }
    free(m);
}

static void test_gzip_damage(void **state)
{
    uint8_t data[600];

    (void)state;
    rng_state = 6;
    fill(data, sizeof(data), P_TEXT);
    for (int level = 0; level <= 9; level += 9) {
        size_t zlen;
        uint8_t *z = gz_encode(data, sizeof(data), level, Z_DEFAULT_STRATEGY, 31, NULL, &zlen);

        check_damage(gunzip, z, zlen, data, sizeof(data), true);
        free(z);
    }
}

/* ---- xz ------------------------------------------------------------ */

static const uint32_t xz_presets[] = {0, 6, 9 | LZMA_PRESET_EXTREME};
static const lzma_check xz_checks[] = {LZMA_CHECK_NONE, LZMA_CHECK_CRC32, LZMA_CHECK_CRC64};

/* Every size and pattern meets all three presets, each time with another
 * check and with or without BCJ, so all pairs occur without the full
 * product's encoder time. */
static void test_xz_roundtrip(void **state)
{
    static const size_t sizes[] = {0, 1, 2, 5, 100, 4096, 65536, 65537, 200000};
    unsigned int cases = 0;

    (void)state;
    rng_state = 7;
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        for (int p = 0; p < P_COUNT; p++) {
            size_t n = sizes[si], zlen;
            uint8_t *data = malloc(n + 1);

            fill(data, n, (enum pattern)p);
            for (unsigned int j = 0; j < 3; j++) {
                unsigned int k = (unsigned int)(si + (size_t)p + j);
                struct xz_opts o = {.preset = xz_presets[j],
                                    .check = xz_checks[k % 3],
                                    .bcj = (k / 3) & 1,
                                    .bcj_start = (k & 4) ? 0x1000000u + k : 0,
                                    .lc = -1,
                                    .limit_dict = true};
                uint8_t *z = xz_encode(data, n, &o, &zlen);

                expect_roundtrip(unxz, z, zlen, data, n);
                assert_int_equal(decompress_detect(z, zlen), DECOMP_XZ);
                free(z);
                cases++;
            }
            free(data);
        }
    }
    print_message("xz round trips: %u\n", cases);
}

/* Literal context/position bits and position bits at their extremes. */
static void test_xz_lclppb(void **state)
{
    static const int lclppb[][3] = {{0, 0, 0}, {4, 0, 4}, {0, 4, 2}, {1, 3, 0}, {3, 1, 1}};
    uint8_t data[100000];

    (void)state;
    rng_state = 8;
    fill(data, sizeof(data), P_MIXED);
    for (size_t i = 0; i < sizeof(lclppb) / sizeof(lclppb[0]); i++) {
        struct xz_opts o = {.preset = 6,
                            .check = LZMA_CHECK_CRC64,
                            .bcj = i & 1,
                            .lc = lclppb[i][0],
                            .lp = lclppb[i][1],
                            .pb = lclppb[i][2],
                            .limit_dict = true};
        size_t zlen;
        uint8_t *z = xz_encode(data, sizeof(data), &o, &zlen);

        expect_roundtrip(unxz, z, zlen, data, sizeof(data));
        free(z);
    }
}

/* More than one LZMA2 chunk's worth (2 MiB) per block, with the preset's
 * real dictionary size; incompressible data gives uncompressed chunks. */
static void test_xz_large(void **state)
{
    size_t n = 2600000, zlen;
    uint8_t *data = malloc(n);

    (void)state;
    rng_state = 9;
    for (int p = P_RANDOM; p <= P_MIXED; p += P_MIXED - P_RANDOM) {
        struct xz_opts o = {.preset = 1, .check = LZMA_CHECK_CRC32, .bcj = true, .lc = -1};
        uint8_t *z;

        fill(data, n, (enum pattern)p);
        z = xz_encode(data, n, &o, &zlen);
        expect_roundtrip(unxz, z, zlen, data, n);
        free(z);
    }
    free(data);
}

/* Several blocks: with sizes in the headers (threaded encoder) and
 * without (full flushes); trailing bytes after the stream are ignored. */
static void test_xz_multiblock(void **state)
{
    size_t n = 500000;
    uint8_t *data = malloc(n), *z = malloc(n + 65536);

    (void)state;
    rng_state = 10;
    fill(data, n, P_MIXED);
    for (int threaded = 0; threaded < 2; threaded++) {
        lzma_stream s = LZMA_STREAM_INIT;
        lzma_mt mt = {.threads = 2, .block_size = 70000, .preset = 1, .check = LZMA_CHECK_CRC64};
        size_t done = 0;

        if (threaded)
            assert_int_equal(lzma_stream_encoder_mt(&s, &mt), LZMA_OK);
        else
            assert_int_equal(lzma_easy_encoder(&s, 1, LZMA_CHECK_CRC32), LZMA_OK);
        s.next_out = z;
        s.avail_out = n + 65536;
        for (size_t step = 0; step < 4 && !threaded; step++) {
            s.next_in = data + done;
            s.avail_in = n / 5;
            done += n / 5;
            while (lzma_code(&s, LZMA_FULL_FLUSH) != LZMA_STREAM_END)
                ;
        }
        s.next_in = data + done;
        s.avail_in = n - done;
        while (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END)
            ;
        memcpy(s.next_out, "\x20\xa1\x07\x00", 4); /* as Linux appends the size */
        expect_roundtrip(unxz, z, s.total_out + 4, data, n);
        assert_true(threaded ? (z[13] & 0xc0) == 0xc0 : (z[13] & 0xc0) == 0);
        lzma_end(&s);
    }
    free(data);
    free(z);
}

/* The index sits before the 12-byte footer; its size is in the footer. */
static size_t xz_index_pos(const uint8_t *z, size_t zlen)
{
    uint32_t bsize;

    memcpy(&bsize, z + zlen - 8, 4);
    return zlen - 12 - (bsize + 1) * 4;
}

/* One valid stream (x86 BCJ + LZMA2, CRC32, sizes in the block header)
 * and a copy of it to damage, for the test_xz_bad_* cases. */
static struct {
    uint8_t data[3000];
    uint8_t *z, *m;
    size_t zlen;
} xb;

static int xz_bad_setup(void **state)
{
    struct xz_opts o = {
        .preset = 6, .check = LZMA_CHECK_CRC32, .bcj = true, .lc = -1, .limit_dict = true};

    (void)state;
    rng_state = 11;
    fill(xb.data, sizeof(xb.data), P_X86);
    xb.z = xz_encode(xb.data, sizeof(xb.data), &o, &xb.zlen);
    xb.m = memdup(xb.z, xb.zlen);
    return 0;
}

static int xz_bad_teardown(void **state)
{
    (void)state;
    free(xb.m);
    free(xb.z);
    return 0;
}

#define EXPECT(ret) assert_int_equal(run(unxz, m, zlen, sizeof(xb.data), NULL, NULL), ret)
#define RESET()     memcpy(m, xb.z, zlen)

static void test_xz_bad_stream(void **state)
{
    uint8_t *m = xb.m;
    size_t zlen = xb.zlen;

    (void)state;
    /* Stream header: magic, CRC, reserved flags, check IDs. */
    m[0] = 0xfc;
    EXPECT(-ENOEXEC);
    RESET();
    m[8] ^= 1;
    EXPECT(-EILSEQ);
    RESET();
    m[7] |= 0x10;
    fix_crc32(m, 6, 2, 8);
    EXPECT(-EOPNOTSUPP);
    RESET();
    m[7] = 0x02; /* a reserved 4-byte check */
    fix_crc32(m, 6, 2, 8);
    EXPECT(-EOPNOTSUPP);
    RESET();
    /* Footer: backward size, flags copy, magic. */
    RESET();
    m[zlen - 8]++;
    fix_crc32(m, zlen - 8, 6, zlen - 12);
    EXPECT(-EINVAL);
    RESET();
    m[zlen - 3] = 4;
    fix_crc32(m, zlen - 8, 6, zlen - 12);
    EXPECT(-EINVAL);
    RESET();
    m[zlen - 1] = 'X';
    EXPECT(-EINVAL);
}

static void test_xz_bad_block(void **state)
{
    uint8_t *m = xb.m;
    size_t zlen = xb.zlen, hl, hc, f, usz;

    (void)state;
    /* Block header: size, flags, compressed and uncompressed size (the
     * buffer encoder writes both), 04 00 (x86), 21 01 dict (LZMA2),
     * padding, CRC32 at hc. */
    RESET();
    hl = (m[12] + 1u) * 4;
    hc = 12 + hl - 4;
    assert_int_equal(m[13], 0xc1);
    f = 14;
    while (m[f++] & 0x80) /* compressed size */
        ;
    usz = f;
    while (m[f++] & 0x80) /* uncompressed size */
        ;
    assert_int_equal(m[f], 0x04);
    assert_int_equal(m[f + 2], 0x21);
#define FIXH() fix_crc32(m, 12, hl - 4, hc)
    m[13] |= 0x04; /* reserved flag */
    FIXH();
    EXPECT(-EOPNOTSUPP);
    RESET();
    m[f + 5] = 1; /* padding */
    FIXH();
    EXPECT(-EOPNOTSUPP);
    RESET();
    m[f + 4] = 41; /* dictionary over 4 GiB */
    FIXH();
    EXPECT(-EINVAL);
    RESET();
    m[f + 4] = 0x40; /* reserved dictionary bits */
    FIXH();
    EXPECT(-EOPNOTSUPP);
    RESET();
    m[f] = 0x07; /* ARM BCJ */
    FIXH();
    EXPECT(-EOPNOTSUPP);
    RESET();
    m[f] = 0x21; /* LZMA2 twice: only the last filter may be LZMA2 */
    m[f + 1] = 0x01;
    FIXH();
    EXPECT(-EINVAL);
    RESET();
    m[14] ^= 1; /* compressed size */
    FIXH();
    EXPECT(-EINVAL);
    RESET();
    m[usz] ^= 1; /* uncompressed size */
    FIXH();
    EXPECT(-EINVAL);
    RESET();
    m[hc] ^= 1;
    EXPECT(-EILSEQ);
#undef FIXH
}

static void test_xz_bad_index(void **state)
{
    uint8_t *m = xb.m, *z = xb.z;
    size_t zlen = xb.zlen, idx;

    (void)state;
    /* The block's CRC32 (just before the index). */
    RESET();
    idx = xz_index_pos(z, zlen);
    m[idx - 1] ^= 0x80;
    EXPECT(-EILSEQ);
    /* Index: record count and uncompressed size, CRC fixed up. */
    RESET();
    assert_int_equal(m[idx], 0);
    assert_int_equal(m[idx + 1], 1);
    m[idx + 1] = 2;
    fix_crc32(m, idx, zlen - 12 - 4 - idx, zlen - 16);
    EXPECT(-EINVAL);
    RESET();
    m[idx + 4] ^= 1; /* uncompressed size, 2 bytes for 3000: low byte */
    fix_crc32(m, idx, zlen - 12 - 4 - idx, zlen - 16);
    EXPECT(-EINVAL);
    RESET();
    m[zlen - 16] ^= 1;
    EXPECT(-EILSEQ);
}

#undef EXPECT
#undef RESET

/* The fields a CRC32 protects, mutated and then given a matching CRC, so
 * that the parsers behind the CRC see them: the stream flags, the block
 * header, the index, the footer. The block's own check is untouched, so
 * success must still mean the original data. */
static void test_xz_fields_fuzz(void **state)
{
    static const uint8_t vli10[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    uint8_t data[2000];
    struct xz_opts o = {
        .preset = 1, .check = LZMA_CHECK_CRC64, .bcj = true, .lc = -1, .limit_dict = true};
    size_t zlen, idx, hl;
    unsigned int ok = 0;
    uint8_t *z, *m, *got;

    (void)state;
    rng_state = 16;
    fill(data, sizeof(data), P_X86);
    z = xz_encode(data, sizeof(data), &o, &zlen);
    m = malloc(zlen);
    hl = (z[12] + 1u) * 4;
    idx = xz_index_pos(z, zlen);
    for (int i = 0; i < 4000; i++) {
        /* One field: {first mutable byte, end, CRC start, CRC length, CRC position} */
        const size_t f[4][5] = {{6, 8, 6, 2, 8},
                                {13, 12 + hl - 4, 12, hl - 4, 12 + hl - 4},
                                {idx + 1, zlen - 16, idx, zlen - 16 - idx, zlen - 16},
                                {zlen - 8, zlen - 2, zlen - 8, 6, zlen - 12}};
        const size_t *r = f[i % 4];
        size_t got_len, ref_len;
        uint8_t *ref;
        int ret;

        memcpy(m, z, zlen);
        if (i % 4 == 1 && i % 7 == 0) /* an over-long multibyte integer */
            memcpy(m + 13 + 1, vli10, 10);
        else
            for (int k = 1 + (int)(rng() % 3); k > 0; k--)
                m[r[0] + rng() % (r[1] - r[0])] = (uint8_t)((rng() & 1) ? rng() : rng() % 4);
        fix_crc32(m, r[2], r[3], r[4]);
        ret = run(unxz, m, zlen, sizeof(data), &got, &got_len);
        ref = xz_reference(m, zlen, sizeof(data), &ref_len);
        if (ret != -EOPNOTSUPP)
            assert_int_equal(ret == 0, ref != NULL);
        free(ref);
        if (ret == 0) {
            assert_int_equal(got_len, sizeof(data));
            assert_memory_equal(got, data, sizeof(data));
            free(got);
            ok++;
        } else {
            assert_true(is_documented_error(ret));
        }
    }
    print_message("xz field fuzz: 4000 mutants, %u still decoded\n", ok);
    free(m);
    free(z);
}

/* Filters and checks liblzma can write but unxz does not implement. */
static void test_xz_unsupported(void **state)
{
    uint8_t data[2000], z[4000];
    lzma_options_lzma lz;
    lzma_options_delta delta = {.type = LZMA_DELTA_TYPE_BYTE, .dist = 4};
    lzma_filter chains[][3] = {
        {{LZMA_FILTER_DELTA, &delta}, {LZMA_FILTER_LZMA2, &lz}, {LZMA_VLI_UNKNOWN, NULL}},
        {{LZMA_FILTER_ARM, NULL}, {LZMA_FILTER_LZMA2, &lz}, {LZMA_VLI_UNKNOWN, NULL}},
        {{LZMA_FILTER_LZMA2, &lz}, {LZMA_VLI_UNKNOWN, NULL}},
    };
    lzma_check checks[] = {LZMA_CHECK_CRC32, LZMA_CHECK_CRC32, LZMA_CHECK_SHA256};

    (void)state;
    rng_state = 12;
    fill(data, sizeof(data), P_TEXT);
    lzma_lzma_preset(&lz, 0);
    for (int i = 0; i < 3; i++) {
        size_t pos = 0;

        assert_int_equal(lzma_stream_buffer_encode(chains[i], checks[i], NULL, data, sizeof(data),
                                                   z, &pos, sizeof(z)),
                         LZMA_OK);
        assert_int_equal(run(unxz, z, pos, sizeof(data), NULL, NULL), -EOPNOTSUPP);
    }
}

static void test_xz_damage(void **state)
{
    uint8_t data[700];

    (void)state;
    rng_state = 13;
    fill(data, sizeof(data), P_TEXT);
    for (int c = 0; c < 3; c++) {
        struct xz_opts o = {
            .preset = 6, .check = xz_checks[c], .bcj = c == 1, .lc = -1, .limit_dict = true};
        size_t zlen;
        uint8_t *z = xz_encode(data, sizeof(data), &o, &zlen);

        check_damage(unxz, z, zlen, data, sizeof(data), o.check != LZMA_CHECK_NONE);
        free(z);
    }
}

/* Raw LZMA2 the encoder never writes. */
static void test_lzma2_handmade(void **state)
{
    static const struct {
        uint8_t in[16];
        size_t len, cap;
        int ret;
        const char *out;
    } cases[] = {
        {{0x00}, 1, 8, 0, ""},                                        /* empty stream */
        {{0}, 0, 8, -EINVAL, NULL},                                   /* no end marker */
        {{0x03}, 1, 8, -EINVAL, NULL},                                /* invalid control */
        {{0x02, 0, 0, 'x', 0}, 5, 8, -EINVAL, NULL},                  /* no dictionary reset */
        {{0x01, 0, 2, 'a', 'b', 'c', 0}, 7, 8, 0, "abc"},             /* uncompressed chunk */
        {{0x01, 0, 2, 'a', 'b', 'c', 0}, 7, 2, -ENOSPC, NULL},        /* ... too big */
        {{0x01, 0, 2, 'a', 'b'}, 5, 8, -EINVAL, NULL},                /* ... truncated */
        {{0x01, 0, 0, 'a', 1, 0, 0, 'b', 0}, 9, 8, 0, "ab"},          /* reset again */
        {{0x01, 0, 0, 'a', 0x80, 0, 0, 0, 4}, 9, 8, -EINVAL, 0},      /* LZMA without props */
        {{0xe0, 0, 0, 0, 4, 225}, 6, 8, -EINVAL, NULL},               /* props out of range */
        {{0xe0, 0, 0, 0, 4, 13}, 6, 8, -EINVAL, NULL},                /* lc 4 + lp 1 */
        {{0xe0, 0, 0, 0, 4, 0x5d, 1, 0, 0, 0, 0}, 11, 8, -EINVAL, 0}, /* rc byte 0 not 0 */
        {{0xe0, 0, 0, 0, 3, 0x5d, 0, 0, 0, 0}, 10, 8, -EINVAL, 0},    /* rc shorter than 5 */
        {{0xe0, 0, 0, 0, 4, 0x5d, 0, 255, 255, 255, 255}, 11, 8, -EINVAL, 0}, /* code = range */
        {{0xe0, 0, 9, 0, 4, 0x5d, 0, 0, 0, 0, 0}, 11, 8, -ENOSPC, 0},         /* 10 bytes into 8 */
    };
    uint8_t out[8], *work = malloc(lzma2_workspace_size());

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *in = memdup(cases[i].in, cases[i].len);
        size_t used, n;
        int ret = lzma2_decode(in, cases[i].len, &used, out, cases[i].cap, &n, 4096, work);

        assert_int_equal(ret, cases[i].ret);
        if (ret == 0) {
            assert_int_equal(used, cases[i].len);
            assert_int_equal(n, strlen(cases[i].out));
            assert_memory_equal(out, cases[i].out, n);
        }
        free(in);
    }
    free(work);
}

/* ---- fuzz ---------------------------------------------------------- */

/* One random mutation: bit flips, byte overwrites, a truncation, a
 * duplicated or deleted run, or a random tail. May grow the buffer. */
static size_t mutate(uint8_t *m, size_t len, size_t max)
{
    uint64_t r = rng();
    size_t at = len ? (size_t)(rng() % len) : 0, run_len = 1 + (size_t)(rng() % 16);

    switch (r % 6) {
    case 0:
    case 1:
        for (int i = (int)(r >> 8) % 4; i >= 0 && len; i--)
            m[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
        return len;
    case 2:
        if (len)
            m[at] = (uint8_t)(r >> 16);
        return len;
    case 3:
        return at;
    case 4:
        if (len + run_len <= max && at + run_len <= len) {
            memmove(m + at + run_len, m + at, len - at);
            return len + run_len;
        }
        return len;
    default:
        while (len < max && run_len--)
            m[len++] = (uint8_t)rng();
        return len;
    }
}

/* Mutants of valid streams, decoded with a random out_cap. Differential:
 * the reference decoder (zlib, liblzma) must succeed exactly when we do,
 * with the same output; only formats we refuse on purpose (-EOPNOTSUPP)
 * may differ. Plus no crash under ASan/UBSan and only documented errors. */
static void fuzz_stream(decoder_fn fn, const uint8_t *z, size_t zlen, size_t n, unsigned int iters,
                        unsigned int *ok, unsigned int *differ)
{
    size_t max = zlen + 64;
    uint8_t *m = malloc(max);

    for (unsigned int i = 0; i < iters; i++) {
        size_t len = zlen, cap = (rng() % 4) ? n : (size_t)(rng() % (n + 1)), got_len, ref_len;
        uint8_t *got = NULL, *ref;
        int ret;

        memcpy(m, z, zlen);
        for (unsigned int k = 1 + (unsigned int)(rng() % 3); k > 0; k--)
            len = mutate(m, len, max);
        ret = run(fn, m, len, cap, &got, &got_len);
        assert_true(ret == 0 || is_documented_error(ret));
        ref =
            fn == unxz ? xz_reference(m, len, cap, &ref_len) : gz_reference(m, len, cap, &ref_len);
        if (ret != -EOPNOTSUPP)
            assert_int_equal(ret == 0, ref != NULL);
        if (ret == 0 && ref) {
            assert_int_equal(ref_len, got_len);
            assert_memory_equal(ref, got, got_len);
            (*ok)++;
            *differ += got_len != n;
        }
        free(ref);
        free(got);
    }
    free(m);
}

static void test_fuzz(void **state)
{
    uint8_t data[5000];
    unsigned int ok = 0, differ = 0, total = 0;

    (void)state;
    rng_state = 14;
    for (int p = P_RANDOM; p < P_COUNT; p++) {
        size_t zlen, n = 500 + (size_t)p * 900;
        uint8_t *z;

        fill(data, n, (enum pattern)p);
        z = gz_encode(data, n, 1 + p, p == P_X86 ? Z_FIXED : Z_DEFAULT_STRATEGY, 31, NULL, &zlen);
        fuzz_stream(gunzip, z, zlen, n, 800, &ok, &differ);
        free(z);
        struct xz_opts o = {.preset = (uint32_t)p,
                            .check = xz_checks[p % 3],
                            .bcj = p & 1,
                            .lc = -1,
                            .limit_dict = true};
        z = xz_encode(data, n, &o, &zlen);
        fuzz_stream(unxz, z, zlen, n, 800, &ok, &differ);
        free(z);
        total += 1600;
    }
    print_message("fuzz: %u mutants, %u decoded as the reference did (%u to another size)\n", total,
                  ok, differ);
}

/* Random bytes as raw DEFLATE and raw LZMA2: the decoders' own paths,
 * without a container check stopping them early. */
static void test_fuzz_raw(void **state)
{
    uint8_t in[600], out[4096], *work = malloc(lzma2_workspace_size() + inflate_workspace_size());
    unsigned int ok = 0;

    (void)state;
    rng_state = 15;
    for (int i = 0; i < 6000; i++) {
        size_t len = 1 + (size_t)(rng() % sizeof(in)), used, n, cap = (size_t)(rng() % 4097);
        uint8_t *inc;
        int ret;

        fill(in, len, (i & 1) ? P_RANDOM : P_X86);
        if (!(i & 1)) { /* a plausible LZMA2 start: reset, props, rc zero */
            in[0] = 0xe0 | (uint8_t)(rng() % 32);
            if (len > 6) {
                in[5] = 0x5d;
                in[6] = 0;
            }
        }
        inc = memdup(in, len);
        if (i & 2)
            ret = inflate_raw(inc, len, &used, out, cap, &n, work);
        else
            ret = lzma2_decode(inc, len, &used, out, cap, &n, 1u << (rng() % 16), work);
        if (ret == 0) {
            assert_true(used <= len && n <= cap);
            ok++;
        } else {
            assert_true(ret == -EINVAL || ret == -ENOSPC);
        }
        free(inc);
    }
    print_message("raw fuzz: 6000 inputs, %u decoded\n", ok);
    free(work);
}

/* ---- bzImage ------------------------------------------------------- */

static void test_bzimage(void **state)
{
    uint8_t img[8192] = {0};
    const uint8_t *pl;
    size_t pl_len;

    (void)state;
    img[0x1f1] = 3; /* setup: 4 sectors = 2048 bytes */
    img[0x1fe] = 0x55;
    img[0x1ff] = 0xaa;
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = 0x0f; /* 2.15 */
    img[0x207] = 0x02;
    img[0x248] = 0x10; /* payload_offset 0x110, payload_length 0x300 */
    img[0x249] = 0x01;
    img[0x24d] = 0x03;
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), 0);
    assert_ptr_equal(pl, img + 2048 + 0x110);
    assert_int_equal(pl_len, 0x300);
    /* Exactly at the end is fine; one byte past is not. */
    assert_int_equal(bzimage_payload(img, 2048 + 0x410, &pl, &pl_len), 0);
    assert_int_equal(bzimage_payload(img, 2048 + 0x40f, &pl, &pl_len), -EINVAL);
    img[0x1f1] = 0; /* 0 means 4 setup sectors */
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), 0);
    assert_ptr_equal(pl, img + 2560 + 0x110);
    img[0x24b] = 0xff; /* payload_offset near 4 GiB: no wrap */
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), -EINVAL);
    img[0x24b] = 0;
    img[0x24d] = 0; /* empty payload */
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), -EINVAL);
    img[0x24d] = 3;
    img[0x206] = 0x07; /* 2.07: no payload fields */
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), -EOPNOTSUPP);
    img[0x206] = 0x0f;
    img[0x205] = 'T';
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), -ENOEXEC);
    img[0x205] = 'S';
    img[0x1fe] = 0;
    assert_int_equal(bzimage_payload(img, sizeof(img), &pl, &pl_len), -ENOEXEC);
    img[0x1fe] = 0x55;
    assert_int_equal(bzimage_payload(img, 0x24f, &pl, &pl_len), -ENOEXEC);
    assert_int_equal(decompress_detect(img, 2), -ENOEXEC);
    assert_int_equal(run(decompress, img, sizeof(img), 16, NULL, NULL), -ENOEXEC);
    assert_int_equal(gunzip_size_hint((const uint8_t *)"\x1f\x8b", 2), 0);
}

/* ---- the host's Debian kernel -------------------------------------- */

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(*len);
    assert_int_equal(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static void test_debian_kernel(void **state)
{
    glob_t g;
    const uint8_t *pl;
    size_t len, pl_len, ref_len, out_len;
    uint8_t *img, *ref, *out;
    void *work;
    double t0, t1;

    (void)state;
    if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0) {
        print_message("no /boot/vmlinuz-*: skipped (apt-get install linux-image-amd64)\n");
        skip();
    }
    img = read_file(g.gl_pathv[0], &len);
    assert_non_null(img);
    assert_int_equal(bzimage_payload(img, len, &pl, &pl_len), 0);
    print_message("%s: payload %zu bytes, %s\n", g.gl_pathv[0], pl_len,
                  decompress_detect(pl, pl_len) == DECOMP_XZ ? "xz" : "gzip");
    ref_len = decompress_detect(pl, pl_len) == DECOMP_XZ ? 0 : gunzip_size_hint(pl, pl_len);
    if (!ref_len) /* Linux appends the size to xz payloads too */
        memcpy(&ref_len, pl + pl_len - 4, 4);
    ref = decompress_detect(pl, pl_len) == DECOMP_XZ ? xz_reference(pl, pl_len, ref_len, &ref_len)
                                                     : NULL;
    out = malloc(ref_len);
    work = malloc(decompress_workspace_size());
    t0 = seconds();
    assert_int_equal(decompress(pl, pl_len, out, ref_len, &out_len, work), 0);
    t1 = seconds();
    print_message("decompressed %zu bytes in %.2f s (this build has ASan/UBSan)\n", out_len,
                  t1 - t0);
    assert_int_equal(out_len, ref_len);
    assert_memory_equal(out,
                        "\x7f"
                        "ELF",
                        4);
    if (ref)
        assert_memory_equal(out, ref, ref_len);
    free(ref);
    free(out);
    free(work);
    free(img);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_gzip_roundtrip),
        cmocka_unit_test(test_inflate_raw),
        cmocka_unit_test(test_gzip_header_fields),
        cmocka_unit_test(test_gzip_bad),
        cmocka_unit_test(test_inflate_handmade_codes),
        cmocka_unit_test(test_inflate_handmade_blocks),
        cmocka_unit_test(test_gzip_damage),
        cmocka_unit_test(test_xz_roundtrip),
        cmocka_unit_test(test_xz_lclppb),
        cmocka_unit_test(test_xz_large),
        cmocka_unit_test(test_xz_multiblock),
        cmocka_unit_test_setup_teardown(test_xz_bad_stream, xz_bad_setup, xz_bad_teardown),
        cmocka_unit_test_setup_teardown(test_xz_bad_block, xz_bad_setup, xz_bad_teardown),
        cmocka_unit_test_setup_teardown(test_xz_bad_index, xz_bad_setup, xz_bad_teardown),
        cmocka_unit_test(test_xz_fields_fuzz),
        cmocka_unit_test(test_xz_unsupported),
        cmocka_unit_test(test_xz_damage),
        cmocka_unit_test(test_lzma2_handmade),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_fuzz_raw),
        cmocka_unit_test(test_bzimage),
        cmocka_unit_test(test_debian_kernel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
