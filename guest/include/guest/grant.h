/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1, from the granting side: the table frames Xen
 * gives us (GNTTABOP_setup_table) mapped at a virtual address of our
 * choosing, and the entries in them written the way the ABI wants
 * (frame and domid first, flags last, so Xen never sees a half-written
 * grant; flags cleared only while Xen has not marked the entry in use).
 */
#ifndef GUEST_GRANT_H
#define GUEST_GRANT_H

#include <guest/hypercall.h>
#include <xen/grant_table.h>

#define GNTTAB_ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))

_Static_assert(sizeof(grant_entry_v1_t) == 8, "grant_entry_v1 layout");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "gnttab_map_grant_ref layout");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "gnttab_unmap_grant_ref layout");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table layout");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy layout");

static inline long HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
    return HC(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

/* The shared entries, once gnttab_map_table() has mapped them. */
extern grant_entry_v1_t *gnttab_table;
extern unsigned int gnttab_nr_frames;

/*
 * Asks Xen for `nr_frames` table frames of our own domain and maps them
 * at `va` onwards, whose L1 entries must exist. Returns a negative errno
 * or the GNTST_* status when setup_table fails, else 0.
 */
long gnttab_map_table(unsigned long va, unsigned int nr_frames);

/* Grants `mfn` to `domid` through entry `ref`. */
void gnttab_grant(grant_ref_t ref, domid_t domid, unsigned long mfn, bool readonly);
/* Ends the grant; false when Xen still has it in use (mapped or copying). */
bool gnttab_end(grant_ref_t ref);
/* The entry's flags as Xen last wrote them. */
uint16_t gnttab_flags(grant_ref_t ref);

#endif
