/* SPDX-License-Identifier: MIT */
/* System time: nanoseconds since boot, from the calibrated TSC. */
#ifndef XENOLITH_TIME_H
#define XENOLITH_TIME_H

#include <xenolith/types.h>

#define MILLISECS(ms) ((s_time_t)(ms)*1000000ull)
#define MICROSECS(us) ((s_time_t)(us)*1000ull)
#define SECONDS(s)    ((s_time_t)(s)*1000000000ull)

s_time_t NOW(void);
/* System time at a TSC value, with exactly the scale guests are given. */
s_time_t tsc_to_system_time(uint64_t tsc);
void time_scale(uint32_t *mul, int8_t *shift);
/* Wall-clock seconds (from the RTC) at system time 0. */
uint64_t wallclock_boot_seconds(void);
void udelay(unsigned long us);
uint64_t cpu_khz(void);

#endif
