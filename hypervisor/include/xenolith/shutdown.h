/* SPDX-License-Identifier: MIT */
/*
 * Ending the machine. With the qemu_exit boot option the verdict leaves
 * through QEMU's isa-debug-exit port (QEMU's exit status is code*2+1);
 * otherwise every CPU halts.
 */
#ifndef XENOLITH_SHUTDOWN_H
#define XENOLITH_SHUTDOWN_H

#include <xenolith/compiler.h>

#define EXIT_PASS  0x10 /* QEMU exits with status 33 */
#define EXIT_FAIL  0x11 /* 35 */
#define EXIT_CRASH 0x12 /* 37 */

void __noreturn machine_exit(unsigned int code);
/* Ends QEMU with `code` under qemu_exit; otherwise returns and the machine idles on. */
void machine_verdict(unsigned int code);

#endif
