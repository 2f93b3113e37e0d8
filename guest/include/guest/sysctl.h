/* SPDX-License-Identifier: MIT */
/* The control domain's view of the host (guest/sysctl.c). */
#ifndef GUEST_SYSCTL_H
#define GUEST_SYSCTL_H

#include <guest/xen.h>

/* XEN_SYSCTL_physinfo, the fields a PV kernel has use for. */
struct sysctl_physinfo {
    unsigned int threads_per_core, cores_per_socket, nr_cpus, max_cpu_id;
    unsigned int nr_nodes, max_node_id, cpu_khz, capabilities; /* XEN_SYSCTL_PHYSCAP_* */
    unsigned long total_pages, free_pages, max_mfn;
};

long sysctl_physinfo(struct sysctl_physinfo *out);
/*
 * XEN_SYSCTL_readconsole: at most *len bytes of the hypervisor's log into
 * buf (no NUL added), *len set to the count; from *index when incremental,
 * else from the oldest byte held; *index set to where the read stopped;
 * clear drops what was read. 0 or -errno.
 */
long sysctl_readconsole(char *buf, unsigned int *len, bool clear, uint32_t *index,
                        bool incremental);
/* XEN_SYSCTL_sched_id: the scheduler's XEN_SCHEDULER_* number. */
long sysctl_sched_id(unsigned int *id);

#endif
