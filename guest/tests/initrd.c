/* SPDX-License-Identifier: MIT */
/*
 * Suite "initrd" (Xenolith-only: tests/integration/test_initrd.py): the
 * boot ramdisk that `./xenolith run --files DIR` packs. It lists every
 * entry, one line each, for the test to compare with DIR:
 *
 *     initrd: MODE SIZE NAME        (MODE in octal, as stat(2))
 *
 * and reads the file the test puts at INITRD_TEST_PATH by each form of its
 * path. Needs a ramdisk made that way: without one both cases fail.
 */
#include <guest/initrd.h>
#include <guest/kernel.h>
#include <guest/test.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include "../toolstack/cpio.h"

#define INITRD_TEST_PATH "initrd-test/hello.txt"
#define INITRD_TEST_TEXT "Hello from the boot ramdisk.\n"

static int initrd_print(const struct cpio_entry *e, void *arg)
{
    printk("initrd: %o %lu %s\n", e->mode, (unsigned long)e->size, e->name);
    ++*(unsigned int *)arg;
    return 0;
}

static void initrd_list_all(void)
{
    unsigned int count = 0;

    test_info("ramdisk at %#lx, %lu bytes", kernel_start_info->mod_start,
              kernel_start_info->mod_len);
    CHECK_EQ(initrd_list(initrd_print, &count), 0);
    CHECK(count > 0);
    test_info("%u entries", count);
}

static void initrd_find_file(void)
{
    static const char *const forms[] = {INITRD_TEST_PATH, "./" INITRD_TEST_PATH,
                                        "/" INITRD_TEST_PATH};
    unsigned long start = kernel_start_info->mod_start;
    const void *data, *first = NULL;
    size_t len;

    for (unsigned int i = 0; i < ARRAY_SIZE(forms); i++) {
        CHECK_EQ(initrd_find(forms[i], &data, &len), 0);
        CHECK_EQ(len, strlen(INITRD_TEST_TEXT));
        CHECK(memcmp(data, INITRD_TEST_TEXT, len) == 0);
        /* In place, inside the ramdisk: the same bytes whatever the form. */
        CHECK((unsigned long)data >= start &&
              (unsigned long)data + len <= start + kernel_start_info->mod_len);
        CHECK(!first || data == first);
        first = data;
    }
    CHECK_EQ(initrd_find("initrd-test", &data, &len), -EISDIR);
    CHECK_EQ(initrd_find("initrd-test/missing", &data, &len), -ENOENT);
    CHECK_EQ(initrd_find("hello.txt", &data, &len), -ENOENT);
}

static const struct test_case initrd_cases[] = {
    {"list", initrd_list_all},
    {"find", initrd_find_file},
};
TEST_SUITE(test_suite_initrd, "initrd", initrd_cases);
