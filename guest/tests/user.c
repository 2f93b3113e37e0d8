/* SPDX-License-Identifier: MIT */
/*
 * Suite "user": ring-3 programs on their own page tables. Xen switches
 * base pointers on every kernel/user crossing: a user `syscall` lands in
 * our syscall callback on the kernel tables, and iret (VGCF_in_syscall)
 * goes back; faults in user mode bounce to the kernel with an RPL 3 CS.
 */
#include <guest/hypercall.h>
#include <guest/heap.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <guest/user.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

extern char user_prog_hello[], user_prog_cli[], user_prog_peek_kernel[], user_prog_bad_pointer[],
    user_prog_int82[], user_text_start[];

static unsigned long user_va_of(const char *sym)
{
    return USER_TEXT_VA + (unsigned long)(sym - user_text_start);
}

static void user_hello(void)
{
    struct user_result res;

    CHECK_EQ(user_run(user_prog_hello, &res), 0);
    CHECK(res.exited && !res.faulted);
    CHECK_EQ(res.exit_code, 42);
    CHECK_EQ(res.nr_syscalls, 3);
    CHECK(strcmp(res.output, "hello from user mode\n") == 0);
    /* Xen's syscall frame shows the user's selectors. */
    CHECK_EQ(res.syscall_cs & 0xffff, FLAT_USER_CS);
    CHECK_EQ(res.syscall_ss & 0xffff, FLAT_USER_SS);
}

static void user_privileged_instruction(void)
{
    struct user_result res;

    CHECK_EQ(user_run(user_prog_cli, &res), 0);
    CHECK(res.faulted && !res.exited);
    CHECK_EQ(res.vector, 13);
    CHECK_EQ(res.error, 0);
    CHECK_EQ(res.rip, user_va_of(user_prog_cli));
    CHECK_EQ(res.cs & 0xffff, FLAT_USER_CS); /* RPL 3: it came from user mode */
}

static void user_kernel_not_mapped(void)
{
    struct user_result res;

    CHECK_EQ(user_run(user_prog_peek_kernel, &res), 0);
    CHECK(res.faulted);
    CHECK_EQ(res.vector, 14);
    CHECK_EQ(res.cr2, VIRT_BASE);
    CHECK_EQ(res.error, 4); /* user-mode read of a non-present page */
}

static void user_bad_pointer(void)
{
    struct user_result res;

    CHECK_EQ(user_run(user_prog_bad_pointer, &res), 0);
    CHECK(res.exited);
    CHECK_EQ(res.exit_code, EFAULT);
}

static void user_int82(void)
{
    struct user_result res;

    /*
     * The 32-bit hypercall gate is no way in for 64-bit user code: a #GP
     * at the `int`, error code marked "IDT, software". (The vector in the
     * error code is 0x82 * 8 on hardware; QEMU's TCG writes 0x82 * 16.)
     */
    CHECK_EQ(user_run(user_prog_int82, &res), 0);
    CHECK(res.faulted);
    CHECK_EQ(res.vector, 13);
    CHECK_EQ(res.error & 7, 2);
    CHECK_EQ(res.rip, user_va_of(user_prog_int82) + 7);
    test_info("int $0x82 from user mode: #GP error %#lx", res.error);
}

/* The kernel's own tables do not map user addresses: the L4s really differ. */
static void user_kernel_tables_separate(void)
{
    unsigned long v = 0;
    struct user_result res;

    CHECK_EQ(user_run(user_prog_hello, &res), 0);
    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(USER_TEXT_VA));
    CHECK(trap_caught(14));
    CHECK_EQ(trap_last.cr2, USER_TEXT_VA);
}

static void user_no_leak(void)
{
    unsigned long before = mm_free_pages();
    struct user_result res;

    for (int i = 0; i < 3; i++) {
        CHECK_EQ(user_run(user_prog_hello, &res), 0);
        CHECK_EQ(res.exit_code, 42);
    }
    CHECK_EQ(mm_free_pages(), before);
}

static const struct test_case user_cases[] = {
    {"hello", user_hello},
    {"privileged_instruction", user_privileged_instruction},
    {"kernel_not_mapped", user_kernel_not_mapped},
    {"bad_pointer", user_bad_pointer},
    {"int82", user_int82},
    {"kernel_tables_separate", user_kernel_tables_separate},
    {"no_leak", user_no_leak},
};
TEST_SUITE(test_suite_user, "user", user_cases);
