/* SPDX-License-Identifier: MIT */
/*
 * Exceptions. The virtual IDT (set_trap_table) points every exception Xen
 * may bounce to a stub in entry.S; they all arrive in trap_dispatch with
 * a struct trap_regs. From there:
 *   - a `syscall` from user mode or a fault in user mode goes to user.c;
 *   - the event callback goes to events.c;
 *   - a fault a test armed is recorded in trap_last and resumed at its
 *     exception-table fixup (or in place, for traps and retried faults);
 *   - anything else is reported with vector, rip and error code, fails
 *     the running test and ends it (test_abort), so one bad case cannot
 *     take the rest of the run down with it.
 */
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <guest/user.h>
#include <xenolith/string.h>

struct trap_record trap_last;
struct trap_resume_point trap_resume_at;

static struct {
    int vector; /* -1: nothing armed */
    enum trap_resume how;
} trap_armed = {.vector = -1};

struct extable_entry {
    unsigned long insn, fixup;
};
extern const struct extable_entry extable_start[], extable_end[];

#define TRAP_ENTRIES(X)                                                                            \
    X(0) X(1) X(3) X(4) X(5) X(6) X(7) X(10) X(11) X(12) X(13) X(14) X(16) X(17) X(18) X(19)
#define TRAP_DECLARE(v) extern char trap_entry_##v[];
TRAP_ENTRIES(TRAP_DECLARE)

/*
 * DPL 3 on #BP lets `int3` reach us as on bare metal; the other vectors
 * are hardware exceptions, where Xen ignores the DPL, and an `int n` to
 * them from user mode must stay a #GP (`into` does not exist in 64-bit
 * mode, so #OF needs no DPL 3 either).
 */
#define TRAP_INFO(v) {v, (v) == 3 ? 3 : 0, FLAT_KERNEL_CS, (unsigned long)trap_entry_##v},
static const trap_info_t trap_table[] = {TRAP_ENTRIES(TRAP_INFO){0, 0, 0, 0}};

static const char *const trap_names[32] = {
    [0] = "#DE",  [1] = "#DB",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",  [6] = "#UD",
    [7] = "#NM",  [10] = "#TS", [11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF",
    [16] = "#MF", [17] = "#AC", [18] = "#MC", [19] = "#XM",
};

void traps_init(void)
{
    long rc = HYPERVISOR_set_trap_table(trap_table);

    if (rc)
        panic("set_trap_table: %ld", rc);
}

void traps_fill_context(trap_info_t *ctxt)
{
    for (const trap_info_t *t = trap_table; t->address; t++)
        ctxt[t->vector] = *t;
}

void trap_arm(int vector, enum trap_resume how)
{
    memset(&trap_last, 0, sizeof(trap_last));
    trap_armed.vector = vector;
    trap_armed.how = how;
}

void trap_disarm(void)
{
    trap_armed.vector = -1;
}

bool trap_caught(int vector)
{
    trap_disarm();
    return trap_last.hit && trap_last.regs.vector == (unsigned long)vector;
}

static const struct extable_entry *trap_find_fixup(unsigned long rip)
{
    for (const struct extable_entry *e = extable_start; e < extable_end; e++)
        if (e->insn == rip)
            return e;
    return NULL;
}

static unsigned long trap_cr2(void)
{
    return READ_ONCE(kernel_vcpu_info->arch.cr2);
}

static void trap_report(const struct trap_regs *r, unsigned long error)
{
    const char *name = r->vector < 32 && trap_names[r->vector] ? trap_names[r->vector] : "?";

    printk("TRAP: unexpected %s (vector %lu) at rip %#lx cs %#lx error %#lx cr2 %#lx in %s\n", name,
           r->vector, r->rip, r->cs, error, r->vector == 14 ? trap_cr2() : 0, test_current_name());
}

/* An armed fault: record it and choose where to resume. */
static bool trap_expected(struct trap_regs *r, unsigned long error)
{
    const struct extable_entry *fix = trap_find_fixup(r->rip);

    if (trap_armed.vector < 0 || (unsigned long)trap_armed.vector != r->vector)
        return false;
    trap_last.hit = true;
    trap_last.regs = *r;
    trap_last.error = error;
    trap_last.cr2 = r->vector == 14 ? trap_cr2() : 0;
    trap_disarm();
    if (trap_armed.how == TRAP_RESUME_AT) {
        r->rip = trap_resume_at.rip;
        r->rsp = trap_resume_at.rsp;
    } else if (fix)
        r->rip = fix->fixup;
    else if (trap_armed.how != TRAP_RESUME_RETRY && r->vector != 3 && r->vector != 4)
        return false; /* it would fault again forever */
    return true;
}

void trap_dispatch(struct trap_regs *r)
{
    unsigned long error = r->error;

    r->error = 0; /* from here on it is the iret flags word */
    switch (r->vector) {
    case VEC_SYSCALL:
        user_syscall(r);
        return;
    case VEC_EVENT:
        evtchn_upcall(r);
        return;
    case VEC_FAILSAFE:
        printk("TRAP: failsafe callback, rip %#lx cs %#lx\n", r->rip, r->cs);
        test_fail(__FILE__, __LINE__, "failsafe callback");
        test_abort();
    }
    if ((r->cs & 3) == 3) {
        user_fault(r, error, r->vector == 14 ? trap_cr2() : 0);
        return;
    }
    if (trap_expected(r, error))
        return;
    trap_report(r, error);
    test_fail(__FILE__, __LINE__, "unexpected trap %lu at %#lx", r->vector, r->rip);
    test_abort();
}
