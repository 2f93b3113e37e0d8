/* SPDX-License-Identifier: MIT */
/*
 * ELF64 kernel images and their Xen notes. Every offset, size and count
 * comes from the image and is checked against the buffer before use;
 * arithmetic is done so that it cannot wrap.
 */
#include <xenolith/compiler.h>
#include <xenolith/elf.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define EM_X86_64 62
#define ET_EXEC   2
#define PT_LOAD   1
#define PT_NOTE   4
#define MAX_PHDRS 64

/* Xen note types (public/elfnote.h). */
#define NOTE_ENTRY          1
#define NOTE_HYPERCALL_PAGE 2
#define NOTE_VIRT_BASE      3
#define NOTE_PADDR_OFFSET   4
#define NOTE_XEN_VERSION    5
#define NOTE_GUEST_OS       6
#define NOTE_LOADER         8
#define NOTE_FEATURES       10
#define NOTE_INIT_P2M       15

struct ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct note_state {
    uint64_t entry, paddr_offset;
    bool has_entry, has_paddr_offset, has_virt_base;
};

static bool range_ok(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static uint64_t note_value(const uint8_t *desc, uint32_t len)
{
    uint64_t v = 0;

    memcpy(&v, desc, len < 8 ? len : 8); /* little-endian, 4 or 8 bytes */
    return v;
}

static void note_string(char *dst, size_t size, const uint8_t *desc, uint32_t len)
{
    size_t n = len < size - 1 ? len : size - 1;

    memcpy(dst, desc, n);
    dst[n] = '\0';
}

static void apply_note(struct elf_image *img, struct note_state *ns, uint32_t type,
                       const uint8_t *desc, uint32_t len)
{
    switch (type) {
    case NOTE_ENTRY:
        ns->entry = note_value(desc, len);
        ns->has_entry = true;
        break;
    case NOTE_HYPERCALL_PAGE:
        img->hypercall_page = note_value(desc, len);
        break;
    case NOTE_VIRT_BASE:
        img->virt_base = note_value(desc, len);
        ns->has_virt_base = true;
        break;
    case NOTE_PADDR_OFFSET:
        ns->paddr_offset = note_value(desc, len);
        ns->has_paddr_offset = true;
        break;
    case NOTE_INIT_P2M:
        img->init_p2m = note_value(desc, len);
        break;
    case NOTE_XEN_VERSION:
        note_string(img->xen_version, sizeof(img->xen_version), desc, len);
        break;
    case NOTE_GUEST_OS:
        note_string(img->guest_os, sizeof(img->guest_os), desc, len);
        break;
    case NOTE_LOADER:
        note_string(img->loader, sizeof(img->loader), desc, len);
        break;
    case NOTE_FEATURES:
        note_string(img->features, sizeof(img->features), desc, len);
        break;
    }
}

/* Walks one PT_NOTE segment: (namesz, descsz, type, name, desc), 4-aligned. */
static int parse_notes(struct elf_image *img, struct note_state *ns, uint64_t off, uint64_t len)
{
    const uint8_t *p = img->data + off, *end = p + len;

    while ((size_t)(end - p) >= 12) {
        uint32_t namesz, descsz, type;
        uint64_t name_len, desc_len;

        memcpy(&namesz, p, 4);
        memcpy(&descsz, p + 4, 4);
        memcpy(&type, p + 8, 4);
        name_len = ALIGN_UP((uint64_t)namesz, 4);
        desc_len = ALIGN_UP((uint64_t)descsz, 4);
        if (name_len + desc_len > (uint64_t)(end - p) - 12)
            return -EINVAL;
        if (namesz == 4 && !memcmp(p + 12, "Xen", 4)) {
            img->has_xen_notes = true;
            apply_note(img, ns, type, p + 12 + name_len, descsz);
        }
        p += 12 + name_len + desc_len;
    }
    return 0;
}

static int read_phdrs(struct elf_image *img, const struct ehdr *eh, struct note_state *ns,
                      uint64_t *pstart, uint64_t *pend)
{
    unsigned int i;
    int rc;

    *pstart = UINT64_MAX;
    *pend = 0;
    for (i = 0; i < eh->phnum; i++) {
        struct phdr ph;

        memcpy(&ph, img->data + eh->phoff + (uint64_t)i * eh->phentsize, sizeof(ph));
        if (!range_ok(img->size, ph.offset, ph.filesz))
            return -EINVAL;
        if (ph.type == PT_NOTE && (rc = parse_notes(img, ns, ph.offset, ph.filesz)))
            return rc;
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (ph.filesz > ph.memsz || ph.paddr + ph.memsz < ph.paddr ||
            img->nr_segments == ELF_MAX_SEGMENTS)
            return -EINVAL;
        img->segments[img->nr_segments++] = (struct elf_segment){
            .file_offset = ph.offset,
            .file_size = ph.filesz,
            .vaddr = ph.paddr,
            .mem_size = ph.memsz,
        };
        *pstart = MIN(*pstart, ph.paddr);
        *pend = MAX(*pend, ph.paddr + ph.memsz);
    }
    return img->nr_segments ? 0 : -EINVAL;
}

int elf_parse(struct elf_image *img, const void *data, size_t size)
{
    struct note_state ns = {0};
    uint64_t pstart, pend, offset;
    struct ehdr eh;
    unsigned int i;
    int rc;

    memset(img, 0, sizeof(*img));
    img->data = data;
    img->size = size;
    if (size < sizeof(eh))
        return -ENOEXEC;
    memcpy(&eh, data, sizeof(eh));
    if (memcmp(eh.ident, "\177ELF", 4) || eh.ident[4] != 2 /* 64-bit */ ||
        eh.ident[5] != 1 /* little-endian */ || eh.machine != EM_X86_64 || eh.type != ET_EXEC)
        return -ENOEXEC;
    if (eh.phentsize < sizeof(struct phdr) || eh.phnum == 0 || eh.phnum > MAX_PHDRS ||
        !range_ok(size, eh.phoff, (uint64_t)eh.phnum * eh.phentsize))
        return -EINVAL;
    rc = read_phdrs(img, &eh, &ns, &pstart, &pend);
    if (rc)
        return rc;
    /* Xen's rule: segments load at p_paddr + (virt_base - paddr_offset). */
    if (!ns.has_paddr_offset)
        ns.paddr_offset = img->virt_base;
    offset = img->virt_base - ns.paddr_offset;
    if (img->virt_base & 4095)
        return -EINVAL; /* the builder counts pages from virt_base */
    for (i = 0; i < img->nr_segments; i++) {
        struct elf_segment *seg = &img->segments[i];

        seg->vaddr += offset;
        if (seg->vaddr + seg->mem_size < seg->vaddr)
            return -EINVAL; /* wraps once placed */
    }
    img->virt_kstart = pstart + offset;
    /* Check the span before rounding: a wrapped end could round back above kstart. */
    if (pend + offset <= img->virt_kstart || pend + offset > UINT64_MAX - 4095)
        return -EINVAL;
    img->virt_kend = ALIGN_UP(pend + offset, 4096);
    img->entry = ns.has_entry ? ns.entry : eh.entry;
    if (img->virt_kstart < img->virt_base)
        return -EINVAL;
    return 0;
}

bool elf_feature_required(const struct elf_image *img, const char *name)
{
    size_t n = strlen(name);
    const char *p = img->features;

    while ((p = strchr(p, '!')) != NULL) {
        p++;
        if (!strncmp(p, name, n) && (p[n] == '|' || p[n] == '\0'))
            return true;
    }
    return false;
}
