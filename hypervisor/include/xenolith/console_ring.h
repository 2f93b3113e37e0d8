/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's console backend: it serves each domU's console ring
 * (io/console.h), the job xenconsoled does in Xen's dom0. What the
 * domain writes to its ring becomes "(dN) " lines on the serial console,
 * like its console_io output.
 */
#ifndef XENOLITH_CONSOLE_RING_H
#define XENOLITH_CONSOLE_RING_H

#include <xenolith/types.h>

struct domain;

void console_ring_init(void);
/*
 * Serves d's ring in frame ring_mfn (d's own, fresh): holds a reference
 * and a writable type on it, so d can neither free it nor make it a page
 * table. Returns the event channel port for start_info, or -errno.
 */
int console_ring_attach(struct domain *d, unsigned long ring_mfn);
/*
 * Input for d's ring (d must have one): as many bytes as its input half
 * has room for, the rest dropped; d is notified. CPU 0 only. Returns the
 * bytes taken.
 */
size_t console_ring_input(struct domain *d, const char *s, size_t n);
/* Drops the ring (domain destruction, before d's frames go). */
void console_ring_detach(struct domain *d);

#endif
