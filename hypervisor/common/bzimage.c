/* SPDX-License-Identifier: MIT */
/*
 * Linux bzImage payloads and their compression formats. The setup header
 * sits at 0x1f1 of the image; from boot protocol 2.08 it says where the
 * compressed kernel is: payload_offset bytes after the real-mode setup
 * code, which is (setup_sects + 1) sectors of 512 bytes. Every field is
 * checked against the image length before use.
 *
 * The format dispatch (decompress_detect/decompress) lives here too: it
 * is what a builder does with the payload next.
 */
#include <xenolith/bzimage.h>
#include <xenolith/decompress.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define BZ_SETUP_SECTS    0x1f1
#define BZ_BOOT_FLAG      0x1fe /* 0xaa55 */
#define BZ_HEADER         0x202 /* "HdrS" */
#define BZ_VERSION        0x206
#define BZ_PAYLOAD_OFFSET 0x248
#define BZ_PAYLOAD_LENGTH 0x24c
#define BZ_HEADER_END     0x250 /* enough for every field read here */
#define BZ_SECTOR         512
#define BZ_PROTO_PAYLOAD  0x0208 /* first version with the payload fields */

static uint32_t bz_le(const uint8_t *p, unsigned int bytes)
{
    uint32_t v = 0;

    for (unsigned int i = 0; i < bytes; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

int bzimage_payload(const uint8_t *img, size_t len, const uint8_t **payload, size_t *payload_len)
{
    unsigned int sects;
    uint64_t off, plen;

    if (len < BZ_HEADER_END || bz_le(img + BZ_BOOT_FLAG, 2) != 0xaa55 ||
        memcmp(img + BZ_HEADER, "HdrS", 4) != 0)
        return -ENOEXEC;
    if (bz_le(img + BZ_VERSION, 2) < BZ_PROTO_PAYLOAD)
        return -EOPNOTSUPP;
    sects = img[BZ_SETUP_SECTS];
    if (sects == 0) /* the boot protocol's "0 means 4" */
        sects = 4;
    off = (uint64_t)(sects + 1) * BZ_SECTOR + bz_le(img + BZ_PAYLOAD_OFFSET, 4);
    plen = bz_le(img + BZ_PAYLOAD_LENGTH, 4);
    if (plen == 0 || off > len || plen > len - off)
        return -EINVAL;
    *payload = img + off;
    *payload_len = (size_t)plen;
    return 0;
}

int decompress_detect(const uint8_t *in, size_t in_len)
{
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

    if (in_len >= 3 && in[0] == 0x1f && in[1] == 0x8b && in[2] == 8)
        return DECOMP_GZIP;
    if (in_len >= sizeof(xz_magic) && memcmp(in, xz_magic, sizeof(xz_magic)) == 0)
        return DECOMP_XZ;
    return -ENOEXEC;
}

size_t decompress_workspace_size(void)
{
    size_t gz = gunzip_workspace_size(), xz = unxz_workspace_size();

    return gz > xz ? gz : xz;
}

int decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
               void *work)
{
    switch (decompress_detect(in, in_len)) {
    case DECOMP_GZIP:
        return gunzip(in, in_len, out, out_cap, out_len, work);
    case DECOMP_XZ:
        return unxz(in, in_len, out, out_cap, out_len, work);
    default:
        return -ENOEXEC;
    }
}
