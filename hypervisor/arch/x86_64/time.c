/* SPDX-License-Identifier: MIT */
/*
 * System time from the TSC, calibrated once against PIT channel 2.
 * NOW() = (tsc - tsc at boot) * ns_per_tsc, in 32.32 fixed point with a
 * 128-bit product so it neither overflows nor loses precision.
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/time.h>

#define PIT_HZ       1193182
#define PIT_CH2      0x42
#define PIT_MODE     0x43
#define PIT_GATE     0x61
#define CALIBRATE_MS 50

static uint64_t tsc_at_boot;
static uint64_t ns_per_tsc_32_32; /* nanoseconds per TSC tick << 32 */
static uint64_t tsc_khz;

/* Counts TSC ticks over CALIBRATE_MS of PIT channel 2 (gate on, speaker off). */
static uint64_t measure_tsc_hz(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t start, end;
    unsigned long spins = 0;

    outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
    outb(PIT_MODE, 0xb0); /* channel 2, lo/hi, mode 0 */
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
    start = rdtsc();
    while (!(inb(PIT_GATE) & 0x20) && ++spins < 100000000)
        ;
    end = rdtsc();
    BUG_ON(!(inb(PIT_GATE) & 0x20)); /* no PIT: we cannot keep time */
    return (end - start) * 1000 / CALIBRATE_MS;
}

void time_init(void)
{
    uint64_t hz = measure_tsc_hz();

    tsc_khz = hz / 1000;
    ns_per_tsc_32_32 = (uint64_t)(((unsigned __int128)1000000000 << 32) / hz);
    tsc_at_boot = rdtsc();
    printk("TSC: %lu.%03lu MHz (calibrated against the PIT)\n", tsc_khz / 1000, tsc_khz % 1000);
}

s_time_t NOW(void)
{
    uint64_t delta = rdtsc() - tsc_at_boot;

    return (s_time_t)(((unsigned __int128)delta * ns_per_tsc_32_32) >> 32);
}

uint64_t cpu_khz(void)
{
    return tsc_khz;
}

void udelay(unsigned long us)
{
    s_time_t end = NOW() + MICROSECS(us);

    while (NOW() < end)
        cpu_relax();
}

void arch_timer_program(s_time_t expires)
{
    s_time_t now = NOW();

    if (expires == TIME_NEVER)
        apic_timer_oneshot(0);
    else
        apic_timer_oneshot(expires > now ? expires - now : 1);
}
