/* SPDX-License-Identifier: MIT */
/*
 * The console ring (common/conring.c): overwriting, and Xen's rules for
 * XEN_SYSCTL_readconsole readers: where a read starts (incremental index
 * or the oldest byte), what it copies, what clear drops, wrapping indices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xenolith/conring.h>

#define SIZE 16

struct sink {
    char buf[64];
    int fail_at; /* offset whose piece fails (-14), or -1 */
    unsigned int pieces;
};

static int sink_copy(void *ctx, uint32_t offset, const char *src, uint32_t len)
{
    struct sink *s = ctx;

    if (s->fail_at >= 0 && offset + len > (uint32_t)s->fail_at)
        return -14;
    assert_true(offset + len <= sizeof(s->buf));
    memcpy(s->buf + offset, src, len);
    s->pieces++;
    return 0;
}

/* What a readconsole call does with the ring: start, copy, clear; the
 * bytes read NUL-terminated in s->buf; returns the count read. */
static uint32_t ring_read(struct conring *r, struct sink *s, uint32_t max, bool incremental,
                          uint32_t *index, bool clear)
{
    uint32_t pos = conring_read_start(r, incremental, *index), done;

    memset(s->buf, 0, sizeof(s->buf));
    s->pieces = 0;
    assert_int_equal(conring_copy(r, pos, r->prod, max, sink_copy, s, &done), 0);
    if (clear)
        conring_clear(r, pos + done);
    *index = pos + done;
    return done;
}

static void ring_setup(struct conring *r, char *buf, const char *text)
{
    conring_init(r, buf, SIZE);
    conring_put(r, text, strlen(text));
}

/* Everything held, oldest first; reading neither consumes nor changes it. */
static void test_read_all(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index = 0;

    (void)state;
    ring_setup(&r, buf, "hello\n");
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), 6);
    assert_string_equal(s.buf, "hello\n");
    assert_int_equal(index, 6);
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), 6); /* again: the same */
    assert_string_equal(s.buf, "hello\n");
}

/* Past the size, the oldest bytes are overwritten; a read sees the last
 * SIZE, in order, as two pieces around the buffer's end. */
static void test_overwrite_and_wrap(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index = 0;

    (void)state;
    ring_setup(&r, buf, "0123456789abcdefXYZ");
    assert_int_equal(r.prod - r.cons, SIZE);
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), SIZE);
    assert_string_equal(s.buf, "3456789abcdefXYZ");
    assert_int_equal(s.pieces, 2);
}

/* The count bounds the read; the index says where it stopped. */
static void test_count_limits(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index = 0;

    (void)state;
    ring_setup(&r, buf, "abcdefgh");
    assert_int_equal(ring_read(&r, &s, 3, false, &index, false), 3);
    assert_string_equal(s.buf, "abc");
    assert_int_equal(index, 3);
    assert_int_equal(ring_read(&r, &s, 0, false, &index, false), 0); /* an empty buffer */
    assert_int_equal(index, 0);
}

/* Incremental: from the index while it names held bytes (cons < index <=
 * prod); otherwise (stale, ahead, equal to cons) from the oldest byte. */
static void test_incremental(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index = 0;

    (void)state;
    ring_setup(&r, buf, "abcdefgh");
    assert_int_equal(ring_read(&r, &s, 3, false, &index, false), 3);
    assert_int_equal(ring_read(&r, &s, 3, true, &index, false), 3);
    assert_string_equal(s.buf, "def");
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), 2);
    assert_string_equal(s.buf, "gh");
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), 0); /* index == prod: nothing */
    assert_int_equal(index, 8);
    conring_put(&r, "ij", 2);
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), 2); /* only what is new */
    assert_string_equal(s.buf, "ij");
    index = 1000; /* ahead of prod: from the oldest */
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), 10);
    index = 0; /* equal to cons: from the oldest too */
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), 10);
    conring_put(&r, "0123456789", 10); /* cons moves to 4: index 2 is stale */
    index = 2;
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), SIZE);
    assert_string_equal(s.buf, "efghij0123456789");
}

/* Clear drops what was read, only that: a partial read leaves the rest. */
static void test_clear(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index = 0;

    (void)state;
    ring_setup(&r, buf, "abcdefgh");
    assert_int_equal(ring_read(&r, &s, 3, false, &index, true), 3);
    assert_int_equal(r.cons, 3);
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), 5);
    assert_string_equal(s.buf, "defgh");
    assert_int_equal(ring_read(&r, &s, 64, false, &index, true), 5);
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), 0); /* empty now */
    assert_int_equal(index, 8);
    conring_put(&r, "new", 3);
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), 3);
    assert_string_equal(s.buf, "new");
}

/* A clear whose read was overtaken by writers keeps cons within a ring of prod. */
static void test_clear_overtaken(void **state)
{
    char buf[SIZE];
    struct conring r;

    (void)state;
    ring_setup(&r, buf, "abcd");
    conring_put(&r, "0123456789abcdefghij", 20);
    conring_clear(&r, 2);
    assert_int_equal(r.prod - r.cons, SIZE);
}

/* A failing copy stops the read there with its error; done counts what went. */
static void test_copy_fails(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = 0};
    uint32_t done = 99;

    (void)state;
    ring_setup(&r, buf, "0123456789abcdefXYZ"); /* two pieces */
    assert_int_equal(conring_copy(&r, r.cons, r.prod, 64, sink_copy, &s, &done), -14);
    assert_int_equal(done, 0);
    s.fail_at = 14; /* the second piece fails */
    assert_int_equal(conring_copy(&r, r.cons, r.prod, 64, sink_copy, &s, &done), -14);
    assert_int_equal(done, 13);
}

/* The indices run freely through 2^32: every rule holds across the wrap. */
static void test_index_wrap(void **state)
{
    char buf[SIZE];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index;

    (void)state;
    conring_init(&r, buf, SIZE);
    r.prod = r.cons = UINT32_MAX - 2;
    conring_put(&r, "abcdef", 6);
    assert_int_equal(r.prod, 3);
    index = UINT32_MAX;
    assert_int_equal(ring_read(&r, &s, 64, true, &index, false), 4);
    assert_string_equal(s.buf, "cdef");
    assert_int_equal(index, 3);
    index = 10; /* past prod */
    assert_int_equal(ring_read(&r, &s, 64, true, &index, true), 6);
    assert_string_equal(s.buf, "abcdef");
    assert_int_equal(r.cons, 3);
}

/* Moving to a larger buffer keeps contents and indices; to a smaller, the newest. */
static void test_move(void **state)
{
    char small[SIZE], big[4 * SIZE], tiny[8];
    struct conring r;
    struct sink s = {.fail_at = -1};
    uint32_t index = 0;

    (void)state;
    ring_setup(&r, small, "0123456789abcdefXYZ");
    conring_move(&r, big, sizeof(big));
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), SIZE);
    assert_string_equal(s.buf, "3456789abcdefXYZ");
    assert_int_equal(index, 19);
    conring_put(&r, "!", 1);
    assert_int_equal(r.prod - r.cons, SIZE + 1); /* no longer overwritten */
    conring_move(&r, tiny, sizeof(tiny));
    assert_int_equal(ring_read(&r, &s, 64, false, &index, false), 8);
    assert_string_equal(s.buf, "cdefXYZ!");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_all),     cmocka_unit_test(test_overwrite_and_wrap),
        cmocka_unit_test(test_count_limits), cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_clear),        cmocka_unit_test(test_clear_overtaken),
        cmocka_unit_test(test_copy_fails),   cmocka_unit_test(test_index_wrap),
        cmocka_unit_test(test_move),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
