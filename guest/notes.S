/* SPDX-License-Identifier: MIT */
/*
 * Xen ELF notes: how the domain builder learns where to load and enter
 * this kernel (xen/elfnote.h). Every note is named "Xen". Numbers are
 * 8-byte quads; strings are NUL-terminated.
 *
 * FEATURES: we need nothing optional from Xen (page tables are always
 * changed through hypercalls, never written directly), support page
 * directories above 4 GiB, and can run as dom0, which the dom0 builder
 * insists on once SUPPORTED_FEATURES is present.
 */
#include <xen/elfnote.h>
#include <xen/features.h>

#define NOTE_BEGIN(type)                                                       \
    .balign 4;                                                                 \
    .long 2f - 1f; /* namesz */                                                \
    .long 4f - 3f; /* descsz */                                                \
    .long type;                                                                \
1:  .asciz "Xen";                                                              \
2:  .balign 4;                                                                 \
3:
#define NOTE_END                                                               \
4:  .balign 4

    .section .note.xen, "a"

NOTE_BEGIN(XEN_ELFNOTE_GUEST_OS)
    .asciz "Xenolith"
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_GUEST_VERSION)
    .asciz "0.1"
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_XEN_VERSION)
    .asciz "xen-3.0"
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_LOADER)
    .asciz "generic"
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_VIRT_BASE)
    .quad VIRT_BASE
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_PADDR_OFFSET)
    .quad 0
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_ENTRY)
    .quad _start
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_HYPERCALL_PAGE)
    .quad hypercall_page
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_FEATURES)
    .asciz "pae_pgdir_above_4gb|dom0"
NOTE_END
NOTE_BEGIN(XEN_ELFNOTE_SUPPORTED_FEATURES)
    .long (1 << XENFEAT_pae_pgdir_above_4gb) | (1 << XENFEAT_dom0)
NOTE_END
