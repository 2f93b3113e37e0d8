/* SPDX-License-Identifier: MIT */
/*
 * PV time. Xen's system time (ns since boot) is extrapolated from the
 * vcpu_time_info in our vcpu_info with the TSC; the wallclock at system
 * time 0 is in shared_info. Both are read under Xen's seqlocks (an odd
 * or changed version means Xen was writing: read again).
 */
#ifndef GUEST_TIME_H
#define GUEST_TIME_H

#include <guest/xen.h>

struct time_wallclock {
    uint64_t sec; /* wc_sec | wc_sec_hi << 32 */
    uint32_t nsec;
    uint32_t version;
};

static inline uint64_t time_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* A consistent copy of our vcpu_time_info (its version is even). */
void time_snapshot(struct vcpu_time_info *t);
/* Nanoseconds of TSC ticks with the snapshot's scale. */
uint64_t time_scale_delta(uint64_t delta, const struct vcpu_time_info *t);
/* Xen system time now, in ns. */
uint64_t time_now(void);
/* The wall clock at system time 0. */
void time_wallclock(struct time_wallclock *wc);
/* TSC frequency in kHz implied by tsc_to_system_mul and tsc_shift. */
uint64_t time_tsc_khz(const struct vcpu_time_info *t);
/* Spins until system time `deadline`, or until *flag becomes nonzero. */
void time_spin_until(uint64_t deadline, const volatile unsigned long *flag);

#endif
