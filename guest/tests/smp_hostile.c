/* SPDX-License-Identifier: MIT */
/*
 * Suite "smp_hostile" (Xenolith only: it ends in the guest's own crash):
 * races between two vCPUs of one guest against checks the hypervisor
 * makes before it acts. vCPU 1 runs in its kernel with %ss naming a
 * data segment of its own GDT; vCPU 0 then makes that descriptor not
 * present. The next time vCPU 1 enters the hypervisor (any interrupt),
 * the iretq back to it can no longer load %ss: the hypervisor must end
 * the domain, not die of its own fault. The case fails if vCPU 1 is
 * still running after that.
 */
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/smp.h>
#include <guest/test.h>
#include <guest/time.h>

#define DESC_DATA_DPL3 0x00cff3000000ffffUL
#define SEL_GDT_DATA   0x13 /* entry 2 of our GDT, RPL 3 */
#define SPIN_MS        500  /* far more than the hypervisor's 30 ms slices */

static unsigned long race_gdt_mfn;
static unsigned long race_ss_loaded, race_pulled, race_survived;

static void race_on_vcpu1(void *arg)
{
    uint64_t end;

    (void)arg;
    if (HYPERVISOR_set_gdt(&race_gdt_mfn, 4))
        return;
    __asm__ __volatile__("mov %0, %%ss" : : "r"((uint16_t)SEL_GDT_DATA));
    __atomic_store_n(&race_ss_loaded, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&race_pulled, __ATOMIC_ACQUIRE))
        __asm__ __volatile__("pause");
    end = time_rdtsc() + SPIN_MS * time_tsc_khz(&kernel_vcpu_info->time);
    while (time_rdtsc() < end)
        __asm__ __volatile__("pause");
    __asm__ __volatile__("mov %0, %%ss" : : "r"((uint16_t)FLAT_KERNEL_SS));
    __atomic_store_n(&race_survived, 1, __ATOMIC_RELEASE);
}

static void smp_hostile_iret_after_descriptor_pulled(void)
{
    unsigned long pfn = mm_page_alloc();
    uint64_t *gdt = mm_pfn_to_virt(pfn);

    CHECK(pfn);
    CHECK(smp_nr_vcpus >= 2);
    gdt[2] = DESC_DATA_DPL3;
    CHECK_EQ(mm_set_readonly(pfn, true), 0);
    race_gdt_mfn = mm_pfn_to_mfn(pfn);
    CHECK_EQ(smp_start(1), 0);
    CHECK(smp_post(1, race_on_vcpu1, NULL));
    while (!__atomic_load_n(&race_ss_loaded, __ATOMIC_ACQUIRE))
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    test_info("vCPU 1 runs with %%ss = %#x; making its descriptor not present", SEL_GDT_DATA);
    CHECK_EQ(HYPERVISOR_update_descriptor((uint64_t)race_gdt_mfn << PAGE_SHIFT | 2 * 8, 0), 0);
    __atomic_store_n(&race_pulled, 1, __ATOMIC_RELEASE);
    CHECK(smp_wait_done(1));
    CHECK_EQ(race_survived, 0);
}

static const struct test_case smp_hostile_cases[] = {
    {"iret_after_descriptor_pulled", smp_hostile_iret_after_descriptor_pulled},
};

TEST_SUITE(test_suite_smp_hostile, "smp_hostile", smp_hostile_cases);
