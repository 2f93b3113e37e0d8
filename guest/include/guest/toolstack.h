/* SPDX-License-Identifier: MIT */
/*
 * The control domain's toolstack: what xl (guest/toolstack/xl_cli.c)
 * asks for, done with domctl, sysctl and the xenstore daemon that runs
 * beside it (guest/toolstack.c, toolstack_create.c), and the shell that
 * reads commands from the console (guest/shell.c).
 */
#ifndef GUEST_TOOLSTACK_H
#define GUEST_TOOLSTACK_H

#include <guest/xen.h>
#include "../../toolstack/xl.h"

extern const struct xl_backend toolstack_backend;

/* Output of the toolstack and of xl. */
void toolstack_print(void *ctx, const char *s, size_t len);

/* xl create: 0 and *domid, or -errno after saying why. */
int toolstack_create(void *ctx, const char *path, const char *const *extra, unsigned int nr_extra,
                     uint16_t *domid);
/* A domain the toolstack created has shut down: its xl.cfg action. With
 * spoke, a first message starts a new line and sets *spoke. */
void toolstack_domains_changed(bool *spoke);
/* When the toolstack created domid (system time), 0 for boot domains. */
uint64_t toolstack_start_time(domid_t domid);
/* Destroys domid and waits until it is gone; 0 or -errno. */
int toolstack_destroy(domid_t domid);

/*
 * The store (toolstack_xs.c): the daemon in this domain (xenstored=dom0)
 * or a xenstore domain's, over our ring (xenstored=domN). 0 or -1.
 */
int ts_xs_start(void);
domid_t ts_xs_domid(void); /* the domain serving the store */
void ts_xs_discover(void); /* introduce new domains (here only) */
unsigned int ts_xs_serve(evtchn_port_t *ports);
int ts_xs_write(const char *path, const char *value);
int ts_xs_read(const char *path, char *buf, size_t len);
int ts_xs_directory(const char *path, char *buf, size_t size, size_t *len);
bool ts_xs_serving(domid_t domid);
long ts_xs_nodes(void); /* -1: not known here */

/* One round of the control domain's service loop (shell.c): xenstore,
 * domain exceptions, console input buffered for the shell; returns
 * after at most timeout_ns. */
void toolstack_idle(uint64_t timeout_ns);

#endif
