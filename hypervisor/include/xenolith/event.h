/* SPDX-License-Identifier: MIT */
/*
 * Event channels, Xen's 2-level ABI: a domain's ports, their bindings
 * (unbound, interdomain, virq, ipi), and delivery through the pending and
 * mask bitmaps in shared_info and the per-vCPU selector and upcall flag.
 *
 * Locking: evtchn_lock (global, interrupts off) protects every domain's
 * port table and every vCPU's virq table. Delivery itself uses atomic
 * bit operations on the shared page.
 */
#ifndef XENOLITH_EVENT_H
#define XENOLITH_EVENT_H

#include <xenolith/types.h>
#include <xen/event_channel.h>
#include <xen/xen.h>

#define EVTCHN_PORTS 1024 /* per domain; Xen's default limit for a domU is 1023 */

enum evtchn_state {
    ECS_FREE,
    ECS_RESERVED, /* port 0 */
    ECS_UNBOUND,
    ECS_INTERDOMAIN,
    ECS_VIRQ,
    ECS_IPI,
    ECS_BACKEND, /* the other end is a backend in the hypervisor */
};

struct domain;
struct vcpu;

/* A hypervisor backend's side of a port: called, under evtchn_lock, on a send. */
typedef void (*evtchn_backend_fn)(struct domain *d);

struct evtchn {
    uint8_t state;
    uint8_t notify_vcpu;
    uint16_t virq;             /* ECS_VIRQ */
    domid_t remote_dom;        /* ECS_UNBOUND: who may bind; ECS_INTERDOMAIN: the peer */
    evtchn_port_t remote_port; /* ECS_INTERDOMAIN */
    evtchn_backend_fn backend; /* ECS_BACKEND */
};

int evtchn_domain_init(struct domain *d);
/* Closes every port (peers become unbound) and frees the table. */
void evtchn_domain_destroy(struct domain *d);
/* Raises virq on v if v bound it (a global virq goes to vcpu 0's binding). */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);
/* A global virq to domain id, if it exists and bound it; safe from any CPU. */
void evtchn_send_global_virq(domid_t id, unsigned int virq);
/* Is any of the vCPU's events waiting for delivery (pending and unmasked)? */
bool evtchn_upcall_wanted(const struct vcpu *v);
/* Is port pending in d's bitmap? (for SCHEDOP_poll) */
bool evtchn_port_pending(const struct domain *d, evtchn_port_t port);
bool evtchn_port_valid(const struct domain *d, evtchn_port_t port);
/* A new port of d, unbound, that domain `remote` may bind to (as a builder
 * sets one up for xenstore): the port, or -errno. */
int evtchn_alloc_unbound_for(struct domain *d, domid_t remote);
/* A new port of d served by a backend in the hypervisor: the port, or -errno. */
int evtchn_bind_backend(struct domain *d, evtchn_backend_fn fn);
/* The backend's notification to d on its port (nothing if d closed it). */
void evtchn_backend_notify(struct domain *d, evtchn_port_t port);

#endif
