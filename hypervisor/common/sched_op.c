/* SPDX-License-Identifier: MIT */
/* sched_op: a guest yields, blocks, or shuts itself (or, dom0, another) down. */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>
#include <xen/sched.h>
#include <asm/guest_access.h>

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

long do_sched_op(uint64_t cmd, uint64_t arg)
{
    struct vcpu *v = current_vcpu();
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_block:
        /* Blocking enables events; an event already pending means no sleep. */
        v->vcpu_info->evtchn_upcall_mask = 0;
        if (!v->vcpu_info->evtchn_upcall_pending)
            sched_block();
        return 0;
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
