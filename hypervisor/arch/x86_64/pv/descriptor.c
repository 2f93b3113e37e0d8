/* SPDX-License-Identifier: MIT */
/*
 * A PV guest's own descriptor tables: set_gdt gives up to 14 frames that
 * become the first pages of its GDT (Xen's reserved entries follow);
 * update_descriptor writes one descriptor. Descriptor frames are typed
 * "segment descriptors", so the guest can no longer map them writable,
 * and every descriptor is checked: no system descriptors (call gates,
 * TSS, LDT) and every segment's DPL forced to 3, as Xen does.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/string.h>
#include <asm/desc.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define DESC_PRESENT      (1ull << 47)
#define DESC_S            (1ull << 44) /* code or data, not system */
#define DESC_DPL3         (3ull << 45)
#define DESC_ACCESSED     (1ull << 40)
#define ENTRIES_PER_FRAME (PAGE_SIZE / 8)

/* false: refused. Otherwise rewrites d into what the CPU may load. */
static bool descriptor_fix(uint64_t *d)
{
    if (!(*d & DESC_PRESENT))
        return true;
    if (!(*d & DESC_S))
        return false;
    *d |= DESC_DPL3 | DESC_ACCESSED; /* accessed: the CPU never writes it */
    return true;
}

static bool frame_descriptors_ok(struct page_info *pg)
{
    uint64_t *d = page_to_virt(pg);
    unsigned int i;

    for (i = 0; i < ENTRIES_PER_FRAME; i++)
        if (!descriptor_fix(&d[i]))
            return false;
    return true;
}

/* A descriptor-frame reference: validated when the frame first takes the type. */
static int get_desc_frame(struct domain *d, unsigned long mfn)
{
    struct page_info *pg = pv_owned_frame(d, mfn);

    if (!pg || !page_get_ref(pg, d->domain_id))
        return -EINVAL;
    if (page_get_type(pg, PGT_seg_desc_page)) {
        page_put_ref(pg);
        return -EINVAL;
    }
    if (page_type_count(pg) == 1 && !frame_descriptors_ok(pg)) {
        page_put_type(pg);
        page_put_ref(pg);
        return -EINVAL;
    }
    return 0;
}

static void put_desc_frames(const unsigned long *mfns, unsigned int nr)
{
    unsigned int i;

    for (i = 0; i < nr; i++) {
        page_put_type(mfn_to_page(mfns[i]));
        page_put_ref(mfn_to_page(mfns[i]));
    }
}

/* v's GDT becomes `entries` descriptors in frames mfns (already copied in). */
int pv_set_gdt(struct vcpu *v, const unsigned long *mfns, uint64_t entries)
{
    unsigned int nr = (unsigned int)((entries + ENTRIES_PER_FRAME - 1) / ENTRIES_PER_FRAME), i;
    int rc = 0;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    spin_lock(&pv_mm_lock);
    for (i = 0; i < nr && !rc; i++)
        rc = get_desc_frame(v->domain, mfns[i]);
    if (rc) {
        put_desc_frames(mfns, i - 1);
        spin_unlock(&pv_mm_lock);
        return rc;
    }
    put_desc_frames(v->arch.gdt_frames,
                    (v->arch.gdt_ents + ENTRIES_PER_FRAME - 1) / ENTRIES_PER_FRAME);
    memcpy(v->arch.gdt_frames, mfns, nr * sizeof(mfns[0]));
    v->arch.gdt_ents = (unsigned int)entries;
    if (v == current_vcpu())
        gdt_load_guest_frames(v->arch.gdt_frames, nr);
    spin_unlock(&pv_mm_lock);
    return 0;
}

/* Caller holds pv_mm_lock. */
void pv_release_gdt(struct vcpu *v)
{
    put_desc_frames(v->arch.gdt_frames,
                    (v->arch.gdt_ents + ENTRIES_PER_FRAME - 1) / ENTRIES_PER_FRAME);
    v->arch.gdt_ents = 0;
}

long do_set_gdt(uint64_t frame_list, uint64_t entries)
{
    unsigned long mfns[NR_GUEST_GDT_FRAMES];
    uint64_t nr = (entries + ENTRIES_PER_FRAME - 1) / ENTRIES_PER_FRAME;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    if (copy_from_guest(mfns, frame_list, nr * sizeof(mfns[0])))
        return -EFAULT;
    return pv_set_gdt(current_vcpu(), mfns, entries);
}

long do_update_descriptor(uint64_t ma, uint64_t desc)
{
    struct domain *d = current_vcpu()->domain;
    struct page_info *pg = pv_owned_frame(d, ma >> PAGE_SHIFT);
    uint32_t type;
    long rc = -EINVAL;

    if ((ma & 7) || !pg || !descriptor_fix(&desc))
        return -EINVAL;
    spin_lock(&pv_mm_lock);
    /* A live descriptor frame, or else any frame the guest could write. */
    type = page_type(pg) == PGT_seg_desc_page && page_type_count(pg) ? PGT_seg_desc_page
                                                                     : PGT_writable_page;
    if (page_get_ref(pg, d->domain_id)) {
        if (!page_get_type(pg, type)) {
            ((uint64_t *)page_to_virt(pg))[(ma & (PAGE_SIZE - 1)) / 8] = desc;
            page_put_type(pg);
            rc = 0;
        }
        page_put_ref(pg);
    }
    spin_unlock(&pv_mm_lock);
    return rc;
}

#define DESC_CODE     (1ull << 43)
#define DESC_WRITABLE (1ull << 41) /* of a data segment */

bool pv_selector_usable(const struct vcpu *v, uint16_t sel, bool code)
{
    unsigned int idx = sel >> 3;
    uint64_t d;

    if ((sel & 3) != 3 || (sel & 4))
        return false; /* ring 3 only, and no LDT */
    if (idx >= FIRST_RESERVED_GDT_ENTRY)
        return sel == (code ? FLAT_RING3_CS64 : FLAT_RING3_SS64) ||
               (code && sel == FLAT_RING3_CS32) || (!code && sel == FLAT_RING3_DS32);
    if (idx >= v->arch.gdt_ents)
        return false;
    d = ((const uint64_t *)__va((paddr_t)v->arch.gdt_frames[idx / ENTRIES_PER_FRAME]
                                << PAGE_SHIFT))[idx % ENTRIES_PER_FRAME];
    /* set_gdt/update_descriptor made every present one DPL 3 code or data. */
    if (!(d & DESC_PRESENT) || !(d & DESC_S))
        return false;
    return code ? (d & DESC_CODE) != 0 : !(d & DESC_CODE) && (d & DESC_WRITABLE);
}
