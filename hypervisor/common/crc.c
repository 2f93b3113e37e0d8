/* SPDX-License-Identifier: MIT */
/*
 * CRC32 and CRC64 for the decompressors. Both are the reflected
 * (least-significant-bit-first) form with an all-ones initial value and
 * final inversion: CRC32 with polynomial 0x04C11DB7 (reflected
 * 0xEDB88320), as RFC 1952 and the .xz format use it; CRC64 with the
 * ECMA-182 polynomial (reflected 0xC96C5795D7870F42), as .xz uses it.
 *
 * The 256-entry tables are built by the caller into its own memory (a
 * decompressor's work area): building one costs 2048 shift steps, far
 * less than any payload, and leaves no global state to initialise or
 * share between CPUs.
 */
#include <xenolith/decompress.h>

#define CRC32_POLY 0xEDB88320u
#define CRC64_POLY 0xC96C5795D7870F42ull

void crc32_table_init(uint32_t table[256])
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ ((c & 1) ? CRC32_POLY : 0);
        table[i] = c;
    }
}

uint32_t crc32_update(const uint32_t table[256], uint32_t crc, const uint8_t *buf, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

void crc64_table_init(uint64_t table[256])
{
    for (uint64_t i = 0; i < 256; i++) {
        uint64_t c = i;

        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ ((c & 1) ? CRC64_POLY : 0);
        table[i] = c;
    }
}

uint64_t crc64_update(const uint64_t table[256], uint64_t crc, const uint8_t *buf, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}
