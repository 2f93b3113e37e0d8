/* SPDX-License-Identifier: MIT */
/*
 * Reads the multiboot1 (QEMU -kernel, GRUB "multiboot") or multiboot2
 * (GRUB "multiboot2") information into struct boot_info. Runs on the boot
 * page tables, where the first 4 GiB are reachable through the direct map;
 * loaders put their structures there.
 */
#include <xenolith/bootinfo.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include <asm/multiboot.h>
#include <asm/page.h>

#define MB1_BOOTLOADER_MAGIC 0x2badb002
#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB1_INFO_MEM_MAP     (1u << 6)
#define MB1_INFO_CMDLINE     (1u << 2)
#define MB1_INFO_MODS        (1u << 3)
#define MB1_INFO_LOADER_NAME (1u << 9)

#define MB2_TAG_END         0
#define MB2_TAG_CMDLINE     1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE      3
#define MB2_TAG_MMAP        6
#define MB2_TAG_ACPI_OLD    14
#define MB2_TAG_ACPI_NEW    15

struct boot_info boot_info;

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb1_module {
    uint32_t start, end, string, reserved;
};

struct mb1_mmap {
    uint32_t size; /* of the rest of this entry */
    uint64_t addr, len;
    uint32_t type;
} __packed;

struct mb2_tag {
    uint32_t type, size;
};

static void copy_string(char *dst, size_t size, paddr_t src)
{
    if (src)
        strlcpy(dst, __va(src), size);
}

static void add_memmap(uint64_t addr, uint64_t len, uint32_t type)
{
    struct boot_memmap_entry *e;

    if (boot_info.nr_memmap == BOOT_MAX_MEMMAP || len == 0)
        return;
    e = &boot_info.memmap[boot_info.nr_memmap++];
    e->addr = addr;
    e->size = len;
    e->type = type;
}

/* The new module's entry, or NULL when it is malformed or one too many. */
static struct boot_module *add_module(paddr_t start, paddr_t end)
{
    struct boot_module *m;

    if (boot_info.nr_modules == BOOT_MAX_MODULES || end < start)
        return NULL;
    m = &boot_info.modules[boot_info.nr_modules++];
    m->start = start;
    m->end = end;
    return m;
}

/*
 * Multiboot1 command lines start with the file's own path: drop it, so
 * both protocols give just the arguments.
 */
static void strip_image_name(char *cmdline)
{
    char *p = cmdline;

    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    memmove(cmdline, p, strlen(p) + 1);
}

static int parse_mb1(paddr_t info_pa)
{
    const struct mb1_info *mbi = __va(info_pa);
    uint32_t off, i;

    boot_info.loader = "multiboot1";
    if (!(mbi->flags & MB1_INFO_MEM_MAP))
        return -ENODEV;
    for (off = 0; off + sizeof(struct mb1_mmap) <= mbi->mmap_length;) {
        const struct mb1_mmap *e = __va(mbi->mmap_addr + off);

        add_memmap(e->addr, e->len, e->type);
        off += e->size + sizeof(e->size);
    }
    if (mbi->flags & MB1_INFO_CMDLINE) {
        copy_string(boot_info.cmdline, sizeof(boot_info.cmdline), mbi->cmdline);
        strip_image_name(boot_info.cmdline);
    }
    if (mbi->flags & MB1_INFO_LOADER_NAME)
        copy_string(boot_info.loader_name, sizeof(boot_info.loader_name), mbi->boot_loader_name);
    if (mbi->flags & MB1_INFO_MODS) {
        const struct mb1_module *mods = __va(mbi->mods_addr);

        for (i = 0; i < mbi->mods_count; i++) {
            struct boot_module *m = add_module(mods[i].start, mods[i].end);

            if (m) {
                copy_string(m->string, sizeof(m->string), mods[i].string);
                strip_image_name(m->string);
            }
        }
    }
    return 0;
}

static void parse_mb2_tag(const struct mb2_tag *tag)
{
    const uint32_t *w = (const uint32_t *)(tag + 1);
    uint32_t i;

    switch (tag->type) {
    case MB2_TAG_CMDLINE:
        strlcpy(boot_info.cmdline, (const char *)w, sizeof(boot_info.cmdline));
        break;
    case MB2_TAG_LOADER_NAME:
        strlcpy(boot_info.loader_name, (const char *)w, sizeof(boot_info.loader_name));
        break;
    case MB2_TAG_MODULE: {
        struct boot_module *m = add_module(w[0], w[1]);

        if (m)
            strlcpy(m->string, (const char *)&w[2], sizeof(m->string));
        break;
    }
    case MB2_TAG_MMAP: {
        uint32_t entry_size = w[0];
        const uint8_t *e = (const uint8_t *)&w[2];

        for (i = 0; entry_size >= 20 && 16 + (i + 1) * entry_size <= tag->size; i++) {
            const uint8_t *ent = e + i * entry_size;

            add_memmap(*(const uint64_t *)ent, *(const uint64_t *)(ent + 8),
                       *(const uint32_t *)(ent + 16));
        }
        break;
    }
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW:
        if (!boot_info.rsdp) {
            memcpy(boot_info.rsdp_copy, w, sizeof(boot_info.rsdp_copy));
            boot_info.rsdp = __pa(boot_info.rsdp_copy);
        }
        break;
    }
}

static int parse_mb2(paddr_t info_pa)
{
    const uint8_t *base = __va(info_pa);
    uint32_t total = *(const uint32_t *)base, off = 8;

    boot_info.loader = "multiboot2";
    while (off + sizeof(struct mb2_tag) <= total) {
        const struct mb2_tag *tag = (const void *)(base + off);

        if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
            break;
        parse_mb2_tag(tag);
        off += (tag->size + 7) & ~7u;
    }
    return boot_info.nr_memmap ? 0 : -ENODEV;
}

int multiboot_parse(uint32_t magic, paddr_t info_pa)
{
    if (magic == MB1_BOOTLOADER_MAGIC)
        return parse_mb1(info_pa);
    if (magic == MB2_BOOTLOADER_MAGIC)
        return parse_mb2(info_pa);
    return -EINVAL;
}
