/* SPDX-License-Identifier: MIT */
/*
 * Cooperative kernel threads: a FIFO run queue, sched_yield() to pass
 * the CPU on, sched_join() to wait for a thread's end. The boot context
 * is thread 0, pinned to vCPU 0; other threads run on any vCPU that is
 * up (smp.h). No preemption. Only vCPU 0 creates and joins threads (the
 * frame allocator and heap are not shared between vCPUs).
 */
#ifndef GUEST_SCHED_H
#define GUEST_SCHED_H

#include <xenolith/types.h>

struct thread;
typedef void (*thread_fn)(void *arg);

void sched_init(void);
/* A new runnable thread; NULL when memory ran out. */
struct thread *sched_thread_create(const char *name, thread_fn fn, void *arg);
void sched_yield(void);
/* Waits for `t` to end and frees it. */
void sched_join(struct thread *t);
/* Ends the calling thread (also what returning from its function does). */
void sched_thread_exit(void) __attribute__((noreturn));
const char *sched_current_name(void);
struct smp_cpu;
/* A vCPU other than 0 enters its idle loop: its context becomes a thread. */
void sched_idle_init(struct smp_cpu *c);
/* From an idle loop: runs threads until none is left to run here; false if none ran. */
bool sched_run_threads(void);
unsigned int sched_nr_threads(void);

#endif
