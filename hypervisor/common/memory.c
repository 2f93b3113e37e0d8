/* SPDX-License-Identifier: MIT */
/*
 * memory_op: what a domain may ask about and do with its memory. A PV
 * guest names machine frames (it is not auto-translated), so the frames
 * it gives back must be its own and unused; frames it gets are written
 * back to its array and recorded in the M2P.
 */
#include <xenolith/bootinfo.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/string.h>
#include <xen/memory.h>
#include <asm/config.h>
#include <asm/guest_access.h>
#include <asm/pv_mm.h>

#define M2P_VIRT_SIZE  (1ull << 38) /* the area Xen reserves for the RO M2P */
/* Bits above 6 of cmd carry a continuation point (Xen internal). */
#define MEMOP_CMD_MASK 0x3f

/* The domain a request names: itself, or any for the control domain. */
static long target_domain(domid_t id, struct domain **out)
{
    struct domain *self = current_vcpu()->domain;

    if (id == DOMID_SELF || id == self->domain_id) {
        *out = self;
        return 0;
    }
    if (!self->is_privileged)
        return -EPERM;
    *out = domain_by_id(id);
    return *out ? 0 : -ESRCH;
}

static long reservation_query(uint64_t cmd, uint64_t arg)
{
    struct domain *d;
    domid_t id;
    long rc;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    rc = target_domain(id, &d);
    if (rc)
        return rc;
    return (long)(cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages);
}

/* A frame the domain may give back: its own, and used by nothing else. */
static int give_back(struct domain *d, xen_pfn_t mfn)
{
    struct page_info *pg = pv_owned_frame(d, mfn);

    if (!pg || pg == mfn_to_page(__pa(d->shared_info) >> PAGE_SHIFT) || page_refcount(pg) != 1 ||
        page_type_count(pg) != 0)
        return -EBUSY;
    m2p_set(mfn, M2P_INVALID);
    domain_free_page(d, pg);
    return 0;
}

/* One new frame; for populate_physmap `*io` is the gpfn on entry. */
static int take_frame(struct domain *d, bool populate, xen_pfn_t *io)
{
    struct page_info *pg = domain_alloc_page(d);

    if (!pg)
        return -ENOMEM;
    memset(page_to_virt(pg), 0, PAGE_SIZE);
    m2p_set(page_to_mfn(pg), populate ? *io : M2P_INVALID);
    *io = page_to_mfn(pg);
    return 0;
}

static long change_reservation(uint64_t cmd, uint64_t arg)
{
    struct xen_memory_reservation r;
    struct domain *d;
    uint64_t i;
    long rc;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    rc = target_domain(r.domid, &d);
    if (rc)
        return rc;
    if (r.extent_order != 0)
        return -EINVAL; /* single frames only, until superpage reservations */
    /* Every domain has one virtual NUMA node: node 0 (XENMEMF_vnode). */
    if ((r.mem_flags & XENMEMF_vnode) && XENMEMF_get_node(r.mem_flags) != 0)
        return -EINVAL;
    for (i = 0; i < r.nr_extents; i++) {
        uint64_t slot = (uint64_t)r.extent_start.p + i * sizeof(xen_pfn_t);
        xen_pfn_t v;

        if (cmd != XENMEM_increase_reservation && copy_from_guest(&v, slot, sizeof(v)))
            break;
        spin_lock(&pv_mm_lock);
        rc = cmd == XENMEM_decrease_reservation ? give_back(d, v)
                                                : take_frame(d, cmd == XENMEM_populate_physmap, &v);
        spin_unlock(&pv_mm_lock);
        if (rc || (cmd != XENMEM_decrease_reservation && copy_to_guest(slot, &v, sizeof(v))))
            break;
    }
    return (long)i;
}

/* The firmware's map, for the control domain: 20-byte e820 entries. */
static long machine_memory_map(uint64_t arg)
{
    struct xen_memory_map map;
    unsigned int i;

    if (!current_vcpu()->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    for (i = 0; i < boot_info.nr_memmap && i < map.nr_entries; i++) {
        const struct boot_memmap_entry *e = &boot_info.memmap[i];
        struct __attribute__((packed)) {
            uint64_t addr, size;
            uint32_t type;
        } out = {e->addr, e->size, e->type};

        if (copy_to_guest((uint64_t)map.buffer.p + i * sizeof(out), &out, sizeof(out)))
            return -EFAULT;
    }
    map.nr_entries = i;
    return copy_to_guest(arg, &map, sizeof(map));
}

long do_memory_op(uint64_t cmd, uint64_t arg)
{
    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation_query(cmd & MEMOP_CMD_MASK, arg);
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return change_reservation(cmd & MEMOP_CMD_MASK, arg);
    case XENMEM_maximum_ram_page:
        return (long)max_page;
    case XENMEM_machine_memory_map:
        return machine_memory_map(arg);
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
