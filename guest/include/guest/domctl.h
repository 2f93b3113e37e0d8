/* SPDX-License-Identifier: MIT */
/*
 * The control domain's domctl calls (guest/domctl.c): Xen 4.17's domctl
 * where Xenolith implements it, and Xenolith's own commands
 * (public/xenolith_domctl.h). Each returns 0 or a negative Xen errno.
 */
#ifndef GUEST_DOMCTL_H
#define GUEST_DOMCTL_H

#include <guest/xen.h>

struct domctl_info {
    domid_t domid;
    bool dying, shutdown, paused, blocked, running;
    unsigned int shutdown_reason; /* when shutdown */
    unsigned long tot_pages, max_pages;
    unsigned int nr_online_vcpus, max_vcpu_id;
    uint64_t cpu_time; /* ns */
};

/* XEN_DOMCTL_getdomaininfo of domain domid: 0, -ESRCH, or another -errno. */
long domctl_domain_info(domid_t domid, struct domctl_info *out);
/* The domain with the lowest id >= from (getdomaininfo's walk). */
long domctl_domain_info_from(domid_t from, struct domctl_info *out);

long domctl_create(unsigned int max_vcpus, domid_t *domid);
long domctl_destroy(domid_t domid);
long domctl_pause(domid_t domid);
long domctl_unpause(domid_t domid);
long domctl_max_mem(domid_t domid, uint64_t kib);

struct domctl_vcpu {
    bool online, blocked, running;
    unsigned int cpu;
    uint64_t cpu_time;
};
long domctl_vcpu_info(domid_t domid, unsigned int vcpu, struct domctl_vcpu *out);
/* Hard and soft affinity, pCPU bitmaps (64 pCPUs). */
long domctl_get_affinity(domid_t domid, unsigned int vcpu, uint64_t *hard, uint64_t *soft);
long domctl_set_affinity(domid_t domid, unsigned int vcpu, uint64_t hard, uint64_t soft);
/* Credit's weight and cap; set: 0 weight or ~0u cap leaves that one. */
long domctl_sched_credit_get(domid_t domid, unsigned int *weight, unsigned int *cap);
long domctl_sched_credit_set(domid_t domid, unsigned int weight, unsigned int cap);
/* XEN_DOMCTL_scheduler_op as given (XEN_SCHEDULER_*, XEN_DOMCTL_SCHEDOP_*);
 * credit's weight and cap in, and out when it succeeds. */
long domctl_sched_op(domid_t domid, uint32_t sched_id, uint32_t cmd, unsigned int *weight,
                     unsigned int *cap);

struct domctl_build_args {
    const void *kernel;
    size_t kernel_len;
    const void *ramdisk; /* NULL: none */
    size_t ramdisk_len;
    const char *cmdline;
    const char *name;
    unsigned long nr_pages;
    unsigned int vcpus_online;
    domid_t store_domid; /* DOMID_INVALID: no xenstore */
};
struct domctl_built {
    unsigned long store_mfn, console_mfn;
    unsigned int store_port, console_port;
};
long domctl_build(domid_t domid, const struct domctl_build_args *a, struct domctl_built *out);

struct domctl_description {
    char name[64];
    unsigned long store_mfn, console_mfn;
    unsigned int store_port, console_port, vcpus_online;
    domid_t domid; /* domctl_describe(DOMID_SELF, ...): our own id */
};
long domctl_describe(domid_t domid, struct domctl_description *out);

/* A vCPU's whole state (the domain not running); set: one never initialised. */
long domctl_get_vcpu_context(domid_t domid, unsigned int vcpu, struct vcpu_guest_context *c);
long domctl_set_vcpu_context(domid_t domid, unsigned int vcpu, struct vcpu_guest_context *c);

/* Serial input to domid (attach), or just where it goes now (*focus). */
long domctl_console(domid_t domid, bool attach, domid_t *focus);

#endif
