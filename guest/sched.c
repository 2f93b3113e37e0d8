/* SPDX-License-Identifier: MIT */
/*
 * Cooperative scheduler over every vCPU that is up. Each thread owns a
 * stack of KERNEL_STACK_SIZE from the frame allocator; a switch
 * (entry.S: sched_switch_stack) saves the callee-saved registers on the
 * old stack and resumes the new one. A new thread's stack is laid out as
 * if it had switched away just before sched_thread_start, which calls
 * sched_thread_main.
 *
 * The run queue is a circular list holding every live thread, the boot
 * thread (pinned to vCPU 0, where the tests run) included; sched_yield
 * moves to the next runnable thread no other vCPU is running. Dead
 * threads stay on the list (not runnable) until joined. The other
 * vCPUs' idle contexts are threads off the list, pinned to their vCPU.
 *
 * Locking: sched_lock guards the list and every thread's state and
 * on_cpu. It is held across a switch and released by the thread that
 * resumes (sched_switch_done), so no vCPU can pick a thread whose stack
 * is still being left.
 */
#include <guest/asm.h>
#include <guest/console.h>
#include <guest/heap.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <guest/smp.h>
#include <xenolith/string.h>

enum thread_state { THREAD_RUNNABLE, THREAD_DEAD };

struct thread {
    char name[24];
    enum thread_state state;
    unsigned long sp;        /* saved stack pointer while switched out */
    unsigned long stack_pfn; /* 0 for the boot thread and idle contexts */
    int pinned;              /* the only vCPU it runs on, or -1 */
    bool on_cpu;             /* some vCPU runs it (or is still leaving it) */
    thread_fn fn;
    void *arg;
    struct thread *next, *prev;
};

#define SCHED_STACK_PAGES (KERNEL_STACK_SIZE / PAGE_SIZE)

void sched_switch_stack(unsigned long *save_sp, unsigned long new_sp);
void sched_thread_start(void);
void sched_thread_main(void);

static struct thread sched_boot = {.name = "boot"};
static struct thread sched_idle[SMP_MAX_VCPUS];
static unsigned int sched_count = 1;
static struct spinlock sched_lock;

#define sched_current (smp_this_cpu()->current)

void sched_init(void)
{
    sched_boot.next = sched_boot.prev = &sched_boot;
    sched_boot.state = THREAD_RUNNABLE;
    sched_boot.on_cpu = true;
    sched_boot.pinned = 0;
    smp_cpus[0].current = &sched_boot;
}

void sched_idle_init(struct smp_cpu *c)
{
    struct thread *t = &sched_idle[c->id];

    strlcpy(t->name, "idle", sizeof(t->name));
    t->state = THREAD_RUNNABLE;
    t->pinned = (int)c->id;
    t->on_cpu = true;
    c->idle = c->current = t;
}

const char *sched_current_name(void)
{
    return sched_current->name;
}

unsigned int sched_nr_threads(void)
{
    return sched_count;
}

struct thread *sched_thread_create(const char *name, thread_fn fn, void *arg)
{
    struct thread *t = heap_alloc(sizeof(*t));
    unsigned long *sp;

    if (!t)
        return NULL;
    t->stack_pfn = mm_pages_alloc(SCHED_STACK_PAGES);
    if (!t->stack_pfn) {
        heap_free(t, sizeof(*t));
        return NULL;
    }
    strlcpy(t->name, name, sizeof(t->name));
    t->fn = fn;
    t->arg = arg;
    t->state = THREAD_RUNNABLE;
    t->pinned = -1;
    t->on_cpu = false;
    /* Six zeroed callee-saved registers, then the "return" address. */
    sp = (unsigned long *)((char *)mm_pfn_to_virt(t->stack_pfn) + KERNEL_STACK_SIZE);
    *--sp = (unsigned long)sched_thread_start;
    sp -= 6;
    t->sp = (unsigned long)sp;
    /* Queue it just before the boot thread: it runs after the others. */
    spin_lock(&sched_lock);
    t->next = &sched_boot;
    t->prev = sched_boot.prev;
    t->prev->next = t;
    sched_boot.prev = t;
    sched_count++;
    spin_unlock(&sched_lock);
    smp_wake_idle();
    return t;
}

/* The second half of every switch, on the thread that resumes. */
static void sched_switch_done(void)
{
    struct smp_cpu *c = smp_this_cpu(); /* maybe not the vCPU this thread left */

    c->switched_from->on_cpu = false;
    spin_unlock(&sched_lock);
}

/* With sched_lock held; returns with it released. */
static void sched_switch_to(struct thread *next)
{
    struct smp_cpu *c = smp_this_cpu();
    struct thread *prev = c->current;

    if (next == prev) {
        spin_unlock(&sched_lock);
        return;
    }
    next->on_cpu = true;
    c->current = next;
    c->switched_from = prev;
    sched_switch_stack(&prev->sp, next->sp);
    sched_switch_done();
}

static bool sched_may_run(const struct thread *t, unsigned int cpu)
{
    return t->state == THREAD_RUNNABLE && !t->on_cpu && (t->pinned < 0 || t->pinned == (int)cpu);
}

/* The next thread after `from` this vCPU may run; NULL if none. */
static struct thread *sched_pick(struct thread *from, unsigned int cpu)
{
    struct thread *first = from->next ? from->next : &sched_boot; /* idle: off the list */

    for (struct thread *t = first;; t = t->next) {
        if (t != from && sched_may_run(t, cpu))
            return t;
        if (t->next == first)
            return NULL;
    }
}

void sched_yield(void)
{
    struct smp_cpu *c;
    struct thread *next;

    spin_lock(&sched_lock);
    c = smp_this_cpu();
    next = sched_pick(c->current, c->id);
    if (!next && c->current->state != THREAD_RUNNABLE) {
        if (!c->idle)
            panic("sched: no runnable thread left");
        next = c->idle;
    }
    sched_switch_to(next ? next : c->current);
}

bool sched_run_threads(void)
{
    struct smp_cpu *c = smp_this_cpu();
    struct thread *next;

    spin_lock(&sched_lock);
    next = sched_pick(c->idle, c->id);
    if (!next) {
        spin_unlock(&sched_lock);
        return false;
    }
    sched_switch_to(next);
    return true;
}

void sched_thread_exit(void)
{
    sched_current->state = THREAD_DEAD;
    sched_yield();
    panic("sched: dead thread %s was resumed", sched_current->name);
}

void sched_thread_main(void)
{
    struct thread *self;

    sched_switch_done();
    self = sched_current;
    self->fn(self->arg);
    sched_thread_exit();
}

void sched_join(struct thread *t)
{
    if (t == sched_current || t == &sched_boot || t->pinned >= 0)
        panic("sched: %s cannot be joined here", t->name);
    for (;;) {
        spin_lock(&sched_lock);
        if (t->state == THREAD_DEAD && !t->on_cpu)
            break;
        spin_unlock(&sched_lock);
        sched_yield();
    }
    t->prev->next = t->next;
    t->next->prev = t->prev;
    sched_count--;
    spin_unlock(&sched_lock);
    mm_pages_free(t->stack_pfn, SCHED_STACK_PAGES);
    heap_free(t, sizeof(*t));
}
