/* SPDX-License-Identifier: MIT */
#ifndef ASM_TIME_H
#define ASM_TIME_H

void time_init(void);

#endif
