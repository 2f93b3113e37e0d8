/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's timers, which raise VIRQ_TIMER: the single-shot timer
 * (set_timer_op, VCPUOP_set_singleshot_timer) and the periodic one
 * (VCPUOP_set_periodic_timer; every vCPU starts with a 100 Hz one, as on
 * Xen, which Linux turns off first thing). Times are system time in ns.
 *
 * A vCPU's timers live on the pCPU it runs on, where its hypercalls arm
 * them; they are cancelled there or, when the domain dies, from afar.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/hypercall.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>
#include <xenolith/vtimer.h>
#include <xen/vcpu.h>
#include <asm/guest_access.h>

#define DEFAULT_PERIOD MILLISECS(10)
#define MIN_PERIOD     MILLISECS(1)

/* A timer virq comes with fresh time, as on Xen. */
static void singleshot_fired(void *data)
{
    arch_vcpu_time_update(data);
    evtchn_send_virq(data, VIRQ_TIMER);
}

static void periodic_fired(void *data)
{
    struct vcpu *v = data;
    s_time_t period = READ_ONCE(v->periodic_period);

    if (period < MIN_PERIOD)
        return; /* stopped while it fired */
    timer_set(&v->periodic_timer, NOW() + period);
    arch_vcpu_time_update(v);
    evtchn_send_virq(v, VIRQ_TIMER);
}

static void poll_expired(void *data)
{
    vcpu_kick(data);
}

void vtimer_init(struct vcpu *v)
{
    timer_init(&v->singleshot_timer, singleshot_fired, v);
    timer_init(&v->periodic_timer, periodic_fired, v);
    timer_init(&v->poll_timer, poll_expired, v);
    v->periodic_period = DEFAULT_PERIOD;
}

/* On the vCPU's first run, on its pCPU. */
void vtimer_start(struct vcpu *v)
{
    if (v->periodic_period && !v->periodic_timer.queued)
        timer_set(&v->periodic_timer, NOW() + v->periodic_period);
}

void vtimer_stop(struct vcpu *v)
{
    timer_cancel(&v->singleshot_timer);
    timer_cancel(&v->periodic_timer);
    timer_cancel(&v->poll_timer);
}

/* A deadline already past fires now, so the event is pending on return. */
static void singleshot_arm(struct vcpu *v, s_time_t deadline)
{
    if (deadline > NOW()) {
        timer_set(&v->singleshot_timer, deadline);
        return;
    }
    timer_cancel(&v->singleshot_timer);
    singleshot_fired(v);
}

long do_set_timer_op(uint64_t timeout)
{
    struct vcpu *v = current_vcpu();

    if (timeout == 0) {
        timer_cancel(&v->singleshot_timer);
        return 0;
    }
    /*
     * As on Xen: a "negative" deadline is taken as now + 100 ms, neither
     * firing at once (an idle guest may mean "never") nor never.
     */
    singleshot_arm(v, (int64_t)timeout < 0 ? NOW() + MILLISECS(100) : (s_time_t)timeout);
    return 0;
}

long vtimer_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    struct vcpu_set_singleshot_timer ss;
    struct vcpu_set_periodic_timer per;

    /* As Xen: single-shot timers are the caller's own; another vCPU's
     * period may be set, taking effect when that vCPU next runs. */
    if (v != current_vcpu() &&
        (cmd == VCPUOP_set_singleshot_timer || cmd == VCPUOP_stop_singleshot_timer))
        return -EINVAL;
    switch (cmd) {
    case VCPUOP_set_singleshot_timer:
        if (copy_from_guest(&ss, arg, sizeof(ss)))
            return -EFAULT;
        /* Xen 4.17 ignores VCPU_SSHOTTMR_future (as the ABI allows): no -ETIME. */
        singleshot_arm(v, (s_time_t)ss.timeout_abs_ns);
        return 0;
    case VCPUOP_stop_singleshot_timer:
        timer_cancel(&v->singleshot_timer);
        return 0;
    case VCPUOP_set_periodic_timer:
        if (copy_from_guest(&per, arg, sizeof(per)))
            return -EFAULT;
        if (per.period_ns < MIN_PERIOD)
            return -EINVAL;
        WRITE_ONCE(v->periodic_period, (s_time_t)per.period_ns);
        if (v == current_vcpu())
            timer_set(&v->periodic_timer, NOW() + v->periodic_period);
        return 0;
    case VCPUOP_stop_periodic_timer:
        WRITE_ONCE(v->periodic_period, 0); /* a queued tick then fires once, idle */
        if (v == current_vcpu())
            timer_cancel(&v->periodic_timer);
        return 0;
    }
    return -ENOSYS;
}
