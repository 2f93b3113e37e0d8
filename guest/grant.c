/* SPDX-License-Identifier: MIT */
/*
 * Grant table v1, granting side (see guest/grant.h). The entries live in
 * frames Xen allocated; this kernel only maps them and writes entries.
 * Xen sets GTF_reading/GTF_writing in an entry while a grant is mapped or
 * copied from, so ending a grant is a compare-and-exchange that fails
 * when either bit appeared since the flags were read.
 */
#include <guest/grant.h>
#include <xenolith/errno.h>

grant_entry_v1_t *gnttab_table;
unsigned int gnttab_nr_frames;

long gnttab_map_table(unsigned long va, unsigned int nr_frames)
{
    xen_pfn_t frames[64];
    struct gnttab_setup_table op = {.dom = DOMID_SELF, .nr_frames = nr_frames};
    long rc;

    if (nr_frames == 0 || nr_frames > sizeof(frames) / sizeof(frames[0]))
        return -EINVAL;
    set_xen_guest_handle(op.frame_list, frames);
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &op, 1);
    if (rc == 0)
        rc = op.status;
    for (unsigned int i = 0; rc == 0 && i < nr_frames; i++) {
        uint64_t pte = ((uint64_t)frames[i] << PAGE_SHIFT) | PTE_PAGE;

        rc = HYPERVISOR_update_va_mapping(va + i * PAGE_SIZE, pte, UVMF_INVLPG);
    }
    if (rc)
        return rc;
    gnttab_table = (grant_entry_v1_t *)va;
    gnttab_nr_frames = nr_frames;
    return 0;
}

void gnttab_grant(grant_ref_t ref, domid_t domid, unsigned long mfn, bool readonly)
{
    grant_entry_v1_t *e = &gnttab_table[ref];

    e->frame = (uint32_t)mfn;
    e->domid = domid;
    /* Xen reads the flags first: the rest must be in place before them. */
    __atomic_store_n(&e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0),
                     __ATOMIC_RELEASE);
}

bool gnttab_end(grant_ref_t ref)
{
    uint16_t *flags = &gnttab_table[ref].flags;
    uint16_t old = __atomic_load_n(flags, __ATOMIC_ACQUIRE);

    do {
        if (old & (GTF_reading | GTF_writing))
            return false;
    } while (
        !__atomic_compare_exchange_n(flags, &old, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

uint16_t gnttab_flags(grant_ref_t ref)
{
    return __atomic_load_n(&gnttab_table[ref].flags, __ATOMIC_ACQUIRE);
}
