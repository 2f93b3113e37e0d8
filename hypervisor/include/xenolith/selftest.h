/* SPDX-License-Identifier: MIT */
#ifndef XENOLITH_SELFTEST_H
#define XENOLITH_SELFTEST_H

#include <xenolith/types.h>

extern bool opt_selftest;

/* Runs the in-hypervisor self-test and ends the machine with its verdict. */
void __attribute__((noreturn)) selftest_run(void);
/* Triggers the fault named by crashtest=, if any, to prove the crash report. */
void crashtest_run(void);

#endif
