/* SPDX-License-Identifier: MIT */
/*
 * What the boot loader told us, copied out of its structures before any
 * memory is allocated: command line, firmware memory map, boot modules.
 */
#ifndef XENOLITH_BOOTINFO_H
#define XENOLITH_BOOTINFO_H

#include <xenolith/types.h>

#define BOOT_MAX_MODULES 16
#define BOOT_MAX_MEMMAP  128
#define BOOT_CMDLINE_LEN 1024
#define BOOT_MODSTR_LEN  256

/* Memory map entry types, as in the e820 map. */
#define MEMMAP_RAM      1
#define MEMMAP_RESERVED 2
#define MEMMAP_ACPI     3
#define MEMMAP_NVS      4
#define MEMMAP_UNUSABLE 5

struct boot_memmap_entry {
    paddr_t addr;
    uint64_t size;
    uint32_t type;
};

struct boot_module {
    paddr_t start;
    paddr_t end;                  /* exclusive */
    char string[BOOT_MODSTR_LEN]; /* the module's command line */
};

struct boot_info {
    const char *loader;   /* "multiboot1" or "multiboot2" */
    char loader_name[64]; /* what the loader calls itself, if it says */
    char cmdline[BOOT_CMDLINE_LEN];
    unsigned int nr_memmap;
    struct boot_memmap_entry memmap[BOOT_MAX_MEMMAP];
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
    paddr_t rsdp; /* ACPI RSDP copy from the loader, 0 if none */
    uint8_t rsdp_copy[36];
};

extern struct boot_info boot_info;

#endif
