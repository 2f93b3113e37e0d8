/* SPDX-License-Identifier: MIT */
/*
 * Suite "basic"'s cases that speak the tools-only interfaces (domctl,
 * sysctl: public/domctl.h and sysctl.h need __XEN_TOOLS__), each in its
 * own file so that no other case sees those headers.
 */
#ifndef GUEST_TESTS_BASIC_TOOLS_H
#define GUEST_TESTS_BASIC_TOOLS_H

void basic_getdomaininfo(void); /* basic_domctl.c */
/* basic_sysctl.c */
void basic_sysctl_physinfo(void);
void basic_sysctl_sched_id(void);
void basic_sysctl_readconsole(void);
void basic_sysctl_readconsole_clear(void);
void basic_sysctl_domaininfolist(void);
void basic_sysctl_refused(void);

#endif
