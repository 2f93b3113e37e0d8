/* SPDX-License-Identifier: MIT */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

/*
 * Fills apic_ids with the enabled processors from the ACPI MADT; returns
 * how many, or 0 when there is no usable MADT (then only the boot CPU runs).
 */
unsigned int acpi_find_cpus(unsigned int *apic_ids, unsigned int max);

#endif
