/* SPDX-License-Identifier: MIT */
/*
 * Linux bzImage (x86 boot protocol, Documentation/x86/boot.rst): finding
 * the compressed kernel inside it. Pure logic over an untrusted buffer;
 * unit-tested on the host.
 */
#ifndef XENOLITH_BZIMAGE_H
#define XENOLITH_BZIMAGE_H

#include <xenolith/types.h>

/*
 * Sets *payload and *payload_len to the compressed payload (the
 * protected-mode kernel, usually gzip or xz: see decompress_detect()).
 * Returns 0, -ENOEXEC (not a bzImage), -EOPNOTSUPP (boot protocol older
 * than 2.08, which has no payload fields) or -EINVAL (a field points
 * outside the image).
 */
int bzimage_payload(const uint8_t *img, size_t len, const uint8_t **payload, size_t *payload_len);

#endif
