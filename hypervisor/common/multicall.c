/* SPDX-License-Identifier: MIT */
/*
 * multicall: a batch of hypercalls in one entry. Each entry's result is
 * written back into the guest's array; a nested multicall or an iret
 * inside the batch is refused for that entry.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xen/xen.h>
#include <asm/guest_access.h>

static xen_ulong_t multicall_one(const multicall_entry_t *call)
{
    struct vcpu *v = current_vcpu();
    long rc;

    v->in_multicall = true;
    rc = hypercall_dispatch(call->op, (const uint64_t *)call->args);
    v->in_multicall = false;
    return (xen_ulong_t)rc;
}

long do_multicall(uint64_t calls, uint64_t count)
{
    struct domain *d = current_vcpu()->domain;
    multicall_entry_t call;
    uint64_t i;
    long rc = 0;

    for (i = 0; i < count; i++) {
        uint64_t addr = calls + i * sizeof(call);

        if (copy_from_guest(&call, addr, sizeof(call))) {
            rc = -EFAULT;
            break;
        }
        if (call.op == __HYPERVISOR_multicall || call.op == __HYPERVISOR_iret)
            call.result = (xen_ulong_t)-EINVAL;
        else
            call.result = multicall_one(&call);
        if (copy_to_guest(addr + offsetof(multicall_entry_t, result), &call.result,
                          sizeof(call.result))) {
            rc = -EFAULT;
            break;
        }
        if (d->state != DOMSTATE_running)
            break; /* the batch shut the domain down */
    }
    return rc;
}
