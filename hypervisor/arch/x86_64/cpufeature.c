/* SPDX-License-Identifier: MIT */
/* Reads CPUID once on the boot CPU; all CPUs are assumed alike. */
#include <xenolith/string.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>

struct cpu_features boot_cpu;

static void read_brand(void)
{
    struct cpuid_regs r;
    unsigned int i;

    for (i = 0; i < 3; i++) {
        cpuid_count(0x80000002 + i, 0, &r);
        memcpy(&boot_cpu.brand[i * 16], &r, 16);
    }
    boot_cpu.brand[48] = '\0';
}

void cpu_features_init(void)
{
    struct cpuid_regs r;
    uint32_t max_ext;

    cpuid_count(0, 0, &r);
    memcpy(&boot_cpu.vendor[0], &r.ebx, 4);
    memcpy(&boot_cpu.vendor[4], &r.edx, 4);
    memcpy(&boot_cpu.vendor[8], &r.ecx, 4);
    if (r.eax >= 7) {
        struct cpuid_regs l7;

        cpuid_count(7, 0, &l7);
        boot_cpu.fsgsbase = l7.ebx & (1u << 0);
        boot_cpu.smep = l7.ebx & (1u << 7);
        boot_cpu.smap = l7.ebx & (1u << 20);
    }
    cpuid_count(1, 0, &r);
    boot_cpu.pge = r.edx & (1u << 13);

    cpuid_count(0x80000000, 0, &r);
    max_ext = r.eax;
    cpuid_count(0x80000001, 0, &r);
    boot_cpu.nx = r.edx & (1u << 20);
    boot_cpu.page1gb = r.edx & (1u << 26);
    boot_cpu.svm = r.ecx & (1u << 2);
    if (max_ext >= 0x80000004)
        read_brand();
    if (max_ext >= 0x80000007) {
        cpuid_count(0x80000007, 0, &r);
        boot_cpu.invariant_tsc = r.edx & (1u << 8);
    }
    boot_cpu.phys_bits = 36;
    if (max_ext >= 0x80000008) {
        cpuid_count(0x80000008, 0, &r);
        boot_cpu.phys_bits = r.eax & 0xff;
    }
}
