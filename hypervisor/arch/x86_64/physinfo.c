/* SPDX-License-Identifier: MIT */
/*
 * The x86 part of XEN_SYSCTL_physinfo, with Xen 4.17's meanings: the
 * topology of CPU 0's core and package among the online CPUs, RAM from
 * the boot memory map, the highest frame, the CPUID feature words in
 * Xen's featureset order (public/arch-x86/cpufeatureset.h), and the
 * capabilities of a PV-only host with grant tables v1.
 */
#define __XEN_TOOLS__ 1 /* sysctl.h is the tools' interface */
#include <xenolith/mm.h>
#include <xenolith/smp.h>
#include <xenolith/sysctl.h>
#include <xen/sysctl.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/smp.h>

/* APIC-ID shifts to the core and to the package (CPUID leaf 0xb); both 0
 * without the leaf: every CPU its own package, as Xen then sees it. */
static void physinfo_shifts(unsigned int *smt, unsigned int *pkg)
{
    struct cpuid_regs r;
    unsigned int sub;

    *smt = *pkg = 0;
    cpuid_count(0, 0, &r);
    if (r.eax < 0xb)
        return;
    for (sub = 0; sub < 8; sub++) {
        cpuid_count(0xb, sub, &r);
        if (!((r.ecx >> 8) & 0xff)) /* level type 0: no more levels */
            break;
        if (((r.ecx >> 8) & 0xff) == 1)
            *smt = r.eax & 0x1f;
        *pkg = r.eax & 0x1f; /* the last level's shift reaches the package */
    }
}

/* Xen: the weights of CPU 0's sibling mask and core mask. */
static void physinfo_topology(struct xen_sysctl_physinfo *pi)
{
    unsigned int smt, pkg, cpu, me = cpu_apic_id(0), threads = 0, package = 0;

    physinfo_shifts(&smt, &pkg);
    for_each_cpu(cpu, &cpu_online_map)
    {
        threads += (cpu_apic_id(cpu) >> smt) == (me >> smt);
        package += (cpu_apic_id(cpu) >> pkg) == (me >> pkg);
    }
    pi->threads_per_core = threads;
    pi->cores_per_socket = package / threads;
}

/* Xen's featureset words 0-7: leaves 1, 0x80000001, 0xd:1, 7:0, 0x80000007. */
static void physinfo_hw_cap(uint32_t cap[8])
{
    struct cpuid_regs r, max, ext;

    cpuid_count(0, 0, &max);
    cpuid_count(0x80000000, 0, &ext);
    cpuid_count(1, 0, &r);
    cap[0] = r.edx, cap[1] = r.ecx;
    if (ext.eax >= 0x80000001) {
        cpuid_count(0x80000001, 0, &r);
        cap[2] = r.edx, cap[3] = r.ecx;
    }
    if (max.eax >= 0xd) {
        cpuid_count(0xd, 1, &r);
        cap[4] = r.eax;
    }
    if (max.eax >= 7) {
        cpuid_count(7, 0, &r);
        cap[5] = r.ebx, cap[6] = r.ecx;
    }
    if (ext.eax >= 0x80000007) {
        cpuid_count(0x80000007, 0, &r);
        cap[7] = r.edx;
    }
}

void arch_physinfo(struct xen_sysctl_physinfo *pi)
{
    _Static_assert(sizeof(pi->hw_cap) == 8 * sizeof(uint32_t), "hw_cap: 8 words");
    physinfo_topology(pi);
    pi->max_cpu_id = nr_cpus_present - 1;
    pi->total_pages = mm_total_ram() >> PAGE_SHIFT;
    pi->max_mfn = max_page - 1; /* Xen: the frame bound less one, no hotplug */
    physinfo_hw_cap(pi->hw_cap);
    /* No HVM, HAP, shadow paging, IOMMU, vmtrace or vPMU; grant v2 neither. */
    pi->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1;
}
