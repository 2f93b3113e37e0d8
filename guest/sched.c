/* SPDX-License-Identifier: MIT */
/*
 * Cooperative scheduler. Each thread owns a stack of KERNEL_STACK_SIZE
 * from the frame allocator; a switch (entry.S: sched_switch_stack) saves
 * the callee-saved registers on the old stack and resumes the new one.
 * A new thread's stack is laid out as if it had switched away just before
 * sched_thread_start, which calls sched_thread_main.
 *
 * The run queue is a circular list holding every live thread, the
 * current one included; sched_yield moves to the next runnable one.
 * Dead threads stay on the list (not runnable) until joined.
 */
#include <guest/asm.h>
#include <guest/console.h>
#include <guest/heap.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <xenolith/string.h>

enum thread_state { THREAD_RUNNABLE, THREAD_DEAD };

struct thread {
    char name[24];
    enum thread_state state;
    unsigned long sp;        /* saved stack pointer while switched out */
    unsigned long stack_pfn; /* 0 for the boot thread */
    thread_fn fn;
    void *arg;
    struct thread *next, *prev;
};

#define SCHED_STACK_PAGES (KERNEL_STACK_SIZE / PAGE_SIZE)

void sched_switch_stack(unsigned long *save_sp, unsigned long new_sp);
void sched_thread_start(void);
void sched_thread_main(void);

static struct thread sched_boot = {.name = "boot"};
static struct thread *sched_current = &sched_boot;
static unsigned int sched_count = 1;

void sched_init(void)
{
    sched_boot.next = sched_boot.prev = &sched_boot;
    sched_boot.state = THREAD_RUNNABLE;
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
    /* Six zeroed callee-saved registers, then the "return" address. */
    sp = (unsigned long *)((char *)mm_pfn_to_virt(t->stack_pfn) + KERNEL_STACK_SIZE);
    *--sp = (unsigned long)sched_thread_start;
    sp -= 6;
    t->sp = (unsigned long)sp;
    /* Queue it just before the current thread: it runs after the others. */
    t->next = sched_current;
    t->prev = sched_current->prev;
    t->prev->next = t;
    sched_current->prev = t;
    sched_count++;
    return t;
}

static void sched_switch_to(struct thread *next)
{
    struct thread *prev = sched_current;

    if (next == prev)
        return;
    sched_current = next;
    sched_switch_stack(&prev->sp, next->sp);
}

void sched_yield(void)
{
    struct thread *t = sched_current->next;

    while (t->state != THREAD_RUNNABLE) {
        if (t == sched_current)
            panic("sched: no runnable thread left");
        t = t->next;
    }
    sched_switch_to(t);
}

void sched_thread_exit(void)
{
    sched_current->state = THREAD_DEAD;
    sched_yield();
    panic("sched: dead thread %s was resumed", sched_current->name);
}

void sched_thread_main(void)
{
    sched_current->fn(sched_current->arg);
    sched_thread_exit();
}

void sched_join(struct thread *t)
{
    if (t == sched_current || t == &sched_boot)
        panic("sched: %s cannot be joined here", t->name);
    while (t->state != THREAD_DEAD)
        sched_yield();
    t->prev->next = t->next;
    t->next->prev = t->prev;
    mm_pages_free(t->stack_pfn, SCHED_STACK_PAGES);
    heap_free(t, sizeof(*t));
    sched_count--;
}
