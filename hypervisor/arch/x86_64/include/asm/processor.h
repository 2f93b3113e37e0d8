/* SPDX-License-Identifier: MIT */
/* Control registers, MSRs, CPUID, and other single instructions. */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <xenolith/types.h>

#define X86_CR0_PE (1ul << 0)
#define X86_CR0_MP (1ul << 1)
#define X86_CR0_TS (1ul << 3)
#define X86_CR0_ET (1ul << 4)
#define X86_CR0_NE (1ul << 5)
#define X86_CR0_WP (1ul << 16)
#define X86_CR0_AM (1ul << 18)
#define X86_CR0_PG (1ul << 31)

#define X86_CR4_PAE        (1ul << 5)
#define X86_CR4_MCE        (1ul << 6)
#define X86_CR4_PGE        (1ul << 7)
#define X86_CR4_OSFXSR     (1ul << 9)
#define X86_CR4_OSXMMEXCPT (1ul << 10)
#define X86_CR4_FSGSBASE   (1ul << 16)
#define X86_CR4_SMEP       (1ul << 20)
#define X86_CR4_SMAP       (1ul << 21)

#define X86_EFLAGS_CF (1ul << 0)
#define X86_EFLAGS_PF (1ul << 2)
#define X86_EFLAGS_ZF (1ul << 6)
#define X86_EFLAGS_SF (1ul << 7)
#define X86_EFLAGS_IF (1ul << 9)
#define X86_EFLAGS_OF (1ul << 11)
#define X86_EFLAGS_AC (1ul << 18)

#define MSR_EFER           0xc0000080
#define EFER_SCE           (1u << 0)
#define EFER_LME           (1u << 8)
#define EFER_NXE           (1u << 11)
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_FMASK          0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_APIC_BASE      0x1b

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline void cpuid_count(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
    __asm__ __volatile__("cpuid"
                         : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
                         : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                                                     \
    static inline unsigned long read_cr##n(void)                                                   \
    {                                                                                              \
        unsigned long v;                                                                           \
        __asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                                      \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(unsigned long v)                                                \
    {                                                                                              \
        __asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory");                               \
    }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void clts(void)
{
    __asm__ __volatile__("clts" ::: "memory");
}

static inline void invlpg(const void *va)
{
    __asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}

/* Flushes global entries too, by toggling CR4.PGE. */
static inline void flush_tlb_all_local(void)
{
    unsigned long cr4 = read_cr4();
    write_cr4(cr4 & ~X86_CR4_PGE);
    write_cr4(cr4);
}

static inline void cpu_relax(void)
{
    __asm__ __volatile__("pause" ::: "memory");
}

static inline void local_irq_disable(void)
{
    __asm__ __volatile__("cli" ::: "memory");
}

static inline void local_irq_enable(void)
{
    __asm__ __volatile__("sti" ::: "memory");
}

static inline unsigned long local_save_flags(void)
{
    unsigned long f;
    __asm__ __volatile__("pushf; pop %0" : "=r"(f)::"memory");
    return f;
}

static inline bool local_irq_is_enabled(void)
{
    return local_save_flags() & X86_EFLAGS_IF;
}

static inline unsigned long local_irq_save(void)
{
    unsigned long f = local_save_flags();
    local_irq_disable();
    return f;
}

static inline void local_irq_restore(unsigned long f)
{
    if (f & X86_EFLAGS_IF)
        local_irq_enable();
}

/* Waits for an interrupt with interrupts enabled, atomically (sti; hlt). */
static inline void safe_halt(void)
{
    __asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void __attribute__((noreturn)) halt_forever(void)
{
    for (;;)
        __asm__ __volatile__("cli; hlt");
}

#endif
