/* SPDX-License-Identifier: MIT */
/*
 * Domains and virtual CPUs: the objects the hypervisor multiplexes.
 *
 * Lifecycle of a domain:  created -> running <-> paused
 *                                 -> shutting down (reason) -> dying -> destroyed
 * "created" domains are being built and have never run; a domain that shut
 * down keeps its memory until it is destroyed (on_poweroff=preserve keeps it
 * around); "dying" means its frames are being returned.
 *
 * Locking: domlist_lock protects the domain list and id allocation;
 * d->lock protects d's page list, state and vCPU array.
 */
#ifndef XENOLITH_DOMAIN_H
#define XENOLITH_DOMAIN_H

#include <xenolith/list.h>
#include <xenolith/spinlock.h>
#include <xenolith/timer_queue.h>
#include <xenolith/types.h>
#include <xen/event_channel.h>
#include <xen/vcpu.h>
#include <xen/xen.h>
#include <asm/domain.h>

#define MAX_VIRT_CPUS   XEN_LEGACY_MAX_VCPUS
#define DOMAIN_NAME_LEN 64

enum domain_state {
    DOMSTATE_created,
    DOMSTATE_running,
    DOMSTATE_paused,
    DOMSTATE_shutdown, /* shut down with a reason, memory kept */
    DOMSTATE_dying,
    DOMSTATE_destroyed,
};

enum vcpu_run_state {
    VCPU_offline,  /* not brought up (or VCPUOP_down) */
    VCPU_runnable, /* on a run queue or running */
    VCPU_blocked,  /* waiting for an event */
};

/* What becomes of a domain that shut down (xl.cfg's on_poweroff & co). */
#define DOMAIN_ACTION_destroy  0
#define DOMAIN_ACTION_preserve 1

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    enum vcpu_run_state run_state;
    unsigned int processor;     /* pCPU it runs on or is queued on */
    bool is_running;            /* on a pCPU right now */
    bool is_up;                 /* has a context and runs when unpaused */
    struct list_head runq_link; /* round robin's queue */
    void *sched_priv;           /* the policy's per-vCPU state */
    s_time_t slice_end;
    vcpu_info_t *vcpu_info;               /* in shared_info until re-registered */
    evtchn_port_t virq_to_port[NR_VIRQS]; /* 0: not bound */
    bool poll_active;                     /* in SCHEDOP_poll */
    struct timer singleshot_timer, periodic_timer, poll_timer;
    s_time_t periodic_period; /* 0: no periodic timer */
    bool hypercall_restart;   /* re-run the current hypercall when resumed */
    bool vcpu_info_registered;
    struct vcpu_runstate_info runstate;
    uint64_t runstate_area; /* guest address it is copied to, 0 if none */
    bool in_multicall;
    uint64_t affinity_hard, affinity_soft; /* as last set (~0: every pCPU) */
    struct arch_vcpu arch;
};

struct domain {
    domid_t domain_id;
    uint64_t instance; /* unique among all domains ever created: domids come back */
    char name[DOMAIN_NAME_LEN];
    spinlock_t lock;
    spinlock_t vcpu_op_lock; /* vcpu_op.c: vCPUs initialised, up, down */
    enum domain_state state;
    unsigned int shutdown_reason; /* SHUTDOWN_*, valid once shut down */
    bool is_privileged;           /* the control domain */
    struct list_head domlist_link;

    struct list_head page_list; /* every frame this domain owns */
    unsigned long tot_pages;
    unsigned long orphaned_frames; /* left at its death to domains still mapping them */
    unsigned long max_pages;

    unsigned int max_vcpus;
    struct vcpu *vcpus[MAX_VIRT_CPUS];

    shared_info_t *shared_info; /* a hypervisor page shared with the guest */
    struct evtchn *evtchn;      /* EVTCHN_PORTS ports */
    struct grant_table *grant_table;
    void *sched_priv;                  /* the policy's per-domain state */
    unsigned int cap;                  /* scheduler cap, % of one pCPU (0: none) */
    unsigned long enosys_count;        /* hypercalls answered -ENOSYS */
    struct console_ring *console_ring; /* a domU's ring, served by console_ring.c */
    char console_line[128];            /* console_io output awaiting its newline */
    unsigned int console_len;
    unsigned int console_shown;           /* of console_line, already on the serial (a prompt) */
    bool console_spoke;                   /* has printed anything yet */
    s_time_t created_at;                  /* system time of domain_create() */
    uint64_t console_tokens;              /* bytes it may print now (kernel.c's rate limit) */
    s_time_t console_refill;              /* when they were last topped up */
    unsigned long console_dropped;        /* over the limit since it last printed */
    unsigned int weight;                  /* scheduler weight */
    bool reaped;                          /* handed to domain_ended() */
    bool toolstack;                       /* created by the control domain, which ends it */
    bool built;                           /* laid out: it has something to run */
    bool killed;                          /* destroy asked for (domain_kill) */
    unsigned int refs;                    /* domain_get() holders */
    bool stopped;                         /* shut down and off every run queue */
    unsigned long store_mfn, console_mfn; /* as built; 0: none */
    unsigned int store_port, console_port;
    unsigned int vcpus_online;                     /* xl.cfg's vcpus (of max_vcpus) */
    unsigned int on_poweroff, on_reboot, on_crash; /* DOMAIN_ACTION_* */
    struct arch_domain arch;
};

/* Wakes v if it waits for events, or interrupts its pCPU to deliver them. */
void vcpu_kick(struct vcpu *v);

/* The vCPU running on this pCPU (the idle vCPU when no guest runs). */
struct vcpu *current_vcpu(void);
bool is_idle_vcpu(const struct vcpu *v);

/* id DOMID_INVALID: the next free one; name NULL: "dN". NULL on failure
 * (no memory, the id taken, no id left). */
struct domain *domain_create(domid_t id, const char *name, unsigned int max_vcpus,
                             unsigned long max_pages, bool privileged);
/* Nanoseconds v has run, the current run included. */
uint64_t vcpu_cpu_time(const struct vcpu *v);
struct domain *domain_by_id(domid_t id);
/* domain_by_id() for another CPU's long use: d stays whole until
 * domain_put() (its destruction waits). */
struct domain *domain_get(domid_t id);
void domain_put(struct domain *d);

/* What XEN_DOMCTL_getdomaininfo reports of a domain. */
struct domain_info {
    domid_t id;
    bool dying, shut_down, paused, privileged;
    unsigned int shutdown_code;    /* SHUTDOWN_*, or ~0 before any (as Xen) */
    bool any_running, all_blocked; /* of its vCPUs that are up */
    unsigned int nr_up, max_vcpu_id;
    unsigned long tot_pages, max_pages, shared_info_mfn;
    uint64_t cpu_time; /* ns its vCPUs ran */
};
/* The domain with the lowest id >= from, as Xen's getdomaininfo walks
 * them: 0, or -ESRCH if there is none. Read under the domain list lock. */
int domain_get_info(domid_t from, struct domain_info *out);
/* Ends a domain's execution with a SHUTDOWN_* reason (first reason wins). */
void domain_shutdown(struct domain *d, unsigned int reason);
/* Kills a domain whose guest broke the rules: shut down with SHUTDOWN_crash. */
void domain_crash(struct domain *d, const char *why);
/* Returns every frame and frees the domain; it must not be running anywhere. */
void domain_destroy(struct domain *d);
/* 0, -EBUSY (never built), or -EINVAL (shut down or dying). */
int domain_unpause(struct domain *d);
/* 0, or -EINVAL when d has shut down. */
int domain_pause(struct domain *d);
/* Stops d and has it destroyed on CPU 0 (XEN_DOMCTL_destroydomain). */
void domain_kill(struct domain *d);
/* Raises a global virq (VIRQ_DOM_EXC) in the control domain, if it runs. */
void control_domain_virq(unsigned int virq);
unsigned int domain_count(void);

const char *domain_shutdown_name(unsigned int reason);
/* Policy (boot_domains.c): d has shut down and stopped; destroy it? */
bool domain_ended(struct domain *d);
/* Policy: the last domain is gone. */
void domains_all_ended(void);
void domain_init(void);
void arch_vcpu_init(struct vcpu *v);
/* VCPUOP_initialise for a vCPU that never ran: 1 when the context asks
 * for the vCPU to be up at once, 0, or an error; has it been given one? */
long arch_vcpu_initialise(struct vcpu *v, uint64_t ctxt);
bool arch_vcpu_initialised(const struct vcpu *v);
/* v enters RUNSTATE_* state now; the guest's runstate area follows. */
void vcpu_runstate_change(struct vcpu *v, int state);
/* Arch hooks: a new domain's shared page (wallclock); a vCPU's time info. */
void arch_domain_init(struct domain *d);
/* Arch: drop every reference the domain holds on its own frames (pins, base
 * pointers, descriptor tables), devalidating its page tables. */
void arch_domain_relinquish(struct domain *d);
void arch_vcpu_time_update(struct vcpu *v);

/* Frames owned by d: allocation charges d, freeing returns them. */
/*
 * Calls fn on every domain. CPU 0 only: domains are created and destroyed
 * there, so the list holds still without domlist_lock, which fn may not
 * take locks under.
 */
void for_each_domain(void (*fn)(struct domain *d));
struct page_info *domain_alloc_page(struct domain *d);
/*
 * A hypervisor frame the domain maps (shared_info, grant-table frames):
 * owned by d, with the allocation reference and a permanent writable
 * type, so it can never become one of d's page or descriptor tables.
 * unshare_xen_frame() gives it back when d dies: freed at once, or
 * orphaned while another domain still maps it. Under frame_lock once
 * anyone but d can reach the frame.
 */
void share_xen_frame(struct domain *d, void *va);
void unshare_xen_frame(struct domain *d, void *va);
/* Frees an orphaned (or unshared) frame once its last reference is gone. */
void frame_put_orphan(struct page_info *pg);
void domain_free_page(struct domain *d, struct page_info *pg);

#endif
