/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access by guest virtual address, with the guest's page
 * tables loaded (they are, during its hypercalls and traps). Every
 * guest-supplied pointer goes through these: a pointer into the
 * hypervisor's area, a wrapping range or an unmapped page is -EFAULT.
 */
#ifndef ASM_GUEST_ACCESS_H
#define ASM_GUEST_ACCESS_H

#include <xenolith/types.h>

bool guest_range_ok(uint64_t addr, size_t len);
int copy_from_guest(void *dst, uint64_t src, size_t len);
/*
 * The instruction bytes at rip, at most max: as many as are readable
 * (an instruction may end just before an unmapped page). Returns the count.
 */
size_t fetch_guest_insn(uint8_t *buf, uint64_t rip, size_t max);
int copy_to_guest(uint64_t dst, const void *src, size_t len);

/* Selector loads that cannot fault the hypervisor: -1 (and null) if refused. */
int load_user_gs_selector(unsigned int sel);
int load_data_selector(unsigned int which, unsigned int sel); /* 0 ds, 1 es, 2 fs, 3 gs */

/* The fixup for a faulting hypervisor instruction, or 0 if it has none. */
uint64_t search_exception_table(uint64_t rip);

#endif
