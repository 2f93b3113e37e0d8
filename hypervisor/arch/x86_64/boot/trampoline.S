/* SPDX-License-Identifier: MIT */
/*
 * Application processor start-up. The boot CPU copies this blob to a page
 * below 1 MiB, patches the fields at its end and sends INIT-SIPI-SIPI; the
 * AP starts in real mode at the page's first byte and climbs through
 * protected mode into long mode on the idle page tables (whose slot 0 maps
 * low memory while APs start), then jumps to ap_start_high. Only the
 * patched fields hold absolute addresses; the code uses offsets.
 */
#include <asm/config.h>

#define OFF(sym) ((sym) - trampoline_start)

        .section .rodata
        .balign 16
        .globl  trampoline_start, trampoline_end
        .globl  tramp_gdt_ptr, tramp_pm_ptr, tramp_lm_ptr
        .globl  tramp_cr3, tramp_cr4, tramp_efer, tramp_target
        .code16
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        movzwl  %ax, %ebx
        shl     $4, %ebx                /* physical base of this page */
        lgdtl   OFF(tramp_gdt_ptr)
        mov     %cr0, %eax
        or      $1, %eax                /* PE */
        mov     %eax, %cr0
        ljmpl   *OFF(tramp_pm_ptr)

        .code32
tramp_pm32:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     OFF(tramp_cr4)(%ebx), %eax
        mov     %eax, %cr4
        mov     OFF(tramp_cr3)(%ebx), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx       /* EFER: LME, NXE as on the boot CPU */
        rdmsr
        mov     OFF(tramp_efer)(%ebx), %eax
        wrmsr
        mov     $0x80010033, %eax       /* PG WP NE ET MP PE */
        mov     %eax, %cr0
        ljmpl   *OFF(tramp_lm_ptr)(%ebx)

        .code64
tramp_lm64:
        mov     tramp_target(%rip), %rax
        jmp     *%rax

        .balign 8
tramp_gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: 32-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
        .quad   0x00af9a000000ffff      /* 0x18: 64-bit code */
tramp_gdt_ptr:
        .short  tramp_gdt_ptr - tramp_gdt - 1
        .long   OFF(tramp_gdt)          /* + physical base */
tramp_pm_ptr:
        .long   OFF(tramp_pm32)         /* + physical base */
        .short  0x08
tramp_lm_ptr:
        .long   OFF(tramp_lm64)         /* + physical base */
        .short  0x18
tramp_cr3:      .long 0
tramp_cr4:      .long 0
tramp_efer:     .long 0
        .balign 8
tramp_target:   .quad 0
trampoline_end:

        .text
        .globl  ap_start_high
ap_start_high:
        mov     ap_stack_top(%rip), %rsp
        xor     %ebp, %ebp
        call    start_secondary
        ud2
