/* SPDX-License-Identifier: MIT */
/* Local APIC (xAPIC, MMIO): EOI, IPIs, the one-shot timer. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <xenolith/types.h>

void apic_init_bsp(void); /* maps the registers, enables this LAPIC */
void apic_init_ap(void);  /* enables an AP's LAPIC */
unsigned int apic_id(void);
void apic_eoi(void);
void apic_send_ipi(unsigned int apic_id, unsigned int vector);
void apic_send_nmi_allbutself(void);
void apic_send_init(unsigned int apic_id);
void apic_send_sipi(unsigned int apic_id, unsigned int page);
/* Measures the timer against the TSC; boot CPU only. */
void apic_timer_calibrate(void);
/* Fires VECTOR_TIMER once after `ns` nanoseconds (0: stop). */
void apic_timer_oneshot(uint64_t ns);

#endif
