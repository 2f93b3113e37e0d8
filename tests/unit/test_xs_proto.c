/* SPDX-License-Identifier: MIT */
/*
 * The xenstore wire protocol (guest/xenstore/xs_proto.c): every request
 * type as a domain sends it through its ring, the replies xenstored would
 * give, and each malformed request answered with an ERROR or a verdict to
 * close the connection, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "xs_harness.h"

/* WRITE, READ, MKDIR, DIRECTORY, RM round trip as dom0. */
static void test_basic_ops(void **state)
{
    (void)state;
    assert_int_equal(xs_h_send(D0, XS_WRITE, 0, "/a/b\0value", 10), 0);
    POP(D0, "WRITE:OK|");
    REQ(D0, XS_READ, "/a/b");
    POP(D0, "READ:value");
    REQ(D0, XS_READ, "/a");
    POP(D0, "READ:");                                             /* created parents are empty */
    assert_int_equal(xs_h_send(D0, XS_WRITE, 0, "/a/c\0", 5), 0); /* empty value */
    POP(D0, "WRITE:OK|");
    REQ(D0, XS_MKDIR, "/a/d/e");
    POP(D0, "MKDIR:OK|");
    REQ(D0, XS_MKDIR, "/a/d/e");
    POP(D0, "MKDIR:OK|");
    REQ(D0, XS_DIRECTORY, "/a");
    POP(D0, "DIRECTORY:b|c|d|");
    REQ(D0, XS_DIRECTORY, "/a/c");
    POP(D0, "DIRECTORY:");
    REQ(D0, XS_RM, "/a/d");
    POP(D0, "RM:OK|");
    REQ(D0, XS_RM, "/a/d"); /* gone, parent there: fine */
    POP(D0, "RM:OK|");
    REQ(D0, XS_RM, "/a/d/e"); /* parent gone too */
    POP(D0, "ERROR:ENOENT|");
    REQ(D0, XS_READ, "/a/d/e");
    POP(D0, "ERROR:ENOENT|");
    REQ(D0, XS_RM, "/");
    POP(D0, "ERROR:EINVAL|");
    POP(D0, "");
}

/* GET_PERMS and SET_PERMS, and what a domU may then do through the protocol. */
static void test_perms_ops(void **state)
{
    struct xs_conn *d5 = xs_h_domu(5), *d6 = xs_h_domu(6);

    (void)state;
    REQ(D0, XS_MKDIR, "/local/domain/5");
    REQ(D0, XS_SET_PERMS, "/local/domain/5", "n5", "r6");
    xs_h_drain(D0);
    REQ(D0, XS_GET_PERMS, "/local/domain/5");
    POP(D0, "GET_PERMS:n5|r6|");
    /* Relative paths are below the caller's home. */
    assert_int_equal(xs_h_send(d5, XS_WRITE, 0, "name\0vm5", 8), 0);
    POP(d5, "WRITE:OK|");
    REQ(d5, XS_READ, "/local/domain/5/name");
    POP(d5, "READ:vm5");
    REQ(d5, XS_GET_PERMS, "name");
    POP(d5, "GET_PERMS:n5|r6|"); /* inherited; dom5 owns what it created */
    REQ(d6, XS_READ, "/local/domain/5/name");
    POP(d6, "READ:vm5");
    assert_int_equal(xs_h_send(d6, XS_WRITE, 0, "/local/domain/5/name\0x", 22), 0);
    POP(d6, "ERROR:EACCES|");
    REQ(d6, XS_READ, "/local/domain/0/x");
    POP(d6, "ERROR:EACCES|"); /* not ENOENT: the root is not readable */
    REQ(d6, XS_SET_PERMS, "/local/domain/5/name", "b6");
    POP(d6, "ERROR:EACCES|");
    REQ(d5, XS_SET_PERMS, "name", "b6"); /* owner, but may not give it away */
    POP(d5, "ERROR:EPERM|");
    REQ(d5, XS_SET_PERMS, "name", "n5");
    POP(d5, "SET_PERMS:OK|");
    REQ(d6, XS_READ, "/local/domain/5/name");
    POP(d6, "ERROR:EACCES|");
    /* Malformed permission lists. */
    REQ(D0, XS_SET_PERMS, "/local/domain/5");
    POP(D0, "ERROR:EINVAL|"); /* no permission at all */
    REQ(D0, XS_SET_PERMS, "/local/domain/5", "x5");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_SET_PERMS, "/local/domain/5", "r");
    POP(D0, "ERROR:EINVAL|");
    assert_int_equal(xs_h_send(D0, XS_SET_PERMS, 0, "/local/domain/5\0n5", 18), 0);
    POP(D0, "ERROR:EINVAL|"); /* last string unterminated */
    REQ(d5, XS_SET_PERMS, "name", "n5", "r1", "r2", "r3", "r4", "r6"); /* six entries */
    POP(d5, "ERROR:ENOSPC|");
    REQ(D0, XS_GET_PERMS, "@releaseDomain");
    POP(D0, "ERROR:EINVAL|");
}

/* Ring framing: bad lengths close the connection; unknown types get ENOSYS. */
static void test_framing(void **state)
{
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    struct xsd_sockmsg hdr = {XS_READ, 1, 0, 10};
    char buf[sizeof(hdr) + 4] = {0};

    (void)state;
    assert_int_equal(xs_request(&xs_h_store, D0, buf, 3), XS_CLOSE); /* short header */
    memcpy(buf, &hdr, sizeof(hdr));
    assert_int_equal(xs_request(&xs_h_store, D0, buf, sizeof(buf)), XS_CLOSE); /* len lies */
    assert_int_equal(xs_h_send(D0, XS_WRITE, 0, big, sizeof(big)), XS_CLOSE);  /* > 4096 */
    POP(D0, "");
    /* Exactly XENSTORE_PAYLOAD_MAX is allowed. */
    memcpy(big, "/big", 5);
    assert_int_equal(xs_h_send(D0, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX), 0);
    POP(D0, "WRITE:OK|");
    /* Types nobody may send, or that this core does not implement. */
    REQ(D0, XS_CONTROL, "x");
    POP(D0, "ERROR:ENOSYS|");
    REQ(D0, XS_WATCH_EVENT, "x");
    POP(D0, "ERROR:ENOSYS|");
    REQ(D0, XS_ERROR, "x");
    POP(D0, "ERROR:ENOSYS|");
    REQ(D0, XS_SET_TARGET, "1", "2");
    POP(D0, "ERROR:ENOSYS|");
    REQ(D0, XS_DIRECTORY_PART, "/", "0");
    POP(D0, "ERROR:ENOSYS|");
    REQ(D0, XS_TYPE_COUNT, "x");
    POP(D0, "ERROR:ENOSYS|");
    REQ(D0, 0xffff, "x");
    POP(D0, "ERROR:ENOSYS|");
}

/* Each fixed-arity request with too few, too many or unterminated strings. */
static void test_argument_counts(void **state)
{
    static const uint32_t one_arg[] = {XS_READ,
                                       XS_MKDIR,
                                       XS_RM,
                                       XS_DIRECTORY,
                                       XS_GET_PERMS,
                                       XS_TRANSACTION_END,
                                       XS_RELEASE,
                                       XS_GET_DOMAIN_PATH,
                                       XS_IS_DOMAIN_INTRODUCED,
                                       XS_RESUME,
                                       XS_TRANSACTION_START};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(one_arg) / sizeof(one_arg[0]); i++) {
        assert_int_equal(xs_h_send(D0, one_arg[i], 0, "", 0), 0); /* none */
        POP(D0, "ERROR:EINVAL|");
        assert_int_equal(xs_h_send(D0, one_arg[i], 0, "/a", 2), 0); /* no NUL */
        POP(D0, "ERROR:EINVAL|");
        REQ(D0, one_arg[i], "/a", "/b"); /* two */
        POP(D0, "ERROR:EINVAL|");
    }
    REQ(D0, XS_WATCH, "/a");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_WATCH, "/a", "t", "x");
    POP(D0, "ERROR:EINVAL|");
    assert_int_equal(xs_h_send(D0, XS_WATCH, 0, "/a\0t", 4), 0);
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_UNWATCH, "/a");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_INTRODUCE, "1", "2");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_INTRODUCE, "1", "2", "3", "4");
    POP(D0, "ERROR:EINVAL|");
    assert_int_equal(xs_h_send(D0, XS_WRITE, 0, "/a", 2), 0); /* path without NUL */
    POP(D0, "ERROR:EINVAL|");
    assert_int_equal(xs_h_send(D0, XS_WRITE, 0, "", 0), 0);
    POP(D0, "ERROR:EINVAL|");
    /* Invalid paths. */
    REQ(D0, XS_READ, "/a//b");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_WRITE, "/a/", "v");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_MKDIR, "@introduceDomain");
    POP(D0, "ERROR:EINVAL|");
}

/* INTRODUCE, IS_DOMAIN_INTRODUCED, RESUME, RELEASE, GET_DOMAIN_PATH. */
static void test_domain_ops(void **state)
{
    struct xs_conn *d7;

    (void)state;
    REQ(D0, XS_GET_DOMAIN_PATH, "7");
    POP(D0, "GET_DOMAIN_PATH:/local/domain/7|");
    REQ(D0, XS_GET_DOMAIN_PATH, "x7");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_IS_DOMAIN_INTRODUCED, "7");
    POP(D0, "IS_DOMAIN_INTRODUCED:F|");
    REQ(D0, XS_INTRODUCE, "7", "4660", "3");
    POP(D0, "INTRODUCE:OK|");
    assert_int_equal(xs_h_nr_introduced, 1);
    d7 = xs_conn_find(&xs_h_store, 7);
    assert_non_null(d7);
    assert_false(d7->privileged);
    assert_int_equal(d7->mfn, 4660);
    REQ(D0, XS_IS_DOMAIN_INTRODUCED, "7");
    POP(D0, "IS_DOMAIN_INTRODUCED:T|");
    REQ(D0, XS_IS_DOMAIN_INTRODUCED, "32752"); /* DOMID_SELF */
    POP(D0, "IS_DOMAIN_INTRODUCED:T|");
    /* Again with the same ring: rebinds; with another: refused. */
    REQ(D0, XS_INTRODUCE, "7", "4660", "4");
    POP(D0, "INTRODUCE:OK|");
    assert_int_equal(d7->port, 4);
    REQ(D0, XS_INTRODUCE, "7", "4661", "4");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_INTRODUCE, "32752", "1", "1"); /* reserved domid */
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_INTRODUCE, "8", "1", "x");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_INTRODUCE, "666", "1", "1"); /* the daemon's hook fails */
    POP(D0, "ERROR:ENOMEM|");
    assert_null(xs_conn_find(&xs_h_store, 666));
    /* Only dom0 may manage domains, or ask about them. */
    REQ(d7, XS_INTRODUCE, "9", "1", "1");
    POP(d7, "ERROR:EACCES|");
    REQ(d7, XS_RELEASE, "7");
    POP(d7, "ERROR:EACCES|");
    REQ(d7, XS_RESUME, "7");
    POP(d7, "ERROR:EACCES|");
    REQ(d7, XS_IS_DOMAIN_INTRODUCED, "7");
    POP(d7, "ERROR:EACCES|");
    REQ(d7, XS_GET_DOMAIN_PATH, "3");
    POP(d7, "GET_DOMAIN_PATH:/local/domain/3|");
    REQ(D0, XS_RESUME, "7");
    POP(D0, "RESUME:OK|");
    REQ(D0, XS_RESUME, "9");
    POP(D0, "ERROR:ENOENT|");
    REQ(D0, XS_RESUME, "0"); /* itself */
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_RELEASE, "0");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_RELEASE, "7");
    POP(D0, "RELEASE:OK|");
    assert_null(xs_conn_find(&xs_h_store, 7));
    REQ(D0, XS_RELEASE, "7");
    POP(D0, "ERROR:ENOENT|");
    REQ(D0, XS_IS_DOMAIN_INTRODUCED, "7");
    POP(D0, "IS_DOMAIN_INTRODUCED:F|");
}

/* WATCH/UNWATCH/RESET_WATCHES replies (events themselves: test_xs_watch.c). */
static void test_watch_ops(void **state)
{
    (void)state;
    REQ(D0, XS_WATCH, "/a", "tok");
    POP(D0, "WATCH:OK|");
    POP(D0, "WATCH_EVENT:/a|tok|"); /* fired once at once */
    REQ(D0, XS_WATCH, "/a", "tok");
    POP(D0, "ERROR:EEXIST|");
    REQ(D0, XS_WATCH, "/a//", "tok");
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_UNWATCH, "/a", "other");
    POP(D0, "ERROR:ENOENT|");
    REQ(D0, XS_UNWATCH, "/a", "tok");
    POP(D0, "UNWATCH:OK|");
    REQ(D0, XS_WATCH, "/b", "t");
    xs_h_drain(D0);
    REQ(D0, XS_RESET_WATCHES, "");
    POP(D0, "RESET_WATCHES:OK|");
    assert_int_equal(D0->nr_watches, 0);
}

/* TRANSACTION_START/END replies and errors (semantics: test_xs_txn.c). */
static void test_transaction_ops(void **state)
{
    (void)state;
    REQ(D0, XS_TRANSACTION_START, "");
    POP(D0, "TRANSACTION_START:1|");
    assert_int_equal(xs_h_req(D0, XS_TRANSACTION_START, 1, "", XS_END), 0);
    POP(D0, "ERROR:EBUSY|"); /* no nesting */
    assert_int_equal(xs_h_req(D0, XS_READ, 9, "/", XS_END), 0);
    POP(D0, "ERROR:ENOENT|"); /* no such transaction */
    assert_int_equal(xs_h_req(D0, XS_TRANSACTION_END, 1, "X", XS_END), 0);
    POP(D0, "ERROR:EINVAL|");
    REQ(D0, XS_TRANSACTION_END, "T");
    POP(D0, "ERROR:ENOENT|"); /* tx_id 0 */
    assert_int_equal(xs_h_req(D0, XS_TRANSACTION_END, 1, "F", XS_END), 0);
    POP(D0, "TRANSACTION_END:OK|");
    assert_int_equal(xs_h_req(D0, XS_TRANSACTION_END, 1, "F", XS_END), 0);
    POP(D0, "ERROR:ENOENT|");
}

/* DIRECTORY of more than a payload: E2BIG (DIRECTORY_PART is not implemented). */
static void test_directory_e2big(void **state)
{
    char path[32];
    int i;

    (void)state;
    for (i = 0; i < 500; i++) {
        snprintf(path, sizeof(path), "/d/entry%04d", i); /* 10 bytes each listed */
        REQ(D0, XS_MKDIR, path);
        POP(D0, "MKDIR:OK|");
    }
    REQ(D0, XS_DIRECTORY, "/d");
    POP(D0, "ERROR:E2BIG|");
}

/* Out of memory for a reply: the error reply still goes out. */
static void test_enomem_reply(void **state)
{
    (void)state;
    xs_h_fail_after = 0;
    assert_int_equal(xs_h_req(D0, XS_READ, 0, "/", XS_END), 0);
    POP(D0, "ERROR:ENOMEM|");
    xs_h_fail_after = 0; /* the transaction's copy of the store */
    REQ(D0, XS_TRANSACTION_START, "");
    POP(D0, "ERROR:ENOMEM|");
    assert_int_equal(D0->nr_txns, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic_ops, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_perms_ops, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_framing, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_argument_counts, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_domain_ops, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_watch_ops, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_transaction_ops, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_directory_e2big, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_enomem_reply, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
