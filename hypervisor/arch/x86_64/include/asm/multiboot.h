/* SPDX-License-Identifier: MIT */
#ifndef ASM_MULTIBOOT_H
#define ASM_MULTIBOOT_H

#include <xenolith/types.h>

/* Fills boot_info from the loader's structures; -EINVAL for an unknown magic. */
int multiboot_parse(uint32_t magic, paddr_t info_pa);

#endif
