/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor log. Every line goes to each console driver with the
 * "(XEN) " prefix; a leading XENLOG_* marker sets the line's level, and
 * lines above the loglvl= threshold are dropped.
 */
#ifndef XENOLITH_CONSOLE_H
#define XENOLITH_CONSOLE_H

#include <xenolith/compiler.h>
#include <xenolith/types.h>

#define XENLOG_ERR     "<0>"
#define XENLOG_WARNING "<1>"
#define XENLOG_INFO    "<2>"
#define XENLOG_DEBUG   "<3>"

struct console_driver {
    void (*write)(const char *s, size_t len);
    int (*read)(void); /* the next byte received, or -1; NULL: output only */
};

void console_register(const struct console_driver *drv);
/* Can any driver read input? The next byte received by any, or -1. */
bool console_can_read(void);
int console_read_char(void);
/*
 * Prints a domain's output, prefixed "(dN) ": the rest of a line
 * (complete), or the start of one shown before its newline comes (a
 * prompt); continued: s follows text of the same line shown before.
 */
void console_domain_line(unsigned int domid, const char *s, size_t len, bool continued,
                         bool complete);
struct domain;
/* The control domain's unfinished line, shown now: it waits for input. */
void console_domain_flush(struct domain *d);
/* A domain's console output (console_io, its ring): one "(dN) " line per newline. */
void console_domain_output(struct domain *d, const char *s, size_t len);
void printk(const char *fmt, ...) __printf(1, 2);
/* conring_size=: moves the log ring into a larger one (once the heap is up). */
void console_init_ring(void);
/*
 * XEN_SYSCTL_readconsole: at most *count bytes of the log ring into the
 * guest buffer, from *index when incremental (and still held) or from the
 * oldest byte; *count and *index updated; clear drops what was read.
 * 0 or -EFAULT.
 */
int console_read_ring(uint64_t buffer, uint32_t *count, uint32_t *index, bool incremental,
                      bool clear);
/* Prints without taking the console lock: for the crash path only. */
void console_force_unlock(void);

#endif
