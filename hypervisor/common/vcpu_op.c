/* SPDX-License-Identifier: MIT */
/*
 * vcpu_op: a guest asks about, and will manage, its own vCPUs. Sub-ops
 * for SMP bring-up, timers, vcpu_info and runstate placement come with
 * the events work and answer -ENOSYS until then.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xen/vcpu.h>

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct domain *d = current_vcpu()->domain;

    (void)arg;
    if (vcpuid >= d->max_vcpus)
        return -ENOENT;
    switch (cmd) {
    case VCPUOP_is_up:
        return d->vcpus[vcpuid]->is_up;
    }
    return -ENOSYS;
}
