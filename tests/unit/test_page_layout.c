/* SPDX-License-Identifier: MIT */
/*
 * Layout of struct page_info and the bit fields in count_info/type_info.
 * The frame table costs 32 bytes per 4 KiB of RAM, and the page-type code
 * will rely on these exact bit positions, so any drift must fail here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xen/xen.h> /* Xen's DOMID_* values, to check ours against */
#include <xenolith/page.h>

/* The entry is exactly 32 bytes with the fields where the header says. */
static void test_size_and_offsets(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct page_info), 32);
    assert_int_equal(offsetof(struct page_info, list), 0);
    assert_int_equal(offsetof(struct page_info, count_info), 16);
    assert_int_equal(offsetof(struct page_info, type_info), 20);
    assert_int_equal(offsetof(struct page_info, owner), 24);
    assert_int_equal(offsetof(struct page_info, order), 26);
    assert_int_equal(sizeof(((struct page_info *)0)->owner), 2);
    assert_int_equal(sizeof(((struct page_info *)0)->order), 1);
}

/* Page constants: 4 KiB pages, a mask that clears the offset, order cap 20. */
static void test_page_constants(void **state)
{
    (void)state;
    assert_int_equal(PAGE_SIZE, 4096);
    assert_int_equal(0x12345678UL & PAGE_MASK, 0x12345000UL);
    assert_int_equal(PAGE_MAX_ORDER, 20);
}

/* Our owner ids have Xen's DOMID_* values (public/xen.h from libxen-dev). */
static void test_owner_ids_match_xen(void **state)
{
    (void)state;
    assert_int_equal(PAGE_OWNER_SELF, DOMID_SELF);
    assert_int_equal(PAGE_OWNER_IO, DOMID_IO);
    assert_int_equal(PAGE_OWNER_XEN, DOMID_XEN);
    assert_int_equal(PAGE_OWNER_COW, DOMID_COW);
    assert_int_equal(PAGE_OWNER_INVALID, DOMID_INVALID);
    assert_int_equal(PAGE_OWNER_IDLE, DOMID_IDLE);
}

/* count_info: state in the top 3 bits, count in the low 24, no overlaps. */
static void test_count_info_fields(void **state)
{
    (void)state;
    assert_int_equal(PGC_state_mask, 0xe0000000u);
    assert_int_equal(PGC_count_mask & PGC_state_mask, 0);
    assert_int_equal(PGC_flags_mask & (PGC_state_mask | PGC_count_mask), 0);
    assert_int_equal(PGC_flags_mask | PGC_state_mask | PGC_count_mask, 0xffffffffu);
    /* Reserved is 0, so a zeroed frame table means "not heap memory". */
    assert_int_equal(PGC_state_reserved, 0);
    assert_int_not_equal(PGC_state_free, PGC_state_inuse);
    assert_int_equal(PGC_state_free & ~PGC_state_mask, 0);
    assert_int_equal(PGC_state_inuse & ~PGC_state_mask, 0);
}

/* type_info: Xen's type numbers in the top 4 bits, then validated, then count. */
static void test_type_info_fields(void **state)
{
    (void)state;
    assert_int_equal(PGT_none >> PGT_type_shift, 0);
    assert_int_equal(PGT_l1_page_table >> PGT_type_shift, 1);
    assert_int_equal(PGT_l2_page_table >> PGT_type_shift, 2);
    assert_int_equal(PGT_l3_page_table >> PGT_type_shift, 3);
    assert_int_equal(PGT_l4_page_table >> PGT_type_shift, 4);
    assert_int_equal(PGT_seg_desc_page >> PGT_type_shift, 5);
    assert_int_equal(PGT_writable_page >> PGT_type_shift, 7);
    assert_int_equal(PGT_type_mask, 0xf0000000u);
    assert_int_equal(PGT_validated & (PGT_type_mask | PGT_count_mask | PGT_flags_mask), 0);
    assert_int_equal(PGT_count_mask & (PGT_type_mask | PGT_flags_mask), 0);
    assert_true(PGT_count_mask >= 0xffffu);
}

/* Each setter changes its own field only; getters read back what was set. */
static void test_accessors(void **state)
{
    struct page_info pg = {.count_info = 0x1f000000u | 5, .type_info = 0};

    (void)state;
    page_set_state(&pg, PGC_state_inuse);
    assert_int_equal(page_state(&pg), PGC_state_inuse);
    assert_int_equal(page_refcount(&pg), 5);
    assert_int_equal(pg.count_info & PGC_flags_mask, 0x1f000000u);

    page_set_refcount(&pg, 0x1234567); /* wider than 24 bits: masked */
    assert_int_equal(page_refcount(&pg), 0x234567);
    assert_int_equal(page_state(&pg), PGC_state_inuse);
    assert_int_equal(pg.count_info & PGC_flags_mask, 0x1f000000u);

    pg.type_info = PGT_l2_page_table | PGT_validated | 3;
    assert_int_equal(page_type(&pg), PGT_l2_page_table);
    assert_int_equal(page_type_count(&pg), 3);
    assert_true(page_type_validated(&pg));
    pg.type_info = PGT_writable_page | 1;
    assert_false(page_type_validated(&pg));

    page_set_owner(&pg, 7);
    assert_int_equal(page_owner(&pg), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_and_offsets),    cmocka_unit_test(test_page_constants),
        cmocka_unit_test(test_owner_ids_match_xen), cmocka_unit_test(test_count_info_fields),
        cmocka_unit_test(test_type_info_fields),    cmocka_unit_test(test_accessors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
