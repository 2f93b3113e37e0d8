/* SPDX-License-Identifier: MIT */
/*
 * Suite "vcpu_context" (Xenolith only, as the control domain with the
 * guest kernel in its boot ramdisk at boot/xenolith-guest:
 * tests/integration/test_toolstack.py): XEN_DOMCTL_getvcpucontext and
 * setvcpucontext on a domain the suite builds. The builder's vCPU 0
 * context reads back as the start-of-day state; it is given to the
 * never-initialised vCPU 1, which then reads back the same; a second
 * set, a vCPU out of range, a running domain and the caller itself are
 * refused; the domain is destroyed and its memory comes back.
 */
#include <guest/domctl.h>
#include <guest/hypercall.h>
#include <guest/initrd.h>
#include <guest/kernel.h>
#include <guest/sysctl.h>
#include <guest/test.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define CTX_KERNEL "boot/xenolith-guest"
#define CTX_PAGES  2048 /* 8 MiB */

static struct vcpu_guest_context ctx0, ctx1;

static void ctx_build(domid_t *out)
{
    struct domctl_build_args a = {.cmdline = "suite=service",
                                  .name = "ctx",
                                  .nr_pages = CTX_PAGES,
                                  .vcpus_online = 1,
                                  .store_domid = DOMID_INVALID};
    struct domctl_built built;
    domid_t domid = 0;

    *out = DOMID_INVALID;
    CHECK_EQ(initrd_find(CTX_KERNEL, &a.kernel, &a.kernel_len), 0);
    CHECK_EQ(domctl_create(2, &domid), 0);
    CHECK_EQ(domctl_max_mem(domid, CTX_PAGES * 4), 0);
    *out = domid;
    CHECK_EQ(domctl_build(domid, &a, &built), 0);
}

static void ctx_destroy(domid_t domid)
{
    struct domctl_info info;

    CHECK_EQ(domctl_destroy(domid), 0);
    while (domctl_domain_info(domid, &info) == 0)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static void vcpu_context_get_set(void)
{
    struct sysctl_physinfo before, after;
    domid_t domid;

    CHECK_EQ(sysctl_physinfo(&before), 0);
    ctx_build(&domid);
    CHECK_EQ(domctl_get_vcpu_context(domid, 0, &ctx0), 0);
    CHECK(ctx0.flags & VGCF_in_kernel);
    CHECK(ctx0.flags & VGCF_online);
    CHECK(ctx0.user_regs.rip >= 0xffffffff80000000ul); /* the kernel's entry */
    CHECK(ctx0.ctrlreg[3] != 0);
    CHECK_EQ(domctl_get_vcpu_context(domid, 1, &ctx1), 0);
    CHECK_EQ(ctx1.ctrlreg[3], 0); /* never initialised */
    CHECK_EQ(ctx1.flags & VGCF_online, 0);
    ctx0.flags &= ~VGCF_online; /* given a context, left down */
    ctx0.user_regs.rax = 0x1234;
    CHECK_EQ(domctl_set_vcpu_context(domid, 1, &ctx0), 0);
    CHECK_EQ(domctl_get_vcpu_context(domid, 1, &ctx1), 0);
    CHECK_EQ(ctx1.user_regs.rip, ctx0.user_regs.rip);
    CHECK_EQ(ctx1.user_regs.rax, 0x1234);
    CHECK_EQ(ctx1.ctrlreg[3], ctx0.ctrlreg[3]);
    CHECK_EQ(ctx1.flags & VGCF_online, 0);
    CHECK_EQ(domctl_set_vcpu_context(domid, 1, &ctx0), -EEXIST);
    CHECK_EQ(domctl_get_vcpu_context(domid, 2, &ctx1), -EINVAL);
    CHECK_EQ(domctl_get_vcpu_context(domid, 0, (struct vcpu_guest_context *)0x10), -EFAULT);
    CHECK_EQ(domctl_get_vcpu_context(0, 0, &ctx1), -EINVAL); /* the caller */
    CHECK_EQ(domctl_unpause(domid), 0);
    CHECK_EQ(domctl_get_vcpu_context(domid, 0, &ctx1), -EBUSY);
    ctx_destroy(domid);
    CHECK_EQ(sysctl_physinfo(&after), 0);
    CHECK_EQ(after.free_pages, before.free_pages);
}

/* A context whose tables are not the domain's own is refused, nothing taken. */
static void vcpu_context_foreign_tables(void)
{
    domid_t domid;

    ctx_build(&domid);

    CHECK_EQ(domctl_get_vcpu_context(domid, 0, &ctx0), 0);
    ctx0.ctrlreg[3] = (uint64_t)kernel_start_info->pt_base; /* a VA, not a frame of its */
    CHECK(domctl_set_vcpu_context(domid, 1, &ctx0) < 0);
    CHECK_EQ(domctl_get_vcpu_context(domid, 1, &ctx1), 0);
    CHECK_EQ(ctx1.ctrlreg[3], 0);
    ctx_destroy(domid);
}

static const struct test_case vcpu_context_cases[] = {
    {"get_set", vcpu_context_get_set},
    {"foreign_tables", vcpu_context_foreign_tables},
};
TEST_SUITE(test_suite_vcpu_context, "vcpu_context", vcpu_context_cases);
