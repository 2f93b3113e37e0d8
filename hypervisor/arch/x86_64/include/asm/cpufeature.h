/* SPDX-License-Identifier: MIT */
/* The CPU features the hypervisor relies on or enables when present. */
#ifndef ASM_CPUFEATURE_H
#define ASM_CPUFEATURE_H

#include <xenolith/types.h>

struct cpu_features {
    char vendor[13];
    char brand[49];
    bool nx, page1gb, pge, smep, smap, fsgsbase, invariant_tsc, svm;
    unsigned int phys_bits;
};

extern struct cpu_features boot_cpu;

void cpu_features_init(void);

#endif
