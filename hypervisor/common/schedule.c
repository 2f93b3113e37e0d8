/* SPDX-License-Identifier: MIT */
/*
 * Scheduler selection. "sched=credit|rr" names the scheduler that will
 * run domains; the schedulers themselves arrive with the events work.
 */
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/param.h>
#include <xenolith/sched.h>
#include <xenolith/string.h>

static const char *const sched_names[] = {"credit", "rr"};
static const char *opt_sched = "credit";

static int parse_sched(const char *v)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(sched_names); i++) {
        if (!strcmp(v, sched_names[i])) {
            opt_sched = sched_names[i];
            return 0;
        }
    }
    return -EINVAL;
}
CUSTOM_PARAM("sched", parse_sched);

const char *sched_chosen_name(void)
{
    return opt_sched;
}
