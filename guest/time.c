/* SPDX-License-Identifier: MIT */
/*
 * PV time (see time.h). Xen updates vcpu_time_info when it recalibrates
 * and when the vCPU is scheduled, bumping the version to odd before and
 * to even after; a reader copies the fields and retries unless it saw
 * the same even version on both sides. wc_version guards the wallclock
 * the same way.
 */
#include <guest/kernel.h>
#include <guest/time.h>

void time_snapshot(struct vcpu_time_info *t)
{
    const struct vcpu_time_info *src = &kernel_vcpu_info->time;
    uint32_t v;

    do {
        v = READ_ONCE(src->version);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        t->tsc_timestamp = READ_ONCE(src->tsc_timestamp);
        t->system_time = READ_ONCE(src->system_time);
        t->tsc_to_system_mul = READ_ONCE(src->tsc_to_system_mul);
        t->tsc_shift = READ_ONCE(src->tsc_shift);
        t->flags = READ_ONCE(src->flags);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((v & 1) || v != READ_ONCE(src->version));
    t->version = v;
}

uint64_t time_scale_delta(uint64_t delta, const struct vcpu_time_info *t)
{
    if (t->tsc_shift < 0)
        delta >>= -t->tsc_shift;
    else
        delta <<= t->tsc_shift;
    /* A 64x32-bit product, keeping bits 32..95. */
    return (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

uint64_t time_now(void)
{
    struct vcpu_time_info t;
    uint64_t tsc;

    time_snapshot(&t);
    tsc = time_rdtsc();
    /* A TSC read just before Xen's timestamp counts as no time at all. */
    return t.system_time +
           (tsc > t.tsc_timestamp ? time_scale_delta(tsc - t.tsc_timestamp, &t) : 0);
}

void time_wallclock(struct time_wallclock *wc)
{
    const shared_info_t *s = kernel_shared_info;
    uint32_t v;

    do {
        v = READ_ONCE(s->wc_version);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        wc->sec = READ_ONCE(s->wc_sec) | (uint64_t)READ_ONCE(s->xen_wc_sec_hi) << 32;
        wc->nsec = READ_ONCE(s->wc_nsec);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((v & 1) || v != READ_ONCE(s->wc_version));
    wc->version = v;
}

uint64_t time_tsc_khz(const struct vcpu_time_info *t)
{
    /* ns = ticks * 2^shift * mul / 2^32, so kHz = 10^6 * 2^32 / (mul * 2^shift). */
    uint64_t khz = (1000000ULL << 32) / t->tsc_to_system_mul;

    return t->tsc_shift < 0 ? khz << -t->tsc_shift : khz >> t->tsc_shift;
}

void time_spin_until(uint64_t deadline, const volatile unsigned long *flag)
{
    while (time_now() < deadline)
        if (flag && *flag)
            return;
}
