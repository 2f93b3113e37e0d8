/* SPDX-License-Identifier: MIT */
/*
 * xl, the control domain's command line (guest/toolstack/xl_cli.c): xl's
 * verbs, options and output formats. The CLI is pure: it parses and
 * prints; every action goes through a backend (guest/toolstack.c in the
 * control domain; a fake in tests/unit), so it compiles and is tested on
 * the host as well.
 */
#ifndef GUEST_TOOLSTACK_XL_H
#define GUEST_TOOLSTACK_XL_H

#include <xenolith/types.h>

#define XL_NAME_LEN    64
#define XL_MAX_DOMAINS 64
#define XL_MAX_VCPUS   32

struct xl_dominfo {
    uint16_t domid;
    char name[XL_NAME_LEN];
    uint64_t mem_kib;    /* pages it has now, in KiB */
    uint64_t maxmem_kib; /* its limit, in KiB */
    unsigned int vcpus_online, max_vcpus;
    bool running, blocked, paused, shutdown, dying;
    unsigned int shutdown_reason; /* SHUTDOWN_* (xen/sched.h), when shutdown */
    uint64_t cpu_time_ns;
    uint64_t start_ns; /* system time when it was created, for uptime */
};

struct xl_vcpuinfo {
    unsigned int vcpu, cpu;
    bool online, running, blocked;
    uint64_t time_ns;
    uint64_t hard, soft; /* affinity, a pCPU bitmap */
};

struct xl_physinfo {
    unsigned int nr_cpus, nr_nodes, cores_per_socket, threads_per_core;
    uint64_t cpu_khz;
    uint64_t total_kib, free_kib;
    unsigned int xen_major, xen_minor;
    char xen_extra[16];
    char capabilities[128];
    char sched[16]; /* "credit", "rr" */
    char cmdline[256];
};

/*
 * What the CLI asks of the toolstack. Every call returns 0 or a
 * negative errno (-ESRCH: no such domain); the CLI turns them into xl's
 * messages. The backend prints its own diagnostics where only it knows
 * them (config file errors, build failures), through print.
 */
struct xl_backend {
    void *ctx;
    void (*print)(void *ctx, const char *s, size_t len);
    /* Every domain, by increasing id; returns how many (<= max) or -errno. */
    int (*list)(void *ctx, struct xl_dominfo *out, unsigned int max);
    /* Creates and unpauses a domain from the xl.cfg at path, with
     * "key=value" overrides appended as lines; *domid on success. */
    int (*create)(void *ctx, const char *path, const char *const *extra, unsigned int nr_extra,
                  uint16_t *domid);
    int (*destroy)(void *ctx, uint16_t domid);
    /* Asks the guest (control/shutdown "poweroff" or "reboot"). */
    int (*shutdown)(void *ctx, uint16_t domid, bool reboot);
    /* Waits until the domain has shut down (or gone). */
    int (*wait_shutdown)(void *ctx, uint16_t domid);
    int (*pause)(void *ctx, uint16_t domid);
    int (*unpause)(void *ctx, uint16_t domid);
    /* Attaches the console to the domain until the user leaves it (CTRL-]). */
    int (*console)(void *ctx, uint16_t domid);
    int (*mem_set)(void *ctx, uint16_t domid, uint64_t kib);
    int (*mem_max)(void *ctx, uint16_t domid, uint64_t kib);
    /* The domain's vCPUs; returns how many or -errno. */
    int (*vcpu_list)(void *ctx, uint16_t domid, struct xl_vcpuinfo *out, unsigned int max);
    /* Affinity of one vCPU (or every vCPU when vcpu is ~0u); a bitmap
     * of ~0 means "all". */
    int (*vcpu_pin)(void *ctx, uint16_t domid, unsigned int vcpu, uint64_t hard, uint64_t soft);
    int (*vcpu_set)(void *ctx, uint16_t domid, unsigned int online);
    int (*sched_credit_get)(void *ctx, uint16_t domid, unsigned int *weight, unsigned int *cap);
    int (*sched_credit_set)(void *ctx, uint16_t domid, unsigned int weight, unsigned int cap);
    int (*physinfo)(void *ctx, struct xl_physinfo *out);
    /* Prints the hypervisor's console buffer; clears it after, if asked. */
    int (*dmesg)(void *ctx, bool clear);
    uint64_t (*now_ns)(void *ctx); /* system time */
};

/* Runs one xl command (argv[0] is "xl"); returns its exit status (0 ok). */
int xl_main(const struct xl_backend *b, int argc, char **argv);

/* Splits a shell line into words (blanks separate; '...' and "..." quote)
 * in place; returns the word count, or -1 if more than max or a quote is
 * left open. */
int xl_split_line(char *line, char **argv, int max);

#endif
