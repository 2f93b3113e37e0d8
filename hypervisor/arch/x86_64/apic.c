/* SPDX-License-Identifier: MIT */
/*
 * The local APIC in xAPIC mode (QEMU's TCG offers no x2APIC). All CPUs
 * share one MMIO mapping: each CPU's accesses reach its own LAPIC.
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/time.h>
#include <asm/apic.h>
#include <asm/config.h>
#include <asm/io.h>
#include <asm/mm.h>
#include <asm/processor.h>

#define APIC_ID         0x020
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ICR_LOW    0x300
#define APIC_ICR_HIGH   0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3e0

#define SVR_ENABLE       0x100
#define LVT_MASKED       0x10000
#define ICR_BUSY         0x1000
#define ICR_ASSERT       0x4000
#define ICR_INIT         0x500
#define ICR_STARTUP      0x600
#define ICR_NMI          0x400
#define ICR_ALL_BUT_SELF 0xc0000
#define APIC_BASE_ENABLE (1ull << 11)

static volatile uint8_t *apic_regs;
static uint64_t timer_ticks_per_ms;

static uint32_t apic_read(unsigned int reg)
{
    return mmio_read32(apic_regs + reg);
}

static void apic_write(unsigned int reg, uint32_t v)
{
    mmio_write32(apic_regs + reg, v);
}

unsigned int apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

static void apic_icr_wait(void)
{
    unsigned int spins = 1000000;

    while ((apic_read(APIC_ICR_LOW) & ICR_BUSY) && --spins)
        cpu_relax();
}

static void apic_send(unsigned int dest, uint32_t icr)
{
    unsigned long flags = local_irq_save();

    apic_icr_wait();
    apic_write(APIC_ICR_HIGH, dest << 24);
    apic_write(APIC_ICR_LOW, icr);
    apic_icr_wait();
    local_irq_restore(flags);
}

void apic_send_ipi(unsigned int dest, unsigned int vector)
{
    apic_send(dest, vector | ICR_ASSERT);
}

void apic_send_nmi_allbutself(void)
{
    apic_send(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void apic_send_init(unsigned int dest)
{
    apic_send(dest, ICR_INIT | ICR_ASSERT);
}

void apic_send_sipi(unsigned int dest, unsigned int page)
{
    apic_send(dest, ICR_STARTUP | page);
}

static void apic_enable_local(void)
{
    apic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
    apic_write(APIC_LVT_ERROR, LVT_MASKED);
    apic_write(APIC_TIMER_DIV, 0x3); /* divide by 16 */
    apic_write(APIC_TIMER_INIT, 0);
}

void apic_init_bsp(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    apic_regs = ioremap(base & 0xfffff000, 4096);
    BUG_ON(!apic_regs);
    /* The 8259 PICs stay masked: every interrupt we use comes via the LAPIC. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, 0x400); /* NMI */
    apic_enable_local();
}

void apic_init_ap(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, LVT_MASKED);
    apic_enable_local();
}

void apic_timer_calibrate(void)
{
    s_time_t start;
    uint32_t left;

    apic_write(APIC_TIMER_INIT, 0xffffffff);
    start = NOW();
    while (NOW() - start < MILLISECS(10))
        cpu_relax();
    left = apic_read(APIC_TIMER_CUR);
    apic_write(APIC_TIMER_INIT, 0);
    timer_ticks_per_ms = (0xffffffffull - left) / 10;
    BUG_ON(timer_ticks_per_ms == 0);
    printk("APIC timer: %lu.%03lu MHz bus clock (divide by 16)\n", timer_ticks_per_ms * 16 / 1000,
           timer_ticks_per_ms * 16 % 1000);
}

void apic_timer_oneshot(uint64_t ns)
{
    uint64_t ticks;

    if (!ns) {
        apic_write(APIC_TIMER_INIT, 0);
        return;
    }
    ticks = ns * timer_ticks_per_ms / 1000000;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffull)
        ticks = 0xffffffffull;
    apic_write(APIC_LVT_TIMER, VECTOR_TIMER); /* one-shot, unmasked */
    apic_write(APIC_TIMER_INIT, (uint32_t)ticks);
}
