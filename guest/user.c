/* SPDX-License-Identifier: MIT */
/*
 * User mode. user_run builds a private address space: an L4 with one
 * L3/L2 and two L1s, mapping the .user.text pages read-only at
 * USER_TEXT_VA and one stack page below USER_STACK_VA. The frames are
 * filled while still writable, then made read-only and the L4 pinned,
 * which makes Xen validate the whole tree at once.
 *
 * Xen keeps two base pointers per vCPU: the kernel's (NEW_BASEPTR) and
 * the user's (NEW_USER_BASEPTR). An iret with an RPL 3 CS switches to
 * the user one; a user `syscall` or fault switches back and bounces to
 * kernel_sp (stack_switch). The kernel page tables do not map user
 * addresses, so system calls read user memory by walking the user tables.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/user.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

extern char user_text_start[], user_text_end[];
void user_enter(unsigned long rip, unsigned long rsp) __noreturn;

enum { USER_L4, USER_L3, USER_L2, USER_L1_TEXT, USER_L1_STACK, USER_STACK, USER_NR_FRAMES };

static struct {
    unsigned long pfn[USER_NR_FRAMES];
    struct user_result *res;
    struct guest_jmp jmp;
} user_ctx;

static char user_kernel_stack[KERNEL_STACK_SIZE] __aligned(16);

static uint64_t user_pte(unsigned long pfn, uint64_t flags)
{
    return ((uint64_t)mm_pfn_to_mfn(pfn) << PAGE_SHIFT) | flags;
}

static void user_fill_tables(void)
{
    uint64_t *l4 = mm_pfn_to_virt(user_ctx.pfn[USER_L4]);
    uint64_t *l3 = mm_pfn_to_virt(user_ctx.pfn[USER_L3]);
    uint64_t *l2 = mm_pfn_to_virt(user_ctx.pfn[USER_L2]);
    uint64_t *l1t = mm_pfn_to_virt(user_ctx.pfn[USER_L1_TEXT]);
    uint64_t *l1s = mm_pfn_to_virt(user_ctx.pfn[USER_L1_STACK]);
    unsigned long text_pages = (unsigned long)(user_text_end - user_text_start) / PAGE_SIZE;
    unsigned long first = mm_virt_to_pfn(user_text_start);

    l4[mm_table_index(USER_TEXT_VA, 4)] = user_pte(user_ctx.pfn[USER_L3], PTE_TABLE);
    l3[mm_table_index(USER_TEXT_VA, 3)] = user_pte(user_ctx.pfn[USER_L2], PTE_TABLE);
    l2[mm_table_index(USER_TEXT_VA, 2)] = user_pte(user_ctx.pfn[USER_L1_TEXT], PTE_TABLE);
    l2[mm_table_index(USER_STACK_VA - 1, 2)] = user_pte(user_ctx.pfn[USER_L1_STACK], PTE_TABLE);
    for (unsigned long i = 0; i < text_pages && i < 512; i++)
        l1t[mm_table_index(USER_TEXT_VA, 1) + i] = user_pte(first + i, PTE_PAGE & ~PTE_RW);
    l1s[mm_table_index(USER_STACK_VA - 1, 1)] =
        user_pte(user_ctx.pfn[USER_STACK], PTE_PAGE | PTE_NX);
}

/* Builds, write-protects and pins the user tables; installs them. */
static long user_space_create(void)
{
    long rc = 0;

    for (int i = 0; i < USER_NR_FRAMES; i++)
        if (!(user_ctx.pfn[i] = mm_page_alloc()))
            return -ENOMEM;
    user_fill_tables();
    for (int i = USER_L4; i <= USER_L1_STACK && rc == 0; i++)
        rc = mm_set_readonly(user_ctx.pfn[i], true);
    if (rc == 0)
        rc = hypercall_mmuext_mfn(MMUEXT_PIN_L4_TABLE, mm_pfn_to_mfn(user_ctx.pfn[USER_L4]));
    if (rc == 0)
        rc = hypercall_mmuext_mfn(MMUEXT_NEW_USER_BASEPTR, mm_pfn_to_mfn(user_ctx.pfn[USER_L4]));
    return rc;
}

static void user_space_destroy(void)
{
    if (user_ctx.pfn[USER_L4]) {
        hypercall_mmuext_mfn(MMUEXT_NEW_USER_BASEPTR, 0);
        hypercall_mmuext_mfn(MMUEXT_UNPIN_TABLE, mm_pfn_to_mfn(user_ctx.pfn[USER_L4]));
    }
    for (int i = 0; i < USER_NR_FRAMES; i++) {
        if (!user_ctx.pfn[i])
            continue;
        if (i != USER_STACK && mm_set_readonly(user_ctx.pfn[i], false))
            panic("user: frame %d still a page table after unpin", i);
        mm_page_free(user_ctx.pfn[i]);
        user_ctx.pfn[i] = 0;
    }
}

/* Kept out of line: nothing of the caller's lives across the longjmp. */
static __attribute__((noinline)) void user_enter_and_wait(unsigned long rip)
{
    if (guest_setjmp(&user_ctx.jmp) == 0)
        user_enter(rip, USER_STACK_VA);
}

long user_run(const void *entry, struct user_result *res)
{
    unsigned long off = (unsigned long)entry - (unsigned long)user_text_start;
    long rc;

    memset(res, 0, sizeof(*res));
    user_ctx.res = res;
    rc = user_space_create();
    if (rc == 0)
        rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
                                     (unsigned long)user_kernel_stack + KERNEL_STACK_SIZE);
    if (rc == 0)
        user_enter_and_wait(USER_TEXT_VA + off);
    user_space_destroy();
    user_ctx.res = NULL;
    return rc;
}

/* Copies from user memory through the user page tables; false on a hole. */
static bool user_copy_in(char *dst, unsigned long uva, unsigned long len)
{
    unsigned long l4 = mm_pfn_to_mfn(user_ctx.pfn[USER_L4]);

    if (uva >= VIRT_BASE || uva + len < uva || uva + len > USER_STACK_VA)
        return false;
    while (len) {
        uint64_t e = mm_entry_maddr(l4, uva, 1);
        unsigned long n = MIN(len, PAGE_SIZE - (uva & ~PAGE_MASK));

        if (!e || !((e = mm_entry_read(e)) & PTE_P))
            return false;
        memcpy(dst, (char *)mm_pfn_to_virt(mm_mfn_to_pfn(e >> PAGE_SHIFT)) + (uva & ~PAGE_MASK), n);
        dst += n;
        uva += n;
        len -= n;
    }
    return true;
}

static long user_sys_write(struct user_result *res, unsigned long uva, unsigned long len)
{
    unsigned long room = sizeof(res->output) - 1 - res->output_len;

    if (len > room)
        return -EINVAL;
    if (!user_copy_in(res->output + res->output_len, uva, len))
        return -EFAULT;
    printk("user: %.*s", (int)len, res->output + res->output_len);
    res->output_len += len;
    return (long)len;
}

void user_syscall(struct trap_regs *r)
{
    struct user_result *res = user_ctx.res;

    if (!res)
        panic("user: syscall with no program running (rip %#lx)", r->rip);
    res->nr_syscalls++;
    res->syscall_cs = r->cs;
    res->syscall_ss = r->ss;
    switch (r->rax) {
    case USER_SYS_WRITE:
        r->rax = (unsigned long)user_sys_write(res, r->rdi, r->rsi);
        break;
    case USER_SYS_GETPID:
        r->rax = 1;
        break;
    case USER_SYS_EXIT:
        res->exited = true;
        res->exit_code = (long)r->rdi;
        guest_longjmp(&user_ctx.jmp, 1);
    default:
        r->rax = (unsigned long)-ENOSYS;
    }
    /* Back to user mode sysret-style: Xen restores rip/rflags/rsp only. */
    r->error = VGCF_in_syscall;
}

void user_fault(struct trap_regs *r, unsigned long error, unsigned long cr2)
{
    struct user_result *res = user_ctx.res;

    if (!res)
        panic("user: fault %lu at %#lx with no program running", r->vector, r->rip);
    res->faulted = true;
    res->vector = r->vector;
    res->error = error;
    res->rip = r->rip;
    res->cs = r->cs;
    res->cr2 = cr2;
    printk("user: fault %lu at rip %#lx error %#lx cr2 %#lx\n", r->vector, r->rip, error, cr2);
    guest_longjmp(&user_ctx.jmp, 1);
}
