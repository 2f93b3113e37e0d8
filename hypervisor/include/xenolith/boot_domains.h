/* SPDX-License-Identifier: MIT */
#ifndef XENOLITH_BOOT_DOMAINS_H
#define XENOLITH_BOOT_DOMAINS_H

/* Builds and starts the domains the boot modules describe. */
void boot_domains_create(void);

#endif
