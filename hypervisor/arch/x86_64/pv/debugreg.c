/* SPDX-License-Identifier: MIT */
/*
 * A PV guest's debug registers. Breakpoint addresses must be guest
 * addresses; DR7 may enable only instruction and data breakpoints (no
 * I/O breakpoints, no general detect). The registers are the vCPU's and
 * are loaded while it runs; a breakpoint the hypervisor itself trips
 * while touching guest memory is recorded in the guest's DR6, not fatal.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <asm/guest_access.h>
#include <asm/pv.h>

#define DR6_DEFAULT    0xffff0ff0ull
#define DR7_DEFAULT    0x400ull /* bit 10 always reads as one */
#define DR7_ENABLES    0xffull  /* L0-3, G0-3 */
#define DR7_LE_GE      0x300ull
#define DR7_RW_LEN     0xffff0000ull
#define DR6_GUEST_BITS 0x0000e00full /* B0-3, BD, BS, BT */

static uint64_t read_dr(unsigned int n)
{
    uint64_t v = 0;

    switch (n) {
    case 0:
        __asm__ __volatile__("mov %%db0, %0" : "=r"(v));
        break;
    case 1:
        __asm__ __volatile__("mov %%db1, %0" : "=r"(v));
        break;
    case 2:
        __asm__ __volatile__("mov %%db2, %0" : "=r"(v));
        break;
    case 3:
        __asm__ __volatile__("mov %%db3, %0" : "=r"(v));
        break;
    case 6:
        __asm__ __volatile__("mov %%db6, %0" : "=r"(v));
        break;
    }
    return v;
}

static void write_dr(unsigned int n, uint64_t v)
{
    switch (n) {
    case 0:
        __asm__ __volatile__("mov %0, %%db0" ::"r"(v));
        break;
    case 1:
        __asm__ __volatile__("mov %0, %%db1" ::"r"(v));
        break;
    case 2:
        __asm__ __volatile__("mov %0, %%db2" ::"r"(v));
        break;
    case 3:
        __asm__ __volatile__("mov %0, %%db3" ::"r"(v));
        break;
    case 6:
        __asm__ __volatile__("mov %0, %%db6" ::"r"(v));
        break;
    case 7:
        __asm__ __volatile__("mov %0, %%db7" ::"r"(v));
        break;
    }
}

static bool dr7_ok(uint64_t v)
{
    unsigned int i;

    if (v & ~(DR7_ENABLES | DR7_LE_GE | DR7_RW_LEN | DR7_DEFAULT))
        return false;
    for (i = 0; i < 4; i++)
        if (((v >> (16 + 4 * i)) & 3) == 2)
            return false; /* I/O breakpoints are the hypervisor's business */
    return true;
}

void pv_load_debugregs(const struct vcpu *v)
{
    unsigned int i;

    write_dr(7, 0); /* nothing armed while the addresses change */
    if (!v || !(v->arch.debugreg[7] & DR7_ENABLES))
        return;
    for (i = 0; i < 4; i++)
        write_dr(i, v->arch.debugreg[i]);
    write_dr(7, v->arch.debugreg[7] | DR7_DEFAULT);
}

/* A #DB: the guest's view of DR6 takes the hit, the CPU's is reset. */
void pv_record_debug_trap(struct vcpu *v)
{
    uint64_t dr6 = read_dr(6);

    write_dr(6, DR6_DEFAULT);
    if (v && !is_idle_vcpu(v))
        v->arch.debugreg[6] = DR6_DEFAULT | (dr6 & DR6_GUEST_BITS);
}

int pv_set_debugreg(struct vcpu *v, uint64_t reg, uint64_t value)
{
    switch (reg) {
    case 0 ... 3:
        if (!guest_range_ok(value, 1))
            return -EPERM;
        v->arch.debugreg[reg] = value;
        break;
    case 6:
        v->arch.debugreg[6] = DR6_DEFAULT | (value & DR6_GUEST_BITS);
        return 0;
    case 7:
        if (!dr7_ok(value))
            return -EPERM;
        v->arch.debugreg[7] = value & ~DR7_DEFAULT;
        break;
    default:
        return -EINVAL;
    }
    if (v == current_vcpu())
        pv_load_debugregs(v);
    return 0;
}

long do_set_debugreg(uint64_t reg, uint64_t value)
{
    return pv_set_debugreg(current_vcpu(), reg, value);
}

long do_get_debugreg(uint64_t reg)
{
    const struct vcpu *v = current_vcpu();

    switch (reg) {
    case 0 ... 3:
        return (long)v->arch.debugreg[reg];
    case 6:
        return (long)v->arch.debugreg[6];
    case 7:
        return (long)(v->arch.debugreg[7] | DR7_DEFAULT);
    }
    return -ENODEV;
}
