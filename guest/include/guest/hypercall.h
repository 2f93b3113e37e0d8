/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls. Every call goes through hypercall_raw() (hypercall.S), which
 * reaches Xen one of two ways, chosen at boot by "hypercall=page|syscall":
 * a call into the 32-byte stub Xen wrote into hypercall_page, or a direct
 * `syscall` as Debian's Linux 6.1 issues it. Both must behave the same.
 * Returns Xen's result: >= 0 or a negative Xen errno.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <guest/xen.h>

/* Nonzero: issue `syscall` directly instead of calling the hypercall page. */
extern int hypercall_use_syscall;
extern char hypercall_page[];

long hypercall_raw(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
                   unsigned long a4, unsigned long a5);

#define HC(nr, a1, a2, a3, a4, a5)                                                                 \
    hypercall_raw(nr, (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3),               \
                  (unsigned long)(a4), (unsigned long)(a5))

static inline long HYPERVISOR_set_trap_table(const trap_info_t *table)
{
    return HC(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}

static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count, unsigned int *done,
                                         domid_t dom)
{
    return HC(__HYPERVISOR_mmu_update, req, count, done, dom, 0);
}

static inline long HYPERVISOR_set_gdt(unsigned long *frames, unsigned int entries)
{
    return HC(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0);
}

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{
    return HC(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0);
}

static inline long HYPERVISOR_set_callbacks(unsigned long event, unsigned long failsafe,
                                            unsigned long syscall)
{
    return HC(__HYPERVISOR_set_callbacks, event, failsafe, syscall, 0, 0);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return HC(__HYPERVISOR_fpu_taskswitch, set, 0, 0, 0, 0);
}

static inline long HYPERVISOR_set_debugreg(int reg, unsigned long value)
{
    return HC(__HYPERVISOR_set_debugreg, reg, value, 0, 0, 0);
}

static inline long HYPERVISOR_get_debugreg(int reg)
{
    return HC(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

static inline long HYPERVISOR_update_descriptor(uint64_t ma, uint64_t desc)
{
    return HC(__HYPERVISOR_update_descriptor, ma, desc, 0, 0, 0);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
    return HC(__HYPERVISOR_memory_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_multicall(multicall_entry_t *calls, unsigned int count)
{
    return HC(__HYPERVISOR_multicall, calls, count, 0, 0, 0);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    return HC(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return HC(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
    return HC(__HYPERVISOR_console_io, cmd, count, buf, 0, 0);
}

static inline long HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
    return HC(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return HC(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}

static inline long HYPERVISOR_set_segment_base(unsigned int which, unsigned long base)
{
    return HC(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count,
                                        unsigned int *done, domid_t dom)
{
    return HC(__HYPERVISOR_mmuext_op, op, count, done, dom, 0);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

static inline long HYPERVISOR_callback_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0);
}

/* One-shot timer at absolute system time `timeout` (ns); 0 cancels it. */
static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
    return HC(__HYPERVISOR_set_timer_op, timeout, 0, 0, 0, 0);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

/* struct xen_sysctl *: public/sysctl.h, which needs __XEN_TOOLS__. */
static inline long HYPERVISOR_sysctl(void *op)
{
    return HC(__HYPERVISOR_sysctl, op, 0, 0, 0, 0);
}

/* struct xen_domctl *: public/domctl.h, which needs __XEN_TOOLS__. */
static inline long HYPERVISOR_domctl(void *op)
{
    return HC(__HYPERVISOR_domctl, op, 0, 0, 0, 0);
}

static inline long HYPERVISOR_physdev_op(int cmd, void *arg)
{
    return HC(__HYPERVISOR_physdev_op, cmd, arg, 0, 0, 0);
}

/* One mmuext_op with a frame argument (pin, unpin, new base pointers). */
static inline long hypercall_mmuext_mfn(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = {.cmd = cmd, .arg1.mfn = mfn};

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* One mmu_update request. */
static inline long hypercall_mmu_one(uint64_t ptr, uint64_t val)
{
    mmu_update_t req = {.ptr = ptr, .val = val};

    return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

#endif
