/* SPDX-License-Identifier: MIT */
/*
 * The hypercall table: Xen's numbers (public/xen.h) to handlers. Numbers
 * without a handler answer -ENOSYS, are counted per domain, and are
 * logged once per number so a guest's needs show in the log.
 */
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/string.h>

typedef long (*hypercall_fn)(const uint64_t a[5]);

/* Thunks give every handler its own typed signature. */
#define THUNK0(name)                                                                               \
    static long name##_thunk(const uint64_t a[5])                                                  \
    {                                                                                              \
        (void)a;                                                                                   \
        return name();                                                                             \
    }
#define THUNK1(name)                                                                               \
    static long name##_thunk(const uint64_t a[5])                                                  \
    {                                                                                              \
        return name(a[0]);                                                                         \
    }
#define THUNK2(name)                                                                               \
    static long name##_thunk(const uint64_t a[5])                                                  \
    {                                                                                              \
        return name(a[0], a[1]);                                                                   \
    }
#define THUNK3(name)                                                                               \
    static long name##_thunk(const uint64_t a[5])                                                  \
    {                                                                                              \
        return name(a[0], a[1], a[2]);                                                             \
    }
#define THUNK4(name)                                                                               \
    static long name##_thunk(const uint64_t a[5])                                                  \
    {                                                                                              \
        return name(a[0], a[1], a[2], a[3]);                                                       \
    }

THUNK1(do_set_trap_table)
THUNK4(do_mmu_update)
THUNK2(do_stack_switch)
THUNK3(do_set_callbacks)
THUNK1(do_fpu_taskswitch)
THUNK2(do_memory_op)
THUNK2(do_multicall)
THUNK3(do_update_va_mapping)
THUNK2(do_xen_version)
THUNK3(do_console_io)
THUNK2(do_vm_assist)
THUNK0(do_iret)
THUNK2(do_set_segment_base)
THUNK4(do_mmuext_op)
THUNK2(do_sched_op)
THUNK2(do_callback_op)
THUNK3(do_vcpu_op)
THUNK2(do_set_gdt)
THUNK3(do_grant_table_op)
THUNK1(do_set_timer_op)
THUNK2(do_event_channel_op)
THUNK4(do_update_va_mapping_otherdomain)
THUNK2(do_set_debugreg)
THUNK1(do_get_debugreg)
THUNK2(do_update_descriptor)
THUNK2(do_physdev_op)
THUNK1(do_sysctl)
THUNK1(do_domctl)

#define ENTRY(nr, name) [nr] = {name##_thunk, #name}

static const struct {
    hypercall_fn fn;
    const char *name;
} hypercall_table[64] = {
    ENTRY(__HYPERVISOR_set_trap_table, do_set_trap_table),
    ENTRY(__HYPERVISOR_mmu_update, do_mmu_update),
    ENTRY(__HYPERVISOR_stack_switch, do_stack_switch),
    ENTRY(__HYPERVISOR_set_callbacks, do_set_callbacks),
    ENTRY(__HYPERVISOR_fpu_taskswitch, do_fpu_taskswitch),
    ENTRY(__HYPERVISOR_memory_op, do_memory_op),
    ENTRY(__HYPERVISOR_multicall, do_multicall),
    ENTRY(__HYPERVISOR_update_va_mapping, do_update_va_mapping),
    ENTRY(__HYPERVISOR_xen_version, do_xen_version),
    ENTRY(__HYPERVISOR_console_io, do_console_io),
    ENTRY(__HYPERVISOR_vm_assist, do_vm_assist),
    ENTRY(__HYPERVISOR_iret, do_iret),
    ENTRY(__HYPERVISOR_set_segment_base, do_set_segment_base),
    ENTRY(__HYPERVISOR_mmuext_op, do_mmuext_op),
    ENTRY(__HYPERVISOR_sched_op, do_sched_op),
    ENTRY(__HYPERVISOR_callback_op, do_callback_op),
    ENTRY(__HYPERVISOR_vcpu_op, do_vcpu_op),
    ENTRY(__HYPERVISOR_set_gdt, do_set_gdt),
    ENTRY(__HYPERVISOR_grant_table_op, do_grant_table_op),
    ENTRY(__HYPERVISOR_set_timer_op, do_set_timer_op),
    ENTRY(__HYPERVISOR_event_channel_op, do_event_channel_op),
    ENTRY(__HYPERVISOR_update_va_mapping_otherdomain, do_update_va_mapping_otherdomain),
    ENTRY(__HYPERVISOR_set_debugreg, do_set_debugreg),
    ENTRY(__HYPERVISOR_get_debugreg, do_get_debugreg),
    ENTRY(__HYPERVISOR_update_descriptor, do_update_descriptor),
    ENTRY(__HYPERVISOR_sysctl, do_sysctl),
    ENTRY(__HYPERVISOR_domctl, do_domctl),
    ENTRY(__HYPERVISOR_physdev_op, do_physdev_op),
};

static uint64_t enosys_logged; /* one bit per hypercall number */

long hypercall_dispatch(unsigned long nr, const uint64_t args[5])
{
    struct domain *d = current_vcpu()->domain;

    if (nr < ARRAY_SIZE(hypercall_table) && hypercall_table[nr].fn)
        return hypercall_table[nr].fn(args);
    __atomic_fetch_add(&d->enosys_count, 1, __ATOMIC_RELAXED);
    if (nr < 64 &&
        !(__atomic_fetch_or(&enosys_logged, 1ull << nr, __ATOMIC_RELAXED) & (1ull << nr)))
        printk(XENLOG_WARNING "d%u: hypercall %lu not implemented: -ENOSYS\n", d->domain_id, nr);
    return -ENOSYS;
}

/*
 * Xen's stubs: "mov $nr, %eax; syscall; ret" for each number, 32 bytes
 * apart; the iret stub pushes rcx, r11, rax first and never returns.
 */
void hypercall_page_fill(void *page)
{
    uint8_t *p = page;
    unsigned int nr;

    memset(page, 0xcc, 4096);
    for (nr = 0; nr < 128; nr++, p += 32) {
        uint8_t *q = p;

        if (nr == __HYPERVISOR_iret) {
            *q++ = 0x51;              /* push %rcx */
            *q++ = 0x41, *q++ = 0x53; /* push %r11 */
            *q++ = 0x50;              /* push %rax */
        }
        *q++ = 0xb8; /* mov $nr, %eax */
        memcpy(q, &nr, 4), q += 4;
        *q++ = 0x0f, *q++ = 0x05; /* syscall */
        if (nr != __HYPERVISOR_iret)
            *q = 0xc3; /* ret */
    }
}

long subop_unimplemented(const char *hypercall, unsigned long op, bool *logged)
{
    struct domain *d = current_vcpu()->domain;

    __atomic_fetch_add(&d->enosys_count, 1, __ATOMIC_RELAXED);
    if (!__atomic_exchange_n(logged, true, __ATOMIC_RELAXED))
        printk(XENLOG_WARNING "d%u: %s %lu not implemented: -ENOSYS\n", d->domain_id, hypercall,
               op);
    return -ENOSYS;
}
