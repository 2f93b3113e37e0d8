/* SPDX-License-Identifier: MIT */
/*
 * physdev_op: what a PV guest asks of the physical platform. Only the
 * virtual I/O privilege level is here (every PV Linux sets it to 1 at
 * boot); interrupts, PCI and the rest answer -ENOSYS until devices are
 * passed through.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xen/physdev.h>
#include <asm/guest_access.h>

long do_physdev_op(uint64_t cmd, uint64_t arg)
{
    static bool logged;
    struct physdev_set_iopl iopl;

    if (cmd != PHYSDEVOP_set_iopl)
        return subop_unimplemented("physdev_op", cmd, &logged);
    if (copy_from_guest(&iopl, arg, sizeof(iopl)))
        return -EFAULT;
    if (iopl.iopl > 3)
        return -EINVAL;
    current_vcpu()->arch.iopl = iopl.iopl;
    return 0;
}
