/* SPDX-License-Identifier: MIT */
/*
 * Suite "priv": what a PV kernel may do with privileged instructions.
 * The kernel runs in ring 3, so every privileged instruction it executes
 * faults into Xen first. Xen then emulates it (control-register reads,
 * clts, cli/sti and port I/O once the kernel holds a virtual IOPL), or
 * bounces a #GP back. CPUID, asked through the forced-emulation prefix,
 * shows the PV policy: the paging, virtualisation and supervisor-mode
 * features a PV kernel cannot use are hidden.
 *
 * Each case leaves the virtual IOPL at 0, the upcall mask and the FPU
 * switch (virtual CR0.TS) as it found them.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <guest/user.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

#define PRIV_UNMAPPED_VA 0xffff950000000000UL /* L4 slot 298: never mapped */

/* Xen's console UART (com1): Xen takes its ports away from dom0. */
#define PRIV_DENIED_PORT_LSR 0x3fd
#define PRIV_DENIED_PORT_MCR 0x3fc
#define PRIV_DENIED_PORT_SCR 0x3ff

#define CR0_PE         (1UL << 0)
#define CR0_TS         (1UL << 3)
#define CR0_PG         (1UL << 31)
#define CR4_TSD        (1UL << 2)
#define CR4_DE         (1UL << 3)
#define CR4_PAE        (1UL << 5)
#define CR4_MCE        (1UL << 6)
#define CR4_OSFXSR     (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_FSGSBASE   (1UL << 16)
#define CR4_OSXSAVE    (1UL << 18)
#define CR4_PV_VISIBLE                                                                             \
    (CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_TSD | CR4_DE | CR4_FSGSBASE |           \
     CR4_OSXSAVE)

#define RFLAGS_IF   (1UL << 9)
#define RFLAGS_IOPL (3UL << 12)

/* ---- CPUID ---------------------------------------------------------------- */

enum { PRIV_EAX, PRIV_EBX, PRIV_ECX, PRIV_EDX };

struct priv_cpuid_bit {
    unsigned int leaf, reg, bit;
    bool shown; /* as Xen answers a 64-bit PV kernel */
    const char *name;
};

static void priv_cpuid(unsigned int leaf, unsigned int *r)
{
    /* ud2a; "xen"; cpuid: Xen's #UD handler answers from the PV policy. */
    asm volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n cpuid"
                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                 : "a"(leaf), "c"(0));
}

/*
 * Hidden: paging features the PV kernel cannot program (it owns no
 * CR3/CR4), hardware virtualisation, the local APIC's x2APIC and
 * deadline modes, supervisor-mode protections, MONITOR/MWAIT. Shown:
 * the hypervisor bit and what any 64-bit kernel needs.
 */
static const struct priv_cpuid_bit priv_cpuid_bits[] = {
    {1, PRIV_EDX, 3, false, "PSE"},
    {1, PRIV_EDX, 13, false, "PGE"},
    {1, PRIV_EDX, 17, false, "PSE36"},
    {1, PRIV_ECX, 3, false, "MONITOR"},
    {1, PRIV_ECX, 5, false, "VMX"},
    {1, PRIV_ECX, 17, false, "PCID"},
    {1, PRIV_ECX, 21, false, "X2APIC"},
    {1, PRIV_ECX, 24, false, "TSC_DEADLINE"},
    {1, PRIV_ECX, 31, true, "HYPERVISOR"},
    {7, PRIV_EBX, 7, false, "SMEP"},
    {7, PRIV_EBX, 10, false, "INVPCID"},
    {7, PRIV_EBX, 20, false, "SMAP"},
    {7, PRIV_ECX, 2, false, "UMIP"},
    {7, PRIV_ECX, 3, false, "PKU"},
    {7, PRIV_ECX, 16, false, "LA57"},
    {7, PRIV_ECX, 31, false, "PKS"},
    {0x80000001, PRIV_EDX, 3, false, "PSE"},
    {0x80000001, PRIV_EDX, 13, false, "PGE"},
    {0x80000001, PRIV_EDX, 17, false, "PSE36"},
    {0x80000001, PRIV_EDX, 26, false, "PAGE1GB"},
    {0x80000001, PRIV_EDX, 11, true, "SYSCALL"},
    {0x80000001, PRIV_EDX, 20, true, "NX"},
    {0x80000001, PRIV_EDX, 29, true, "LM"},
    {0x80000001, PRIV_ECX, 2, false, "SVM"},
    {0x80000001, PRIV_ECX, 4, false, "CR8_LEGACY"},
};

/* Prints the leaf; fails naming every bit of the table that is wrong. */
static void priv_cpuid_leaf(unsigned int leaf)
{
    char wrong[160] = "";
    size_t n = 0;
    unsigned int r[4];

    priv_cpuid(leaf, r);
    test_info("leaf %#x: eax %08x ebx %08x ecx %08x edx %08x", leaf, r[0], r[1], r[2], r[3]);
    for (unsigned int i = 0; i < ARRAY_SIZE(priv_cpuid_bits); i++) {
        const struct priv_cpuid_bit *b = &priv_cpuid_bits[i];
        bool set = (r[b->reg] >> b->bit) & 1;

        if (b->leaf == leaf && set != b->shown && n < sizeof(wrong))
            n += (size_t)snprintf(wrong + n, sizeof(wrong) - n, "%s%s %s", n ? ", " : "", b->name,
                                  set ? "visible" : "missing");
    }
    if (n)
        test_fail(__FILE__, __LINE__, "leaf %#x: %s", leaf, wrong);
}

static void priv_cpuid_leaf1(void)
{
    priv_cpuid_leaf(1);
}

static void priv_cpuid_leaf7(void)
{
    priv_cpuid_leaf(7);
}

static void priv_cpuid_ext1(void)
{
    priv_cpuid_leaf(0x80000001);
}

/* ---- Control registers ----------------------------------------------------- */

#define PRIV_READ_CR(n)                                                                            \
    ({                                                                                             \
        unsigned long v_;                                                                          \
        asm volatile("mov %%cr" #n ", %0" : "=r"(v_));                                             \
        v_;                                                                                        \
    })

static void priv_cr0(void)
{
    unsigned long cr0 = PRIV_READ_CR(0), ts0, ts1, after_clts;
    bool clts_faulted;

    test_info("cr0 %#lx", cr0);
    CHECK((cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG));
    /* The virtual TS bit is what fpu_taskswitch set; clts clears it. */
    CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
    ts1 = PRIV_READ_CR(0);
    trap_arm(13, TRAP_RESUME_FIXUP);
    asm volatile("1: clts\n2:\n" EXTABLE(1b, 2b));
    clts_faulted = trap_caught(13);
    after_clts = PRIV_READ_CR(0);
    CHECK_EQ(HYPERVISOR_fpu_taskswitch(0), 0);
    ts0 = PRIV_READ_CR(0);
    CHECK_EQ(HYPERVISOR_fpu_taskswitch(!!(cr0 & CR0_TS)), 0);
    CHECK_EQ(ts1, cr0 | CR0_TS);
    CHECK(!clts_faulted);
    CHECK_EQ(after_clts, cr0 & ~CR0_TS);
    CHECK_EQ(ts0, cr0 & ~CR0_TS);
}

static void priv_cr2(void)
{
    unsigned long v = 0;

    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(PRIV_UNMAPPED_VA));
    CHECK(trap_caught(14));
    /* The address of the last #PF Xen bounced, as in vcpu_info. */
    CHECK_EQ(PRIV_READ_CR(2), PRIV_UNMAPPED_VA);
    CHECK_EQ(kernel_vcpu_info->arch.cr2, PRIV_UNMAPPED_VA);
}

static void priv_cr3(void)
{
    unsigned long cr3 = PRIV_READ_CR(3);

    test_info("cr3 %#lx, kernel L4 mfn %#lx", cr3, mm_kernel_l4_mfn);
    CHECK_EQ(cr3, mm_kernel_l4_mfn << PAGE_SHIFT);
}

static void priv_cr4(void)
{
    unsigned long cr4 = PRIV_READ_CR(4);

    test_info("cr4 %#lx", cr4);
    CHECK_EQ(cr4 & ~CR4_PV_VISIBLE, 0);
    CHECK(cr4 & CR4_PAE);
    /* Writing back what it reads is allowed, and changes nothing. */
    asm volatile("mov %0, %%cr4" : : "r"(cr4));
    CHECK_EQ(PRIV_READ_CR(4), cr4);
}

static void priv_cr_invalid(void)
{
    unsigned long v = 0x5a5a;

    /* CR8, the task priority, is no PV kernel's business: not emulated. */
    trap_arm(13, TRAP_RESUME_FIXUP);
    asm volatile("1: mov %%cr8, %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v));
    CHECK(trap_caught(13));
    CHECK_EQ(trap_last.error, 0);
    CHECK_EQ(v, 0x5a5a);
    trap_arm(13, TRAP_RESUME_FIXUP);
    /* CR1 does not exist; from ring 3 that is a #GP all the same, not a #UD. */
    asm volatile("1: mov %%cr1, %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v));
    CHECK(trap_caught(13));
    CHECK_EQ(trap_last.error, 0);
    CHECK_EQ(v, 0x5a5a);
}

/* ---- Virtual IOPL ---------------------------------------------------------- */

static long priv_set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl arg = {.iopl = iopl};

    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &arg);
}

static uint8_t priv_upcall_mask(void)
{
    return READ_ONCE(kernel_vcpu_info->evtchn_upcall_mask);
}

/* Each probe runs one instruction; true when it raised #GP (error code in trap_last). */
static bool priv_cli_faults(void)
{
    trap_arm(13, TRAP_RESUME_FIXUP);
    asm volatile("1: cli\n2:\n" EXTABLE(1b, 2b) : : : "memory");
    return trap_caught(13);
}

static bool priv_sti_faults(void)
{
    trap_arm(13, TRAP_RESUME_FIXUP);
    asm volatile("1: sti\n2:\n" EXTABLE(1b, 2b) : : : "memory");
    return trap_caught(13);
}

/* A port read into a register full of 0x5a: shows which bytes it wrote. */
static bool priv_in_faults(unsigned int port, unsigned int size, unsigned long *val)
{
    unsigned long v = 0x5a5a5a5a5a5a5a5aUL;

    trap_arm(13, TRAP_RESUME_FIXUP);
    if (size == 1)
        asm volatile("1: inb %%dx, %%al\n2:\n" EXTABLE(1b, 2b) : "+a"(v) : "d"(port));
    else if (size == 2)
        asm volatile("1: inw %%dx, %%ax\n2:\n" EXTABLE(1b, 2b) : "+a"(v) : "d"(port));
    else
        asm volatile("1: inl %%dx, %%eax\n2:\n" EXTABLE(1b, 2b) : "+a"(v) : "d"(port));
    *val = v;
    return trap_caught(13);
}

static bool priv_out_faults(unsigned int port, unsigned int size, unsigned long val)
{
    trap_arm(13, TRAP_RESUME_FIXUP);
    if (size == 1)
        asm volatile("1: outb %%al, %%dx\n2:\n" EXTABLE(1b, 2b) : : "a"(val), "d"(port));
    else if (size == 2)
        asm volatile("1: outw %%ax, %%dx\n2:\n" EXTABLE(1b, 2b) : : "a"(val), "d"(port));
    else
        asm volatile("1: outl %%eax, %%dx\n2:\n" EXTABLE(1b, 2b) : : "a"(val), "d"(port));
    return trap_caught(13);
}

static unsigned long priv_rflags(void)
{
    unsigned long f;

    asm volatile("pushf\n pop %0" : "=r"(f));
    return f;
}

/*
 * Runs `body` with the virtual IOPL at `iopl`; afterwards, whatever the
 * body did, the upcall mask is put back, the IOPL returns to 0 and cli
 * must fault again.
 */
static void priv_with_iopl(unsigned int iopl, void (*body)(void))
{
    uint8_t mask = priv_upcall_mask();

    CHECK_EQ(priv_set_iopl(iopl), 0);
    body();
    WRITE_ONCE(kernel_vcpu_info->evtchn_upcall_mask, mask);
    CHECK_EQ(priv_set_iopl(0), 0);
    CHECK(priv_cli_faults());
}

static void priv_iopl_default(void)
{
    uint8_t mask = priv_upcall_mask();
    unsigned long v;

    /* Without a virtual IOPL, a PV kernel is user code to the CPU. */
    CHECK(priv_cli_faults());
    CHECK_EQ(trap_last.error, 0);
    CHECK(priv_sti_faults());
    CHECK_EQ(trap_last.error, 0);
    CHECK_EQ(priv_upcall_mask(), mask);
    CHECK(priv_in_faults(PRIV_DENIED_PORT_LSR, 1, &v));
    CHECK_EQ(trap_last.error, 0);
    CHECK(priv_in_faults(0x80, 1, &v));
    CHECK(priv_out_faults(PRIV_DENIED_PORT_SCR, 1, 0));
    CHECK_EQ(trap_last.error, 0);
}

static void priv_set_iopl_invalid(void)
{
    CHECK_EQ(priv_set_iopl(4), -EINVAL);
    CHECK_EQ(priv_set_iopl(5), -EINVAL);
    CHECK_EQ(priv_set_iopl(~0U), -EINVAL);
    /* A refused call leaves the IOPL as it was. */
    CHECK(priv_cli_faults());
}

/*
 * With a virtual IOPL, cli and sti no longer fault, but Xen does not let
 * them touch the upcall mask either: they are no-ops (a masked kernel
 * could never be unmasked by a popf it cannot trap). The CPU's own
 * IOPL stays 0 and IF stays 1: the kernel is still ring 3 to it.
 */
static void priv_iopl1_cli_sti_body(void)
{
    unsigned long flags = priv_rflags();

    test_info("rflags %#lx", flags);
    CHECK_EQ(flags & (RFLAGS_IF | RFLAGS_IOPL), RFLAGS_IF);
    WRITE_ONCE(kernel_vcpu_info->evtchn_upcall_mask, 0);
    CHECK(!priv_cli_faults());
    CHECK_EQ(priv_upcall_mask(), 0);
    WRITE_ONCE(kernel_vcpu_info->evtchn_upcall_mask, 1);
    CHECK(!priv_sti_faults());
    CHECK_EQ(priv_upcall_mask(), 1);
    CHECK_EQ(priv_rflags() & (RFLAGS_IF | RFLAGS_IOPL), RFLAGS_IF);
}

static void priv_iopl1_cli_sti(void)
{
    priv_with_iopl(1, priv_iopl1_cli_sti_body);
}

static void priv_iopl1_ports_body(void)
{
    unsigned long v;

    /* Reads of ports Xen keeps give all ones, in the bytes read only. */
    CHECK(!priv_in_faults(PRIV_DENIED_PORT_LSR, 1, &v));
    CHECK_EQ(v, 0x5a5a5a5a5a5a5affUL);
    CHECK(!priv_in_faults(PRIV_DENIED_PORT_MCR, 2, &v));
    CHECK_EQ(v, 0x5a5a5a5a5a5affffUL);
    CHECK(!priv_in_faults(PRIV_DENIED_PORT_MCR, 4, &v));
    CHECK_EQ(v, 0xffffffffUL); /* a 32-bit result clears the upper half */
    /* Writes to them are dropped without a fault. */
    CHECK(!priv_out_faults(PRIV_DENIED_PORT_SCR, 1, 0x5a));
    CHECK(!priv_out_faults(PRIV_DENIED_PORT_MCR + 2, 2, 0x5a5a));
    CHECK(!priv_out_faults(PRIV_DENIED_PORT_MCR, 4, 0x5a5a5a5a));
}

static void priv_iopl1_ports(void)
{
    priv_with_iopl(1, priv_iopl1_ports_body);
}

/* ---- The same from user mode ------------------------------------------------ */

/*
 * User programs, position-independent, in the section user.c maps for
 * ring 3. Each runs one instruction (its *_insn label) and exits; the
 * port read exits with %eax. The numbers are spelled out for the
 * assembler: the asserts tie them to their names.
 */
_Static_assert(USER_SYS_EXIT == 2, "priv user programs call exit as 2");
_Static_assert(PRIV_DENIED_PORT_LSR == 0x3fd && PRIV_DENIED_PORT_SCR == 0x3ff, "priv ports");
__asm__(".pushsection .user.text, \"ax\"\n"
        "priv_user_cli:\n"
        "priv_user_cli_insn:\n"
        "    cli\n"
        "    xor %edi, %edi\n"
        "    mov $2, %eax\n"
        "    syscall\n"
        "priv_user_sti:\n"
        "priv_user_sti_insn:\n"
        "    sti\n"
        "    xor %edi, %edi\n"
        "    mov $2, %eax\n"
        "    syscall\n"
        "priv_user_inb:\n"
        "    mov $0x3fd, %edx\n"
        "    mov $0x5a5a, %eax\n"
        "priv_user_inb_insn:\n"
        "    inb %dx, %al\n"
        "    mov %eax, %edi\n"
        "    mov $2, %eax\n"
        "    syscall\n"
        "priv_user_outb:\n"
        "    mov $0x3ff, %edx\n"
        "    mov $0x5a, %eax\n"
        "priv_user_outb_insn:\n"
        "    outb %al, %dx\n"
        "    xor %edi, %edi\n"
        "    mov $2, %eax\n"
        "    syscall\n"
        ".popsection\n");

extern char priv_user_cli[], priv_user_cli_insn[], priv_user_sti[], priv_user_sti_insn[],
    priv_user_inb[], priv_user_inb_insn[], priv_user_outb[], priv_user_outb_insn[],
    user_text_start[];

static unsigned long priv_user_va(const char *sym)
{
    return USER_TEXT_VA + (unsigned long)(sym - user_text_start);
}

/* Runs `prog` in ring 3 and prints how it ended. */
static void priv_user_run(const char *name, const char *prog, struct user_result *res)
{
    CHECK_EQ(user_run(prog, res), 0);
    test_info("%s: exited %d code %#lx faulted %d vector %lu error %#lx rip %#lx", name,
              res->exited, res->exit_code, res->faulted, res->vector, res->error, res->rip);
}

/* The program must have raised #GP at its instruction. */
#define PRIV_USER_GP(prog)                                                                         \
    do {                                                                                           \
        struct user_result res_;                                                                   \
        priv_user_run(#prog, prog, &res_);                                                         \
        if (test_failed())                                                                         \
            return;                                                                                \
        CHECK(res_.faulted && !res_.exited);                                                       \
        CHECK_EQ(res_.vector, 13);                                                                 \
        CHECK_EQ(res_.error, 0);                                                                   \
        CHECK_EQ(res_.rip, priv_user_va(prog##_insn));                                             \
    } while (0)

static void priv_user_iopl1_body(void)
{
    /* IOPL 1 is the kernel's: ring 3 proper still may not. */
    PRIV_USER_GP(priv_user_cli);
    PRIV_USER_GP(priv_user_sti);
    PRIV_USER_GP(priv_user_inb);
    PRIV_USER_GP(priv_user_outb);
}

static void priv_user_iopl1(void)
{
    priv_with_iopl(1, priv_user_iopl1_body);
}

/* The program ran to its exit without a fault. */
#define PRIV_USER_EXITS(prog, code)                                                                \
    do {                                                                                           \
        struct user_result res_;                                                                   \
        priv_user_run(#prog, prog, &res_);                                                         \
        if (test_failed())                                                                         \
            return;                                                                                \
        CHECK(res_.exited && !res_.faulted);                                                       \
        CHECK_EQ(res_.exit_code, code);                                                            \
    } while (0)

/*
 * Runs priv_user_sti with an event pending under the upcall mask: the
 * number of upcalls that reached us while it ran; negative when the
 * event could not be set up (an errno) or the program did not exit (-1).
 */
static long priv_user_sti_upcalls(void)
{
    struct user_result res;
    long port = evtchn_bind_ipi(0), rc;
    unsigned long upcalls;

    if (port < 0)
        return port;
    evtchn_set_handler((evtchn_port_t)port, NULL, NULL);
    rc = evtchn_send((evtchn_port_t)port);
    if (rc == 0)
        priv_user_run("priv_user_sti", priv_user_sti, &res);
    upcalls = evtchn_count((evtchn_port_t)port);
    if (rc == 0 && !(res.exited && !res.faulted))
        rc = -1;
    /* Take the event (upcalls on, then off) before the port goes. */
    evtchn_upcall_enable();
    evtchn_upcall_disable();
    evtchn_close((evtchn_port_t)port);
    return rc ? rc : (long)upcalls;
}

/*
 * IOPL 3 reaches ring 3: Xen emulates the port I/O of user code too (a
 * denied port still reads all ones), and cli/sti are the same no-ops as
 * in the kernel: an event pending under the mask stays undelivered.
 */
static void priv_user_iopl3_body(void)
{
    PRIV_USER_EXITS(priv_user_cli, 0);
    CHECK_EQ(priv_user_sti_upcalls(), 0);
    PRIV_USER_EXITS(priv_user_inb, 0x5aff);
    PRIV_USER_EXITS(priv_user_outb, 0);
}

static void priv_user_iopl3(void)
{
    priv_with_iopl(3, priv_user_iopl3_body);
}

static const struct test_case priv_cases[] = {
    {"cpuid_leaf1", priv_cpuid_leaf1},
    {"cpuid_leaf7", priv_cpuid_leaf7},
    {"cpuid_ext1", priv_cpuid_ext1},
    {"cr0", priv_cr0},
    {"cr2", priv_cr2},
    {"cr3", priv_cr3},
    {"cr4", priv_cr4},
    {"cr_invalid", priv_cr_invalid},
    {"iopl_default", priv_iopl_default},
    {"set_iopl_invalid", priv_set_iopl_invalid},
    {"iopl1_cli_sti", priv_iopl1_cli_sti},
    {"iopl1_ports", priv_iopl1_ports},
    {"user_iopl1", priv_user_iopl1},
    {"user_iopl3", priv_user_iopl3},
};
TEST_SUITE(test_suite_priv, "priv", priv_cases);
