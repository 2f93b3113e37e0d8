/* SPDX-License-Identifier: MIT */
/*
 * The xenstore daemon of the control domain (guest/xenstored.c): serves
 * every domain the builder gave a store ring for it, until all are gone.
 */
#ifndef GUEST_XENSTORED_H
#define GUEST_XENSTORED_H

#include <guest/xen.h>

#define XSD_MAX_DOMAINS 64 /* served at once */

struct xsd_stats {
    unsigned long introduced, released, requests, errors;
    unsigned long introduce_events, release_events; /* @introduceDomain, @releaseDomain fired */
};

/* Serves until the domains it introduced have all gone (or none came in
 * 5 s); 0, or -1 if the store could not start. */
int xenstored_run(struct xsd_stats *stats);

/* The same in steps, for a control domain that does more (the toolstack). */
int xenstored_start(void);
/* Lays out and introduces every domain with a store ring not yet served
 * (the hypervisor describes each: name, rings, vCPUs wanted online). */
void xenstored_discover(void);
/* Moves messages between the rings and the store, forgets the domains
 * that have gone; fills ports (XSD_MAX_DOMAINS) to poll, returns how many. */
unsigned int xenstored_serve(evtchn_port_t *ports);
/* Is domid introduced (not yet released)? */
bool xenstored_serving(domid_t domid);
/* The toolstack's own requests (privileged): 0 or -1. */
int xenstored_write(const char *path, const char *value);
int xenstored_read(const char *path, char *buf, size_t len);
/* The children of path, each NUL-terminated, in buf; *len bytes. 0 or -1. */
int xenstored_directory(const char *path, char *buf, size_t size, size_t *len);
/* Nodes in the store. */
unsigned long xenstored_nodes(void);

#endif
