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

/*
 * int load_user_gs_selector(unsigned int sel): loads %gs while the user's
 * GS base is the active one (swapgs around it), as set_segment_base's
 * GS_USER_SEL asks. A selector the CPU refuses faults into the fixup,
 * which loads the null selector instead and returns -1.
 */
        .text
        .globl  load_user_gs_selector
load_user_gs_selector:
        swapgs
3:      movl    %edi, %gs
        swapgs
        xorl    %eax, %eax
        ret
4:      xorl    %eax, %eax
        movl    %eax, %gs
        swapgs
        movl    $-1, %eax
        ret

/* int load_selector_safe(unsigned int which, unsigned int sel): ds/es/fs/gs. */
        .globl  load_data_selector
load_data_selector:
        cmpl    $0, %edi
        je      10f
        cmpl    $1, %edi
        je      11f
        cmpl    $2, %edi
        je      12f
5:      movl    %esi, %gs
        jmp     20f
10:
6:      movl    %esi, %ds
        jmp     20f
11:
7:      movl    %esi, %es
        jmp     20f
12:
8:      movl    %esi, %fs
20:     xorl    %eax, %eax
        ret
21:     movl    $-1, %eax
        ret

        .section .ex_table, "a"
        .balign 8
        .quad   3b, 4b
        .quad   5b, 21b
        .quad   6b, 21b
        .quad   7b, 21b
        .quad   8b, 21b
