/* SPDX-License-Identifier: MIT */
/*
 * Suite "basic": the hypercalls every PV kernel makes first, and the
 * shape of what Xen hands over at boot. Values that depend on the
 * machine (memory sizes, maps) are printed as info lines; the checks
 * are on what the ABI fixes.
 */
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include "basic_tools.h"

#define UNUSED_HYPERCALL 63 /* inside the hypercall page, past Xen's table */

static void basic_xen_version(void)
{
    long v = HYPERVISOR_xen_version(XENVER_version, NULL);

    test_info("version %ld.%ld", v >> 16, v & 0xffff);
    CHECK_EQ(v, (4 << 16) | 17);
}

static void basic_extraversion(void)
{
    xen_extraversion_t extra;

    memset(extra, 0xff, sizeof(extra));
    CHECK_EQ(HYPERVISOR_xen_version(XENVER_extraversion, extra), 0);
    CHECK(strnlen(extra, sizeof(extra)) < sizeof(extra));
    test_info("extraversion \"%s\"", extra);
}

static void basic_get_features(void)
{
    xen_feature_info_t fi = {.submap_idx = 0};

    CHECK_EQ(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0);
    test_info("features submap 0 = %#x", fi.submap);
    CHECK(fi.submap & (1U << XENFEAT_mmu_pt_update_preserve_ad));
    CHECK(fi.submap & (1U << XENFEAT_gnttab_map_avail_bits));
    CHECK(fi.submap & (1U << XENFEAT_highmem_assist));
    /* Xen 4.17 reports pae_pgdir_above_4gb to 32-bit PV guests only. */
    CHECK(!(fi.submap & (1U << XENFEAT_pae_pgdir_above_4gb)));
    CHECK(!(fi.submap & (1U << XENFEAT_auto_translated_physmap)));
    CHECK(!(fi.submap & (1U << XENFEAT_supervisor_mode_kernel)));
    CHECK(fi.submap & (1U << XENFEAT_dom0)); /* we boot as the initial domain */
    /* Xen 4.17's exact set for a 64-bit PV dom0: 5, 6, 7, dom0 (11),
     * memory_op_vnode_supported (13), direct_mapped (17). */
    CHECK_EQ(fi.submap, 0x228e0);
    fi.submap_idx = 1;
    fi.submap = 0x5a5a;
    CHECK_EQ(HYPERVISOR_xen_version(XENVER_get_features, &fi), -EINVAL);
}

static void basic_console_io(void)
{
    static const char msg[] = "  console_io: direct write\n";
    char input[16];

    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0);
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 0, msg), 0);
    CHECK_EQ(HYPERVISOR_console_io(99, 1, msg), -ENOSYS);
    /* Nobody types at boot: the control domain reads nothing. */
    CHECK_EQ(HYPERVISOR_console_io(CONSOLEIO_read, 16, input), 0);
}

static void basic_start_info(void)
{
    const start_info_t *si = kernel_start_info;

    CHECK(strcmp(si->magic, "xen-3.0-x86_64") == 0);
    CHECK(((unsigned long)si & ~PAGE_MASK) == 0);
    CHECK((si->pt_base & ~PAGE_MASK) == 0);
    CHECK((si->mfn_list & ~PAGE_MASK) == 0);
    CHECK((si->shared_info & ~PAGE_MASK) == 0);
    CHECK(si->nr_pt_frames >= 1);
    CHECK(si->nr_pages > 0);
    CHECK((si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)) == (SIF_PRIVILEGED | SIF_INITDOMAIN));
    /* The boot tables sit above start_info, which sits above the p2m. */
    CHECK(si->pt_base > (unsigned long)si);
    CHECK((unsigned long)si >= si->mfn_list + si->nr_pages * 8);
    /* Xen's M2P agrees with our p2m for every frame. */
    for (unsigned long pfn = 0; pfn < mm_nr_pages; pfn++)
        CHECK_EQ(M2P[mm_p2m[pfn]], pfn);
}

static void basic_vm_assist(void)
{
    CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0);
    CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag), 0);
    CHECK_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, 31), -EINVAL);
    CHECK_EQ(HYPERVISOR_vm_assist(7, VMASST_TYPE_writable_pagetables), -ENOSYS);
}

static void basic_reservation(void)
{
    domid_t self = DOMID_SELF;
    long cur = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    long max = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);
    long top = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    test_info("current_reservation %ld maximum_reservation %ld maximum_ram_page %#lx", cur, max,
              top);
    CHECK_EQ(cur, kernel_start_info->nr_pages);
    CHECK(max >= cur);
    CHECK(top > 0);
    for (unsigned long pfn = 0; pfn < mm_nr_pages; pfn++)
        CHECK(mm_p2m[pfn] < (unsigned long)top);
}

static void basic_machphys_mapping(void)
{
    struct xen_machphys_mapping m;

    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m), 0);
    test_info("machphys_mapping %#lx-%#lx max_mfn %#lx", m.v_start, m.v_end, m.max_mfn);
    CHECK_EQ(m.v_start, MACH2PHYS_VIRT_START);
    CHECK(m.v_end > m.v_start && m.v_end <= MACH2PHYS_VIRT_END);
    /* max_mfn is the highest machine frame: maximum_ram_page - 1. */
    CHECK_EQ(m.max_mfn, HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL) - 1);
}

static void basic_memory_map(void)
{
    static struct e820entry {
        uint64_t addr, size;
        uint32_t type;
    } __packed map[64];
    struct xen_memory_map mm = {.nr_entries = ARRAY_SIZE(map)};
    long rc;

    /* A PV dom0 has no pseudo-physical map of its own: Xen says -ENOSYS
     * (Linux then assumes one RAM region). The host's map is there. */
    set_xen_guest_handle(mm.buffer, map);
    CHECK_EQ(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), -ENOSYS);
    mm.nr_entries = ARRAY_SIZE(map);
    rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
    test_info("machine_memory_map rc %ld, %u entries", rc, mm.nr_entries);
    CHECK_EQ(rc, 0);
    CHECK(mm.nr_entries >= 1 && mm.nr_entries <= ARRAY_SIZE(map));
    for (unsigned int i = 0; i < mm.nr_entries && i < ARRAY_SIZE(map); i++)
        test_info("  e820 %#lx+%#lx type %u", map[i].addr, map[i].size, map[i].type);
}

static void basic_unknown_hypercall(void)
{
    CHECK_EQ(HC(UNUSED_HYPERCALL, 0, 0, 0, 0, 0), -ENOSYS);
    CHECK_EQ(HC(43, 0, 0, 0, 0, 0), -ENOSYS);
}

static void basic_unknown_subop(void)
{
    domid_t self = DOMID_SELF;

    CHECK_EQ(HYPERVISOR_xen_version(99, NULL), -ENOSYS);
    CHECK_EQ(HYPERVISOR_memory_op(99, &self), -ENOSYS);
    CHECK_EQ(HYPERVISOR_sched_op(99, NULL), -ENOSYS);
    CHECK_EQ(HYPERVISOR_vcpu_op(99, 0, NULL), -ENOSYS);
    CHECK_EQ(HYPERVISOR_event_channel_op(99, NULL), -ENOSYS);
    CHECK_EQ(HYPERVISOR_callback_op(99, NULL), -ENOSYS);
}

static void basic_multicall(void)
{
    multicall_entry_t mc[4] = {
        {.op = __HYPERVISOR_xen_version, .args = {XENVER_version, 0}},
        {.op = __HYPERVISOR_xen_version, .args = {99, 0}},
        {.op = __HYPERVISOR_sched_op, .args = {SCHEDOP_yield, 0}},
        {.op = UNUSED_HYPERCALL},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(mc); i++)
        mc[i].result = 0x5a5a5a5a;
    CHECK_EQ(HYPERVISOR_multicall(mc, ARRAY_SIZE(mc)), 0);
    CHECK_EQ(mc[0].result, (4 << 16) | 17);
    CHECK_EQ(mc[1].result, -ENOSYS);
    CHECK_EQ(mc[2].result, 0);
    CHECK_EQ(mc[3].result, -ENOSYS);
    CHECK_EQ(HYPERVISOR_multicall(mc, 0), 0);
}

static void basic_sched_yield(void)
{
    CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
}

static void basic_vcpu_is_up(void)
{
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    CHECK_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), -ENOENT);
}

static void basic_set_callbacks(void)
{
    extern char event_entry[], failsafe_entry[], syscall_entry[];

    CHECK_EQ(HYPERVISOR_set_callbacks((unsigned long)event_entry, (unsigned long)failsafe_entry,
                                      (unsigned long)syscall_entry),
             0);
}

static const struct test_case basic_cases[] = {
    {"xen_version", basic_xen_version},
    {"extraversion", basic_extraversion},
    {"get_features", basic_get_features},
    {"console_io", basic_console_io},
    {"start_info", basic_start_info},
    {"vm_assist", basic_vm_assist},
    {"reservation", basic_reservation},
    {"machphys_mapping", basic_machphys_mapping},
    {"memory_map", basic_memory_map},
    {"unknown_hypercall", basic_unknown_hypercall},
    {"unknown_subop", basic_unknown_subop},
    {"multicall", basic_multicall},
    {"sched_yield", basic_sched_yield},
    {"vcpu_is_up", basic_vcpu_is_up},
    {"set_callbacks", basic_set_callbacks},
    {"getdomaininfo", basic_getdomaininfo},
    {"sysctl_physinfo", basic_sysctl_physinfo},
    {"sysctl_sched_id", basic_sysctl_sched_id},
    {"sysctl_readconsole", basic_sysctl_readconsole},
    {"sysctl_readconsole_clear", basic_sysctl_readconsole_clear},
    {"sysctl_domaininfolist", basic_sysctl_domaininfolist},
    {"sysctl_refused", basic_sysctl_refused},
};
TEST_SUITE(test_suite_basic, "basic", basic_cases);
