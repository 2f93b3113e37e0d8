/* SPDX-License-Identifier: MIT */
/*
 * One-shot, in-memory decompressors for kernel payloads: gzip (RFC 1952
 * around RFC 1951 DEFLATE) and .xz (LZMA2, optionally behind the x86 BCJ
 * filter). Written for hostile input: any byte sequence gives 0 or an
 * error, never an access outside the buffers passed in, and the work is
 * bounded by the input and output sizes.
 *
 * No allocation: the caller passes the output buffer (which also serves
 * as the dictionary / window) and a work area of *_workspace_size()
 * bytes, aligned to 8. Nothing is kept between calls, so calls on
 * different work areas may run concurrently.
 *
 * Errors (Xen errno values):
 *   -ENOEXEC     the input does not start with this format's magic
 *   -EINVAL      corrupt or truncated input (structure, Huffman code,
 *                back-reference, size fields)
 *   -EILSEQ      a checksum does not match (header CRC, data CRC32/CRC64,
 *                gzip ISIZE)
 *   -ENOSPC      the output does not fit in out_cap
 *   -EOPNOTSUPP  well-formed but uses something not implemented: an xz
 *                check other than None/CRC32/CRC64 (e.g. SHA-256), a
 *                filter other than LZMA2 and x86 BCJ, reserved flag bits
 * On error the output buffer holds partial, unchecked data and *out_len
 * is not set.
 */
#ifndef XENOLITH_DECOMPRESS_H
#define XENOLITH_DECOMPRESS_H

#include <xenolith/types.h>

#define DECOMP_GZIP 1
#define DECOMP_XZ   2

/*
 * DECOMP_GZIP or DECOMP_XZ from the magic bytes alone, else -ENOEXEC.
 * (Implemented in common/bzimage.c, next to the payload lookup.)
 */
int decompress_detect(const uint8_t *in, size_t in_len);
/* Big enough for either format, so a caller can pick after detecting. */
size_t decompress_workspace_size(void);
/* gunzip() or unxz() as decompress_detect() says; its errors, or -ENOEXEC. */
int decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
               void *work);

/*
 * The first gzip member of in[]: header flags FEXTRA/FNAME/FCOMMENT/FHCRC
 * are parsed (and the header CRC checked), the CRC32 and ISIZE trailer
 * verified. Bytes after the first member are ignored.
 */
size_t gunzip_workspace_size(void);
int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
           void *work);
/*
 * The ISIZE trailer (uncompressed size mod 2^32), read from the last four
 * bytes; 0 if in_len is too short for a gzip member. Only a hint for
 * sizing out_cap: the trailer is unchecked until gunzip() runs, and is
 * meaningful only when in[] ends exactly at the end of a single member.
 */
size_t gunzip_size_hint(const uint8_t *in, size_t in_len);

/*
 * The first .xz stream of in[]: stream header and footer, every block
 * header, the index (record count, sizes, CRC32) and the per-block check
 * (None, CRC32 or CRC64). Filter chains: LZMA2, or x86 BCJ then LZMA2.
 * Bytes after the first stream are ignored, as in a kernel payload, to
 * which Linux appends the 32-bit uncompressed size.
 */
size_t unxz_workspace_size(void);
int unxz(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
         void *work);

/*
 * Building blocks, shared by the files above and tested on their own.
 *
 * inflate_raw: one raw DEFLATE stream (up to its final block); *in_used
 * is set to the bytes consumed, rounded up to a whole byte.
 */
size_t inflate_workspace_size(void);
int inflate_raw(const uint8_t *in, size_t in_len, size_t *in_used, uint8_t *out, size_t out_cap,
                size_t *out_len, void *work);

/*
 * lzma2_decode: one raw LZMA2 stream, up to and including its end marker
 * (control byte 0). Back-references may reach dict_size bytes back, never
 * before out[0]. *in_used is the bytes consumed.
 */
size_t lzma2_workspace_size(void);
int lzma2_decode(const uint8_t *in, size_t in_len, size_t *in_used, uint8_t *out, size_t out_cap,
                 size_t *out_len, uint32_t dict_size, void *work);

/* Reverses the x86 BCJ filter in place; `start` is the filter's start offset. */
void bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start);

/*
 * CRC32 (IEEE 802.3, as gzip and xz use it) and CRC64 (ECMA-182, as xz
 * uses it), table-driven with a table the caller keeps (in its work area)
 * so that there is no global state to initialise. `crc` is the value of
 * the data so far, 0 for none: crc(a || b) = update(update(0, a), b).
 */
void crc32_table_init(uint32_t table[256]);
uint32_t crc32_update(const uint32_t table[256], uint32_t crc, const uint8_t *buf, size_t len);
void crc64_table_init(uint64_t table[256]);
uint64_t crc64_update(const uint64_t table[256], uint64_t crc, const uint8_t *buf, size_t len);

#endif
