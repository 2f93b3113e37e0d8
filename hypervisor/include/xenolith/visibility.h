/* SPDX-License-Identifier: MIT */
/*
 * Included first in every hypervisor file (-include). The image is linked
 * at XEN_VIRT_START, outside the +-2 GiB that the kernel code model needs,
 * so it is compiled position-independent; hidden visibility makes every
 * reference a direct RIP-relative one instead of a GOT load.
 */
#pragma GCC visibility push(hidden)
