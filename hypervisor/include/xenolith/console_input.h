/* SPDX-License-Identifier: MIT */
/*
 * Console input: what the console drivers receive goes to the domain that
 * has the focus (three CTRL-a move it on, as on Xen), or to the
 * hypervisor's debug keys.
 */
#ifndef XENOLITH_CONSOLE_INPUT_H
#define XENOLITH_CONSOLE_INPUT_H

#include <xenolith/types.h>
#include <xen/xen.h>

/* Once the boot domains run: focus on the first, input polled from now on. */
void console_input_start(void);
/* CONSOLEIO_read for the control domain: bytes copied to its buffer, or -EFAULT. */
long console_input_read(uint64_t buffer, uint64_t count);

struct domain;
/* XENOLITH_DOMCTL_console: input to d (a domU with a console ring) until
 * CTRL-] or its end; 0, -EINVAL, -ENODEV (no input). */
int console_input_attach(const struct domain *d);
/* The domain with the input focus, DOMID_XEN for the hypervisor. */
domid_t console_input_focus(void);

#endif
