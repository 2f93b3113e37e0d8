/* SPDX-License-Identifier: MIT */
/*
 * Image layout. The boot code runs where it is loaded, so .text.boot and
 * .data.boot are linked at their physical addresses; everything else is
 * linked at XEN_VIRT_START and loaded right behind them (AT()). Sections
 * are page-aligned so the C code can map text read-only and data NX.
 * The symbol table comes after every function, so its size never moves a
 * function between the two link passes.
 */
#include <asm/config.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start)

PHDRS
{
    boot PT_LOAD FLAGS(7);
    text PT_LOAD FLAGS(5);
    rodata PT_LOAD FLAGS(4);
    data PT_LOAD FLAGS(6);
}

SECTIONS
{
    . = XEN_LOAD_PHYS;
    __image_phys_start = .;
    .text.boot : { *(.text.boot) } :boot
    .data.boot : { *(.data.boot) } :boot
    . = ALIGN(4096);
    __boot_phys_end = .;

    . = XEN_VIRT_START + (__boot_phys_end - XEN_LOAD_PHYS);
    __text_start = .;
    .text : AT(ADDR(.text) - XEN_VIRT_START + XEN_LOAD_PHYS) {
        *(.text .text.*)
    } :text
    . = ALIGN(4096);
    __text_end = .;

    __rodata_start = .;
    .rodata : AT(ADDR(.rodata) - XEN_VIRT_START + XEN_LOAD_PHYS) {
        *(.rodata .rodata.*)
        . = ALIGN(8);
        __param_start = .;
        *(.param)
        __param_end = .;
        . = ALIGN(8);
        __ex_table_start = .;
        *(.ex_table)
        __ex_table_end = .;
    } :rodata
    .symtab_xen : AT(ADDR(.symtab_xen) - XEN_VIRT_START + XEN_LOAD_PHYS) {
        *(.symtab_xen)
    } :rodata
    . = ALIGN(4096);
    __rodata_end = .;

    __data_start = .;
    .data : AT(ADDR(.data) - XEN_VIRT_START + XEN_LOAD_PHYS) {
        *(.data .data.*)
    } :data
    __load_end = .;
    .bss : AT(ADDR(.bss) - XEN_VIRT_START + XEN_LOAD_PHYS) {
        __bss_start = .;
        /* Aligned here, not in the object: a segment aligned above a page
         * could not be loaded flat (tools/check-image.py). */
        . = ALIGN(STACK_SIZE);
        *(.bss.stack)
        *(.bss .bss.* COMMON)
        . = ALIGN(4096);
        __bss_end = .;
    } :data
    __image_end = .;

    __load_phys_end = __load_end - XEN_VIRT_START + XEN_LOAD_PHYS;
    __bss_phys_end = __image_end - XEN_VIRT_START + XEN_LOAD_PHYS;

    /DISCARD/ : { *(.eh_frame) *(.note.*) *(.comment) }
}
