/* SPDX-License-Identifier: MIT */
#ifndef ASM_SERIAL_H
#define ASM_SERIAL_H

void serial_init(void);
void serial_console_start(void);

#endif
