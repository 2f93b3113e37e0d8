/* SPDX-License-Identifier: MIT */
/*
 * The ELF64 kernel-image parser (common/elf.c) against images built here
 * in memory: one valid PV kernel, then one mutation per way a hostile
 * image can be wrong, then a fixed-seed byte-flip fuzz. Each image is
 * parsed from a heap copy of exactly its size, so ASan catches any read
 * past the end. Layouts come from the host's <elf.h> and note numbers
 * from Xen's public elfnote.h, not from the parser's own definitions.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/elfnote.h>
#include <xenolith/elf.h>
#include <xenolith/errno.h>

#define IMG_SIZE 0x3000
#define PH_OFF   sizeof(Elf64_Ehdr)
#define NOTE_OFF 0x500 /* room for 20 program headers before it */
#define NOTE_END 0x1000
#define PH(i, f) (PH_OFF + (i) * sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, f))
#define EH(f)    offsetof(Elf64_Ehdr, f)

/* The valid image. */
#define E_ENTRY    0xffffffff81000000ull /* e_entry, overridden by the note */
#define N_ENTRY    0xffffffff81000040ull
#define VIRT_BASE  0xffffffff80000000ull
#define HCALL_PAGE 0xffffffff81001000ull
#define INIT_P2M   0xffffffe000000000ull
#define PADDR_A    0x1000000ull /* loads at VIRT_BASE + PADDR_A */
#define PADDR_B    0x1002000ull
#define FEATURES   "!writable_page_tables|pae_pgdir_above_4gb|!supervisor_mode_kernel"
#define JUNK_VADDR 0x5a5a5a5a5a5a5a5aull /* p_vaddr: the parser must ignore it */
#define PH_NOTE    0                     /* program header indices of the valid image */
#define PH_A       1
#define PH_B       2

struct elfb {
    uint8_t buf[IMG_SIZE];
    size_t size;      /* bytes handed to elf_parse */
    unsigned int nph; /* program headers written */
    size_t notes;     /* bytes of notes written at NOTE_OFF */
};

static void put(struct elfb *b, size_t off, const void *v, size_t len)
{
    assert_true(off + len <= sizeof(b->buf));
    memcpy(b->buf + off, v, len); /* the host is little-endian, like the target */
}

/* Overwrites a little-endian field of `width` bytes. */
static void patch(struct elfb *b, size_t off, size_t width, uint64_t v)
{
    put(b, off, &v, width);
}

static void eb_init(struct elfb *b)
{
    Elf64_Ehdr eh = {
        .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
        .e_type = ET_EXEC,
        .e_machine = EM_X86_64,
        .e_version = EV_CURRENT,
        .e_entry = E_ENTRY,
        .e_phoff = PH_OFF,
        .e_ehsize = sizeof(Elf64_Ehdr),
        .e_phentsize = sizeof(Elf64_Phdr),
    };

    memset(b, 0, sizeof(*b));
    b->size = IMG_SIZE;
    put(b, 0, &eh, sizeof(eh));
}

static void eb_phdr(struct elfb *b, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz,
                    uint64_t memsz)
{
    Elf64_Phdr ph = {
        .p_type = type,
        .p_flags = PF_R | PF_X,
        .p_offset = off,
        .p_vaddr = JUNK_VADDR,
        .p_paddr = paddr,
        .p_filesz = filesz,
        .p_memsz = memsz,
        .p_align = 0x1000,
    };

    put(b, PH_OFF + b->nph * sizeof(ph), &ph, sizeof(ph));
    b->nph++;
    patch(b, EH(e_phnum), 2, b->nph);
}

/* A note with the given header fields, then name_len name bytes and desc_len desc bytes. */
static void eb_note_raw(struct elfb *b, uint32_t namesz, uint32_t descsz, uint32_t type,
                        const char *name, size_t name_len, const void *desc, size_t desc_len)
{
    size_t off = NOTE_OFF + b->notes;

    patch(b, off, 4, namesz);
    patch(b, off + 4, 4, descsz);
    patch(b, off + 8, 4, type);
    put(b, off + 12, name, name_len);
    off += 12 + ((name_len + 3) & ~(size_t)3);
    put(b, off, desc, desc_len);
    off += (desc_len + 3) & ~(size_t)3;
    assert_true(off <= NOTE_END);
    b->notes = off - NOTE_OFF;
}

static void eb_note(struct elfb *b, uint32_t type, const void *desc, uint32_t len)
{
    eb_note_raw(b, 4, len, type, "Xen", 4, desc, len);
}

static void eb_note_u64(struct elfb *b, uint32_t type, uint64_t v)
{
    eb_note(b, type, &v, 8);
}

static void eb_note_str(struct elfb *b, uint32_t type, const char *s)
{
    eb_note(b, type, s, (uint32_t)strlen(s) + 1);
}

/* The PT_NOTE header covering every note written so far. */
static void eb_note_phdr(struct elfb *b)
{
    eb_phdr(b, PT_NOTE, NOTE_OFF, 0, b->notes, 0);
}

enum { NO_ENTRY_NOTE = 1, NO_PADDR_OFFSET = 2 };

/* A PV kernel: Xen notes, then two loadable segments (the second with bss). */
static void build_kernel(struct elfb *b, unsigned int flags)
{
    eb_init(b);
    eb_note_str(b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    eb_note_str(b, XEN_ELFNOTE_GUEST_OS, "Xenolith");
    eb_note_str(b, XEN_ELFNOTE_LOADER, "generic");
    eb_note_u64(b, XEN_ELFNOTE_VIRT_BASE, VIRT_BASE);
    if (!(flags & NO_PADDR_OFFSET))
        eb_note_u64(b, XEN_ELFNOTE_PADDR_OFFSET, 0);
    if (!(flags & NO_ENTRY_NOTE))
        eb_note_u64(b, XEN_ELFNOTE_ENTRY, N_ENTRY);
    eb_note_u64(b, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_PAGE);
    eb_note_u64(b, XEN_ELFNOTE_INIT_P2M, INIT_P2M);
    eb_note_str(b, XEN_ELFNOTE_FEATURES, FEATURES);
    eb_note_phdr(b);
    eb_phdr(b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x1000);
    eb_phdr(b, PT_LOAD, 0x2000, PADDR_B, 0x1000, 0x2800);
}

/* elf_parse on a heap copy of exactly b->size bytes. */
static int parse(const struct elfb *b, struct elf_image *img)
{
    uint8_t *copy = malloc(b->size ? b->size : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, b->buf, b->size);
    rc = elf_parse(img, copy, b->size);
    free(copy);
    img->data = NULL; /* gone with the copy */
    return rc;
}

/* ---- valid images ---- */

/* Every field of the valid kernel, and segment vaddr = p_paddr + virt_base - paddr_offset. */
static void test_valid_kernel(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    build_kernel(&b, 0);
    assert_int_equal(parse(&b, &img), 0);
    assert_true(img.has_xen_notes);
    assert_int_equal(img.entry, N_ENTRY);
    assert_int_equal(img.virt_base, VIRT_BASE);
    assert_int_equal(img.hypercall_page, HCALL_PAGE);
    assert_int_equal(img.init_p2m, INIT_P2M);
    assert_string_equal(img.xen_version, "xen-3.0");
    assert_string_equal(img.guest_os, "Xenolith");
    assert_string_equal(img.loader, "generic");
    assert_string_equal(img.features, FEATURES);
    assert_int_equal(img.nr_segments, 2);
    assert_int_equal(img.segments[0].file_offset, 0x1000);
    assert_int_equal(img.segments[0].file_size, 0x800);
    assert_int_equal(img.segments[0].vaddr, VIRT_BASE + PADDR_A);
    assert_int_equal(img.segments[0].mem_size, 0x1000);
    assert_int_equal(img.segments[1].file_offset, 0x2000);
    assert_int_equal(img.segments[1].file_size, 0x1000);
    assert_int_equal(img.segments[1].vaddr, VIRT_BASE + PADDR_B);
    assert_int_equal(img.segments[1].mem_size, 0x2800);
    assert_int_equal(img.virt_kstart, VIRT_BASE + PADDR_A);
    assert_int_equal(img.virt_kend, VIRT_BASE + PADDR_B + 0x3000); /* 0x2800 rounded up */
}

/* Without an ENTRY note the entry is e_entry. */
static void test_entry_from_ehdr(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    build_kernel(&b, NO_ENTRY_NOTE);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.entry, E_ENTRY);
}

/* Without PADDR_OFFSET it defaults to virt_base: p_paddr is then already virtual. */
static void test_paddr_offset_absent(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    build_kernel(&b, NO_PADDR_OFFSET);
    patch(&b, PH(PH_A, p_paddr), 8, VIRT_BASE + PADDR_A + 0x10); /* unaligned start */
    patch(&b, PH(PH_B, p_paddr), 8, VIRT_BASE + PADDR_B);
    patch(&b, PH(PH_B, p_memsz), 8, 0x3000); /* ends on a page boundary */
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.segments[0].vaddr, VIRT_BASE + PADDR_A + 0x10);
    assert_int_equal(img.segments[1].vaddr, VIRT_BASE + PADDR_B);
    assert_int_equal(img.virt_kstart, VIRT_BASE + PADDR_A + 0x10); /* start is not rounded */
    assert_int_equal(img.virt_kend, VIRT_BASE + PADDR_B + 0x3000); /* aligned end stays */
}

/* A non-zero PADDR_OFFSET shifts every segment by virt_base - paddr_offset. */
static void test_paddr_offset_shifts(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    eb_init(&b);
    eb_note_u64(&b, XEN_ELFNOTE_VIRT_BASE, VIRT_BASE);
    eb_note_u64(&b, XEN_ELFNOTE_PADDR_OFFSET, 0x200000);
    eb_note_phdr(&b);
    eb_phdr(&b, PT_LOAD, 0x1000, 0x300000, 0x100, 0x100);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.segments[0].vaddr, VIRT_BASE + 0x100000);
    assert_int_equal(img.virt_kstart, VIRT_BASE + 0x100000);
    assert_int_equal(img.virt_kend, VIRT_BASE + 0x101000);
}

/* No notes at all is still an ELF: virt_base 0, vaddr = p_paddr, entry = e_entry. */
static void test_no_notes(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    eb_init(&b);
    eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x800);
    assert_int_equal(parse(&b, &img), 0);
    assert_false(img.has_xen_notes);
    assert_int_equal(img.virt_base, 0);
    assert_int_equal(img.entry, E_ENTRY);
    assert_int_equal(img.segments[0].vaddr, PADDR_A);
    assert_int_equal(img.virt_kend, PADDR_A + 0x1000);
    assert_string_equal(img.guest_os, "");
    assert_false(elf_feature_required(&img, "writable_page_tables"));
}

/* Notes not named exactly "Xen\0" are ignored, whatever their type. */
static void test_foreign_notes_ignored(void **state)
{
    uint64_t bad = 0xbad;
    struct elf_image img;
    struct elfb b;

    (void)state;
    eb_init(&b);
    eb_note_raw(&b, 4, 8, XEN_ELFNOTE_ENTRY, "GNU", 4, &bad, 8);  /* another vendor */
    eb_note_raw(&b, 3, 8, XEN_ELFNOTE_ENTRY, "Xen", 3, &bad, 8);  /* no NUL in namesz */
    eb_note_raw(&b, 5, 8, XEN_ELFNOTE_ENTRY, "XenX", 5, &bad, 8); /* longer name */
    eb_note_raw(&b, 4, 8, XEN_ELFNOTE_ENTRY, "Xeo", 4, &bad, 8);  /* near miss */
    eb_note_raw(&b, 0, 0, XEN_ELFNOTE_ENTRY, "", 0, "", 0);       /* empty note */
    eb_note_phdr(&b);
    eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x800);
    assert_int_equal(parse(&b, &img), 0);
    assert_false(img.has_xen_notes);
    assert_int_equal(img.entry, E_ENTRY);
}

/* Numeric notes: a 4-byte desc is zero-extended, a longer one uses its first 8 bytes. */
static void test_note_value_sizes(void **state)
{
    static const uint8_t twelve[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint32_t four = 0x81000000u;
    struct elf_image img;
    struct elfb b;

    (void)state;
    eb_init(&b);
    eb_note(&b, XEN_ELFNOTE_ENTRY, &four, 4);
    eb_note(&b, XEN_ELFNOTE_HYPERCALL_PAGE, twelve, 12);
    eb_note(&b, XEN_ELFNOTE_INIT_P2M, "", 0); /* empty desc reads as 0 */
    eb_note_phdr(&b);
    eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x800);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.entry, 0x81000000u);
    assert_int_equal(img.hypercall_page, 0x0807060504030201ull);
    assert_int_equal(img.init_p2m, 0);
}

/* String notes are cut to their field and always NUL-terminated. */
static void test_strings_truncated(void **state)
{
    char long_str[300];
    struct elf_image img;
    struct elfb b;

    (void)state;
    memset(long_str, 'a', sizeof(long_str));
    eb_init(&b);
    eb_note(&b, XEN_ELFNOTE_GUEST_OS, long_str, 100);             /* no NUL, 100 > 31 */
    eb_note(&b, XEN_ELFNOTE_FEATURES, long_str, 300);             /* 300 > 255 */
    eb_note(&b, XEN_ELFNOTE_LOADER, "generic", 7);                /* no NUL, fits */
    eb_note(&b, XEN_ELFNOTE_XEN_VERSION, "0123456789abcdef", 16); /* one too long */
    eb_note_phdr(&b);
    eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x800);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(strlen(img.guest_os), sizeof(img.guest_os) - 1);
    assert_int_equal(strlen(img.features), sizeof(img.features) - 1);
    assert_string_equal(img.loader, "generic");
    assert_string_equal(img.xen_version, "0123456789abcde");
}

/* A feature is required only when written "!name", matched whole. */
static void test_features_required(void **state)
{
    static const struct {
        const char *features, *name;
        bool required;
    } cases[] = {
        {FEATURES, "writable_page_tables", true},    /* first, with "!" */
        {FEATURES, "supervisor_mode_kernel", true},  /* last, with "!" */
        {FEATURES, "pae_pgdir_above_4gb", false},    /* listed without "!" */
        {FEATURES, "writable", false},               /* a prefix is not the feature */
        {FEATURES, "writable_page_tables_x", false}, /* nor is a longer name */
        {FEATURES, "dom0", false},                   /* absent */
        {"!dom0|!dom0_extra", "dom0", true},         /* "!" before a longer name first */
        {"dom0_extra|!dom0", "dom0", true},          /* found after a non-match */
        {"", "dom0", false},                         /* no FEATURES note */
    };
    struct elf_image img;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&img, 0, sizeof(img));
        strcpy(img.features, cases[i].features);
        assert_int_equal(elf_feature_required(&img, cases[i].name), cases[i].required);
    }
}

/* Notes from two PT_NOTE segments all count; fewer than 12 trailing bytes are ignored. */
static void test_two_note_segments(void **state)
{
    struct elf_image img;
    struct elfb b;
    size_t first;

    (void)state;
    eb_init(&b);
    eb_note_u64(&b, XEN_ELFNOTE_ENTRY, N_ENTRY);
    first = b.notes;
    eb_phdr(&b, PT_NOTE, NOTE_OFF, 0, first + 11, 0); /* 11 bytes of the next note's header */
    eb_note_u64(&b, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_PAGE);
    eb_phdr(&b, PT_NOTE, NOTE_OFF + first, 0, b.notes - first, 0);
    eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x800);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.entry, N_ENTRY);
    assert_int_equal(img.hypercall_page, HCALL_PAGE);
}

/* ELF_MAX_SEGMENTS loads fit; a zero-sized one is skipped; filesz 0 at the very end is fine. */
static void test_max_segments(void **state)
{
    struct elf_image img;
    struct elfb b;
    unsigned int i;

    (void)state;
    eb_init(&b);
    for (i = 0; i < ELF_MAX_SEGMENTS - 1; i++)
        eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A + i * 0x1000, 0x100, 0x1000);
    eb_phdr(&b, PT_LOAD, 0x1000, 0, 0, 0); /* memsz 0: not a segment */
    eb_phdr(&b, PT_LOAD, IMG_SIZE, PADDR_A + i * 0x1000, 0, 0x1000);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.nr_segments, ELF_MAX_SEGMENTS);
    assert_int_equal(img.segments[ELF_MAX_SEGMENTS - 1].file_offset, IMG_SIZE);
    assert_int_equal(img.virt_kend, PADDR_A + ELF_MAX_SEGMENTS * 0x1000);
}

/* ---- rejections: one field of the valid kernel changed ---- */

struct field {
    size_t off, width; /* width 0: unused */
    uint64_t value;
};

struct patch_case {
    const char *what;
    int rc;
    struct field f[2]; /* little-endian fields overwritten */
};

static const struct patch_case patch_cases[] = {
    /* Not an ELF: first magic byte. */
    {"magic 0", -ENOEXEC, {{EH(e_ident) + EI_MAG0, 1, 0x7e}}},
    /* Not an ELF: last magic byte. */
    {"magic 3", -ENOEXEC, {{EH(e_ident) + EI_MAG3, 1, 'G'}}},
    /* ELF32 is not ours. */
    {"class 32", -ENOEXEC, {{EH(e_ident) + EI_CLASS, 1, ELFCLASS32}}},
    /* Nor is an unset class. */
    {"class none", -ENOEXEC, {{EH(e_ident) + EI_CLASS, 1, ELFCLASSNONE}}},
    /* Big-endian. */
    {"big endian", -ENOEXEC, {{EH(e_ident) + EI_DATA, 1, ELFDATA2MSB}}},
    /* i386 machine. */
    {"machine 386", -ENOEXEC, {{EH(e_machine), 2, EM_386}}},
    /* arm64 machine. */
    {"machine aarch64", -ENOEXEC, {{EH(e_machine), 2, EM_AARCH64}}},
    /* A shared object is not a kernel. */
    {"type dyn", -ENOEXEC, {{EH(e_type), 2, ET_DYN}}},
    /* Nor is a relocatable object. */
    {"type rel", -ENOEXEC, {{EH(e_type), 2, ET_REL}}},
    /* phentsize one byte short of a program header. */
    {"phentsize 55", -EINVAL, {{EH(e_phentsize), 2, sizeof(Elf64_Phdr) - 1}}},
    /* phentsize 0 (would read every header from the same place). */
    {"phentsize 0", -EINVAL, {{EH(e_phentsize), 2, 0}}},
    /* phentsize so large the table leaves the file. */
    {"phentsize max", -EINVAL, {{EH(e_phentsize), 2, 0xffff}}},
    /* No program headers at all. */
    {"phnum 0", -EINVAL, {{EH(e_phnum), 2, 0}}},
    /* phnum 0xffff: the table can never fit. */
    {"phnum max", -EINVAL, {{EH(e_phnum), 2, 0xffff}}},
    /* The table starting at the end of the file. */
    {"phoff = size", -EINVAL, {{EH(e_phoff), 8, IMG_SIZE}}},
    /* The last program header one byte past the end. */
    {"phoff tail", -EINVAL, {{EH(e_phoff), 8, IMG_SIZE - 3 * sizeof(Elf64_Phdr) + 1}}},
    /* phoff at the top of the address space. */
    {"phoff max", -EINVAL, {{EH(e_phoff), 8, UINT64_MAX}}},
    /* phoff + table size wraps to a small, in-file value. */
    {"phoff wraps", -EINVAL, {{EH(e_phoff), 8, (uint64_t)-64}}},
    /* A PT_LOAD whose offset + filesz is one byte past the end. */
    {"load past end", -EINVAL, {{PH(PH_B, p_offset), 8, 0x2001}}},
    /* A PT_LOAD offset at the top of the address space. */
    {"load offset max", -EINVAL, {{PH(PH_B, p_offset), 8, UINT64_MAX}}},
    /* A PT_LOAD offset near 2^64, where offset + filesz would wrap. */
    {"load offset wraps", -EINVAL, {{PH(PH_B, p_offset), 8, (uint64_t)-0x800}}},
    /* A PT_LOAD filesz far past the file. */
    {"load filesz huge", -EINVAL, {{PH(PH_B, p_filesz), 8, UINT64_MAX}}},
    /* filesz > memsz, all inside the file. */
    {"filesz > memsz", -EINVAL, {{PH(PH_A, p_filesz), 8, 0x1001}}},
    /* paddr + memsz wraps past 2^64. */
    {"paddr wraps", -EINVAL, {{PH(PH_B, p_paddr), 8, UINT64_MAX - 0x1000}}},
    /* paddr + memsz is exactly 2^64 (wraps to 0). */
    {"paddr wraps to 0", -EINVAL, {{PH(PH_B, p_paddr), 8, (uint64_t)-0x2800}}},
    /* memsz large enough to wrap paddr. */
    {"memsz wraps", -EINVAL, {{PH(PH_A, p_memsz), 8, UINT64_MAX}}},
    /* A PT_NOTE that starts inside the file and runs past it. */
    {"note past end", -EINVAL, {{PH(PH_NOTE, p_offset), 8, IMG_SIZE - 4}}},
    /* Every other program header is bounds-checked too. */
    {"null phdr past end",
     -EINVAL,
     {{PH(PH_A, p_type), 4, PT_NULL}, {PH(PH_A, p_offset), 8, IMG_SIZE + 1}}},
    /* The only PT_LOADs turned into something else: nothing to load. */
    {"no PT_LOAD", -EINVAL, {{PH(PH_A, p_type), 4, PT_NULL}, {PH(PH_B, p_type), 4, PT_DYNAMIC}}},
};

static void test_patch_rejections(void **state)
{
    struct elf_image img;
    struct elfb valid;
    size_t i, j;

    (void)state;
    build_kernel(&valid, 0);
    assert_int_equal(parse(&valid, &img), 0);
    for (i = 0; i < sizeof(patch_cases) / sizeof(patch_cases[0]); i++) {
        const struct patch_case *c = &patch_cases[i];
        struct elfb b = valid;

        print_message("  %s\n", c->what);
        for (j = 0; j < 2 && c->f[j].width; j++)
            patch(&b, c->f[j].off, c->f[j].width, c->f[j].value);
        assert_int_equal(parse(&b, &img), c->rc);
    }
}

/* phentsize 55 with the table ending at the file's end: reading 56 bytes would overrun. */
static void test_phentsize_short_at_end(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    eb_init(&b);
    eb_phdr(&b, PT_LOAD, 0, PADDR_A, 0x40, 0x1000);
    patch(&b, EH(e_phentsize), 2, sizeof(Elf64_Phdr) - 1);
    b.size = PH_OFF + sizeof(Elf64_Phdr) - 1;
    assert_int_equal(parse(&b, &img), -EINVAL);
}

/* A PT_NOTE one byte short: the last note's desc runs past its segment. */
static void test_note_segment_cut(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    build_kernel(&b, 0);
    patch(&b, PH(PH_NOTE, p_filesz), 8, b.notes - 1);
    assert_int_equal(parse(&b, &img), -EINVAL);
}

/* ---- rejections: images built wrong ---- */

/* A bare header with the note segment's note set to (namesz, descsz), then one load. */
static void build_bad_note(struct elfb *b, uint32_t namesz, uint32_t descsz, size_t desc_len)
{
    static const uint8_t desc[64];

    eb_init(b);
    eb_note_raw(b, namesz, descsz, XEN_ELFNOTE_GUEST_OS, "Xen", 4, desc, desc_len);
    eb_note_phdr(b);
    eb_phdr(b, PT_LOAD, 0x1000, PADDR_A, 0x800, 0x800);
}

/* Note sizes running past their segment, including values whose 4-rounding wraps 32 bits. */
static void test_note_size_rejections(void **state)
{
    static const struct {
        uint32_t namesz, descsz;
    } cases[] = {
        {UINT32_MAX, 8},     /* namesz max */
        {8, UINT32_MAX},     /* descsz max */
        {UINT32_MAX - 2, 8}, /* rounds up to 2^32: 0 if done in 32 bits */
        {4, UINT32_MAX - 2}, /* same for descsz */
        {UINT32_MAX, UINT32_MAX},
        {4, 57}, /* desc one byte past the segment (56 bytes left) */
        {61, 0}, /* name one byte past the segment (60 bytes left), no desc */
        {UINT32_MAX - 2, UINT32_MAX - 2},
    };
    struct elf_image img;
    struct elfb b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        build_bad_note(&b, cases[i].namesz, cases[i].descsz, 56);
        assert_int_equal(parse(&b, &img), -EINVAL);
    }
    /* Control: the same note with sizes that fit is accepted. */
    build_bad_note(&b, 4, 56, 56);
    assert_int_equal(parse(&b, &img), 0);
    assert_true(img.has_xen_notes);
}

/* Images cut short: nothing, less than a header, header only, segments cut. */
static void test_truncated(void **state)
{
    static const struct {
        size_t size;
        int rc;
    } cases[] = {
        {0, -ENOEXEC},                      /* zero-size image */
        {1, -ENOEXEC},                      /* one byte */
        {sizeof(Elf64_Ehdr) - 1, -ENOEXEC}, /* one short of a header */
        {sizeof(Elf64_Ehdr), -EINVAL},      /* header, program headers cut off */
        {PH(PH_B, p_align), -EINVAL},       /* last program header cut mid-way */
        {NOTE_OFF + 16, -EINVAL},           /* notes cut */
        {0x1000, -EINVAL},                  /* headers and notes, no segment data */
        {IMG_SIZE - 1, -EINVAL},            /* last segment one byte short */
    };
    struct elf_image img;
    struct elfb b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        build_kernel(&b, 0);
        b.size = cases[i].size;
        assert_int_equal(parse(&b, &img), cases[i].rc);
    }
}

/* ELF_MAX_SEGMENTS + 1 PT_LOADs is one too many. */
static void test_too_many_segments(void **state)
{
    struct elf_image img;
    struct elfb b;
    unsigned int i;

    (void)state;
    eb_init(&b);
    for (i = 0; i <= ELF_MAX_SEGMENTS; i++)
        eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A + i * 0x1000, 0x100, 0x1000);
    assert_int_equal(parse(&b, &img), -EINVAL);
}

/* Only zero-sized PT_LOADs: nothing to load. */
static void test_only_empty_loads(void **state)
{
    struct elf_image img;
    struct elfb b;

    (void)state;
    eb_init(&b);
    eb_phdr(&b, PT_LOAD, 0x1000, PADDR_A, 0, 0);
    eb_phdr(&b, PT_NOTE, NOTE_OFF, 0, 0, 0);
    assert_int_equal(parse(&b, &img), -EINVAL);
}

/* One load of [paddr, paddr + memsz) with virt_base and paddr_offset notes. */
static void build_placed(struct elfb *b, uint64_t virt_base, uint64_t paddr_offset, uint64_t paddr,
                         uint64_t memsz)
{
    eb_init(b);
    eb_note_u64(b, XEN_ELFNOTE_VIRT_BASE, virt_base);
    eb_note_u64(b, XEN_ELFNOTE_PADDR_OFFSET, paddr_offset);
    eb_note_phdr(b);
    eb_phdr(b, PT_LOAD, 0x1000, paddr, 0x100, memsz);
}

/* Where the kernel lands relative to virt_base, and wrapping of its end. */
static void test_placement_rejections(void **state)
{
    static const struct {
        uint64_t virt_base, paddr_offset, paddr, memsz;
    } cases[] = {
        /* paddr_offset above p_paddr: the kernel starts below virt_base. */
        {VIRT_BASE, 0x2000000, PADDR_A, 0x1000},
        /* kstart just one byte below virt_base. */
        {VIRT_BASE, PADDR_A + 1, PADDR_A, 0x1000},
        /* The end wraps past 2^64 after the offset is added. */
        {0xfffffffffffff000ull, 0, 0, 0x2000},
        /* The end lands in the last page: rounding it up wraps to 0. */
        {0xffffffffffffe000ull, 0, 0, 0x1001},
        /* Regression: an unaligned virt_base whose wrapped end rounded back
         * above kstart was accepted, with the segment far outside the span. */
        {0x1800, 0, 0, UINT64_MAX},
        /* virt_base itself not page-aligned. */
        {VIRT_BASE + 0x800, 0x800, PADDR_A, 0x1000},
    };
    struct elf_image img;
    struct elfb b;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        build_placed(&b, cases[i].virt_base, cases[i].paddr_offset, cases[i].paddr, cases[i].memsz);
        assert_int_equal(parse(&b, &img), -EINVAL);
    }
    /* Control: kstart exactly at virt_base, ending exactly at 2^64 - 4096. */
    build_placed(&b, 0xffffffffffffe000ull, 0, 0, 0x1000);
    assert_int_equal(parse(&b, &img), 0);
    assert_int_equal(img.virt_kstart, 0xffffffffffffe000ull);
    assert_int_equal(img.virt_kend, 0xfffffffffffff000ull);
    /* Without PADDR_OFFSET, physical p_paddrs fall below virt_base. */
    build_kernel(&b, NO_PADDR_OFFSET);
    assert_int_equal(parse(&b, &img), -EINVAL);
}

/* ---- fuzz ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    /* xorshift64: deterministic, so a failure reproduces. */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* What any accepted image guarantees to the domain builder. */
static void check_accepted(const struct elf_image *img, size_t size)
{
    unsigned int i;

    assert_true(img->nr_segments >= 1 && img->nr_segments <= ELF_MAX_SEGMENTS);
    for (i = 0; i < img->nr_segments; i++) {
        const struct elf_segment *s = &img->segments[i];

        assert_true(s->file_offset <= size && s->file_size <= size - s->file_offset);
        assert_true(s->file_size <= s->mem_size);
        assert_true(s->vaddr >= img->virt_kstart);
        /* Inside [kstart, kend) and not wrapping. */
        assert_true(s->vaddr < img->virt_kend && s->mem_size <= img->virt_kend - s->vaddr);
    }
    assert_true(img->virt_kstart >= img->virt_base);
    assert_true(img->virt_kend > img->virt_kstart);
    assert_true(strnlen(img->guest_os, sizeof(img->guest_os)) < sizeof(img->guest_os));
    assert_true(strnlen(img->xen_version, sizeof(img->xen_version)) < sizeof(img->xen_version));
    assert_true(strnlen(img->loader, sizeof(img->loader)) < sizeof(img->loader));
    assert_true(strnlen(img->features, sizeof(img->features)) < sizeof(img->features));
}

/* Thousands of byte flips of the valid kernel: no crash, and accepted images are sound. */
static void test_fuzz_byte_flips(void **state)
{
    unsigned int iter, accepted = 0;
    struct elf_image img;
    struct elfb valid;

    (void)state;
    build_kernel(&valid, 0);
    for (iter = 0; iter < 5000; iter++) {
        struct elfb b = valid;
        unsigned int flips = 1 + rng() % 8, j;
        int rc;

        for (j = 0; j < flips; j++) {
            /* Mostly headers and notes, where the parser's decisions are. */
            size_t span = rng() % 4 ? NOTE_OFF + valid.notes : IMG_SIZE;

            b.buf[rng() % span] ^= (uint8_t)(1u << (rng() % 8));
        }
        if (rng() % 8 == 0)
            b.size = rng() % (IMG_SIZE + 1);
        rc = parse(&b, &img);
        assert_true(rc == 0 || rc == -EINVAL || rc == -ENOEXEC);
        if (rc == 0) {
            check_accepted(&img, b.size);
            accepted++;
        }
    }
    /* Enough accepted images that the checks above mean something. */
    assert_true(accepted > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_kernel),
        cmocka_unit_test(test_entry_from_ehdr),
        cmocka_unit_test(test_paddr_offset_absent),
        cmocka_unit_test(test_paddr_offset_shifts),
        cmocka_unit_test(test_no_notes),
        cmocka_unit_test(test_foreign_notes_ignored),
        cmocka_unit_test(test_note_value_sizes),
        cmocka_unit_test(test_strings_truncated),
        cmocka_unit_test(test_features_required),
        cmocka_unit_test(test_two_note_segments),
        cmocka_unit_test(test_max_segments),
        cmocka_unit_test(test_patch_rejections),
        cmocka_unit_test(test_phentsize_short_at_end),
        cmocka_unit_test(test_note_segment_cut),
        cmocka_unit_test(test_note_size_rejections),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_only_empty_loads),
        cmocka_unit_test(test_placement_rejections),
        cmocka_unit_test(test_fuzz_byte_flips),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
