/* SPDX-License-Identifier: MIT */
/*
 * PV time: each vCPU's vcpu_time_info (a TSC timestamp, the system time
 * at it, and the scale from TSC ticks to ns) and the domain's wallclock
 * in shared_info. Both are written under Xen's version seqlock: odd while
 * being written, so a guest re-reads.
 */
#include <xenolith/domain.h>
#include <xenolith/time.h>
#include <asm/processor.h>
#include <asm/pv.h>

static void version_begin(uint32_t *version)
{
    __atomic_store_n(version, *version | 1, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void version_end(uint32_t *version)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(version, (*version | 1) + 1, __ATOMIC_RELEASE);
}

void pv_update_vcpu_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->vcpu_info->time;
    uint64_t tsc = rdtsc();
    uint32_t mul;
    int8_t shift;

    time_scale(&mul, &shift);
    version_begin(&t->version);
    t->tsc_timestamp = tsc;
    t->system_time = (uint64_t)tsc_to_system_time(tsc);
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = 0;
    version_end(&t->version);
}

void pv_set_wallclock(struct domain *d)
{
    shared_info_t *s = d->shared_info;
    uint64_t sec = wallclock_boot_seconds();

    version_begin(&s->wc_version);
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = 0;
    version_end(&s->wc_version);
}
