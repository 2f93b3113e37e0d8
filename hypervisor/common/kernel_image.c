/* SPDX-License-Identifier: MIT */
/*
 * Unpacking kernel images (see kernel_image.h). A bzImage's compressed
 * payload ends with the ELF's size (little-endian 32 bits, as Linux
 * appends it); the decompressor checks the result against it anyway, so
 * a lying size can only make the output buffer too small: -ENOSPC.
 */
#include <xenolith/bzimage.h>
#include <xenolith/console.h>
#include <xenolith/decompress.h>
#include <xenolith/errno.h>
#include <xenolith/kernel_image.h>
#include <xenolith/mm.h>
#include <xenolith/string.h>

#define MAX_KERNEL_ELF (512ul << 20) /* a sanity bound on the announced size */

int kernel_image_open(struct kernel_image *ki, const void *data, size_t len)
{
    const uint8_t *payload;
    size_t payload_len, out_len;
    uint32_t size;
    void *work;
    int rc;

    memset(ki, 0, sizeof(*ki));
    if (bzimage_payload(data, len, &payload, &payload_len)) {
        ki->elf = data; /* not a bzImage: the ELF loader decides */
        ki->len = len;
        return 0;
    }
    if (payload_len < 4 || decompress_detect(payload, payload_len) < 0)
        return -ENOEXEC;
    memcpy(&size, payload + payload_len - 4, sizeof(size));
    if (size == 0 || size > MAX_KERNEL_ELF)
        return -EINVAL;
    ki->buffer_pages = ALIGN_UP((unsigned long)size, PAGE_SIZE) >> PAGE_SHIFT;
    ki->buffer = alloc_xenheap_pages_exact(ki->buffer_pages);
    work = xmalloc_bytes(decompress_workspace_size(), 8);
    rc = ki->buffer && work ? decompress(payload, payload_len, ki->buffer, size, &out_len, work)
                            : -ENOMEM;
    xfree(work);
    if (rc) {
        kernel_image_close(ki);
        return rc;
    }
    ki->elf = ki->buffer;
    ki->len = out_len;
    printk("Kernel image: bzImage, %s payload of %lu KiB -> %lu KiB ELF\n",
           decompress_detect(payload, payload_len) == DECOMP_XZ ? "xz" : "gzip",
           (unsigned long)(payload_len >> 10), (unsigned long)(out_len >> 10));
    return 0;
}

void kernel_image_close(struct kernel_image *ki)
{
    if (ki->buffer)
        free_xenheap_pages_exact(ki->buffer, ki->buffer_pages);
    memset(ki, 0, sizeof(*ki));
}
