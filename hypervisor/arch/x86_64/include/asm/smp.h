/* SPDX-License-Identifier: MIT */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <xenolith/types.h>

void smp_prepare_boot_cpu(void);
void smp_boot_cpus(void);
void __attribute__((noreturn)) start_secondary(void);
unsigned int cpu_apic_id(unsigned int cpu);
void __attribute__((noreturn)) start_xenolith(uint32_t magic, uint32_t info);

#endif
