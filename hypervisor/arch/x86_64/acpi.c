/* SPDX-License-Identifier: MIT */
/*
 * Just enough ACPI to find the CPUs: RSDP (from the boot loader, or the
 * BIOS areas), RSDT/XSDT, MADT. Firmware tables are trusted no further
 * than their lengths and checksums.
 */
#include <xenolith/bootinfo.h>
#include <xenolith/console.h>
#include <xenolith/string.h>
#include <asm/acpi.h>
#include <asm/page.h>

struct rsdp {
    char signature[8];
    uint8_t checksum;
    char oem[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum, reserved[3];
} __attribute__((packed));

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));

#define MADT_LOCAL_APIC     0
#define MADT_ENABLED        1u
#define MADT_ONLINE_CAPABLE 2u
#define MAX_TABLE_LEN       (1u << 20)

static bool checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum = (uint8_t)(sum + *b++);
    return sum == 0;
}

static const struct rsdp *scan_rsdp(paddr_t start, paddr_t end)
{
    paddr_t pa;

    for (pa = start; pa + 20 <= end; pa += 16) {
        const struct rsdp *r = __va(pa);

        if (!memcmp(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20))
            return r;
    }
    return NULL;
}

static const struct rsdp *find_rsdp(void)
{
    paddr_t ebda = (paddr_t)(*(const uint16_t *)__va(0x40e)) << 4;
    const struct rsdp *r;

    if (boot_info.rsdp)
        return __va(boot_info.rsdp);
    if (ebda >= 0x80000 && ebda < 0xa0000 && (r = scan_rsdp(ebda, ebda + 1024)))
        return r;
    return scan_rsdp(0xe0000, 0x100000);
}

static const struct sdt_header *map_table(paddr_t pa)
{
    const struct sdt_header *h = __va(pa);

    if (!pa || pa >= (1ull << 32) || h->length < sizeof(*h) || h->length > MAX_TABLE_LEN ||
        !checksum_ok(h, h->length))
        return NULL;
    return h;
}

static const struct sdt_header *find_table(const char *sig)
{
    const struct rsdp *r = find_rsdp();
    const struct sdt_header *root;
    bool xsdt;
    uint32_t i, n;

    if (!r)
        return NULL;
    xsdt = r->revision >= 2 && r->xsdt;
    root = map_table(xsdt ? r->xsdt : r->rsdt);
    if (!root)
        return NULL;
    n = (root->length - sizeof(*root)) / (xsdt ? 8 : 4);
    for (i = 0; i < n; i++) {
        const uint8_t *entries = (const uint8_t *)(root + 1);
        paddr_t pa =
            xsdt ? *(const uint64_t *)(entries + i * 8) : *(const uint32_t *)(entries + i * 4);
        const struct sdt_header *t = map_table(pa);

        if (t && !memcmp(t->signature, sig, 4))
            return t;
    }
    return NULL;
}

unsigned int acpi_find_cpus(unsigned int *apic_ids, unsigned int max)
{
    const struct sdt_header *madt = find_table("APIC");
    const uint8_t *p, *end;
    unsigned int n = 0;

    if (!madt)
        return 0;
    p = (const uint8_t *)madt + sizeof(*madt) + 8; /* LAPIC address, flags */
    end = (const uint8_t *)madt + madt->length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
            uint32_t flags = *(const uint32_t *)(p + 4);

            if ((flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)) && n < max)
                apic_ids[n++] = p[3];
        }
        p += p[1];
    }
    return n;
}
