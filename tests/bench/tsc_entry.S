/* SPDX-License-Identifier: MIT */
/*
 * For tests/bench/linux.py: a multiboot kernel that prints the TSC it
 * starts with, "LBENCH tsc_at_entry <hex>", on COM1 and stops QEMU
 * (isa-debug-exit). Booted in a hypervisor's place, with its modules and
 * QEMU arguments, it measures what the firmware and QEMU's multiboot
 * loader execute before the hypervisor's first instruction.
 */
#define COM1 0x3f8

	.text
	.code32
	.align 4
	.long 0x1badb002, 0, -0x1badb002 /* multiboot magic, no flags */
	.globl _start
_start:
	rdtsc
	mov $stack_top, %esp /* multiboot leaves %esp undefined */
	mov %eax, %ebx
	mov %edx, %ebp /* high half printed first */
	mov $prefix, %esi
1:	lodsb
	test %al, %al
	jz 2f
	call putc
	jmp 1b
2:	mov %ebp, %edi
	call puthex
	mov %ebx, %edi
	call puthex
	mov $'\n', %al
	call putc
	mov $0xf4, %dx
	xor %eax, %eax
	out %eax, %dx
3:	hlt
	jmp 3b

/* Eight hex digits of %edi. */
puthex:
	mov $8, %ecx
1:	rol $4, %edi
	mov %edi, %eax
	and $0xf, %eax
	movb digits(%eax), %al
	call putc
	loop 1b
	ret

/* %al to COM1, once its transmitter is empty. */
putc:
	mov %al, %ah
	mov $COM1 + 5, %dx
1:	in %dx, %al
	test $0x20, %al
	jz 1b
	mov %ah, %al
	mov $COM1, %dx
	out %al, %dx
	ret

prefix:	.asciz "LBENCH tsc_at_entry "
digits:	.ascii "0123456789abcdef"

	.bss
	.align 16
	.skip 256
stack_top:
