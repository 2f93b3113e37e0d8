/* SPDX-License-Identifier: MIT */
/*
 * The xenstore tree and its rules (guest/xenstore/xs_tree.c, xs_path.c):
 * path validity and canonical form, permission strings and who gets what,
 * parent creation, removal of subtrees, quotas, and that a failed
 * allocation leaves the tree unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "xs_harness.h"

static struct xs_tree *T = &xs_h_store.tree;
static const struct xs_quota quota = XS_QUOTA_DEFAULT;
static const struct xs_caller dom0 = {0, true, &quota};
static const struct xs_caller dom5 = {5, false, &quota};
static const struct xs_caller dom6 = {6, false, &quota};

struct path_case {
    const char *in;
    bool special;    /* allowed here */
    const char *out; /* NULL: -EINVAL */
};

/* Canonical forms for domain 5, and every way a path is refused. */
static void test_paths(void **state)
{
    static char long_rel[XENSTORE_REL_PATH_MAX + 2], long_abs[XENSTORE_ABS_PATH_MAX + 2];
    static const struct path_case cases[] = {
        {"/", false, "/"},                                   /* the root */
        {"/a/b-c_d@e/F9", false, "/a/b-c_d@e/F9"},           /* every allowed character */
        {"device/vif", false, "/local/domain/5/device/vif"}, /* relative to home */
        {"@releaseDomain", true, "@releaseDomain"},          /* special, where allowed */
        {"@releaseDomain", false, NULL},                     /* special, where not */
        {"", false, NULL},                                   /* empty: home with a '/' */
        {"/a/", false, NULL},                                /* trailing slash */
        {"/a//b", false, NULL},                              /* empty component */
        {"/a b", false, NULL},                               /* space */
        {"/a.b", false, NULL},                               /* dot */
        {"/a\xc3\xa9", false, NULL},                         /* non-ASCII */
    };
    char out[XS_PATH_BUF];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = xs_path_canonical(5, cases[i].in, cases[i].special, out);

        if (!cases[i].out) {
            assert_int_equal(rc, -EINVAL);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_string_equal(out, cases[i].out);
    }
    /* Below a home: at most XENSTORE_REL_PATH_MAX bytes. */
    memset(long_rel, 'x', XENSTORE_REL_PATH_MAX);
    assert_int_equal(xs_path_canonical(5, long_rel, false, out), 0);
    long_rel[XENSTORE_REL_PATH_MAX] = 'x';
    assert_int_equal(xs_path_canonical(5, long_rel, false, out), -EINVAL);
    /* Outside a home the whole path counts against the same limit. */
    memset(long_abs, 'x', XENSTORE_REL_PATH_MAX);
    long_abs[0] = '/';
    assert_int_equal(xs_path_canonical(5, long_abs, false, out), 0);
    long_abs[XENSTORE_REL_PATH_MAX] = 'x';
    assert_int_equal(xs_path_canonical(5, long_abs, false, out), -EINVAL);
    memset(long_abs, 'x', XENSTORE_ABS_PATH_MAX + 1);
    assert_int_equal(xs_path_canonical(5, long_abs, false, out), -EINVAL);
    /* is_below is by component, not by prefix. */
    assert_true(xs_path_is_below("/a/b", "/a"));
    assert_true(xs_path_is_below("/a", "/a"));
    assert_false(xs_path_is_below("/ab", "/a"));
    assert_true(xs_path_is_below("/ab", "/"));
}

/* "r5", "w0", "b7", "n3" and back; anything else is refused. */
static void test_perm_strings(void **state)
{
    static const char *const bad[] = {"", "x5", "r", "r-1", "r5x", "r65536", "R5"};
    struct xs_perm p;
    char out[8];
    size_t i;

    (void)state;
    assert_int_equal(xs_perm_parse("b65535", &p), 0);
    assert_int_equal(p.domid, 65535);
    assert_int_equal(p.perm, XS_PERM_READ | XS_PERM_WRITE);
    assert_int_equal(xs_perm_format(&p, out), 7);
    assert_string_equal(out, "b65535");
    assert_int_equal(xs_perm_parse("n0", &p), 0);
    assert_int_equal(p.perm, XS_PERM_NONE);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(xs_perm_parse(bad[i], &p), -EINVAL);
}

/* Owner and dom0 get everything; an ACL entry beats the default. */
static void test_perm_for(void **state)
{
    const struct xs_perm perms[] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}, {7, XS_PERM_WRITE}};
    const struct xs_perm open[] = {{5, XS_PERM_READ}};
    const struct xs_caller dom7 = {7, false, &quota}, dom8 = {8, false, &quota};
    const unsigned int all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

    (void)state;
    assert_int_equal(xs_perm_for(&dom0, perms, 3), all);
    assert_int_equal(xs_perm_for(&dom5, perms, 3), all);
    assert_int_equal(xs_perm_for(&dom6, perms, 3), XS_PERM_READ);
    assert_int_equal(xs_perm_for(&dom7, perms, 3), XS_PERM_WRITE);
    assert_int_equal(xs_perm_for(&dom8, perms, 3), XS_PERM_NONE);
    assert_int_equal(xs_perm_for(&dom8, open, 1), XS_PERM_READ);
}

/* Writing creates the parents; new nodes inherit perms, a domU owns what it creates. */
static void test_write_creates_parents(void **state)
{
    const struct xs_perm home[] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}};
    struct xs_node *n;

    (void)state;
    assert_int_equal(xs_tree_write(T, &dom0, "/local/domain/5", "", 0), 0);
    n = xs_tree_lookup(T, "/local");
    assert_non_null(n);
    assert_int_equal(n->value_len, 0);
    assert_int_equal(n->perms[0].domid, 0); /* dom0 keeps the parent's owner */
    assert_int_equal(xs_tree_set_perms(T, &dom0, "/local/domain/5", home, 2), 0);
    /* dom5 writes below its home: it owns the new nodes, the ACL is inherited. */
    assert_int_equal(xs_tree_write(T, &dom5, "/local/domain/5/a/b", "hi", 2), 0);
    n = xs_tree_lookup(T, "/local/domain/5/a");
    assert_int_equal(n->perms[0].domid, 5);
    assert_int_equal(n->nr_perms, 2);
    assert_int_equal(n->perms[1].domid, 6);
    n = xs_tree_lookup(T, "/local/domain/5/a/b");
    assert_memory_equal(n->value, "hi", 2);
    /* Overwrite; children stay in creation order. */
    assert_int_equal(xs_tree_write(T, &dom5, "/local/domain/5/a/b", "bye", 3), 0);
    assert_int_equal(xs_tree_write(T, &dom5, "/local/domain/5/a/a", "", 0), 0);
    n = xs_tree_lookup(T, "/local/domain/5/a");
    assert_string_equal(n->child->name, "b");
    assert_string_equal(n->child->next->name, "a");
    assert_int_equal(xs_tree_count_owned(T, 5), 4); /* home, a, a/b, a/a */
}

/* ENOENT only for those the nearest ancestor lets in; EACCES otherwise. */
static void test_access(void **state)
{
    const struct xs_perm home[] = {{5, XS_PERM_NONE}};
    const struct xs_perm shared[] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}};
    struct xs_node *n;
    bool done;

    (void)state;
    assert_int_equal(xs_tree_write(T, &dom0, "/local/domain/5/secret", "s", 1), 0);
    assert_int_equal(xs_tree_set_perms(T, &dom0, "/local/domain/5", home, 1), 0);
    assert_int_equal(xs_tree_set_perms(T, &dom0, "/local/domain/5/secret", home, 1), 0);
    /* The root is "n0": a domU reads nothing there, and learns nothing. */
    assert_int_equal(xs_tree_get(T, &dom6, "/", XS_PERM_READ, &n), -EACCES);
    assert_int_equal(xs_tree_get(T, &dom6, "/nothing", XS_PERM_READ, &n), -EACCES);
    assert_int_equal(xs_tree_get(T, &dom6, "/local/domain/5/secret", XS_PERM_READ, &n), -EACCES);
    assert_int_equal(xs_tree_get(T, &dom5, "/local/domain/5/secret", XS_PERM_READ, &n), 0);
    assert_int_equal(xs_tree_get(T, &dom5, "/local/domain/5/none", XS_PERM_READ, &n), -ENOENT);
    assert_int_equal(xs_tree_get(T, &dom0, "/nothing", XS_PERM_READ, &n), -ENOENT);
    /* Writes: dom6 may not write into dom5's home, nor anywhere it was not let in. */
    assert_int_equal(xs_tree_write(T, &dom6, "/local/domain/5/x", "", 0), -EACCES);
    assert_int_equal(xs_tree_write(T, &dom6, "/tool/x", "", 0), -EACCES);
    /* Read permission does not give write, nor ownership. */
    assert_int_equal(xs_tree_set_perms(T, &dom0, "/local/domain/5/secret", shared, 2), 0);
    assert_int_equal(xs_tree_get(T, &dom6, "/local/domain/5/secret", XS_PERM_READ, &n), 0);
    assert_int_equal(xs_tree_write(T, &dom6, "/local/domain/5/secret", "", 0), -EACCES);
    assert_int_equal(xs_tree_set_perms(T, &dom6, "/local/domain/5/secret", shared, 2), -EACCES);
    assert_int_equal(xs_tree_rm(T, &dom6, "/local/domain/5/secret", &done), -EACCES);
    /* The owner may change the ACL but not give the node away. */
    assert_int_equal(xs_tree_set_perms(T, &dom5, "/local/domain/5/secret", home, 1), 0);
    assert_int_equal(xs_tree_set_perms(T, &dom5, "/local/domain/5/secret",
                                       (const struct xs_perm[]){{6, XS_PERM_NONE}}, 1),
                     -EPERM);
}

/* rm takes the subtree; a missing node with a parent is fine; "/" is not removable. */
static void test_rm(void **state)
{
    bool removed;

    (void)state;
    assert_int_equal(xs_tree_write(T, &dom0, "/a/b/c/d", "", 0), 0);
    assert_int_equal(xs_tree_write(T, &dom0, "/a/x", "", 0), 0);
    assert_int_equal(xs_tree_rm(T, &dom0, "/a/b", &removed), 0);
    assert_true(removed);
    assert_null(xs_tree_lookup(T, "/a/b/c/d"));
    assert_non_null(xs_tree_lookup(T, "/a/x"));
    assert_int_equal(xs_tree_rm(T, &dom0, "/a/b", &removed), 0);
    assert_false(removed);
    assert_int_equal(xs_tree_rm(T, &dom0, "/a/b/c", &removed), -ENOENT);
    assert_int_equal(xs_tree_rm(T, &dom0, "/", &removed), -EINVAL);
    /* mkdir of an existing node changes nothing. */
    assert_int_equal(xs_tree_mkdir(T, &dom0, "/a/x", &removed), 0);
    assert_false(removed);
    assert_int_equal(xs_tree_mkdir(T, &dom0, "/a/y/z", &removed), 0);
    assert_true(removed);
}

/* Per-domain node count, node size and ACL length; dom0 has no quota. */
static void test_quotas(void **state)
{
    static const struct xs_quota small = {3, 1, 1, 16, 2};
    const struct xs_caller d5 = {5, false, &small}, d0 = {0, true, &small};
    const struct xs_perm home[] = {{5, XS_PERM_NONE}};
    const struct xs_perm three[] = {{5, XS_PERM_NONE}, {6, XS_PERM_READ}, {7, XS_PERM_READ}};
    char big[64] = {0};

    (void)state;
    assert_int_equal(xs_tree_write(T, &d0, "/h", "", 0), 0);
    assert_int_equal(xs_tree_set_perms(T, &d0, "/h", home, 1), 0); /* dom5 owns 1 */
    assert_int_equal(xs_tree_write(T, &d5, "/h/a/b", "", 0), 0);   /* owns 3 */
    assert_int_equal(xs_tree_write(T, &d5, "/h/c", "", 0), -ENOSPC);
    assert_int_equal(xs_tree_write(T, &d5, "/h/a/b", "", 0), 0); /* no new node: fine */
    /* Size: value and perms (4 bytes each here) of one node. */
    assert_int_equal(xs_tree_write(T, &d5, "/h/a/b", big, 12), 0);
    assert_int_equal(xs_tree_write(T, &d5, "/h/a/b", big, 13), -ENOSPC);
    assert_int_equal(xs_tree_write(T, &d0, "/h/a/b", big, 64), 0);
    assert_int_equal(xs_tree_set_perms(T, &d5, "/h/a", three, 3), -ENOSPC);
    assert_int_equal(xs_tree_set_perms(T, &d5, "/h/a", three, 2), 0);
    assert_int_equal(xs_tree_set_perms(T, &d0, "/h/a", three, 3), 0);
}

/* Out of memory at every step of a write: -ENOMEM and the tree as before. */
static void test_enomem_all_or_nothing(void **state)
{
    long budget;
    size_t before;

    (void)state;
    assert_int_equal(xs_tree_write(T, &dom0, "/a", "1", 1), 0);
    before = xs_h_bytes_in_use();
    for (budget = 0;; budget++) {
        int rc;

        xs_h_fail_after = budget;
        rc = xs_tree_write(T, &dom0, "/a/b/c/d", "v", 1);
        if (xs_h_fail_after >= 0) { /* nothing failed: done */
            xs_h_fail_after = -1;
            assert_int_equal(rc, 0);
            break;
        }
        assert_int_equal(rc, -ENOMEM);
        assert_null(xs_tree_lookup(T, "/a/b"));
        assert_int_equal(xs_h_bytes_in_use(), before);
    }
    assert_true(budget > 3);
    assert_non_null(xs_tree_lookup(T, "/a/b/c/d"));
}

/* A clone is deep, keeps generations, and shares nothing. */
static void test_clone(void **state)
{
    struct xs_tree copy;
    struct xs_node *a, *b;

    (void)state;
    assert_int_equal(xs_tree_write(T, &dom0, "/a/b", "1", 1), 0);
    assert_int_equal(xs_tree_write(T, &dom0, "/a/c", "2", 1), 0);
    assert_int_equal(xs_tree_write(T, &dom0, "/d", "3", 1), 0);
    assert_int_equal(xs_tree_clone(&copy, T), 0);
    a = xs_tree_lookup(T, "/a/c");
    b = xs_tree_lookup(&copy, "/a/c");
    assert_ptr_not_equal(a, b);
    assert_int_equal(a->gen, b->gen);
    assert_memory_equal(b->value, "2", 1);
    assert_non_null(xs_tree_lookup(&copy, "/d"));
    assert_int_equal(xs_tree_write(&copy, &dom0, "/a/c", "9", 1), 0);
    assert_memory_equal(a->value, "2", 1);
    xs_tree_destroy(&copy);
    /* And out of memory part-way, it frees what it had copied. */
    xs_h_fail_after = 7;
    assert_int_equal(xs_tree_clone(&copy, T), -ENOMEM);
    xs_h_fail_after = -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_perm_strings),
        cmocka_unit_test(test_perm_for),
        cmocka_unit_test_setup_teardown(test_write_creates_parents, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_access, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rm, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_quotas, xs_h_fixture_setup, xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_enomem_all_or_nothing, xs_h_fixture_setup,
                                        xs_h_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_clone, xs_h_fixture_setup, xs_h_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
