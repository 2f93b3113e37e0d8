/* SPDX-License-Identifier: MIT */
/*
 * Copying to and from guest virtual memory. The caller has checked that
 * the guest range lies outside the hypervisor's area; a fault on the way
 * (unmapped, read-only, non-canonical) lands in the fixup, which returns
 * how many bytes were not copied. STAC/CLAC open SMAP only around the copy.
 */
        .text
/* size_t guest_copy_raw(void *dst, const void *src, size_t n) */
        .globl  guest_copy_raw
guest_copy_raw:
        mov     %rdx, %rcx
        stac
1:      rep movsb
2:      clac
        mov     %rcx, %rax
        ret

        .section .ex_table, "a"
        .balign 8
        .quad   1b, 2b
