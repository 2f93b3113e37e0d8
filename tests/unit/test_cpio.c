/* SPDX-License-Identifier: MIT */
/*
 * The cpio newc reader (guest/toolstack/cpio.c): archives built here entry
 * by entry, read back; lookups by every form of a path; and each way a
 * hostile header can be wrong, every one an error and none a read past the
 * archive (each case runs on a heap copy of exactly its length, so ASan
 * sees any byte read beyond it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/errno.h>
#include <toolstack/cpio.h>

#define DIR_MODE  (CPIO_MODE_DIR | 0755)
#define FILE_MODE (CPIO_MODE_REG | 0644)

struct archive {
    uint8_t buf[4096];
    size_t len;
};

/* Appends one entry; pad = false plays a writer that forgot the padding. */
static void put(struct archive *a, const char *name, uint32_t mode, const char *data, size_t size,
                bool pad)
{
    size_t namesize = strlen(name) + 1;
    char hdr[CPIO_HEADER_LEN + 1];

    snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
             mode, 0u, 0u, 1u, 0u, (unsigned int)size, 0u, 0u, 0u, 0u, (unsigned int)namesize, 0u);
    memcpy(a->buf + a->len, hdr, CPIO_HEADER_LEN);
    a->len += CPIO_HEADER_LEN;
    memcpy(a->buf + a->len, name, namesize);
    a->len += namesize;
    while (pad && a->len % 4)
        a->buf[a->len++] = 0;
    memcpy(a->buf + a->len, data, size);
    a->len += size;
    while (pad && a->len % 4)
        a->buf[a->len++] = 0;
}

static void put_file(struct archive *a, const char *name, const char *text)
{
    put(a, name, FILE_MODE, text, strlen(text), true);
}

static void put_trailer(struct archive *a)
{
    put(a, CPIO_TRAILER, 0, "", 0, true);
}

/* A heap copy of exactly len bytes, so that ASan catches any read past it. */
static uint8_t *exact(const struct archive *a, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);

    assert_non_null(copy);
    memcpy(copy, a->buf, len);
    return copy;
}

/* Entries come back in order with their names, modes and bytes. */
static void test_iterate(void **state)
{
    struct archive a = {0};
    struct cpio_iter it;
    struct cpio_entry e;
    uint8_t *copy;

    (void)state;
    put(&a, "etc", DIR_MODE, "", 0, true);
    put_file(&a, "etc/hello.txt", "hello\n");
    put_file(&a, "empty", "");
    put_file(&a, "./odd", "12345"); /* 5 bytes: data padding of 3 */
    put_trailer(&a);
    copy = exact(&a, a.len);
    cpio_iter_init(&it, copy, a.len);

    assert_int_equal(cpio_next(&it, &e), 1);
    assert_string_equal(e.name, "etc");
    assert_int_equal(e.name_len, 3);
    assert_int_equal(e.mode, DIR_MODE);
    assert_int_equal(e.size, 0);

    assert_int_equal(cpio_next(&it, &e), 1);
    assert_string_equal(e.name, "etc/hello.txt");
    assert_int_equal(e.mode, FILE_MODE);
    assert_int_equal(e.size, 6);
    assert_memory_equal(e.data, "hello\n", 6);
    assert_int_equal(((const uint8_t *)e.data - copy) % 4, 0); /* data starts aligned */

    assert_int_equal(cpio_next(&it, &e), 1);
    assert_string_equal(e.name, "empty");
    assert_int_equal(e.size, 0);

    assert_int_equal(cpio_next(&it, &e), 1);
    assert_string_equal(e.name, "./odd");
    assert_memory_equal(e.data, "12345", 5);

    assert_int_equal(cpio_next(&it, &e), 0); /* the trailer */
    assert_int_equal(cpio_next(&it, &e), 0); /* and it stays there */
    free(copy);
}

/* An archive of just the trailer is empty; what follows a trailer (GNU
 * cpio pads to 512 bytes) is not read; lowercase hex is hex. */
static void test_edges(void **state)
{
    struct archive a = {0};
    struct cpio_iter it;
    struct cpio_entry e;

    (void)state;
    put_trailer(&a);
    cpio_iter_init(&it, a.buf, a.len);
    assert_int_equal(cpio_next(&it, &e), 0);

    a.len = 0;
    put(&a, "f", CPIO_MODE_REG | 0xabc, "x", 1, true);
    memcpy(a.buf + 6 + 8, "00008abc", 8); /* mode in lowercase */
    put_trailer(&a);
    memset(a.buf + a.len, 0, 512 - a.len);
    cpio_iter_init(&it, a.buf, 512);
    assert_int_equal(cpio_next(&it, &e), 1);
    assert_int_equal(e.mode, CPIO_MODE_REG | 0xabc);
    assert_int_equal(cpio_next(&it, &e), 0);
}

/* Lookups: "a/b", "./a/b" and "/a/b" all name the same entry, however it
 * was stored; the later of two entries with one name wins. */
static void test_find(void **state)
{
    static const struct {
        const char *path;
        const char *want; /* the data found; NULL: -ENOENT */
    } cases[] = {
        {"etc/hello.txt", "hello\n"},   /* stored as it is asked */
        {"./etc/hello.txt", "hello\n"}, /* ./ form */
        {"/etc/hello.txt", "hello\n"},  /* absolute form */
        {"top", "top\n"},               /* stored as "./top" */
        {"/top", "top\n"},              /* both sides stripped */
        {"/./top", "top\n"},            /* mixed prefixes */
        {"abs", "abs\n"},               /* stored as "/abs" */
        {"dup", "second\n"},            /* the later entry wins */
        {"etc/hello", NULL},            /* a prefix is not a match */
        {"hello.txt", NULL},            /* nor is a base name */
        {"etc/hello.txt/", NULL},       /* nor a trailing slash */
        {"missing", NULL},
    };
    struct archive a = {0};
    struct cpio_entry e;
    uint8_t *copy;

    (void)state;
    put(&a, ".", DIR_MODE, "", 0, true);
    put(&a, "etc", DIR_MODE, "", 0, true);
    put_file(&a, "etc/hello.txt", "hello\n");
    put_file(&a, "./top", "top\n");
    put_file(&a, "/abs", "abs\n");
    put_file(&a, "dup", "first\n");
    put_file(&a, "dup", "second\n");
    put_trailer(&a);
    copy = exact(&a, a.len);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = cpio_find(copy, a.len, cases[i].path, &e);

        if (!cases[i].want) {
            assert_int_equal(rc, -ENOENT);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(e.size, strlen(cases[i].want));
        assert_memory_equal(e.data, cases[i].want, e.size);
    }
    /* The root, whichever way it is written, and a directory. */
    assert_int_equal(cpio_find(copy, a.len, "/", &e), 0);
    assert_string_equal(e.name, ".");
    assert_int_equal(cpio_find(copy, a.len, "./etc", &e), 0);
    assert_int_equal(e.mode & CPIO_MODE_TYPE, CPIO_MODE_DIR);
    free(copy);
}

static void test_name_strip(void **state)
{
    (void)state;
    assert_string_equal(cpio_name_strip("a/b"), "a/b");
    assert_string_equal(cpio_name_strip("./a/b"), "a/b");
    assert_string_equal(cpio_name_strip("//a/b"), "a/b");
    assert_string_equal(cpio_name_strip("/././/a"), "a");
    assert_string_equal(cpio_name_strip("."), "");
    assert_string_equal(cpio_name_strip("./"), "");
    assert_string_equal(cpio_name_strip(".hidden"), ".hidden");
    assert_string_equal(cpio_name_strip("../a"), "../a");
}

/*
 * The base archive for the malformed cases, 244 bytes:
 *   0    header of "ab" (mode at 14, filesize at 54, namesize at 94, check at 102)
 *   110  "ab\0", then 3 bytes of padding at 113
 *   116  "xyz", then 1 byte of padding at 119
 *   120  the trailer's header (its namesize at 214)
 *   230  "TRAILER!!!\0", padding to 244
 */
static void base_archive(struct archive *a)
{
    memset(a, 0, sizeof(*a));
    put(a, "ab", FILE_MODE, "xyz", 3, true);
    put_trailer(a);
    assert_int_equal(a->len, 244);
}

struct bad_case {
    const char *why;
    size_t off;        /* where to write bytes */
    const char *bytes; /* NULL: nothing */
    size_t n;          /* how many (0: strlen) */
    size_t len;        /* the archive's length (0: the whole base) */
};

static const struct bad_case bad_cases[] = {
    {"empty archive: no trailer", 0, NULL, 0, 1},
    {"truncated in the first header", 0, NULL, 0, 50},
    {"truncated in the first name", 0, NULL, 0, 112},
    {"truncated in the name's padding", 0, NULL, 0, 114},
    {"truncated in the data", 0, NULL, 0, 118},
    {"truncated in the data's padding", 0, NULL, 0, 119},
    {"missing trailer: ends after the entry", 0, NULL, 0, 120},
    {"truncated in the trailer's header", 0, NULL, 0, 200},
    {"truncated in the trailer's name", 0, NULL, 0, 236},
    {"bad magic: old binary", 0, "\xc7\x71", 2, 0},
    {"bad magic: odc (070707)", 0, "070707", 0, 0},
    {"bad magic: crc (070702) is not newc", 0, "070702", 0, 0},
    {"bad magic in the trailer", 120, "070700", 0, 0},
    {"non-hex digit in filesize", 54, "0000000G", 0, 0},
    {"non-hex digit in check (unused, still checked)", 102, "0000000x", 0, 0},
    {"blank in mode", 14, " ", 0, 0},
    {"sign in namesize", 94, "+0000003", 0, 0},
    {"0x prefix in namesize", 94, "0x000003", 0, 0},
    {"namesize 0", 94, "00000000", 0, 0},
    {"name without NUL", 112, "c", 0, 0},
    {"name with a NUL before its end", 111, "\0", 1, 0},
    {"namesize 1 past the end", 94, "00000087", 0, 0},
    {"namesize huge", 94, "FFFFFFFF", 0, 0},
    {"trailer's namesize huge", 214, "FFFFFFFF", 0, 0},
    {"filesize huge", 54, "FFFFFFFF", 0, 0},
    {"filesize past the end", 54, "00000100", 0, 0},
    {"filesize so the data ends mid-way: next header misaligned", 54, "00000005", 0, 0},
    {"non-zero padding after the name", 113, "Z", 0, 0},
    {"non-zero padding after the data", 119, "Z", 0, 0},
};

/* Each malformed archive is -EBADMSG by the first entry it affects, stays
 * so, and makes every lookup fail, even of an entry before the fault. */
static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct archive a;
        struct cpio_iter it;
        struct cpio_entry e;
        uint8_t *copy;
        size_t len;
        int rc;

        base_archive(&a);
        if (c->bytes)
            memcpy(a.buf + c->off, c->bytes, c->n ? c->n : strlen(c->bytes));
        len = c->len ? c->len : a.len;
        copy = exact(&a, len);
        cpio_iter_init(&it, copy, len);
        while ((rc = cpio_next(&it, &e)) > 0)
            ;
        if (rc != -EBADMSG)
            fail_msg("%s: got %d", c->why, rc);
        assert_int_equal(cpio_next(&it, &e), -EBADMSG);
        assert_int_equal(cpio_find(copy, len, "ab", &e), -EBADMSG);
        free(copy);
    }
}

/* A writer that leaves out the padding: the reader finds the data where the
 * padding should be (non-zero), or the next header off its boundary. */
static void test_unpadded(void **state)
{
    struct archive a = {0};
    struct cpio_entry e;

    (void)state;
    put(&a, "ab", FILE_MODE, "xyz", 3, false);
    put_trailer(&a);
    assert_int_equal(cpio_find(a.buf, a.len, "ab", &e), -EBADMSG);

    memset(&a, 0, sizeof(a));
    put(&a, "abc", FILE_MODE, "xyz", 3, false); /* name ends aligned, data not */
    put_trailer(&a);
    assert_int_equal(cpio_find(a.buf, a.len, "abc", &e), -EBADMSG);
}

static void test_null_archive(void **state)
{
    struct cpio_iter it;
    struct cpio_entry e;

    (void)state;
    cpio_iter_init(&it, NULL, 100);
    assert_int_equal(cpio_next(&it, &e), -EBADMSG);
    assert_int_equal(cpio_find(NULL, 0, "a", &e), -EBADMSG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate),      cmocka_unit_test(test_edges),
        cmocka_unit_test(test_find),         cmocka_unit_test(test_name_strip),
        cmocka_unit_test(test_malformed),    cmocka_unit_test(test_unpadded),
        cmocka_unit_test(test_null_archive),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
