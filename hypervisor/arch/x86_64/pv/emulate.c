/* SPDX-License-Identifier: MIT */
/*
 * The privileged instructions a PV guest may use, emulated as Xen does:
 * CPUID through the forced-emulation prefix, and the segment-base MSRs
 * (Linux's very first instruction is a wrmsr of GS_BASE). Everything
 * else that faulted goes back to the guest as the fault it was.
 */
#include <xenolith/domain.h>
#include <xenolith/string.h>
#include <xenolith/version.h>
#include <xenolith/time.h>
#include <xen/arch-x86/cpuid.h>
#include <asm/cpufeature.h>
#include <asm/guest_access.h>
#include <asm/processor.h>
#include <asm/pv.h>

#define XEN_CPUID_BASE XEN_CPUID_FIRST_LEAF

static const uint8_t forced_prefix[] = {0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2};

/* Xen's leaves (public/arch-x86/cpuid.h), for a PV guest. */
static void xen_leaves(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    memset(r, 0, sizeof(*r));
    switch (leaf - XEN_CPUID_BASE) {
    case 0:
        r->eax = XEN_CPUID_BASE + XEN_CPUID_MAX_NUM_LEAVES;
        r->ebx = XEN_CPUID_SIGNATURE_EBX;
        r->ecx = XEN_CPUID_SIGNATURE_ECX;
        r->edx = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1:
        r->eax = (XEN_ABI_MAJOR << 16) | XEN_ABI_MINOR;
        break;
    case 2:
        r->eax = 1;          /* hypercall pages */
        r->ebx = 0x40000000; /* MSR to set one up (HVM only) */
        r->ecx = XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD;
        break;
    case 3:
        if (subleaf == 0) {
            r->ebx = 2; /* tsc_mode: native, never emulated */
            r->ecx = (uint32_t)cpu_khz();
        }
        break;
    case 5:
        if (subleaf == 0)
            r->ebx = boot_cpu.phys_bits; /* max machine address width */
        break;
    }
}

void pv_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x100) {
        xen_leaves(leaf, subleaf, r);
        return;
    }
    cpuid_count(leaf, subleaf, r);
    switch (leaf) {
    case 1:
        /* No VMX, MONITOR, x2APIC, TSC deadline, PCID, OSXSAVE; say "hypervisor". */
        r->ecx &= ~((1u << 5) | (1u << 3) | (1u << 21) | (1u << 24) | (1u << 17) | (1u << 27));
        r->ecx |= 1u << 31;
        r->edx &= ~((1u << 9) | (1u << 12) | (1u << 22)); /* APIC, MTRR, ACPI */
        break;
    case 7:
        if (subleaf == 0) {
            /* FSGSBASE, SMEP, INVPCID, SMAP are the hypervisor's, not the guest's. */
            r->ebx &= ~((1u << 0) | (1u << 7) | (1u << 10) | (1u << 20));
            r->ecx &= ~((1u << 3) | (1u << 4) | (1u << 16)); /* PKU, OSPKE, LA57 */
        }
        break;
    case 0x80000001:
        r->ecx &= ~(1u << 2); /* SVM */
        break;
    }
}

bool pv_emulate_forced_op(struct cpu_regs *regs)
{
    uint8_t insn[sizeof(forced_prefix)];
    struct cpuid_regs r;

    if (copy_from_guest(insn, regs->rip, sizeof(insn)) || memcmp(insn, forced_prefix, sizeof(insn)))
        return false;
    pv_cpuid((uint32_t)regs->rax, (uint32_t)regs->rcx, &r);
    regs->rax = r.eax;
    regs->rbx = r.ebx;
    regs->rcx = r.ecx;
    regs->rdx = r.edx;
    regs->rip += sizeof(insn);
    return true;
}

/* The guest-visible MSRs: the segment bases, which live in the vCPU. */
static bool guest_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (!guest_range_ok(val, 1) && val != 0)
        return false; /* bases must be canonical guest addresses */
    switch (msr) {
    case MSR_FS_BASE:
        wrmsr(MSR_FS_BASE, val);
        return true;
    case MSR_GS_BASE:
        wrmsr(MSR_GS_BASE, val); /* the kernel's GS while in kernel mode */
        return true;
    case MSR_SHADOW_GS_BASE:
        wrmsr(MSR_SHADOW_GS_BASE, val);
        return true;
    }
    (void)v;
    return false;
}

static bool guest_msr_read(uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        *val = rdmsr(msr);
        return true;
    case MSR_EFER:
        *val = EFER_SCE | EFER_LME | (1u << 10) /* LMA */ | EFER_NXE;
        return true;
    }
    return false;
}

/*
 * mov to %cr4 (0f 22 /4, register form): the guest's CR4 is not its to
 * change; Xen drops the write without a fault, and so do we.
 */
static bool cr4_write_ignored(struct cpu_regs *regs)
{
    uint8_t modrm;

    if (copy_from_guest(&modrm, regs->rip + 2, 1) || (modrm >> 6) != 3 || ((modrm >> 3) & 7) != 4)
        return false;
    regs->rip += 3;
    return true;
}

bool pv_emulate_privileged_op(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    uint8_t insn[2];
    uint32_t msr = (uint32_t)regs->rcx;
    uint64_t val;

    if (!v->arch.kernel_mode || copy_from_guest(insn, regs->rip, sizeof(insn)) || insn[0] != 0x0f)
        return false;
    if (insn[1] == 0x30) { /* wrmsr */
        if (!guest_msr_write(v, msr, (regs->rdx << 32) | (uint32_t)regs->rax))
            return false;
    } else if (insn[1] == 0x32) { /* rdmsr */
        if (!guest_msr_read(msr, &val))
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
    } else if (insn[1] == 0x09) { /* wbinvd: caches are coherent, nothing to do */
    } else if (insn[1] == 0x22 && cr4_write_ignored(regs)) {
        return true;
    } else {
        return false;
    }
    regs->rip += 2;
    return true;
}
