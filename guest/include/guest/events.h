/* SPDX-License-Identifier: MIT */
/*
 * Event channels, 2-level ABI. The pending and mask bitmaps live in
 * shared_info (one bit per port), the selector and the upcall flags in
 * our vcpu_info. Xen enters the event callback with the upcall mask set
 * (CALLBACKF_mask_events); evtchn_upcall() scans selector -> pending &
 * ~mask, clears each pending bit and dispatches the port to its handler.
 * The iret back restores the mask from the saved IF.
 *
 * The upcall mask is set outside the cases that want upcalls: they call
 * evtchn_upcall_enable() and the test runner disables it again.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <guest/traps.h>
#include <guest/xen.h>

#define EVTCHN_2L_PORTS 4096 /* 64 words of 64 bits */
#define EVTCHN_TRACKED  128  /* ports with a handler slot and counters */

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/* What the last upcall saw on entry (for the tests). */
struct evtchn_upcall_info {
    unsigned long count;    /* upcalls taken */
    unsigned long spurious; /* upcalls that found no unmasked pending port */
    uint8_t mask_on_entry;  /* evtchn_upcall_mask as the callback began */
    bool saved_if;          /* IF in the interrupted frame (events were on) */
    unsigned long stray;    /* ports >= EVTCHN_TRACKED dispatched */
};
extern struct evtchn_upcall_info evtchn_upcalls;

void evtchn_init(void);
/* `fn` (may be NULL: count only) runs for each event on `port`. */
void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg);
/* Events dispatched for `port` since the last evtchn_reset_count(). */
unsigned long evtchn_count(evtchn_port_t port);
void evtchn_reset_count(evtchn_port_t port);

bool evtchn_is_pending(evtchn_port_t port);
bool evtchn_is_masked(evtchn_port_t port);
void evtchn_clear_pending(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
/* Clears the mask bit and, when the port is pending, raises the upcall
 * ourselves (selector bit, upcall_pending) as Xen would have done. */
void evtchn_unmask(evtchn_port_t port);

/* The vCPU-wide upcall mask. Enabling delivers what is already pending
 * through a cheap hypercall, xen_version(0). */
void evtchn_upcall_enable(void);
void evtchn_upcall_disable(void);
void evtchn_force_callback(void);

void evtchn_upcall(struct trap_regs *r);

/* EVTCHNOP wrappers: the port (>= 0) or a negative Xen errno. */
long evtchn_alloc_unbound(domid_t dom, domid_t remote);
long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port);
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu);
long evtchn_bind_ipi(uint32_t vcpu);
/* After an EVTCHNOP_bind_vcpu of port: the vCPU whose upcalls handle it. */
void evtchn_set_vcpu(evtchn_port_t port, unsigned int vcpu);
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);
long evtchn_op_unmask(evtchn_port_t port);
long evtchn_status(domid_t dom, evtchn_port_t port, struct evtchn_status *st);

#endif
