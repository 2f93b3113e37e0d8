/* SPDX-License-Identifier: MIT */
/*
 * Suite "domctl_hostile" (domctl_hostile.c), its XENOLITH_DOMCTL_build
 * cases: the kernel, ramdisk and command line come from the caller's
 * memory, so each pointer, length and count is tried where it breaks.
 * Domains are made by dctl_make_domain, destroyed by the suite's last
 * case, which checks that every frame came back.
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/hypercall.h>
#include <guest/initrd.h>
#include <guest/sysctl.h>
#include <guest/test.h>
#include <xen/domctl.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include "domctl_hostile.h"

#define KERNEL   "boot/xenolith-guest"
/* Suites that keep a domain running for a while (seconds), not busy. */
#define LONG_RUN "suite=threads,user,threads,user,threads,user,threads,user"

/* XENOLITH_DOMCTL_build with the arguments in a. */
long dctl_build(domid_t id, const struct xenolith_domctl_build *a)
{
    struct xen_domctl op = {0};

    memcpy(&op.u, a, sizeof(*a));
    return dctl_call(XENOLITH_DOMCTL_build, id, &op);
}

const void *dctl_kernel(size_t *len)
{
    const void *k = NULL;

    return initrd_find(KERNEL, &k, len) ? NULL : k;
}

/*
 * Pointers to kernel, ramdisk and command line that are unmapped, in the
 * hypervisor's range or wrapping: -EFAULT. Each other field is valid, so
 * the bad one is what is refused.
 */
void dctl_build_pointers(void)
{
    const unsigned long bad[] = {UNMAPPED_VA, HV_VA, 0xfffffffffffff000UL};
    domid_t id = dctl_make_domain(1);
    size_t len;
    const void *kernel = dctl_kernel(&len);
    struct xenolith_domctl_build b = {
        .kernel_len = 0x2000, .nr_pages = NR_PAGES, .store_domid = DOMID_INVALID};

    CHECK(id != 0 && kernel != NULL);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        b.kernel = bad[i];
        CHECK_EQ(dctl_build(id, &b), -EFAULT);
        b.kernel = (unsigned long)kernel;
        b.cmdline = bad[i];
        CHECK_EQ(dctl_build(id, &b), -EFAULT);
        b.cmdline = 0;
        b.ramdisk = bad[i];
        b.ramdisk_len = 0x2000;
        CHECK_EQ(dctl_build(id, &b), -EFAULT);
        b.ramdisk = b.ramdisk_len = 0;
    }
    /* the largest kernel is only too far to read */
    b.kernel = UNMAPPED_VA;
    b.kernel_len = 64ul << 20;
    CHECK_EQ(dctl_build(id, &b), -EFAULT);
}

/*
 * Sizes: kernel_len 0 or past 64 MiB, a ramdisk past 256 MiB, a ramdisk
 * pointer without a length or a length without one, nr_pages 0 or above
 * max_pages, a store domain id in the reserved range: -EINVAL.
 */
void dctl_build_sizes(void)
{
    domid_t id = dctl_make_domain(1);
    size_t len;
    const void *kernel = dctl_kernel(&len);
    struct xenolith_domctl_build b = {.kernel = (unsigned long)kernel,
                                      .kernel_len = 0,
                                      .nr_pages = NR_PAGES,
                                      .store_domid = DOMID_INVALID};
    struct domctl_info info;

    CHECK(id != 0 && kernel != NULL);
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.kernel_len = (64ul << 20) + 1;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.kernel_len = ~0ul;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.kernel_len = len;
    b.ramdisk = (unsigned long)kernel;
    b.ramdisk_len = (256ul << 20) + 1;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.ramdisk_len = 0;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.ramdisk = 0;
    b.ramdisk_len = 4096;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.ramdisk_len = 0;
    b.nr_pages = 0;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    CHECK_EQ(domctl_domain_info(id, &info), 0);
    b.nr_pages = info.max_pages + 1;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.nr_pages = ~0ul;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    b.nr_pages = NR_PAGES;
    const uint32_t stores[] = {DOMID_FIRST_RESERVED, DOMID_SELF, DOMID_XEN, 0x10000, ~0u};
    for (unsigned int i = 0; i < ARRAY_SIZE(stores); i++) {
        b.store_domid = stores[i];
        CHECK_EQ(dctl_build(id, &b), -EINVAL);
    }
    CHECK_EQ(domctl_domain_info(id, &info), 0);
    CHECK_EQ(info.tot_pages, 0); /* nothing refused took memory */
}

/*
 * The command line: < 1024 bytes with its NUL. 1023 characters pass (the
 * unmapped kernel is what fails), 1024 are -EINVAL; a NUL-terminated one
 * ending on the last byte before an unmapped page is read (only to there).
 */
void dctl_build_cmdline(void)
{
    static char line[1100];
    domid_t id = dctl_make_domain(1);
    struct xenolith_domctl_build b = {.kernel = UNMAPPED_VA,
                                      .kernel_len = 4096,
                                      .cmdline = (unsigned long)line,
                                      .nr_pages = NR_PAGES,
                                      .store_domid = DOMID_INVALID};
    unsigned long pfn;
    char *page;

    CHECK(id != 0);
    memset(line, 'x', sizeof(line));
    line[1023] = '\0';
    CHECK_EQ(dctl_build(id, &b), -EFAULT);
    line[1023] = 'x';
    line[1024] = '\0';
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    line[1024] = 'x';
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    page = dctl_hole_open(&pfn);
    CHECK(page != NULL);
    memset(page, 'y', PAGE_SIZE);
    page[PAGE_SIZE - 1] = '\0';
    b.cmdline = (unsigned long)page + PAGE_SIZE - 2; /* "y" and its NUL */
    b.kernel_len = 0;
    CHECK_EQ(dctl_build(id, &b), -EINVAL); /* the kernel's length, not the line */
    b.cmdline = (unsigned long)page + PAGE_SIZE - 1;
    CHECK_EQ(dctl_build(id, &b), -EINVAL);
    page[PAGE_SIZE - 1] = 'y'; /* now it runs into the hole */
    CHECK_EQ(dctl_build(id, &b), -EFAULT);
    b.cmdline = (unsigned long)page + PAGE_SIZE - 600;
    CHECK_EQ(dctl_build(id, &b), -EFAULT);
    dctl_hole_close(pfn);
}

/* A kernel that is no kernel: -ENOEXEC (an ELF whose headers point past
 * the image: -EINVAL); the domain is still unbuilt (it may be tried
 * again, cannot be unpaused) and destroyable (the cleanup). */
void dctl_build_garbage(void)
{
    static uint8_t junk[8192];
    domid_t id = dctl_make_domain(1);
    size_t len;
    const void *kernel = dctl_kernel(&len);
    struct xenolith_domctl_build b = {.kernel = (unsigned long)junk,
                                      .kernel_len = sizeof(junk),
                                      .nr_pages = NR_PAGES,
                                      .store_domid = DOMID_INVALID};

    CHECK(id != 0 && kernel != NULL);
    for (unsigned int i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    CHECK_EQ(dctl_build(id, &b), -ENOEXEC);
    memset(junk, 0, sizeof(junk));
    CHECK_EQ(dctl_build(id, &b), -ENOEXEC);
    memcpy(junk, kernel, 64);              /* an ELF header, its tables past the end */
    CHECK_EQ(dctl_build(id, &b), -EINVAL); /* malformed, as Xen's libelf says */
    CHECK_EQ(domctl_unpause(id), -EBUSY);
}

/*
 * A real build (its command line on the last bytes before an unmapped
 * page): then building it again is -EBUSY, as is building the caller or
 * a boot domain; a created, never-built domain cannot be unpaused.
 */
void dctl_build_twice(void)
{
    domid_t id = dctl_make_domain(1), unbuilt = dctl_make_domain(1);
    size_t len;
    const void *kernel = dctl_kernel(&len);
    struct xenolith_domctl_build b = {.kernel = (unsigned long)kernel,
                                      .kernel_len = len,
                                      .nr_pages = NR_PAGES,
                                      .store_domid = DOMID_INVALID,
                                      .name = "hostile"};
    struct domctl_description d;
    unsigned long pfn;
    char *page;

    CHECK(id != 0 && unbuilt != 0 && kernel != NULL);
    CHECK_EQ(domctl_unpause(unbuilt), -EBUSY);
    page = dctl_hole_open(&pfn);
    CHECK(page != NULL);
    strlcpy(page + PAGE_SIZE - 12, "suite=basic", 12);
    b.cmdline = (unsigned long)page + PAGE_SIZE - 12;
    CHECK_EQ(dctl_build(id, &b), 0);
    dctl_hole_close(pfn);
    b.cmdline = 0;
    CHECK_EQ(dctl_build(id, &b), -EBUSY);
    CHECK_EQ(dctl_build(0, &b), -EBUSY);
    CHECK_EQ(dctl_build(BOOT_DOMU, &b), -EBUSY);
    CHECK_EQ(domctl_describe(id, &d), 0);
    CHECK_EQ(strcmp(d.name, "hostile"), 0);
    CHECK(d.console_mfn != 0);
}

/* A bzImage header (boot protocol 2.12, one setup sector) in img whose
 * payload is plen bytes at off past the setup code. */
static void bz_header(uint8_t *img, uint32_t off, uint32_t plen)
{
    const uint16_t flag = 0xaa55, version = 0x020c;

    img[0x1f1] = 1;
    memcpy(img + 0x1fe, &flag, 2);
    memcpy(img + 0x202, "HdrS", 4);
    memcpy(img + 0x206, &version, 2);
    memcpy(img + 0x248, &off, 4);
    memcpy(img + 0x24c, &plen, 4);
}

/* A gzip or xz payload at img + 1024 of n bytes: magic, junk, then the
 * decompressed size it claims in its last four bytes. */
static void bz_payload(uint8_t *img, bool xz, size_t n, uint32_t size)
{
    static const uint8_t gz[] = {0x1f, 0x8b, 8, 0}, xzm[] = {0xfd, '7', 'z', 'X', 'Z', 0};
    uint8_t *p = img + 1024;

    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 89 + 7);
    memcpy(p, xz ? xzm : gz, xz ? sizeof(xzm) : sizeof(gz));
    memcpy(p + n - 4, &size, 4);
}

/*
 * bzImages that lie: a payload outside the image or empty (no bzImage
 * then, and no ELF either: -ENOEXEC); a
 * compressed stream that is junk (gzip: a bad block, -EINVAL; xz: a bad
 * header CRC, -EILSEQ); a claimed size of 0 or past 512 MiB (-EINVAL) or
 * more than the host has free (-ENOMEM). Each buffer is given back.
 */
void dctl_build_bzimage(void)
{
    static uint8_t img[8192];
    domid_t id = dctl_make_domain(1);
    struct xenolith_domctl_build b = {.kernel = (unsigned long)img,
                                      .kernel_len = sizeof(img),
                                      .nr_pages = NR_PAGES,
                                      .store_domid = DOMID_INVALID};
    const struct {
        uint32_t off, plen;
    } outside[] = {{0, 0}, {sizeof(img) - 1024, 1}, {0, sizeof(img)}, {~0u, ~0u}, {0, ~0u}};
    const struct {
        bool xz;
        uint32_t size;
        long rc;
    } lies[] = {{false, 4096, -EINVAL},
                {true, 4096, -EILSEQ},
                {false, 0, -EINVAL},
                {false, ~0u, -EINVAL},
                {true, (512u << 20) + 1, -EINVAL},
                {false, 500u << 20, -ENOMEM}};

    CHECK(id != 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(outside); i++) {
        memset(img, 0, sizeof(img));
        bz_header(img, outside[i].off, outside[i].plen);
        CHECK_EQ(dctl_build(id, &b), -ENOEXEC);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(lies); i++) {
        memset(img, 0, sizeof(img));
        bz_header(img, 0, 4096);
        bz_payload(img, lies[i].xz, 4096, lies[i].size);
        if (dctl_build(id, &b) != lies[i].rc)
            test_fail(__FILE__, __LINE__, "lie %u: not %ld", i, lies[i].rc);
    }
}

/*
 * More memory than the host has free is -ENOMEM before anything is
 * taken; exactly what is free runs out part way (the image's copy took
 * some): -ENOMEM, and the frames taken stay the domain's until it is
 * destroyed (building it again is -EBUSY), after which all are back.
 */
void dctl_build_nomem(void)
{
    domid_t id = dctl_make_domain(1);
    size_t len;
    const void *kernel = dctl_kernel(&len);
    struct xenolith_domctl_build b = {
        .kernel = (unsigned long)kernel, .kernel_len = len, .store_domid = DOMID_INVALID};
    struct sysctl_physinfo pi, after;
    struct domctl_info info;

    CHECK(id != 0 && kernel != NULL);
    CHECK_EQ(domctl_max_mem(id, ~0ul >> 12), 0);
    CHECK_EQ(sysctl_physinfo(&pi), 0);
    b.nr_pages = pi.free_pages + 1;
    CHECK_EQ(dctl_build(id, &b), -ENOMEM);
    CHECK_EQ(domctl_domain_info(id, &info), 0);
    CHECK_EQ(info.tot_pages, 0);
    b.nr_pages = pi.free_pages;
    CHECK_EQ(dctl_build(id, &b), -ENOMEM);
    CHECK_EQ(domctl_domain_info(id, &info), 0);
    test_info("%lu pages free, the domain took %lu", pi.free_pages, info.tot_pages);
    CHECK(info.tot_pages > 0);
    CHECK_EQ(dctl_build(id, &b), -EBUSY); /* not -ENOMEM: it is the state */
    CHECK_EQ(domctl_destroy(id), 0);
    CHECK(dctl_wait(id, dctl_is_gone));
    CHECK_EQ(sysctl_physinfo(&after), 0);
    CHECK(after.free_pages >= pi.free_pages); /* exactly: the last case */
}

/*
 * A running domain destroyed, then every command at it while it dies:
 * each answers as for a dying domain or, once it is gone, -ESRCH; none
 * brings it back or touches it.
 */
void dctl_dying(void)
{
    domid_t id = dctl_make_domain(1);
    size_t len;
    const void *kernel = dctl_kernel(&len);
    struct xenolith_domctl_build b = {.kernel = (unsigned long)kernel,
                                      .kernel_len = len,
                                      .cmdline = (unsigned long)LONG_RUN,
                                      .nr_pages = NR_PAGES,
                                      .store_domid = DOMID_INVALID};
    struct domctl_description d;
    struct domctl_vcpu v;
    domid_t focus;
    long rc;

    CHECK(id != 0 && kernel != NULL);
    CHECK_EQ(dctl_build(id, &b), 0);
    CHECK_EQ(domctl_unpause(id), 0);
    CHECK_EQ(domctl_unpause(id), 0); /* running already */
    CHECK_EQ(domctl_pause(id), 0);
    CHECK_EQ(domctl_pause(id), 0); /* paused already */
    CHECK_EQ(domctl_unpause(id), 0);
    CHECK_EQ(domctl_destroy(id), 0);
#define EITHER(call, rc1)                                                                          \
    do {                                                                                           \
        rc = (call);                                                                               \
        if (rc != (rc1) && rc != -ESRCH)                                                           \
            test_fail(__FILE__, __LINE__, "%s: %ld", #call, rc);                                   \
    } while (0)
    EITHER(domctl_destroy(id), 0);
    EITHER(domctl_pause(id), -EINVAL);
    EITHER(domctl_unpause(id), -EINVAL);
    EITHER(dctl_build(id, &b), -EBUSY);
    EITHER(domctl_console(id, true, &focus), -EINVAL);
    EITHER(domctl_describe(id, &d), 0);
    EITHER(domctl_vcpu_info(id, 0, &v), 0);
    EITHER(domctl_set_affinity(id, 0, 1, 1), 0);
    EITHER(domctl_sched_credit_set(id, 512, 0), 0);
    EITHER(domctl_max_mem(id, 1 << 20), 0);
#undef EITHER
    CHECK(dctl_wait(id, dctl_is_gone));
}
