/* SPDX-License-Identifier: MIT */
/*
 * Frame reference counts and type transitions (common/page_type.c).
 *
 * The validator is a fake that walks a small in-memory hierarchy the way
 * pv/mm.c walks real page tables: an entry of an Lk table takes a general
 * reference and an L(k-1) type reference on its target (an L1 entry takes
 * a writable one), unwinds what it took when it refuses, and devalidation
 * drops the same references. So validating a root validates the tree
 * below it, and every count can be checked afterwards.
 *
 * BUG_ON aborts in the host build; those cases run in a forked child.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <xenolith/errno.h>
#include <xenolith/page_type.h>

#define NR_FRAMES 12
#define MAX_KIDS  4
#define NO_KID    (-1)
#define OWNER     7 /* the domain that owns every frame of the fixture */
#define OTHER     8

static struct page_info frames[NR_FRAMES];
static int kids[NR_FRAMES][MAX_KIDS]; /* entries of each frame: a frame index or NO_KID */
static unsigned int nr_validate[NR_FRAMES], nr_devalidate[NR_FRAMES];
static uint32_t seen_type[NR_FRAMES];  /* type given to the last (de)validate */
static struct page_info *refuse_frame; /* validate refuses this one... */
static int refuse_rc;                  /* ...with this, after taking all its references */

static unsigned int frame_index(const struct page_info *pg)
{
    return (unsigned int)(pg - frames);
}

/* The type an entry of a `type` table takes on what it points to. */
static uint32_t entry_type(uint32_t type)
{
    return type == PGT_l1_page_table ? PGT_writable_page : type - (1u << PGT_type_shift);
}

static void put_entry(int k)
{
    page_put_type(&frames[k]);
    page_put_ref(&frames[k]);
}

static int fake_validate(struct page_info *pg, uint32_t type)
{
    unsigned int f = frame_index(pg), i;
    int rc = 0;

    nr_validate[f]++;
    seen_type[f] = type;
    /* Called with the type already taken, once, and not yet validated. */
    assert_int_equal(page_type(pg), type);
    assert_int_equal(page_type_count(pg), 1);
    assert_false(page_type_validated(pg));
    for (i = 0; i < MAX_KIDS; i++) {
        int k = kids[f][i];

        if (k == NO_KID)
            continue;
        if (!page_get_ref(&frames[k], OWNER)) {
            rc = -EINVAL;
            break;
        }
        rc = page_get_type(&frames[k], entry_type(type));
        if (rc) {
            page_put_ref(&frames[k]);
            break;
        }
    }
    if (!rc && pg == refuse_frame)
        rc = refuse_rc;
    if (rc)
        while (i-- > 0)
            if (kids[f][i] != NO_KID)
                put_entry(kids[f][i]);
    return rc;
}

static void fake_devalidate(struct page_info *pg, uint32_t type)
{
    unsigned int f = frame_index(pg), i;

    nr_devalidate[f]++;
    seen_type[f] = type;
    /* The frame no longer counts as a live table while it is torn down. */
    assert_int_equal(page_type_count(pg), 0);
    assert_false(page_type_validated(pg));
    for (i = 0; i < MAX_KIDS; i++)
        if (kids[f][i] != NO_KID)
            put_entry(kids[f][i]);
}

static const struct page_type_ops fake_ops = {
    .validate = fake_validate,
    .devalidate = fake_devalidate,
};

/* Every frame in use by OWNER, holding only its allocation reference, untyped. */
static int setup(void **state)
{
    unsigned int f, i;

    (void)state;
    memset(frames, 0, sizeof(frames));
    memset(nr_validate, 0, sizeof(nr_validate));
    memset(nr_devalidate, 0, sizeof(nr_devalidate));
    memset(seen_type, 0, sizeof(seen_type));
    for (f = 0; f < NR_FRAMES; f++) {
        page_set_state(&frames[f], PGC_state_inuse);
        page_set_refcount(&frames[f], 1);
        page_set_owner(&frames[f], OWNER);
        for (i = 0; i < MAX_KIDS; i++)
            kids[f][i] = NO_KID;
    }
    refuse_frame = NULL;
    refuse_rc = 0;
    page_type_set_ops(&fake_ops);
    return 0;
}

static void set_kids(int f, int a, int b)
{
    kids[f][0] = a;
    kids[f][1] = b;
}

/* Frames first..last are back where setup() left them. */
static void assert_pristine(unsigned int first, unsigned int last)
{
    unsigned int f;

    for (f = first; f <= last; f++) {
        assert_int_equal(page_type_count(&frames[f]), 0);
        assert_false(page_type_validated(&frames[f]));
        assert_int_equal(page_refcount(&frames[f]), 1);
    }
}

/* ---- general references ---- */

struct ref_case {
    const char *what;
    uint32_t state;
    uint16_t owner;
    uint32_t count;
    uint16_t asker;
    bool ok;
};

static const struct ref_case ref_cases[] = {
    /* An owned frame in use takes another reference. */
    {"owned, in use", PGC_state_inuse, OWNER, 1, OWNER, true},
    /* Another domain's frame is refused. */
    {"wrong owner", PGC_state_inuse, OTHER, 1, OWNER, false},
    /* A frame owned by Xen is not a guest's, whatever it asks. */
    {"owned by xen", PGC_state_inuse, PAGE_OWNER_XEN, 1, OWNER, false},
    /* Owners compare exactly: domid 0 is not DOMID_SELF. */
    {"domid 0 vs self", PGC_state_inuse, 0, 1, PAGE_OWNER_SELF, false},
    /* A free frame is refused even though its owner field still matches. */
    {"free", PGC_state_free, OWNER, 1, OWNER, false},
    /* A reserved frame (never given out) is refused. */
    {"reserved", PGC_state_reserved, OWNER, 1, OWNER, false},
    /* Count 0: the frame is on its way to the heap; no resurrection. */
    {"count zero", PGC_state_inuse, OWNER, 0, OWNER, false},
    /* A saturated count is refused instead of wrapping to 0. */
    {"saturated", PGC_state_inuse, OWNER, PGC_count_mask, OWNER, false},
    /* One below saturation still succeeds, reaching the mask exactly. */
    {"one below saturation", PGC_state_inuse, OWNER, PGC_count_mask - 1, OWNER, true},
};

static void test_get_ref_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ref_cases) / sizeof(ref_cases[0]); i++) {
        const struct ref_case *c = &ref_cases[i];
        struct page_info pg = {0};
        uint32_t before;

        /* Flag bits set so the case also proves they are left alone. */
        pg.count_info = c->state | PGC_flags_mask | c->count;
        pg.owner = c->owner;
        before = pg.count_info;
        print_message("  %s\n", c->what);
        assert_int_equal(page_get_ref(&pg, c->asker), c->ok);
        assert_int_equal(pg.count_info, c->ok ? before + 1 : before);
        assert_int_equal(pg.owner, c->owner);
        assert_int_equal(pg.type_info, 0);
    }
}

/* put drops one reference and keeps the state and flag bits. */
static void test_put_ref(void **state)
{
    struct page_info pg = {0};

    (void)state;
    pg.count_info = PGC_state_inuse | PGC_flags_mask | 2;
    page_put_ref(&pg);
    assert_int_equal(pg.count_info, PGC_state_inuse | PGC_flags_mask | 1);
    page_put_ref(&pg);
    assert_int_equal(pg.count_info, PGC_state_inuse | PGC_flags_mask);
}

/* ---- type references ---- */

static const uint32_t all_types[] = {PGT_writable_page, PGT_seg_desc_page, PGT_l1_page_table,
                                     PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table};
#define NR_TYPES (sizeof(all_types) / sizeof(all_types[0]))

/* The first reference sets the type; only table types are validated. */
static void test_first_ref_sets_type(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NR_TYPES; i++) {
        uint32_t t = all_types[i];
        bool table = t >= PGT_l1_page_table && t <= PGT_l4_page_table;

        setup(NULL);
        assert_int_equal(page_type_is_table(t), table);
        assert_int_equal(page_get_type(&frames[0], t), 0);
        assert_int_equal(page_type(&frames[0]), t);
        assert_int_equal(page_type_count(&frames[0]), 1);
        assert_int_equal(page_type_validated(&frames[0]), table);
        assert_int_equal(nr_validate[0], table ? 1 : 0);
        if (table)
            assert_int_equal(seen_type[0], t);
        /* A second reference of the same type only counts. */
        assert_int_equal(page_get_type(&frames[0], t), 0);
        assert_int_equal(page_type_count(&frames[0]), 2);
        assert_int_equal(nr_validate[0], table ? 1 : 0);
        assert_int_equal(page_refcount(&frames[0]), 1); /* types never touch count_info */
    }
}

/* Any other type while the count is non-zero is -EBUSY, with nothing changed. */
static void test_type_conflicts(void **state)
{
    size_t held, want;

    (void)state;
    for (held = 0; held < NR_TYPES; held++) {
        for (want = 0; want < NR_TYPES; want++) {
            uint32_t h = all_types[held], w = all_types[want], before;

            if (h == w)
                continue;
            setup(NULL);
            assert_int_equal(page_get_type(&frames[0], h), 0);
            before = frames[0].type_info;
            assert_int_equal(page_get_type(&frames[0], w), -EBUSY);
            assert_int_equal(frames[0].type_info, before);
            assert_int_equal(nr_validate[0], page_type_is_table(h) ? 1 : 0);
        }
    }
}

/* The core PV rule, both ways: a table is never writable, a writable frame never a table. */
static void test_pv_rule(void **state)
{
    uint32_t t;

    (void)state;
    for (t = PGT_l1_page_table; t <= PGT_l4_page_table; t += 1u << PGT_type_shift) {
        setup(NULL);
        assert_int_equal(page_get_type(&frames[0], t), 0);
        assert_int_equal(page_get_type(&frames[0], PGT_writable_page), -EBUSY);
        assert_int_equal(page_get_type(&frames[1], PGT_writable_page), 0);
        assert_int_equal(page_get_type(&frames[1], t), -EBUSY);
        assert_int_equal(nr_validate[1], 0); /* refused before validation */
        assert_int_equal(page_type(&frames[1]), PGT_writable_page);
        /* Once the last reference is gone, the type may change. */
        page_put_type(&frames[0]);
        assert_int_equal(page_get_type(&frames[0], PGT_writable_page), 0);
        page_put_type(&frames[1]);
        assert_int_equal(page_get_type(&frames[1], t), 0);
        assert_true(page_type_validated(&frames[1]));
    }
}

/* A refused validation leaves the frame untyped with count 0, and returns its error. */
static void test_validation_failure(void **state)
{
    static const int rcs[] = {-EINVAL, -ENOMEM, -ERESTART};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rcs) / sizeof(rcs[0]); i++) {
        setup(NULL);
        refuse_frame = &frames[0];
        refuse_rc = rcs[i];
        /* A stale type and pin flag from earlier use must not survive either. */
        frames[0].type_info = PGT_writable_page | PGT_pinned;
        assert_int_equal(page_get_type(&frames[0], PGT_l2_page_table), rcs[i]);
        assert_int_equal(frames[0].type_info, 0);
        assert_int_equal(nr_validate[0], 1);
        assert_int_equal(nr_devalidate[0], 0); /* never validated, never devalidated */
        /* And it is not stuck: the next attempt validates afresh. */
        refuse_frame = NULL;
        assert_int_equal(page_get_type(&frames[0], PGT_l2_page_table), 0);
        assert_int_equal(nr_validate[0], 2);
    }
}

/* A saturated type count is refused, not wrapped; one below reaches the mask. */
static void test_type_overflow(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NR_TYPES; i++) {
        uint32_t t = all_types[i], v = page_type_is_table(t) ? PGT_validated : 0;

        setup(NULL);
        frames[0].type_info = t | v | PGT_count_mask;
        assert_int_equal(page_get_type(&frames[0], t), -EOVERFLOW);
        assert_int_equal(frames[0].type_info, t | v | PGT_count_mask);
        /* Another type on a saturated frame is refused too (either error). */
        assert_int_not_equal(page_get_type(&frames[0], t == PGT_writable_page ? PGT_l1_page_table
                                                                              : PGT_writable_page),
                             0);
        assert_int_equal(frames[0].type_info, t | v | PGT_count_mask);
        frames[0].type_info = t | v | (PGT_count_mask - 1);
        assert_int_equal(page_get_type(&frames[0], t), 0);
        assert_int_equal(frames[0].type_info, t | v | PGT_count_mask);
        assert_int_equal(nr_validate[0], 0);
    }
}

/* The last put of a table devalidates once and clears count, validated and pinned. */
static void test_last_put_devalidates(void **state)
{
    uint32_t t;

    (void)state;
    for (t = PGT_l1_page_table; t <= PGT_l4_page_table; t += 1u << PGT_type_shift) {
        setup(NULL);
        assert_int_equal(page_get_type(&frames[0], t), 0);
        assert_int_equal(page_get_type(&frames[0], t), 0);
        frames[0].type_info |= PGT_pinned;
        page_put_type(&frames[0]);
        assert_int_equal(nr_devalidate[0], 0); /* not the last */
        assert_int_equal(frames[0].type_info, t | PGT_validated | PGT_pinned | 1);
        page_put_type(&frames[0]);
        assert_int_equal(nr_devalidate[0], 1);
        assert_int_equal(seen_type[0], t);
        assert_int_equal(page_type_count(&frames[0]), 0);
        assert_int_equal(frames[0].type_info & (PGT_validated | PGT_pinned), 0);
        assert_int_equal(frames[0].type_info & ~PGT_type_mask, 0);
    }
}

/* Writable and descriptor frames never validate nor devalidate. */
static void test_untabled_put(void **state)
{
    static const uint32_t types[] = {PGT_writable_page, PGT_seg_desc_page};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        setup(NULL);
        assert_int_equal(page_get_type(&frames[0], types[i]), 0);
        page_put_type(&frames[0]);
        assert_int_equal(page_type_count(&frames[0]), 0);
        assert_false(page_type_validated(&frames[0]));
        assert_int_equal(nr_validate[0] + nr_devalidate[0], 0);
    }
}

/* ---- recursive validation through the fake hierarchy ---- */

/*
 * L2 (0) -> L1 (1) -> leaves 3, 4
 *        -> L1 (2) -> leaves 5, 3   (3 is mapped twice)
 * One L2 reference validates the tree; its last put tears it all down.
 */
static void test_tree_validate_devalidate(void **state)
{
    int f;

    (void)state;
    set_kids(0, 1, 2);
    set_kids(1, 3, 4);
    set_kids(2, 5, 3);
    assert_int_equal(page_get_type(&frames[0], PGT_l2_page_table), 0);
    for (f = 0; f <= 2; f++) {
        assert_int_equal(nr_validate[f], 1);
        assert_true(page_type_validated(&frames[f]));
        assert_int_equal(page_type_count(&frames[f]), 1);
    }
    assert_int_equal(page_type(&frames[1]), PGT_l1_page_table);
    assert_int_equal(page_refcount(&frames[1]), 2);
    assert_int_equal(page_type(&frames[3]), PGT_writable_page);
    assert_int_equal(page_type_count(&frames[3]), 2);
    assert_int_equal(page_refcount(&frames[3]), 3);
    assert_int_equal(page_type_count(&frames[4]), 1);
    assert_int_equal(nr_validate[3] + nr_validate[4] + nr_validate[5], 0);
    /* The tree enforces the PV rule on its members. */
    assert_int_equal(page_get_type(&frames[1], PGT_writable_page), -EBUSY);
    assert_int_equal(page_get_type(&frames[3], PGT_l1_page_table), -EBUSY);
    assert_int_equal(page_get_type(&frames[0], PGT_l1_page_table), -EBUSY);

    page_put_type(&frames[0]);
    for (f = 0; f <= 2; f++)
        assert_int_equal(nr_devalidate[f], 1);
    assert_int_equal(nr_devalidate[3] + nr_devalidate[4] + nr_devalidate[5], 0);
    assert_pristine(0, 5);
}

/* An L1 shared by two L2s is validated once and devalidated with its last user. */
static void test_shared_child(void **state)
{
    (void)state;
    set_kids(0, 2, NO_KID);
    set_kids(1, 2, NO_KID);
    set_kids(2, 3, NO_KID);
    assert_int_equal(page_get_type(&frames[0], PGT_l2_page_table), 0);
    assert_int_equal(page_get_type(&frames[1], PGT_l2_page_table), 0);
    assert_int_equal(nr_validate[2], 1);
    assert_int_equal(page_type_count(&frames[2]), 2);
    page_put_type(&frames[0]);
    assert_int_equal(nr_devalidate[2], 0);
    assert_int_equal(page_type_count(&frames[2]), 1);
    assert_true(page_type_validated(&frames[2]));
    page_put_type(&frames[1]);
    assert_int_equal(nr_devalidate[2], 1);
    assert_pristine(0, 3);
}

/* A child already writable stops an L2 halfway; everything taken so far is given back. */
static void test_tree_child_busy(void **state)
{
    (void)state;
    set_kids(0, 1, 2);
    set_kids(1, 3, 4);
    assert_int_equal(page_get_type(&frames[2], PGT_writable_page), 0);
    assert_int_equal(page_get_type(&frames[0], PGT_l2_page_table), -EBUSY);
    assert_int_equal(frames[0].type_info, 0);
    /* Frame 1 was validated, then devalidated by the unwind. */
    assert_int_equal(nr_validate[1], 1);
    assert_int_equal(nr_devalidate[1], 1);
    assert_int_equal(nr_devalidate[0], 0);
    assert_pristine(0, 1);
    assert_pristine(3, 4);
    /* The writable frame kept its own reference and nothing else. */
    assert_int_equal(page_type(&frames[2]), PGT_writable_page);
    assert_int_equal(page_type_count(&frames[2]), 1);
    assert_int_equal(page_refcount(&frames[2]), 1);
}

/* A refusal three levels down unwinds the whole chain; the refused table is not devalidated. */
static void test_deep_refusal_unwinds(void **state)
{
    (void)state;
    set_kids(0, 1, NO_KID); /* L3 */
    set_kids(1, 2, 3);      /* L2 */
    set_kids(2, 4, NO_KID); /* L1 */
    set_kids(3, 5, NO_KID); /* L1, refused after mapping 5 */
    refuse_frame = &frames[3];
    refuse_rc = -EINVAL;
    assert_int_equal(page_get_type(&frames[0], PGT_l3_page_table), -EINVAL);
    assert_int_equal(nr_validate[2], 1);
    assert_int_equal(nr_devalidate[2], 1);
    assert_int_equal(nr_validate[3], 1);
    assert_int_equal(nr_devalidate[3], 0);
    assert_int_equal(nr_devalidate[0] + nr_devalidate[1], 0);
    assert_pristine(0, 5);
    assert_int_equal(frames[0].type_info | frames[1].type_info | frames[3].type_info, 0);
}

/* An entry pointing at another domain's frame fails its general reference: -EINVAL, no leak. */
static void test_tree_foreign_frame(void **state)
{
    (void)state;
    set_kids(0, 1, 2);
    page_set_owner(&frames[2], OTHER);
    assert_int_equal(page_get_type(&frames[0], PGT_l1_page_table), -EINVAL);
    assert_pristine(0, 2);
    assert_int_equal(frames[0].type_info | frames[2].type_info, 0);
}

/* ---- BUG_ON on a put with nothing to drop ---- */

/* True if fn(pg) aborts (BUG_ON in the host build) in a forked child. */
static bool aborts(void (*fn)(struct page_info *), struct page_info *pg)
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        fn(pg);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_put_zero_bugs(void **state)
{
    struct page_info pg = {0};

    (void)state;
    /* A general reference that is not there. */
    pg.count_info = PGC_state_inuse;
    assert_true(aborts(page_put_ref, &pg));
    /* An untyped frame. */
    assert_true(aborts(page_put_type, &pg));
    /* A table whose last reference is already gone (must not devalidate twice). */
    pg.type_info = PGT_l2_page_table;
    assert_true(aborts(page_put_type, &pg));
    /* Sanity: the child does report a put that does not abort. */
    pg.type_info = PGT_writable_page | 1;
    assert_false(aborts(page_put_type, &pg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_ref_table, setup),
        cmocka_unit_test_setup(test_put_ref, setup),
        cmocka_unit_test_setup(test_first_ref_sets_type, setup),
        cmocka_unit_test_setup(test_type_conflicts, setup),
        cmocka_unit_test_setup(test_pv_rule, setup),
        cmocka_unit_test_setup(test_validation_failure, setup),
        cmocka_unit_test_setup(test_type_overflow, setup),
        cmocka_unit_test_setup(test_last_put_devalidates, setup),
        cmocka_unit_test_setup(test_untabled_put, setup),
        cmocka_unit_test_setup(test_tree_validate_devalidate, setup),
        cmocka_unit_test_setup(test_shared_child, setup),
        cmocka_unit_test_setup(test_tree_child_busy, setup),
        cmocka_unit_test_setup(test_deep_refusal_unwinds, setup),
        cmocka_unit_test_setup(test_tree_foreign_frame, setup),
        cmocka_unit_test_setup(test_put_zero_bugs, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
