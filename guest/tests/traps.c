/* SPDX-License-Identifier: MIT */
/*
 * Suite "traps": exceptions as Xen bounces them to a PV kernel, the
 * instructions it emulates, and the hypercalls that stand in for
 * privileged CPU state (FPU switch, stacks, segment bases, debug
 * registers, descriptor tables).
 */
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define TRAPS_UNMAPPED_VA 0xffff950000000000UL /* L4 slot 298: never mapped */
#define MSR_FS_BASE       0xc0000100
#define MSR_GS_BASE       0xc0000101

static volatile unsigned long traps_var_a = 0xaaaa, traps_var_b = 0xbbbb;

static void traps_int3_frame(void)
{
    unsigned long sp, after;

    trap_arm(3, TRAP_RESUME_RETRY);
    asm volatile("movabs $0x1111222233334444, %%rcx\n"
                 "movabs $0x5555666677778888, %%r11\n"
                 "mov %%rsp, %0\n"
                 "int3\n"
                 "1: lea 1b(%%rip), %1\n"
                 : "=&r"(sp), "=&r"(after)
                 :
                 : "rcx", "r11", "memory");
    CHECK(trap_caught(3));
    /* rcx and r11 ride on top of Xen's frame; the entry stub popped them. */
    CHECK_EQ(trap_last.regs.rcx, 0x1111222233334444);
    CHECK_EQ(trap_last.regs.r11, 0x5555666677778888);
    CHECK_EQ(trap_last.regs.rip, after);
    CHECK_EQ(trap_last.regs.rsp, sp);
    /* Kernel context: Xen clears the RPL; bits 32-39 carry the saved upcall mask. */
    CHECK_EQ(trap_last.regs.cs & 0xffff, FLAT_KERNEL_CS & ~3);
    CHECK_EQ((trap_last.regs.cs >> 32) & 0xff, 1);
    CHECK_EQ(trap_last.regs.ss & 0xffff, FLAT_KERNEL_SS);
    CHECK_EQ(trap_last.regs.rflags & 0x200, 0); /* IF mirrors !upcall_mask */
}

static void traps_page_fault(void)
{
    unsigned long pfn = mm_page_alloc();
    volatile unsigned long *ro = mm_pfn_to_virt(pfn);
    unsigned long v = 0;

    CHECK(pfn);
    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: mov (%1), %0\n2:\n" EXTABLE(1b, 2b) : "+r"(v) : "r"(TRAPS_UNMAPPED_VA));
    CHECK(trap_caught(14));
    CHECK_EQ(trap_last.cr2, TRAPS_UNMAPPED_VA);
    CHECK_EQ(trap_last.error, 0); /* read, not present, and U cleared: kernel mode */
    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: movq $1, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(TRAPS_UNMAPPED_VA) : "memory");
    CHECK(trap_caught(14));
    CHECK_EQ(trap_last.error, 2);
    CHECK_EQ(mm_set_readonly(pfn, true), 0);
    trap_arm(14, TRAP_RESUME_FIXUP);
    asm volatile("1: movq $1, (%0)\n2:\n" EXTABLE(1b, 2b) : : "r"(ro) : "memory");
    CHECK(trap_caught(14));
    CHECK_EQ(trap_last.cr2, (unsigned long)ro);
    CHECK_EQ(trap_last.error, 3);
    CHECK_EQ(mm_set_readonly(pfn, false), 0);
    mm_page_free(pfn);
}

static void traps_gp_privileged(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed idtr = {0, 0};

    trap_arm(13, TRAP_RESUME_FIXUP);
    asm volatile("1: lidt %0\n2:\n" EXTABLE(1b, 2b) : : "m"(idtr));
    CHECK(trap_caught(13));
    CHECK_EQ(trap_last.error, 0);
}

static void traps_ud(void)
{
    unsigned long at;

    trap_arm(6, TRAP_RESUME_FIXUP);
    asm volatile("lea 1f(%%rip), %0\n1: ud2\n2:\n" EXTABLE(1b, 2b) : "=r"(at));
    CHECK(trap_caught(6));
    CHECK_EQ(trap_last.regs.rip, at);
}

static void traps_de(void)
{
    unsigned int zero = 0, a = 1, d = 0;

    trap_arm(0, TRAP_RESUME_FIXUP);
    asm volatile("1: divl %2\n2:\n" EXTABLE(1b, 2b) : "+a"(a), "+d"(d) : "r"(zero));
    CHECK(trap_caught(0));
}

static void traps_cpuid(unsigned int leaf, unsigned int *r)
{
    /* ud2a; "xen"; cpuid: Xen's #UD handler emulates it with the PV policy. */
    asm volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n cpuid"
                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                 : "a"(leaf), "c"(0));
}

static void traps_forced_cpuid(void)
{
    unsigned int r[4];
    char sig[13];

    traps_cpuid(0x40000000, r);
    memcpy(sig, &r[1], 4);
    memcpy(sig + 4, &r[2], 4);
    memcpy(sig + 8, &r[3], 4);
    sig[12] = '\0';
    CHECK(strcmp(sig, "XenVMMXenVMM") == 0);
    CHECK_EQ(r[0], 0x40000005); /* Xen 4.17's highest leaf */
    traps_cpuid(0x40000001, r);
    CHECK_EQ(r[0], (4 << 16) | 17);
    traps_cpuid(1, r);
    CHECK(r[2] & (1U << 31)); /* the "hypervisor" bit */
}

static void traps_wrmsr(unsigned int msr, unsigned long v)
{
    asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static unsigned long traps_rdmsr(unsigned int msr)
{
    uint32_t lo, hi;

    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((unsigned long)hi << 32) | lo;
}

static unsigned long traps_read_gs0(void)
{
    unsigned long v;

    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static unsigned long traps_read_fs0(void)
{
    unsigned long v;

    asm volatile("mov %%fs:0, %0" : "=r"(v));
    return v;
}

/* A plain wrmsr, as Linux's startup_xen does first: Xen emulates it. */
static void traps_emulated_msr(void)
{
    unsigned long gs = (unsigned long)smp_this_cpu(); /* restored: how a vCPU finds itself */

    traps_wrmsr(MSR_GS_BASE, (unsigned long)&traps_var_a);
    CHECK_EQ(traps_read_gs0(), 0xaaaa);
    CHECK_EQ(traps_rdmsr(MSR_GS_BASE), (unsigned long)&traps_var_a);
    traps_wrmsr(MSR_FS_BASE, (unsigned long)&traps_var_b);
    CHECK_EQ(traps_read_fs0(), 0xbbbb);
    CHECK_EQ(traps_rdmsr(MSR_FS_BASE), (unsigned long)&traps_var_b);
    traps_wrmsr(MSR_GS_BASE, gs);
    traps_wrmsr(MSR_FS_BASE, 0);
}

static void traps_set_segment_base(void)
{
    unsigned long gs = (unsigned long)smp_this_cpu();

    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_FS, (unsigned long)&traps_var_a), 0);
    CHECK_EQ(traps_read_fs0(), 0xaaaa);
    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&traps_var_b), 0);
    CHECK_EQ(traps_read_gs0(), 0xbbbb);
    CHECK_EQ(traps_rdmsr(MSR_GS_BASE), (unsigned long)&traps_var_b);
    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);
    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0x1000), 0);
    CHECK_EQ(HYPERVISOR_set_segment_base(99, 0), -EINVAL);
    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_FS, 0), 0);
    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, gs), 0);
    CHECK_EQ(HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0), 0);
}

static void traps_fpu_taskswitch(void)
{
    CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
    trap_arm(7, TRAP_RESUME_RETRY);
    asm volatile("fnop");
    CHECK(trap_caught(7));
    asm volatile("fnop"); /* Xen cleared the virtual TS when it bounced #NM */
    CHECK_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
    CHECK_EQ(HYPERVISOR_fpu_taskswitch(0), 0);
    asm volatile("fnop");
}

/*
 * A native iretq to the same ring, as Linux's sync_core does ("iret to
 * self"): it must simply work. (QEMU's TCG pops the frame with
 * supervisor rights, so with SMAP on the hypervisor has to finish it.)
 */
static void traps_native_iretq(void)
{
    unsigned long out;

    asm volatile("mov %%ss, %%eax\n"
                 "push %%rax\n"
                 "push %%rsp\n"
                 "addq $8, (%%rsp)\n"
                 "pushf\n"
                 "mov %%cs, %%eax\n"
                 "push %%rax\n"
                 "lea 1f(%%rip), %%rax\n"
                 "push %%rax\n"
                 "iretq\n"
                 "1: mov $0x1234, %0\n"
                 : "=r"(out)
                 :
                 : "rax", "memory", "cc");
    CHECK_EQ(out, 0x1234);
}

static void traps_stack_switch(void)
{
    extern char boot_stack[];

    CHECK_EQ(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)boot_stack + 4096), 0);
}

static void traps_debugreg(void)
{
    const unsigned long dr7 = 0x1 | (1UL << 16) | (2UL << 18); /* L0, write, 8 bytes */

    CHECK_EQ(HYPERVISOR_set_debugreg(0, (unsigned long)&traps_var_a), 0);
    CHECK_EQ(HYPERVISOR_get_debugreg(0), (unsigned long)&traps_var_a);
    CHECK_EQ(HYPERVISOR_set_debugreg(7, dr7), 0);
    /* DR7 reads back with its always-one bit 10; DR6 at its reset value. */
    CHECK_EQ(HYPERVISOR_get_debugreg(7), dr7 | 0x400);
    CHECK_EQ(HYPERVISOR_get_debugreg(6), 0xffff0ff0);
    trap_arm(1, TRAP_RESUME_RETRY);
    traps_var_a = 0x1234;
    CHECK(trap_caught(1));
    CHECK_EQ(HYPERVISOR_get_debugreg(6), 0xffff0ff1); /* B0: breakpoint 0 hit */
    CHECK_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    CHECK_EQ(HYPERVISOR_set_debugreg(6, 0xffff0ff0), 0);
    CHECK_EQ(HYPERVISOR_set_debugreg(0, 0), 0);
    traps_var_a = 0xaaaa;
    /* A breakpoint on hypervisor memory is refused; DR8 does not exist. */
    CHECK_EQ(HYPERVISOR_set_debugreg(0, 0xffff830000000000UL), -EPERM);
    CHECK_EQ(HYPERVISOR_get_debugreg(8), -ENODEV);
}

#define DESC_CODE64_DPL3 0x00affb000000ffffUL
#define DESC_DATA_DPL3   0x00cff3000000ffffUL
#define DESC_DATA_DPL0   0x00cf93000000ffffUL

static void traps_gdt(void)
{
    unsigned long pfn = mm_page_alloc(), frame;
    uint64_t *gdt = mm_pfn_to_virt(pfn);
    uint64_t ma;
    uint16_t sel;
    long rc;

    CHECK(pfn);
    frame = mm_pfn_to_mfn(pfn);
    ma = (uint64_t)frame << PAGE_SHIFT;
    gdt[1] = DESC_CODE64_DPL3;
    gdt[2] = DESC_DATA_DPL3;
    /* GDT frames must not be writable anywhere: they become seg_desc pages. */
    CHECK_EQ(HYPERVISOR_set_gdt(&frame, 4), -EINVAL);
    CHECK_EQ(mm_set_readonly(pfn, true), 0);
    CHECK_EQ(HYPERVISOR_set_gdt(&frame, 4), 0);
    asm volatile("mov %1, %%fs\n mov %%fs, %0" : "=r"(sel) : "r"((uint16_t)0x13));
    CHECK_EQ(sel, 0x13);
    asm volatile("mov %0, %%fs" : : "r"(0));
    CHECK_EQ(HYPERVISOR_update_descriptor(ma + 3 * 8, DESC_DATA_DPL3), 0);
    CHECK_EQ(gdt[3], DESC_DATA_DPL3);
    /* A DPL 0 segment is not refused: Xen rewrites its DPL to 3. */
    rc = HYPERVISOR_update_descriptor(ma + 3 * 8, DESC_DATA_DPL0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(gdt[3], DESC_DATA_DPL3);
    CHECK_EQ(HYPERVISOR_set_gdt(&frame, 0), 0);
    CHECK_EQ(mm_set_readonly(pfn, false), 0);
    mm_page_free(pfn);
}

static const struct test_case traps_cases[] = {
    {"int3_frame", traps_int3_frame},
    {"page_fault", traps_page_fault},
    {"gp_privileged", traps_gp_privileged},
    {"invalid_opcode", traps_ud},
    {"divide_error", traps_de},
    {"forced_cpuid", traps_forced_cpuid},
    {"emulated_msr", traps_emulated_msr},
    {"set_segment_base", traps_set_segment_base},
    {"fpu_taskswitch", traps_fpu_taskswitch},
    {"native_iretq", traps_native_iretq},
    {"stack_switch", traps_stack_switch},
    {"debugreg", traps_debugreg},
    {"gdt", traps_gdt},
};
TEST_SUITE(test_suite_traps, "traps", traps_cases);
