/* SPDX-License-Identifier: MIT */
#ifndef XENOLITH_VERSION_H
#define XENOLITH_VERSION_H

#define XENOLITH_VERSION "0.1"
/* The Xen release whose guest ABI we speak (XENVER_version reports it). */
#define XEN_ABI_MAJOR    4
#define XEN_ABI_MINOR    17

#endif
