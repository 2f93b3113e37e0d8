/* SPDX-License-Identifier: MIT */
/*
 * The ELF inside a kernel image, as Xen's builders accept images: a plain
 * ELF, or a Linux bzImage whose payload is a gzip or xz compressed ELF
 * (Debian's kernels are xz).
 */
#ifndef XENOLITH_KERNEL_IMAGE_H
#define XENOLITH_KERNEL_IMAGE_H

#include <xenolith/types.h>

struct kernel_image {
    const uint8_t *elf;
    size_t len;
    void *buffer; /* the decompressed ELF, if there was a payload */
    unsigned long buffer_pages;
};

/* 0, or -ENOEXEC / a decompressor's error / -ENOMEM. */
int kernel_image_open(struct kernel_image *ki, const void *data, size_t len);
void kernel_image_close(struct kernel_image *ki);

#endif
