/* SPDX-License-Identifier: MIT */
/* Console output through HYPERVISOR_console_io, and fatal stops. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <xenolith/compiler.h>

void console_write(const char *s, unsigned long len);
void printk(const char *fmt, ...) __printf(1, 2);
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif
