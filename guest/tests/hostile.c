/* SPDX-License-Identifier: MIT */
/*
 * Suite "hostile": what a hostile PV kernel tries, and Xen's exact
 * refusal of each (an error code, or a fault bounced back to us). Every
 * case must leave this kernel alive and its state as it was.
 */
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define HV_VA        0xffff830000000000UL /* Xen's direct map */
#define UNMAPPED_VA  0xffff950000000000UL /* L4 slot 298: never mapped */
#define NONCANON_VA  0x8000000000000000UL
#define HOSTILE_SLOT 301
#define HOSTILE_VA   (0xffff000000000000UL | ((unsigned long)HOSTILE_SLOT << 39))

static uint64_t hostile_pte(unsigned long pfn, uint64_t flags)
{
    return ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) | flags;
}

/* An L3/L2/L1 chain for HOSTILE_VA, linked into the kernel L4. */
static unsigned long hostile_tables[3];

static void hostile_setup(void)
{
    uint64_t *t[3];

    for (int i = 0; i < 3; i++) {
        hostile_tables[i] = mm_page_alloc();
        if (!hostile_tables[i])
            panic("hostile: no memory");
        t[i] = mm_pfn_to_virt(hostile_tables[i]);
    }
    t[0][mm_table_index(HOSTILE_VA, 3)] = hostile_pte(hostile_tables[1], PTE_TABLE);
    t[1][mm_table_index(HOSTILE_VA, 2)] = hostile_pte(hostile_tables[2], PTE_TABLE);
    for (int i = 0; i < 3; i++)
        if (mm_set_readonly(hostile_tables[i], true))
            panic("hostile: cannot write-protect tables");
    if (mm_entry_write(((uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT) + HOSTILE_SLOT * 8,
                       hostile_pte(hostile_tables[0], PTE_TABLE)))
        panic("hostile: cannot link tables");
}

static uint64_t hostile_l1e(unsigned long va)
{
    return ((uint64_t)mm_pfn_to_mfn(hostile_tables[2]) << PAGE_SHIFT) + mm_table_index(va, 1) * 8;
}

static void hostile_writable_pagetable(void)
{
    unsigned long pt = mm_pt_alloc();
    unsigned long l4_pfn = mm_mfn_to_pfn(mm_kernel_l4_mfn);

    CHECK(pt);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mm_pfn_to_mfn(pt)), 0);
    /* A page table never gets a writable mapping: the type is taken (-EBUSY). */
    CHECK_EQ(mm_set_readonly(pt, false), -EBUSY);
    CHECK_EQ(mm_set_readonly(l4_pfn, false), -EBUSY);
    CHECK_EQ(mm_entry_write(hostile_l1e(HOSTILE_VA), hostile_pte(l4_pfn, PTE_PAGE)), -EBUSY);
    CHECK_EQ(mm_entry_write(hostile_l1e(HOSTILE_VA), hostile_pte(hostile_tables[2], PTE_PAGE)),
             -EBUSY);
    /* Read-only is fine: that is how the kernel reads its own tables. */
    CHECK_EQ(mm_entry_write(hostile_l1e(HOSTILE_VA), hostile_pte(l4_pfn, PTE_PAGE & ~PTE_RW)), 0);
    CHECK_EQ(mm_entry_write(hostile_l1e(HOSTILE_VA), 0), 0);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mm_pfn_to_mfn(pt)), 0);
    CHECK_EQ(mm_pt_free(pt), 0);
}

/* Maps `mfn` at HOSTILE_VA read-only, then writable; both results out. */
static void hostile_try_map(unsigned long mfn, long *rc_ro, long *rc_rw)
{
    uint64_t ro = ((uint64_t)mfn << PAGE_SHIFT) | (PTE_PAGE & ~PTE_RW);

    *rc_ro = HYPERVISOR_update_va_mapping(HOSTILE_VA, ro, UVMF_INVLPG);
    HYPERVISOR_update_va_mapping(HOSTILE_VA, 0, UVMF_INVLPG);
    *rc_rw = HYPERVISOR_update_va_mapping(HOSTILE_VA, ro | PTE_RW, UVMF_INVLPG);
    HYPERVISOR_update_va_mapping(HOSTILE_VA, 0, UVMF_INVLPG);
}

static void hostile_foreign_frames(void)
{
    long top = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    unsigned long lo = ~0UL, hi = 0;
    long ro, rw;

    for (unsigned long p = 0; p < mm_nr_pages; p++) {
        lo = MIN(lo, mm_p2m[p]);
        hi = MAX(hi, mm_p2m[p]);
    }
    /* RAM that is not ours (Xen's free heap): refused either way. */
    hostile_try_map((unsigned long)top - 1, &ro, &rw);
    CHECK_EQ(ro, -EBUSY);
    CHECK_EQ(rw, -EBUSY);
    /* Frames no one may map: the local APIC, and past the end of memory. */
    hostile_try_map(0xfee00, &ro, &rw);
    CHECK_EQ(ro, -EPERM);
    CHECK_EQ(rw, -EPERM);
    hostile_try_map(0xfffffff, &ro, &rw);
    CHECK_EQ(ro, -EPERM);
    CHECK_EQ(rw, -EPERM);
    /* dom0 may map DOMID_IO's low memory (BIOS area), as Linux dom0 does. */
    hostile_try_map(0, &ro, &rw);
    CHECK_EQ(ro, 0);
    CHECK_EQ(rw, 0);
    test_info("our frames are mfns %#lx-%#lx", lo, hi);
}

static void hostile_xen_l4_slots(void)
{
    uint64_t l4 = (uint64_t)mm_kernel_l4_mfn << PAGE_SHIFT;
    unsigned long l3 = mm_pt_alloc();

    CHECK(l3);
    /* Slots 256-271 are Xen's: -EINVAL. Their neighbours are ours. */
    for (unsigned int slot = 255; slot <= 272; slot++) {
        long rc = mm_entry_write(l4 + slot * 8, hostile_pte(l3, PTE_TABLE));

        if (rc == 0)
            CHECK_EQ(mm_entry_write(l4 + slot * 8, 0), 0);
        CHECK_EQ(rc, (slot >= 256 && slot < 272) ? -EINVAL : 0);
    }
    CHECK_EQ(mm_pt_free(l3), 0);
}

static void hostile_bad_baseptr(void)
{
    unsigned long plain = mm_page_alloc(), pt = mm_pt_alloc();
    long top = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    CHECK(plain && pt);
    /* A base pointer must be a validated L4 of ours: all else is -EINVAL. */
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_NEW_BASEPTR, mm_pfn_to_mfn(plain)), -EINVAL);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_NEW_BASEPTR, (unsigned long)top - 1), -EINVAL);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L1_TABLE, mm_pfn_to_mfn(pt)), 0);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_NEW_BASEPTR, mm_pfn_to_mfn(pt)), -EINVAL);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_NEW_USER_BASEPTR, mm_pfn_to_mfn(plain)), -EINVAL);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L4_TABLE, (unsigned long)top - 1), -EINVAL);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mm_pfn_to_mfn(pt)), 0);
    CHECK_EQ(mm_pt_free(pt), 0);
    mm_page_free(plain);
}

static void hostile_unpin_current(void)
{
    /*
     * Unpinning the table we run on is allowed: the base pointer holds its
     * own type reference, so it stays an L4 and still cannot be made
     * writable. Pin it again for the rest of the run.
     */
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mm_kernel_l4_mfn), 0);
    CHECK_EQ(mm_set_readonly(mm_mfn_to_pfn(mm_kernel_l4_mfn), false), -EBUSY);
    CHECK_EQ(hypercall_mmuext_mfn(MMUEXT_PIN_L4_TABLE, mm_kernel_l4_mfn), 0);
}

static void hostile_bad_pointers(void)
{
    static const unsigned long bad[] = {HV_VA, UNMAPPED_VA, NONCANON_VA};

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        void *p = (void *)bad[i];

        /* Xen's space, a hole, a non-canonical address: all -EFAULT. */
        CHECK_EQ(HYPERVISOR_xen_version(XENVER_extraversion, p), -EFAULT);
        CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 8, p), -EFAULT);
        CHECK_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, p), -EFAULT);
        CHECK_EQ(HYPERVISOR_mmu_update(p, 1, NULL, DOMID_SELF), -EFAULT);
        CHECK_EQ(HYPERVISOR_mmuext_op(p, 1, NULL, DOMID_SELF), -EFAULT);
        CHECK_EQ(HYPERVISOR_multicall(p, 1), -EFAULT);
        CHECK_EQ(HYPERVISOR_set_trap_table(p), -EFAULT);
        CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, p), -EFAULT);
    }
}

static void hostile_huge_counts(void)
{
    unsigned long page = mm_page_alloc();
    char *end;
    unsigned int done = 0;

    CHECK(page);
    CHECK_EQ(HYPERVISOR_update_va_mapping(HOSTILE_VA, hostile_pte(page, PTE_PAGE), UVMF_INVLPG), 0);
    /* One valid request at the very end of a page; the next page is a hole. */
    end = (char *)HOSTILE_VA + PAGE_SIZE;
    {
        mmu_update_t *req = (mmu_update_t *)end - 1;
        unsigned long m = mm_pfn_to_mfn(page);

        /*
         * Xen works through the array until the first request it cannot
         * read: the valid one is done, then -EFAULT.
         */
        req->ptr = ((uint64_t)m << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
        req->val = page;
        CHECK_EQ(HYPERVISOR_mmu_update(req, 0x7fffffff, &done, DOMID_SELF), -EFAULT);
        CHECK_EQ(done, 1);
    }
    {
        multicall_entry_t *mc = (multicall_entry_t *)end - 1;

        memset(mc, 0, sizeof(*mc));
        mc->op = __HYPERVISOR_xen_version;
        /* Likewise: the first call runs and its result is stored. */
        CHECK_EQ(HYPERVISOR_multicall(mc, 0x7fffffff), -EFAULT);
        CHECK_EQ(mc->result, (4 << 16) | 17);
    }
    memcpy(end - 8, "hostile\n", 8);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 0x7fffffff, end - 8), -EFAULT);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, -1, end - 8), -EFAULT);
    CHECK_EQ(HYPERVISOR_update_va_mapping(HOSTILE_VA, 0, UVMF_INVLPG), 0);
    mm_page_free(page);
}

/* Runs `insn` in kernel mode, expecting Xen to bounce #GP(0) to us. */
#define HOSTILE_GP(insn, ...)                                                                      \
    do {                                                                                           \
        trap_arm(13, TRAP_RESUME_FIXUP);                                                           \
        asm volatile("1: " insn "\n2:\n" EXTABLE(1b, 2b)::__VA_ARGS__);                            \
        if (!trap_caught(13) || trap_last.error != 0) {                                            \
            test_fail(__FILE__, __LINE__, "%s: no #GP(0)", insn);                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Runs `insn` in kernel mode, expecting Xen to emulate it (no fault). */
#define HOSTILE_EMULATED(insn, ...) asm volatile(insn::__VA_ARGS__)

static void hostile_privileged(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed dtr = {0, 0};

    /*
     * Virtual IOPL is 0 until PHYSDEVOP_set_iopl, so even dom0's port I/O
     * and cli/sti fault; a cr3 that is not a validated L4, unknown MSRs,
     * descriptor-table loads, hlt, invd and rdpmc fault too.
     */
    HOSTILE_GP("cli", "r"(0));
    HOSTILE_GP("sti", "r"(0));
    HOSTILE_GP("hlt", "r"(0));
    HOSTILE_GP("mov %0, %%cr3", "r"(0x1000UL));
    HOSTILE_GP("wrmsr", "c"(0x12345678), "a"(0), "d"(0));
    HOSTILE_GP("rdmsr", "c"(0x12345678) : "rax", "rdx");
    HOSTILE_GP("inb $0x71, %%al", "r"(0) : "rax");
    HOSTILE_GP("outb %%al, $0x80", "a"(0));
    HOSTILE_GP("inb %%dx, %%al", "d"(0x3f8) : "rax");
    HOSTILE_GP("lgdt %0", "m"(dtr));
    HOSTILE_GP("ltr %w0", "r"(0x28));
    HOSTILE_GP("invd", "r"(0));
    HOSTILE_GP("rdpmc", "c"(0) : "rax", "rdx");
    /* Emulated: wbinvd (a cache flush on the guest's behalf), and a write
     * of cr4 (Xen ignores the value: the guest cannot change real CR4). */
    HOSTILE_EMULATED("wbinvd", "r"(0));
    HOSTILE_EMULATED("mov %0, %%cr4", "r"(0UL));
}

static void hostile_trap_table(void)
{
    trap_info_t bad[] = {{6, 0, FLAT_KERNEL_CS, HV_VA}, {0, 0, 0, 0}};
    trap_info_t noncanon[] = {{6, 0, FLAT_KERNEL_CS, NONCANON_VA}, {0, 0, 0, 0}};

    CHECK_EQ(HYPERVISOR_set_trap_table(noncanon), -EINVAL);
    /*
     * Xen checks only that a handler is canonical, so a handler in its own
     * space is accepted; #UD is then "delivered" there and the fetch, from
     * ring 3, faults: we get a #PF at that rip (error 0x11: present,
     * instruction fetch). Resume past the ud2 on the original stack.
     */
    CHECK_EQ(HYPERVISOR_set_trap_table(bad), 0);
    {
        trap_arm(14, TRAP_RESUME_AT);
        asm volatile("lea 2f(%%rip), %%rax\n"
                     "mov %%rax, %0\n"
                     "mov %%rsp, %1\n"
                     "ud2\n"
                     "2:\n"
                     : "=m"(trap_resume_at.rip), "=m"(trap_resume_at.rsp)
                     :
                     : "rax", "memory");
    }
    traps_init();
    CHECK(trap_caught(14));
    CHECK_EQ(trap_last.regs.rip, HV_VA);
    CHECK_EQ(trap_last.cr2, HV_VA);
    CHECK_EQ(trap_last.error, 0x11);
}

static void hostile_iret_ring0(void)
{
    uint16_t cs, ss;

    /* rip, cs (RPL 0), rflags, rsp, ss (RPL 0), flags word on top. */
    asm volatile("mov %%rsp, %%rax\n"
                 "pushq %2\n"
                 "pushq %%rax\n"
                 "pushq $0x2\n"
                 "pushq %3\n"
                 "lea 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "pushq $0\n"
                 "jmp hypercall_iret\n"
                 "1: mov %%cs, %0\n"
                 "mov %%ss, %1\n"
                 : "=r"(cs), "=r"(ss)
                 : "i"(FLAT_KERNEL_SS & ~3), "i"(FLAT_KERNEL_CS & ~3)
                 : "rax", "rcx", "r11", "memory");
    /* Xen forces RPL 3 and stays in kernel mode (CS RPL 0 is how a PV
     * kernel says "return to kernel"; RPL 3 with no user tables would
     * crash the domain). */
    CHECK_EQ(cs, FLAT_KERNEL_CS);
    CHECK_EQ(ss, FLAT_KERNEL_SS);
}

static void hostile_iret_iopl(void)
{
    unsigned long flags;

    asm volatile("mov %%rsp, %%rax\n"
                 "pushq %1\n"
                 "pushq %%rax\n"
                 "pushq $0x3002\n" /* IOPL 3 */
                 "pushq %2\n"
                 "lea 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "pushq $0\n"
                 "jmp hypercall_iret\n"
                 "1: pushf\n"
                 "pop %0\n"
                 : "=r"(flags)
                 : "i"(FLAT_KERNEL_SS), "i"(FLAT_KERNEL_CS & ~3)
                 : "rax", "rcx", "r11", "memory");
    /* IOPL is dropped (no VMASST architectural_iopl); real IF is always on. */
    CHECK_EQ(flags, 0x202);
    trap_arm(13, TRAP_RESUME_FIXUP);
    asm volatile("1: cli\n2:\n" EXTABLE(1b, 2b));
    CHECK(trap_caught(13));
}

static void hostile_foreign_ops(void)
{
    long top = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    uint64_t foreign = (uint64_t)(top - 1) << PAGE_SHIFT;
    xen_pfn_t extent = (xen_pfn_t)top - 1;
    struct xen_memory_reservation r = {.nr_extents = 1, .domid = DOMID_SELF};
    unsigned long pfn = mm_page_alloc();
    mmu_update_t req = {.ptr = hostile_l1e(HOSTILE_VA), .val = 0};

    CHECK(pfn);
    set_xen_guest_handle(r.extent_start, &extent);
    CHECK_EQ(hypercall_mmu_one(foreign | MMU_MACHPHYS_UPDATE, 0), -EINVAL);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0); /* 0 extents done */
    CHECK_EQ(HYPERVISOR_update_descriptor(foreign, 0), -EINVAL);
    CHECK_EQ(mm_entry_write(foreign, 0), -EINVAL);
    /* A frame that is nobody's page table is simply written. */
    CHECK_EQ(HYPERVISOR_update_descriptor((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT, 0), 0);
    CHECK_EQ(mm_entry_write((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT, 0x1234), 0);
    CHECK_EQ(*(volatile uint64_t *)mm_pfn_to_virt(pfn), 0x1234);
    /* No such domain. */
    CHECK_EQ(HYPERVISOR_mmu_update(&req, 1, NULL, 1), -ESRCH);
    CHECK_EQ(HYPERVISOR_mmu_update(&req, 1, NULL, 0x7ff5), -ESRCH);
    /* The command is the low 3 bits of ptr: 4 (a misaligned entry) is unknown. */
    CHECK_EQ(mm_entry_write(hostile_l1e(HOSTILE_VA) + 4, 0), -ENOSYS);
    /* MMU_PT_UPDATE_NO_TRANSLATE is accepted from a PV guest too. */
    CHECK_EQ(hypercall_mmu_one(hostile_l1e(HOSTILE_VA) | MMU_PT_UPDATE_NO_TRANSLATE, 0), 0);
    mm_page_free(pfn);
}

static const struct test_case hostile_cases[] = {
    {"writable_pagetable", hostile_writable_pagetable},
    {"foreign_frames", hostile_foreign_frames},
    {"xen_l4_slots", hostile_xen_l4_slots},
    {"bad_baseptr", hostile_bad_baseptr},
    {"unpin_current", hostile_unpin_current},
    {"bad_pointers", hostile_bad_pointers},
    {"huge_counts", hostile_huge_counts},
    {"privileged", hostile_privileged},
    {"trap_table", hostile_trap_table},
    {"iret_ring0", hostile_iret_ring0},
    {"iret_iopl", hostile_iret_iopl},
    {"foreign_ops", hostile_foreign_ops},
};
const struct test_suite test_suite_hostile = {
    .name = "hostile",
    .cases = hostile_cases,
    .count = ARRAY_SIZE(hostile_cases),
    .setup = hostile_setup,
};
