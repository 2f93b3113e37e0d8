/* SPDX-License-Identifier: MIT */
/*
 * System time from the TSC, calibrated once against PIT channel 2.
 * NOW() scales (tsc - tsc at boot) with the same multiplier and shift
 * that PV guests get in vcpu_time_info, so both sides agree to the ns.
 * Also the wallclock, read once from the CMOS RTC.
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
static uint32_t tsc_mul; /* ns = ((ticks << tsc_shift) * tsc_mul) >> 32, as PV guests compute */
static int8_t tsc_shift;
static uint64_t tsc_khz;
static uint64_t wallclock_at_boot; /* seconds since the epoch at system time 0 */

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

/*
 * mul and shift with (ticks << shift) * mul / 2^32 = ticks * 1e9 / hz:
 * scale hz by powers of two into (1e9, 2e9] so the ratio is in [0.5, 1)
 * and mul uses all 32 bits.
 */
static void set_scale(uint64_t hz)
{
    uint64_t t = hz;
    int shift = 0;

    while (t > 2000000000ull) {
        t >>= 1;
        shift--;
    }
    while (t <= 1000000000ull) {
        t <<= 1;
        shift++;
    }
    tsc_mul = (uint32_t)((1000000000ull << 32) / t);
    tsc_shift = (int8_t)shift;
}

static uint64_t scale_ticks(uint64_t ticks)
{
    ticks = tsc_shift < 0 ? ticks >> -tsc_shift : ticks << tsc_shift;
    return (uint64_t)(((unsigned __int128)ticks * tsc_mul) >> 32);
}

/* CMOS RTC register, in binary whatever the RTC's mode. */
static unsigned int rtc_read(uint8_t reg, bool bcd)
{
    uint8_t v;

    outb(0x70, reg);
    v = inb(0x71);
    return bcd ? (v & 0x0f) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_epoch(unsigned int y, unsigned int m, unsigned int d)
{
    unsigned int era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

static uint64_t rtc_unix_time(void)
{
    unsigned int spins = 1000000, sec, min, hour, day, mon, year;
    bool bcd;

    while ((rtc_read(0x0a, false) & 0x80) && --spins) /* update in progress */
        cpu_relax();
    bcd = !(rtc_read(0x0b, false) & 0x04);
    sec = rtc_read(0x00, bcd);
    min = rtc_read(0x02, bcd);
    hour = rtc_read(0x04, bcd); /* 24-hour mode, as firmware sets it */
    day = rtc_read(0x07, bcd);
    mon = rtc_read(0x08, bcd);
    year = rtc_read(0x09, bcd) + 2000;
    if (mon < 1 || mon > 12 || day < 1 || day > 31)
        return 0;
    return days_from_epoch(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void time_init(void)
{
    uint64_t hz = measure_tsc_hz();

    tsc_khz = hz / 1000;
    set_scale(hz);
    tsc_at_boot = rdtsc();
    wallclock_at_boot = rtc_unix_time();
    printk("TSC: %lu.%03lu MHz (calibrated against the PIT); wallclock %lu s since the epoch\n",
           tsc_khz / 1000, tsc_khz % 1000, (unsigned long)wallclock_at_boot);
}

s_time_t NOW(void)
{
    return (s_time_t)scale_ticks(rdtsc() - tsc_at_boot);
}

s_time_t tsc_to_system_time(uint64_t tsc)
{
    return (s_time_t)scale_ticks(tsc - tsc_at_boot);
}

void time_scale(uint32_t *mul, int8_t *shift)
{
    *mul = tsc_mul;
    *shift = tsc_shift;
}

uint64_t wallclock_boot_seconds(void)
{
    return wallclock_at_boot;
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
        apic_timer_oneshot(expires > now ? (uint64_t)(expires - now) : 1);
}
