/* SPDX-License-Identifier: MIT */
/*
 * "crashtest=pagefault|invalid-opcode|panic": fault on purpose, from a
 * known call chain, so tests can check the crash report and backtrace.
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/param.h>
#include <xenolith/selftest.h>
#include <xenolith/string.h>

static char opt_crashtest[24];
STRING_PARAM("crashtest", opt_crashtest);

/*
 * Each fault comes after a call, so the function has set up its frame
 * (gcc builds none for a leaf that needs no stack, even with frame
 * pointers, and the backtrace would skip it).
 */
static void __attribute__((noinline)) crashtest_page_fault(void)
{
    /* An address in the hypervisor's hole that nothing maps. */
    volatile uint64_t *p = (volatile uint64_t *)0xffff8100deadb000ull;

    printk(XENLOG_WARNING "crashtest: writing to %p\n", (void *)p);
    *p = 1;
}

static void __attribute__((noinline)) crashtest_invalid_opcode(void)
{
    printk(XENLOG_WARNING "crashtest: executing ud2\n");
    __asm__ __volatile__("ud2");
}

static void __attribute__((noinline)) crashtest_panic(void)
{
    panic("crashtest: deliberate panic");
}

void __attribute__((noinline)) crashtest_run(void)
{
    if (!opt_crashtest[0])
        return;
    printk(XENLOG_WARNING "crashtest: triggering '%s'\n", opt_crashtest);
    if (!strcmp(opt_crashtest, "pagefault"))
        crashtest_page_fault();
    else if (!strcmp(opt_crashtest, "invalid-opcode"))
        crashtest_invalid_opcode();
    else if (!strcmp(opt_crashtest, "panic"))
        crashtest_panic();
    else
        printk(XENLOG_WARNING "WARNING: crashtest: unknown fault '%s'\n", opt_crashtest);
}
