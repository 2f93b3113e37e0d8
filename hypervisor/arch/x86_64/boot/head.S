/* SPDX-License-Identifier: MIT */
/*
 * Entry from the boot loader: multiboot1 (QEMU -kernel, GRUB) or multiboot2
 * (GRUB). We arrive in 32-bit protected mode with paging off, build boot
 * page tables, switch to long mode and jump to the image's high address.
 *
 * The boot page tables map the first 4 GiB twice (identity and the direct
 * map) with 2 MiB pages, and the image at XEN_VIRT_START; the C code
 * replaces them with the real tables as soon as it can.
 */
#include <asm/config.h>
#include <asm/page.h>

#define MB1_MAGIC       0x1badb002
#define MB1_FLAGS       ((1 << 0) | (1 << 1) | (1 << 16)) /* aligned modules, memory map, a.out kludge */
#define MB2_MAGIC       0xe85250d6
#define PT_FLAGS        (_PAGE_PRESENT | _PAGE_RW)
#define PT_LARGE        (_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE)
#define BOOT_STACK_SIZE 4096

        .section .text.boot, "ax", @progbits
        .code32

        .balign 4
mb1_header:
        .long   MB1_MAGIC
        .long   MB1_FLAGS
        .long   -(MB1_MAGIC + MB1_FLAGS)
        .long   mb1_header              /* header_addr */
        .long   __image_phys_start      /* load_addr */
        .long   __load_phys_end         /* load_end_addr */
        .long   __bss_phys_end          /* bss_end_addr */
        .long   start                   /* entry_addr */

        .balign 8
mb2_header:
        .long   MB2_MAGIC
        .long   0                       /* architecture: i386 protected mode */
        .long   mb2_header_end - mb2_header
        .long   -(MB2_MAGIC + (mb2_header_end - mb2_header))
        /* entry address tag: enter at `start`, not at the ELF's entry */
        .balign 8
        .short  3, 0
        .long   12
        .long   start
        /* module alignment tag: page-aligned modules */
        .balign 8
        .short  6, 0
        .long   8
        /* end tag */
        .balign 8
        .short  0, 0
        .long   8
mb2_header_end:

        .globl  start
start:
        cli
        cld
        mov     %eax, boot_loader_magic
        mov     %ebx, boot_loader_info
        mov     $boot_stack + BOOT_STACK_SIZE, %esp

        /* Long mode is required; say so on COM1 and stop otherwise. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     no_long_mode
        mov     %edx, %esi              /* bit 20: NX */

        /* boot_l2_ident: 2048 entries of 2 MiB cover the first 4 GiB. */
        mov     $boot_l2_ident, %edi
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $PT_LARGE, %eax
        mov     %eax, (%edi, %ecx, 8)
        mov     %ecx, %eax
        shr     $11, %eax               /* high dword: address bits 32+ */
        mov     %eax, 4(%edi, %ecx, 8)
        inc     %ecx
        cmp     $2048, %ecx
        jb      1b

        /* boot_l2_image: the first 16 MiB of the image at XEN_VIRT_START. */
        mov     $boot_l2_image, %edi
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        add     $(XEN_LOAD_PHYS | PT_LARGE), %eax
        mov     %eax, (%edi, %ecx, 8)
        inc     %ecx
        cmp     $8, %ecx
        jb      1b

        mov     $boot_l4, %eax
        mov     %eax, %cr3
        mov     %cr4, %eax
        or      $0x20, %eax             /* PAE */
        mov     %eax, %cr4
        mov     $MSR_EFER_NUM, %ecx
        rdmsr
        or      $0x100, %eax            /* LME */
        bt      $20, %esi
        jnc     1f
        or      $0x800, %eax            /* NXE */
1:      wrmsr
        mov     $0x80010033, %eax       /* PG WP NE ET MP PE */
        mov     %eax, %cr0
        lgdt    boot_gdt_ptr
        ljmp    $0x08, $start64

no_long_mode:
        mov     $no_long_mode_msg, %esi
1:      lodsb
        test    %al, %al
        jz      2f
        mov     $0x3f8, %dx
        out     %al, %dx
        jmp     1b
2:      hlt
        jmp     2b

        .code64
start64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        movabs  $start_high, %rax
        jmp     *%rax

        .set    MSR_EFER_NUM, 0xc0000080

        .section .data.boot, "aw", @progbits
        .balign 8
        .globl  boot_loader_magic, boot_loader_info
boot_loader_magic:      .long 0
boot_loader_info:       .long 0
no_long_mode_msg:       .asciz "Xenolith: this CPU has no long mode (x86-64); stopping.\r\n"

        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   boot_gdt

        .balign 4096
        .globl  boot_l4
boot_l4:
        .quad   boot_l3_ident + PT_FLAGS                        /* slot 0: identity */
        .fill   l4_index(XEN_VIRT_START) - 1, 8, 0
        .quad   boot_l3_image + PT_FLAGS                        /* the image */
        .quad   boot_l3_ident + PT_FLAGS                        /* direct map */
        .fill   PT_ENTRIES - l4_index(DIRECTMAP_VIRT_START) - 1, 8, 0
boot_l3_ident:
        .quad   boot_l2_ident + 0 * 4096 + PT_FLAGS
        .quad   boot_l2_ident + 1 * 4096 + PT_FLAGS
        .quad   boot_l2_ident + 2 * 4096 + PT_FLAGS
        .quad   boot_l2_ident + 3 * 4096 + PT_FLAGS
        .fill   PT_ENTRIES - 4, 8, 0
boot_l3_image:
        .fill   l3_index(XEN_VIRT_START), 8, 0
        .quad   boot_l2_image + PT_FLAGS
        .fill   PT_ENTRIES - l3_index(XEN_VIRT_START) - 1, 8, 0
boot_l2_image:
        .fill   PT_ENTRIES, 8, 0
        .globl  boot_l2_ident
boot_l2_ident:
        .fill   4 * PT_ENTRIES, 8, 0
boot_stack:
        .fill   BOOT_STACK_SIZE, 1, 0

/*
 * High half: clear .bss, move to CPU 0's stack block (struct cpu_info at
 * its top) and enter C.
 */
        .text
        .globl  start_high
start_high:
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb
        lea     cpu0_stack(%rip), %rsp
        add     $STACK_SIZE - CPU_INFO_SIZE, %rsp
        xor     %ebp, %ebp
        mov     boot_loader_magic_high(%rip), %rax
        mov     (%rax), %edi
        mov     boot_loader_info_high(%rip), %rax
        mov     (%rax), %esi
        call    start_xenolith
        ud2

        .section .rodata
        .balign 8
        /* The boot variables live at low addresses; reach them through the direct map. */
boot_loader_magic_high: .quad boot_loader_magic + DIRECTMAP_VIRT_START
boot_loader_info_high:  .quad boot_loader_info + DIRECTMAP_VIRT_START
        .globl  boot_l4_va
boot_l4_va:             .quad boot_l4 + DIRECTMAP_VIRT_START

        .section .bss.stack, "aw", @nobits
        .balign 4096                    /* the linker script aligns it to STACK_SIZE */
        .globl  cpu0_stack
cpu0_stack:
        .fill   STACK_SIZE, 1, 0
