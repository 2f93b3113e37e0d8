/* SPDX-License-Identifier: MIT */
/*
 * Hypercall handlers. Each is reached only through the table in
 * common/hypercall.c; guest pointers arrive as uint64_t and are read
 * with copy_from_guest()/copy_to_guest().
 */
#ifndef XENOLITH_HYPERCALL_H
#define XENOLITH_HYPERCALL_H

#include <xenolith/types.h>

/* Runs hypercall nr with its five argument registers; the result for rax. */
long hypercall_dispatch(unsigned long nr, const uint64_t args[5]);
/*
 * An unimplemented sub-op: -ENOSYS, counted like an unimplemented
 * hypercall and logged the first time *logged (one flag per call site) is seen.
 */
long subop_unimplemented(const char *hypercall, unsigned long op, bool *logged);
/* Fills a guest hypercall page with Xen's 32-byte stubs. */
void hypercall_page_fill(void *page);

long do_set_trap_table(uint64_t traps);
long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall);
long do_callback_op(uint64_t cmd, uint64_t arg);
long do_domctl(uint64_t arg);
long do_sysctl(uint64_t arg);
long do_stack_switch(uint64_t ss, uint64_t sp);
long do_set_segment_base(uint64_t which, uint64_t base);
long do_fpu_taskswitch(uint64_t set);
long do_iret(void);
long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count);
long do_set_timer_op(uint64_t timeout);
long do_event_channel_op(uint64_t cmd, uint64_t arg);
long do_set_debugreg(uint64_t reg, uint64_t value);
long do_get_debugreg(uint64_t reg);
long do_set_gdt(uint64_t frame_list, uint64_t entries);
long do_update_descriptor(uint64_t ma, uint64_t desc);
long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg);
long do_xen_version(uint64_t cmd, uint64_t arg);
long do_console_io(uint64_t cmd, uint64_t count, uint64_t buffer);
long do_vm_assist(uint64_t cmd, uint64_t type);
long do_sched_op(uint64_t cmd, uint64_t arg);
long do_multicall(uint64_t calls, uint64_t count);
long do_memory_op(uint64_t cmd, uint64_t arg);
long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t done, uint64_t domid);
long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t done, uint64_t domid);
long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags);
long do_physdev_op(uint64_t cmd, uint64_t arg);
long do_update_va_mapping_otherdomain(uint64_t va, uint64_t val, uint64_t flags, uint64_t domid);

#endif
