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

/* Each case's ring, its reader's sink and index. */
struct fx {
    char buf[SIZE];
    struct conring r;
    struct sink s;
    uint32_t index;
};

static int fx_setup(void **state)
{
    static struct fx f;

    memset(&f, 0, sizeof(f));
    conring_init(&f.r, f.buf, SIZE);
    f.s.fail_at = -1;
    *state = &f;
    return 0;
}

static void fx_put(struct fx *f, const char *text)
{
    conring_put(&f->r, text, strlen(text));
}

/* What a readconsole call does with the ring: start at f->index or the
 * oldest byte, copy, clear; the bytes read NUL-terminated in f->s.buf;
 * f->index where it stopped; returns the count read. */
static uint32_t fx_read(struct fx *f, uint32_t max, bool incremental, bool clear)
{
    uint32_t pos = conring_read_start(&f->r, incremental, f->index), done;

    memset(f->s.buf, 0, sizeof(f->s.buf));
    f->s.pieces = 0;
    assert_int_equal(conring_copy(&f->r, pos, f->r.prod, max, sink_copy, &f->s, &done), 0);
    if (clear)
        conring_clear(&f->r, pos + done);
    f->index = pos + done;
    return done;
}

/* Everything held, oldest first; reading neither consumes nor changes it. */
static void test_read_all(void **state)
{
    struct fx *f = *state;

    fx_put(f, "hello\n");
    assert_int_equal(fx_read(f, 64, false, false), 6);
    assert_string_equal(f->s.buf, "hello\n");
    assert_int_equal(f->index, 6);
    assert_int_equal(fx_read(f, 64, false, false), 6); /* again: the same */
    assert_string_equal(f->s.buf, "hello\n");
}

/* Past the size, the oldest bytes are overwritten; a read sees the last
 * SIZE, in order, as two pieces around the buffer's end. */
static void test_overwrite_and_wrap(void **state)
{
    struct fx *f = *state;

    fx_put(f, "0123456789abcdefXYZ");
    assert_int_equal(f->r.prod - f->r.cons, SIZE);
    assert_int_equal(fx_read(f, 64, false, false), SIZE);
    assert_string_equal(f->s.buf, "3456789abcdefXYZ");
    assert_int_equal(f->s.pieces, 2);
}

/* The count bounds the read; the index says where it stopped. */
static void test_count_limits(void **state)
{
    struct fx *f = *state;

    fx_put(f, "abcdefgh");
    assert_int_equal(fx_read(f, 3, false, false), 3);
    assert_string_equal(f->s.buf, "abc");
    assert_int_equal(f->index, 3);
    assert_int_equal(fx_read(f, 0, false, false), 0); /* an empty buffer */
    assert_int_equal(f->index, 0);
}

/* Incremental: from the index while it names held bytes (cons < index <=
 * prod); otherwise (stale, ahead, equal to cons) from the oldest byte. */
static void test_incremental(void **state)
{
    struct fx *f = *state;

    fx_put(f, "abcdefgh");
    assert_int_equal(fx_read(f, 3, false, false), 3);
    assert_int_equal(fx_read(f, 3, true, false), 3);
    assert_string_equal(f->s.buf, "def");
    assert_int_equal(fx_read(f, 64, true, false), 2);
    assert_string_equal(f->s.buf, "gh");
    assert_int_equal(fx_read(f, 64, true, false), 0); /* index == prod: nothing */
    assert_int_equal(f->index, 8);
    conring_put(&f->r, "ij", 2);
    assert_int_equal(fx_read(f, 64, true, false), 2); /* only what is new */
    assert_string_equal(f->s.buf, "ij");
    f->index = 1000; /* ahead of prod: from the oldest */
    assert_int_equal(fx_read(f, 64, true, false), 10);
    f->index = 0; /* equal to cons: from the oldest too */
    assert_int_equal(fx_read(f, 64, true, false), 10);
    conring_put(&f->r, "0123456789", 10); /* cons moves to 4: index 2 is stale */
    f->index = 2;
    assert_int_equal(fx_read(f, 64, true, false), SIZE);
    assert_string_equal(f->s.buf, "efghij0123456789");
}

/* Clear drops what was read, only that: a partial read leaves the rest. */
static void test_clear(void **state)
{
    struct fx *f = *state;

    fx_put(f, "abcdefgh");
    assert_int_equal(fx_read(f, 3, false, true), 3);
    assert_int_equal(f->r.cons, 3);
    assert_int_equal(fx_read(f, 64, false, false), 5);
    assert_string_equal(f->s.buf, "defgh");
    assert_int_equal(fx_read(f, 64, false, true), 5);
    assert_int_equal(fx_read(f, 64, false, false), 0); /* empty now */
    assert_int_equal(f->index, 8);
    conring_put(&f->r, "new", 3);
    assert_int_equal(fx_read(f, 64, false, false), 3);
    assert_string_equal(f->s.buf, "new");
}

/* A clear whose read was overtaken by writers keeps cons within a ring of prod. */
static void test_clear_overtaken(void **state)
{
    struct fx *f = *state;

    fx_put(f, "abcd");
    conring_put(&f->r, "0123456789abcdefghij", 20);
    conring_clear(&f->r, 2);
    assert_int_equal(f->r.prod - f->r.cons, SIZE);
}

/* A failing copy stops the read there with its error; done counts what went. */
static void test_copy_fails(void **state)
{
    struct fx *f = *state;
    uint32_t done = 99;

    f->s.fail_at = 0;
    fx_put(f, "0123456789abcdefXYZ"); /* two pieces */
    assert_int_equal(conring_copy(&f->r, f->r.cons, f->r.prod, 64, sink_copy, &f->s, &done), -14);
    assert_int_equal(done, 0);
    f->s.fail_at = 14; /* the second piece fails */
    assert_int_equal(conring_copy(&f->r, f->r.cons, f->r.prod, 64, sink_copy, &f->s, &done), -14);
    assert_int_equal(done, 13);
}

/* The indices run freely through 2^32: every rule holds across the wrap. */
static void test_index_wrap(void **state)
{
    struct fx *f = *state;

    f->r.prod = f->r.cons = UINT32_MAX - 2;
    conring_put(&f->r, "abcdef", 6);
    assert_int_equal(f->r.prod, 3);
    f->index = UINT32_MAX;
    assert_int_equal(fx_read(f, 64, true, false), 4);
    assert_string_equal(f->s.buf, "cdef");
    assert_int_equal(f->index, 3);
    f->index = 10; /* past prod */
    assert_int_equal(fx_read(f, 64, true, true), 6);
    assert_string_equal(f->s.buf, "abcdef");
    assert_int_equal(f->r.cons, 3);
}

/* Moving to a larger buffer keeps contents and indices; to a smaller, the newest. */
static void test_move(void **state)
{
    struct fx *f = *state;
    char big[4 * SIZE], tiny[8];

    fx_put(f, "0123456789abcdefXYZ");
    conring_move(&f->r, big, sizeof(big));
    assert_int_equal(fx_read(f, 64, false, false), SIZE);
    assert_string_equal(f->s.buf, "3456789abcdefXYZ");
    assert_int_equal(f->index, 19);
    conring_put(&f->r, "!", 1);
    assert_int_equal(f->r.prod - f->r.cons, SIZE + 1); /* no longer overwritten */
    conring_move(&f->r, tiny, sizeof(tiny));
    assert_int_equal(fx_read(f, 64, false, false), 8);
    assert_string_equal(f->s.buf, "cdefXYZ!");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_read_all, fx_setup),
        cmocka_unit_test_setup(test_overwrite_and_wrap, fx_setup),
        cmocka_unit_test_setup(test_count_limits, fx_setup),
        cmocka_unit_test_setup(test_incremental, fx_setup),
        cmocka_unit_test_setup(test_clear, fx_setup),
        cmocka_unit_test_setup(test_clear_overtaken, fx_setup),
        cmocka_unit_test_setup(test_copy_fails, fx_setup),
        cmocka_unit_test_setup(test_index_wrap, fx_setup),
        cmocka_unit_test_setup(test_move, fx_setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
