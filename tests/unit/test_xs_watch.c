/* SPDX-License-Identifier: MIT */
/*
 * Xenstore watches (guest/xenstore/xs_watch.c): a watch fires for its node
 * and anything below it, with its token; removal fires watches below too;
 * domains see only what they may read; relative watches get relative
 * paths; transactions fire at commit; the special watches are dom0's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xs_harness.h"

/* A change at /a/b/c fires watches on /a/b/c, /a/b, /a and /, not on siblings. */
static void test_ancestors_fire(void **state)
{
    (void)state;
    REQ(D0, XS_WATCH, "/a", "A");
    REQ(D0, XS_WATCH, "/a/b/c", "C");
    REQ(D0, XS_WATCH, "/a/x", "X");
    REQ(D0, XS_WATCH, "/ab", "AB"); /* a prefix, not an ancestor */
    assert_int_equal(xs_h_drain(D0), 8);
    REQ(D0, XS_WRITE, "/a/b/c", "v");
    POP(D0, "WATCH_EVENT:/a/b/c|A|"); /* in the order the watches were set */
    POP(D0, "WATCH_EVENT:/a/b/c|C|");
    POP(D0, "WRITE:OK|");
    POP(D0, "");
    /* Same path, two tokens: two events. */
    REQ(D0, XS_WATCH, "/a", "A2");
    xs_h_drain(D0);
    REQ(D0, XS_MKDIR, "/a/new");
    POP(D0, "WATCH_EVENT:/a/new|A|");
    POP(D0, "WATCH_EVENT:/a/new|A2|");
    POP(D0, "MKDIR:OK|");
    REQ(D0, XS_MKDIR, "/a/new"); /* exists: no change, no event */
    POP(D0, "MKDIR:OK|");
    POP(D0, "");
    /* Unwatched: silent. */
    REQ(D0, XS_UNWATCH, "/a", "A2");
    REQ(D0, XS_UNWATCH, "/a", "A");
    xs_h_drain(D0);
    REQ(D0, XS_WRITE, "/a/new", "v");
    POP(D0, "WRITE:OK|");
    POP(D0, "");
}

/* Removing /a fires watches on /a's ancestors with /a, and on nodes below with their own path. */
static void test_rm_fires_below(void **state)
{
    (void)state;
    REQ(D0, XS_WRITE, "/a/b/c", "v");
    REQ(D0, XS_WATCH, "/", "R");
    REQ(D0, XS_WATCH, "/a/b/c", "C");
    REQ(D0, XS_WATCH, "/a/b/c/never", "N"); /* below, though it never existed */
    xs_h_drain(D0);
    REQ(D0, XS_RM, "/a");
    POP(D0, "WATCH_EVENT:/a|R|");
    POP(D0, "WATCH_EVENT:/a/b/c|C|");
    POP(D0, "WATCH_EVENT:/a/b/c/never|N|");
    POP(D0, "RM:OK|");
    POP(D0, "");
}

/* Events reach only domains that may read the node; relative watches see relative paths. */
static void test_perms_and_relative(void **state)
{
    struct xs_conn *d5 = xs_h_domu(5), *d6 = xs_h_domu(6);

    (void)state;
    REQ(D0, XS_MKDIR, "/local/domain/5");
    REQ(D0, XS_SET_PERMS, "/local/domain/5", "n5");
    xs_h_drain(D0);
    REQ(d5, XS_WATCH, "device", "rel");
    POP(d5, "WATCH:OK|");
    POP(d5, "WATCH_EVENT:device|rel|");
    REQ(d6, XS_WATCH, "/local/domain/5", "spy"); /* allowed to watch, but sees nothing */
    xs_h_drain(d6);
    REQ(D0, XS_WRITE, "/local/domain/5/device/vif/0", "x");
    xs_h_drain(D0);
    POP(d5, "WATCH_EVENT:device/vif/0|rel|");
    POP(d5, "");
    POP(d6, "");
    /* Readable to dom6 now: it hears about it. */
    REQ(D0, XS_SET_PERMS, "/local/domain/5/device/vif/0", "n5", "r6");
    xs_h_drain(D0);
    POP(d6, "WATCH_EVENT:/local/domain/5/device/vif/0|spy|");
    xs_h_drain(d5);
}

/* Inside a transaction nothing fires until the commit; an abort fires nothing. */
static void test_transaction_fires_at_commit(void **state)
{
    const char *reply;
    unsigned long tx;

    (void)state;
    REQ(D0, XS_WATCH, "/t", "T");
    xs_h_drain(D0);
    REQ(D0, XS_TRANSACTION_START, "");
    reply = xs_h_pop(D0);
    tx = strtoul(reply + strlen("TRANSACTION_START:"), NULL, 10);
    assert_int_equal(xs_h_req(D0, XS_WRITE, (uint32_t)tx, "/t/x", "1", XS_END), 0);
    POP(D0, "WRITE:OK|");
    POP(D0, "");
    assert_int_equal(xs_h_req(D0, XS_TRANSACTION_END, (uint32_t)tx, "T", XS_END), 0);
    POP(D0, "WATCH_EVENT:/t/x|T|");
    POP(D0, "TRANSACTION_END:OK|");
    POP(D0, "");
}

/* @introduceDomain / @releaseDomain: fired by INTRODUCE and RELEASE, for dom0 only. */
static void test_special_watches(void **state)
{
    struct xs_conn *d5 = xs_h_domu(5);

    (void)state;
    REQ(D0, XS_WATCH, "@introduceDomain", "I");
    REQ(D0, XS_WATCH, "@releaseDomain", "R");
    REQ(d5, XS_WATCH, "@releaseDomain", "R5");
    POP(d5, "WATCH:OK|");
    POP(d5, "WATCH_EVENT:@releaseDomain|R5|"); /* the first event is always sent */
    xs_h_drain(D0);
    REQ(D0, XS_WRITE, "/x", "1"); /* ordinary changes do not fire them */
    POP(D0, "WRITE:OK|");
    REQ(D0, XS_INTRODUCE, "9", "1", "1");
    POP(D0, "WATCH_EVENT:@introduceDomain|I|");
    POP(D0, "INTRODUCE:OK|");
    REQ(D0, XS_RELEASE, "9");
    POP(D0, "WATCH_EVENT:@releaseDomain|R|");
    POP(D0, "RELEASE:OK|");
    POP(d5, "");
}

/* An event longer than a payload is not sent (as xenstored); the watch stays. */
static void test_overlong_event(void **state)
{
    static char token[4001], path[XENSTORE_REL_PATH_MAX + 1];
    const char *event;

    (void)state;
    memset(token, 't', 4000);
    REQ(D0, XS_WATCH, "/w", token);
    assert_int_equal(xs_h_drain(D0), 2);
    memset(path, 'p', XENSTORE_REL_PATH_MAX); /* 2049 + 4001 bytes: too long */
    memcpy(path, "/w/", 3);
    REQ(D0, XS_MKDIR, path);
    POP(D0, "MKDIR:OK|");
    REQ(D0, XS_MKDIR, "/w/x"); /* 5 + 4001: fits */
    event = xs_h_pop(D0);
    assert_memory_equal(event, "WATCH_EVENT:/w/x|tttt", 21);
    POP(D0, "MKDIR:OK|");
}

/* 128 watches per domU connection; dom0 unlimited. */
static void test_quota(void **state)
{
    struct xs_conn *d5 = xs_h_domu(5);
    char token[16];
    int i;

    (void)state;
    for (i = 0; i < 128; i++) {
        snprintf(token, sizeof(token), "t%d", i);
        REQ(d5, XS_WATCH, "/w", token);
        POP(d5, "WATCH:OK|");
        xs_h_drain(d5);
    }
    REQ(d5, XS_WATCH, "/w", "one-more");
    POP(d5, "ERROR:E2BIG|");
    for (i = 0; i < 129; i++) {
        snprintf(token, sizeof(token), "t%d", i);
        REQ(D0, XS_WATCH, "/w", token);
    }
    assert_int_equal(D0->nr_watches, 129);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ancestors_fire, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rm_fires_below, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_perms_and_relative, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_transaction_fires_at_commit, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_special_watches, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_overlong_event, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_quota, xs_h_fixture_setup, xs_h_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
