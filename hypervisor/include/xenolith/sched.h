/* SPDX-License-Identifier: MIT */
#ifndef XENOLITH_SCHED_H
#define XENOLITH_SCHED_H

/* The scheduler named by sched= (default "credit"). */
const char *sched_chosen_name(void);

#endif
