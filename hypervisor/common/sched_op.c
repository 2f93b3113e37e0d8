/* SPDX-License-Identifier: MIT */
/* sched_op: a guest yields, blocks, or shuts itself (or, dom0, another) down. */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>
#include <xen/sched.h>
#include <asm/guest_access.h>
#include <asm/pv.h>

static long remote_shutdown(struct domain *self, uint64_t arg)
{
    struct sched_remote_shutdown r;
    struct domain *d;

    if (!self->is_privileged)
        return -EPERM;
    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.reason > SHUTDOWN_MAX)
        return -EINVAL;
    d = domain_by_id(r.domain_id);
    if (!d)
        return -ESRCH;
    domain_shutdown(d, r.reason);
    return 0;
}

#define POLL_MAX_PORTS 128

static bool any_pending(const struct domain *d, const evtchn_port_t *ports, unsigned int n)
{
    unsigned int i;

    for (i = 0; i < n; i++)
        if (evtchn_port_pending(d, ports[i]))
            return true;
    return false;
}

/*
 * SCHEDOP_poll: sleep until one of the ports is pending (masked or not)
 * or the timeout (absolute system time, 0 = none) passes. The vCPU runs
 * the hypercall again when woken, which returns at once if a port is now
 * pending or the time is up: that is how the wait ends.
 */
static long poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    evtchn_port_t ports[POLL_MAX_PORTS];
    unsigned int i;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -EFAULT;
    if (p.nr_ports > POLL_MAX_PORTS)
        return -EINVAL;
    if (copy_from_guest(ports, (uint64_t)p.ports.p, p.nr_ports * sizeof(ports[0])))
        return -EFAULT;
    for (i = 0; i < p.nr_ports; i++)
        if (!evtchn_port_valid(v->domain, ports[i]))
            return -EINVAL;
    v->poll_active = false;
    timer_cancel(&v->poll_timer);
    if (any_pending(v->domain, ports, p.nr_ports) || (p.timeout && (s_time_t)p.timeout <= NOW()))
        return 0;
    v->poll_active = true;
    if (p.timeout)
        timer_set(&v->poll_timer, (s_time_t)p.timeout);
    sched_block();
    if (any_pending(v->domain, ports, p.nr_ports))
        sched_wake(v);
    pv_restart_hypercall(); /* re-run once woken, to see why */
    return 0;
}

long do_sched_op(uint64_t cmd, uint64_t arg)
{
    struct vcpu *v = current_vcpu();
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_block:
        /* Blocking enables events. An event that arrives before we are
         * marked blocked is seen by the check after: no wake-up is lost. */
        v->vcpu_info->evtchn_upcall_mask = 0;
        sched_block();
        if (evtchn_upcall_wanted(v))
            sched_wake(v);
        return 0;
    case SCHEDOP_poll:
        return poll(v, arg);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(v->domain, s.reason);
        return 0;
    case SCHEDOP_remote_shutdown:
        return remote_shutdown(v->domain, arg);
    }
    return -ENOSYS;
}
