/* SPDX-License-Identifier: MIT */
/*
 * The guest's vCPUs. vCPU 0 boots; the others exist down until
 * smp_vcpu_context() + VCPUOP_initialise + VCPUOP_up bring them up, on a
 * stack of their own, into an idle loop that runs kernel threads
 * (sched.c) and work posted with smp_post(), and blocks in Xen when
 * there is none. Each vCPU finds its struct smp_cpu through its kernel
 * GS base (%gs:0 holds the struct's own address).
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <guest/xen.h>
#include <xenolith/compiler.h>

#define SMP_MAX_VCPUS 8

struct thread;
typedef void (*smp_fn_t)(void *arg);

struct smp_cpu {
    struct smp_cpu *self; /* %gs:0 */
    unsigned int id;
    struct vcpu_info *vcpu_info;  /* where Xen writes this vCPU's events */
    struct thread *current;       /* sched.c: the thread running here */
    struct thread *switched_from; /* sched.c: released once the switch is done */
    struct thread *idle;          /* sched.c: runs when no thread can (not vCPU 0) */
    evtchn_port_t wake_port;      /* an IPI bound to this vCPU: wakes its idle loop */
    smp_fn_t call_fn;             /* smp_post()'s work, NULL when done */
    void *call_arg;
    bool online; /* in its idle loop */
    unsigned long stack_pfn;
};

extern struct smp_cpu smp_cpus[SMP_MAX_VCPUS];
extern unsigned int smp_nr_vcpus; /* as many as Xen gave us, at most SMP_MAX_VCPUS */

static inline struct smp_cpu *smp_this_cpu(void)
{
    struct smp_cpu *c;

    __asm__ __volatile__("mov %%gs:0, %0" : "=r"(c));
    return c;
}

/* vCPU 0: counts the vCPUs and points GS at smp_cpus[0]. */
void smp_init(void);
/* Fills c with the starting state of vCPU `id` (allocating its stack). */
int smp_vcpu_context(unsigned int id, struct vcpu_guest_context *c);
/* Initialises vCPU `id`, binds its wake-up IPI, ups it and waits for it: 0 or -errno. */
long smp_start(unsigned int id);
/* Waits (yielding to Xen) until vCPU `id` is in its idle loop; false on timeout. */
bool smp_wait_online(unsigned int id);
/* Has fn(arg) run in vCPU `id`'s idle loop (false if it is not there or busy)... */
bool smp_post(unsigned int id, smp_fn_t fn, void *arg);
/* ...and waits until it has returned; false on timeout. */
bool smp_wait_done(unsigned int id);
/* Wakes every idle vCPU but this one (new work). */
void smp_wake_idle(void);

/* A spinlock between vCPUs. No upcall handler takes one. */
struct spinlock {
    int taken;
};

static inline void spin_lock(struct spinlock *l)
{
    while (__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->taken, __ATOMIC_RELAXED))
            __asm__ __volatile__("pause");
}

static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->taken, 0, __ATOMIC_RELEASE);
}

#endif
