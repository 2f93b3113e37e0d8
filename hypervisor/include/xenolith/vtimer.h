/* SPDX-License-Identifier: MIT */
#ifndef XENOLITH_VTIMER_H
#define XENOLITH_VTIMER_H

#include <xenolith/types.h>

struct vcpu;

void vtimer_init(struct vcpu *v);
void vtimer_start(struct vcpu *v);
/* Cancels every timer of v, from any pCPU; none runs after it returns. */
void vtimer_stop(struct vcpu *v);
/* VCPUOP_{set,stop}_{singleshot,periodic}_timer for v. */
long vtimer_op(struct vcpu *v, uint64_t cmd, uint64_t arg);

#endif
