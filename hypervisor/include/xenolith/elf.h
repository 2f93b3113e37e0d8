/* SPDX-License-Identifier: MIT */
/*
 * Reading a PV kernel image: ELF64 headers, loadable segments and the
 * "Xen" ELF notes that tell a domain builder how to lay the guest out.
 * Pure logic over an untrusted byte buffer; unit-tested on the host.
 */
#ifndef XENOLITH_ELF_H
#define XENOLITH_ELF_H

#include <xenolith/types.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
    uint64_t file_offset, file_size;
    uint64_t vaddr; /* where the guest sees it (after virt_offset) */
    uint64_t mem_size;
};

struct elf_image {
    const uint8_t *data;
    size_t size;
    unsigned int nr_segments;
    struct elf_segment segments[ELF_MAX_SEGMENTS];
    uint64_t entry;
    uint64_t virt_base;              /* XEN_ELFNOTE_VIRT_BASE, 0 if absent */
    uint64_t virt_kstart, virt_kend; /* span of the segments, page-rounded end */
    uint64_t hypercall_page;         /* XEN_ELFNOTE_HYPERCALL_PAGE VA, 0 if absent */
    uint64_t init_p2m;               /* XEN_ELFNOTE_INIT_P2M VA, 0 if absent */
    bool has_xen_notes;
    char guest_os[32], xen_version[16], loader[16], features[256];
};

/* 0, or -ENOEXEC (not an x86-64 ELF executable), -EINVAL (inconsistent). */
int elf_parse(struct elf_image *img, const void *data, size_t size);
/* Is feature `name` required ("!name") in the FEATURES note? */
bool elf_feature_required(const struct elf_image *img, const char *name);

#endif
