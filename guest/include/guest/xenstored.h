/* SPDX-License-Identifier: MIT */
/*
 * The xenstore daemon of the control domain (guest/xenstored.c): serves
 * every domain the builder gave a store ring for it, until all are gone.
 */
#ifndef GUEST_XENSTORED_H
#define GUEST_XENSTORED_H

struct xsd_stats {
    unsigned long introduced, released, requests, errors;
    unsigned long introduce_events, release_events; /* @introduceDomain, @releaseDomain fired */
};

/* Serves until the domains it introduced have all gone (or none came in
 * 5 s); 0, or -1 if the store could not start. */
int xenstored_run(struct xsd_stats *stats);

#endif
