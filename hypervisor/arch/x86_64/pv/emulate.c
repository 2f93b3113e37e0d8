/* SPDX-License-Identifier: MIT */
/*
 * The privileged instructions a PV guest may use, emulated as Xen does:
 * CPUID through the forced-emulation prefix, the segment-base MSRs
 * (Linux's very first instruction is a wrmsr of GS_BASE), control
 * register reads (Linux reads CR0 natively once), and under the guest's
 * virtual IOPL port I/O and cli/sti (no-ops), clts. Everything else that
 * faulted goes back to the guest as the fault it was.
 */
#include <xenolith/domain.h>
#include <xenolith/hypercall.h>
#include <xenolith/page.h>
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
        /* Superpages and global pages: not in a PV guest's own tables. */
        r->edx &= ~((1u << 1) | (1u << 3) | (1u << 13) | (1u << 17)); /* VME, PSE, PGE, PSE36 */
        /* Machine checks: no virtual MCE (Xen's vMCE MSRs) yet. */
        r->edx &= ~((1u << 7) | (1u << 14)); /* MCE, MCA */
        break;
    case 7:
        if (subleaf == 0) {
            /* FSGSBASE, SMEP, INVPCID, SMAP are the hypervisor's, not the guest's. */
            r->ebx &= ~((1u << 0) | (1u << 7) | (1u << 10) | (1u << 20));
            r->ecx &= ~((1u << 2) | (1u << 3) | (1u << 4) | (1u << 16) |
                        (1u << 31)); /* UMIP, PKU, OSPKE, LA57, PKS */
        }
        break;
    case 0x80000001:
        r->ecx &= ~((1u << 2) | (1u << 4)); /* SVM, CR8_LEGACY */
        /* 1 GiB pages, and AMD's copies of PSE, PGE, PSE36. */
        r->edx &= ~((1u << 26) | (1u << 3) | (1u << 13) | (1u << 17));
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

/* CR4 bits a PV guest sees as the hardware has them (Xen's visible set). */
#define CR4_GUEST_VISIBLE (X86_CR4_PAE | X86_CR4_MCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

/* What a PV kernel reads from control register n, as on Xen; false if none. */
static bool guest_cr_read(struct vcpu *v, unsigned int n, uint64_t *val)
{
    switch (n) {
    case 0: /* TS is the guest's own (fpu_taskswitch) */
        *val = (read_cr0() & ~X86_CR0_TS) | (v->arch.fpu_ts ? X86_CR0_TS : 0);
        return true;
    case 2:
        *val = v->vcpu_info->arch.cr2;
        return true;
    case 3:
        *val = (uint64_t)v->arch.guest_table << PAGE_SHIFT;
        return true;
    case 4:
        *val = read_cr4() & CR4_GUEST_VISIBLE;
        return true;
    }
    return false;
}

/*
 * mov from/to a control register (0f 20 / 0f 22, register form, an
 * optional REX before): reads as above; a write to CR4 is not the guest's
 * to make, and is dropped without a fault as Xen drops it. Returns the
 * instruction's length, 0 if it is not one of these.
 */
static unsigned int emulate_mov_cr(struct vcpu *v, struct cpu_regs *regs, const uint8_t *b,
                                   size_t n)
{
    unsigned int at = n && (b[0] & 0xf0) == 0x40, cr, reg;
    uint8_t rex = at ? b[0] : 0;
    uint64_t val;

    if (n < at + 3 || b[at] != 0x0f || (b[at + 1] != 0x20 && b[at + 1] != 0x22) ||
        (b[at + 2] >> 6) != 3)
        return 0;
    cr = ((b[at + 2] >> 3) & 7) | (rex & 4 ? 8 : 0);
    reg = (b[at + 2] & 7) | (rex & 1 ? 8 : 0);
    if (b[at + 1] == 0x20) {
        if (!guest_cr_read(v, cr, &val))
            return 0;
        *regs_gpr(regs, reg) = val;
    } else if (cr != 4) {
        return 0;
    }
    return at + 3;
}

/*
 * in/out with an immediate or %dx port (e4-e7, ec-ef; 66 for 16 bits),
 * for a guest whose virtual IOPL allows it (its kernel counts as ring 1,
 * as on Xen). No port is granted to any domain yet, so as on Xen for a
 * port a domain may not touch: reads see all ones, writes go nowhere.
 * Returns the instruction's length, 0 if it is not one.
 */
static unsigned int emulate_port_io(struct cpu_regs *regs, const uint8_t *b, size_t n)
{
    unsigned int at = n && b[0] == 0x66, size, len;

    if (n <= at || (b[at] & 0xf4) != 0xe4)
        return 0;
    len = at + 1 + ((b[at] & 8) ? 0 : 1); /* e4-e7 carry an immediate port */
    if (n < len)
        return 0;
    size = !(b[at] & 1) ? 1 : at ? 2 : 4;
    if (!(b[at] & 2)) { /* in */
        if (size == 4)
            regs->rax = 0xffffffffu;
        else
            regs->rax |= (1ull << (size * 8)) - 1;
    }
    return len;
}

/* The guest's virtual IOPL admits its current ring (kernel 1, user 3). */
static bool iopl_allows(const struct vcpu *v)
{
    return (v->arch.kernel_mode ? 1u : 3u) <= v->arch.iopl;
}

/*
 * The 0f-prefixed privileged instructions a PV kernel may use: the MSRs
 * above, wbinvd (caches are coherent: nothing to do), clts (the virtual
 * TS, as fpu_taskswitch(0)). Returns the length, 0 if not one of them.
 */
static unsigned int emulate_0f_op(struct vcpu *v, struct cpu_regs *regs, const uint8_t *b, size_t n)
{
    uint32_t msr = (uint32_t)regs->rcx;
    uint64_t val;

    if (n < 2 || b[0] != 0x0f)
        return 0;
    switch (b[1]) {
    case 0x30: /* wrmsr */
        return guest_msr_write(v, msr, (regs->rdx << 32) | (uint32_t)regs->rax) ? 2 : 0;
    case 0x32: /* rdmsr */
        if (!guest_msr_read(msr, &val))
            return 0;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        return 2;
    case 0x09: /* wbinvd */
        return 2;
    case 0x06: /* clts */
        do_fpu_taskswitch(0);
        return 2;
    }
    return 0;
}

/*
 * Fetches the faulting instruction once and tries each form on it. Under
 * a sufficient virtual IOPL, port I/O and cli/sti (no-ops, as Xen 4.17:
 * measured by guest/tests/priv.c; the upcall mask is the guest's to write
 * in vcpu_info); in kernel mode only, control registers and the rest.
 */
bool pv_emulate_privileged_op(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();
    uint8_t b[4];
    size_t n = fetch_guest_insn(b, regs->rip, sizeof(b));
    unsigned int len = 0;

    if (iopl_allows(v)) {
        len = emulate_port_io(regs, b, n);
        if (!len && n && (b[0] == 0xfa || b[0] == 0xfb))
            len = 1; /* cli, sti */
    }
    if (!len && v->arch.kernel_mode) {
        len = emulate_mov_cr(v, regs, b, n);
        if (!len)
            len = emulate_0f_op(v, regs, b, n);
    }
    regs->rip += len;
    return len != 0;
}
