/* SPDX-License-Identifier: MIT */
/*
 * Xenstore transactions (guest/xenstore/xs_txn.c) through the protocol:
 * isolation until commit, commit, abort, EAGAIN when a node the
 * transaction read or wrote changed under it, and the quota.
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

#define TREQ(c, tx, type, ...) assert_int_equal(xs_h_req(c, type, tx, __VA_ARGS__, XS_END), 0)
/* Values written with xs_h_req carry their NUL, shown as '|'. */

static int setup(void **state)
{
    xs_h_fixture_setup(state);
    TREQ(D0, 0, XS_WRITE, "/a", "1");
    TREQ(D0, 0, XS_WRITE, "/b", "2");
    TREQ(D0, 0, XS_WRITE, "/d/e/f", "3");
    xs_h_drain(D0);
    return 0;
}

static uint32_t start(struct xs_conn *c)
{
    const char *reply;

    TREQ(c, 0, XS_TRANSACTION_START, "");
    reply = xs_h_pop(c);
    assert_memory_equal(reply, "TRANSACTION_START:", 18);
    return (uint32_t)strtoul(reply + 18, NULL, 10);
}

/* Changes are seen inside only, until commit publishes them all. */
static void test_commit(void **state)
{
    uint32_t tx = start(D0);

    (void)state;
    TREQ(D0, tx, XS_WRITE, "/a", "10");
    TREQ(D0, tx, XS_WRITE, "/new/deep", "x");
    TREQ(D0, tx, XS_RM, "/b");
    assert_int_equal(xs_h_drain(D0), 3);
    TREQ(D0, tx, XS_READ, "/a");
    POP(D0, "READ:10|");
    TREQ(D0, 0, XS_READ, "/a");
    POP(D0, "READ:1|");
    TREQ(D0, 0, XS_READ, "/new/deep");
    POP(D0, "ERROR:ENOENT|");
    TREQ(D0, tx, XS_DIRECTORY, "/");
    POP(D0, "DIRECTORY:a|d|new|");
    TREQ(D0, tx, XS_TRANSACTION_END, "T");
    POP(D0, "TRANSACTION_END:OK|");
    TREQ(D0, 0, XS_READ, "/a");
    POP(D0, "READ:10|");
    TREQ(D0, 0, XS_READ, "/new/deep");
    POP(D0, "READ:x|");
    TREQ(D0, 0, XS_READ, "/b");
    POP(D0, "ERROR:ENOENT|");
}

/* Abort ("F") drops everything. */
static void test_abort(void **state)
{
    uint32_t tx = start(D0);

    (void)state;
    TREQ(D0, tx, XS_WRITE, "/a", "10");
    TREQ(D0, tx, XS_TRANSACTION_END, "F");
    xs_h_drain(D0);
    TREQ(D0, 0, XS_READ, "/a");
    POP(D0, "READ:1|");
}

/* A node read, written, listed or found missing in the transaction, changed outside: EAGAIN. */
static void test_conflicts(void **state)
{
    struct {
        const char *what;
        uint32_t type;
        const char *arg; /* the transaction's request */
        const char *outside_path, *outside_value;
    } cases[] = {
        {"read, then written outside", XS_READ, "/a", "/a", "9"},
        {"written, then written outside", XS_MKDIR, "/a", "/a", "9"},
        {"listed, then a child created", XS_DIRECTORY, "/", "/c", "9"},
        {"found missing, then created", XS_READ, "/missing", "/missing", "9"},
        {"removed, then a child created", XS_RM, "/a", "/a/child", "9"},
        {"removed, then a node deep below it written", XS_RM, "/d", "/d/e/f", "9"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint32_t tx = start(D0);

        TREQ(D0, tx, cases[i].type, cases[i].arg);
        TREQ(D0, 0, XS_WRITE, cases[i].outside_path, cases[i].outside_value);
        xs_h_drain(D0);
        TREQ(D0, tx, XS_TRANSACTION_END, "T");
        POP(D0, "ERROR:EAGAIN|");
        assert_int_equal(D0->nr_txns, 0); /* ended either way */
    }
}

/* Changes to nodes the transaction never touched do not conflict, and survive the commit. */
static void test_no_false_conflict(void **state)
{
    uint32_t tx = start(D0);

    (void)state;
    TREQ(D0, tx, XS_WRITE, "/a", "10");
    TREQ(D0, 0, XS_WRITE, "/b", "20");
    xs_h_drain(D0);
    TREQ(D0, tx, XS_TRANSACTION_END, "T");
    POP(D0, "TRANSACTION_END:OK|");
    TREQ(D0, 0, XS_READ, "/b");
    POP(D0, "READ:20|");
    TREQ(D0, 0, XS_READ, "/a");
    POP(D0, "READ:10|");
}

/* Two transactions on the same node: the first commit wins, the second retries. */
static void test_two_transactions(void **state)
{
    struct xs_conn *d5 = xs_h_domu(5);
    uint32_t t0, t5;

    (void)state;
    TREQ(D0, 0, XS_MKDIR, "/local/domain/5");
    TREQ(D0, 0, XS_SET_PERMS, "/local/domain/5", "n5");
    xs_h_drain(D0);
    t0 = start(D0);
    t5 = start(d5);
    TREQ(D0, t0, XS_WRITE, "/local/domain/5/x", "dom0");
    TREQ(d5, t5, XS_WRITE, "x", "dom5");
    xs_h_drain(D0);
    xs_h_drain(d5);
    TREQ(d5, t5, XS_TRANSACTION_END, "T");
    POP(d5, "TRANSACTION_END:OK|");
    TREQ(D0, t0, XS_TRANSACTION_END, "T");
    POP(D0, "ERROR:EAGAIN|");
    TREQ(D0, 0, XS_READ, "/local/domain/5/x");
    POP(D0, "READ:dom5|");
    TREQ(D0, 0, XS_GET_PERMS, "/local/domain/5/x");
    POP(D0, "GET_PERMS:n5|"); /* perms come over with the commit */
}

/* Removing a subtree and re-creating part of it in one transaction. */
static void test_rm_then_write(void **state)
{
    uint32_t tx;

    (void)state;
    TREQ(D0, 0, XS_WRITE, "/t/old", "o");
    TREQ(D0, 0, XS_WRITE, "/t/keep", "k");
    xs_h_drain(D0);
    tx = start(D0);
    TREQ(D0, tx, XS_RM, "/t");
    TREQ(D0, tx, XS_WRITE, "/t/keep", "k2");
    assert_int_equal(xs_h_drain(D0), 2);
    TREQ(D0, tx, XS_TRANSACTION_END, "T");
    POP(D0, "TRANSACTION_END:OK|");
    TREQ(D0, 0, XS_DIRECTORY, "/t");
    POP(D0, "DIRECTORY:keep|");
    TREQ(D0, 0, XS_READ, "/t/keep");
    POP(D0, "READ:k2|");
}

/* A domU may hold 10 transactions at once; dom0 more. */
static void test_quota(void **state)
{
    struct xs_conn *d5 = xs_h_domu(5);
    unsigned int i;

    (void)state;
    for (i = 0; i < 10; i++)
        start(d5);
    TREQ(d5, 0, XS_TRANSACTION_START, "");
    POP(d5, "ERROR:ENOSPC|");
    for (i = 0; i < 11; i++)
        start(D0);
    assert_int_equal(D0->nr_txns, 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit, setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_abort, setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_conflicts, setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_no_false_conflict, setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_transactions, setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rm_then_write, setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_quota, setup, xs_h_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
