/* SPDX-License-Identifier: MIT */
/*
 * memory_op: what a domain may ask about memory. Reservation changes
 * (increase/decrease/populate) arrive with ballooning; until then they
 * answer -ENOSYS like every other sub-op not implemented here.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xen/memory.h>
#include <asm/config.h>
#include <asm/guest_access.h>

#define M2P_VIRT_SIZE  (1ull << 38) /* the area Xen reserves for the RO M2P */
/* Bits above 6 of cmd carry a continuation point (Xen internal). */
#define MEMOP_CMD_MASK 0x3f

/* The domain a reservation query names: itself, or any for dom0. */
static long query_domain(uint64_t arg, struct domain **out)
{
    struct domain *self = current_vcpu()->domain;
    domid_t id;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    if (id == DOMID_SELF || id == self->domain_id) {
        *out = self;
        return 0;
    }
    if (!self->is_privileged)
        return -EPERM;
    *out = domain_by_id(id);
    return *out ? 0 : -ESRCH;
}

long do_memory_op(uint64_t cmd, uint64_t arg)
{
    struct domain *d;
    long rc;

    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        rc = query_domain(arg, &d);
        if (rc)
            return rc;
        return (long)((cmd & MEMOP_CMD_MASK) == XENMEM_current_reservation ? d->tot_pages
                                                                           : d->max_pages);
    case XENMEM_maximum_ram_page:
        return (long)max_page;
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = RO_MPT_VIRT_START,
            .v_end = RO_MPT_VIRT_START + M2P_VIRT_SIZE,
            .max_mfn = max_page - 1,
        };

        return copy_to_guest(arg, &m, sizeof(m));
    }
    }
    return -ENOSYS;
}
