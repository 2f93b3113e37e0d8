// SPDX-License-Identifier: MIT
/*
 * Linux user-space micro-benchmarks for tests/bench/linux.py, built with
 * `gcc -static -O2` and run as the initramfs's first program on native
 * Linux, on Linux as a Xenolith PV domU and on Linux as Xen's PV dom0.
 *
 * Each operation prints "LBENCH <name> <ticks per op>", the TSC ticks
 * between two rdtsc around a loop divided by its iterations. Under QEMU
 * with -icount shift=0 a tick is one executed guest instruction, so the
 * figures are deterministic instruction counts, kernel and hypervisor
 * included. Iteration counts are small: TCG runs a few hundred million
 * instructions a second and the whole run must stay well under a minute.
 *
 * `linux_bench exit` exits at once: the program fork+exec runs.
 * `linux_bench tsc` prints the TSC itself, as "LBENCH tsc_at_init": the
 * instructions since QEMU's machine reset (/init runs it first).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE        4096
#define FAULT_PAGES 256

static const char *self;

static uint64_t ticks(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void report(const char *name, uint64_t total, unsigned long ops)
{
    printf("LBENCH %s %llu\n", name, (unsigned long long)(total / ops));
    fflush(stdout);
}

static void child_wait(pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("waitpid");
}

/* getppid by syscall(): libc caches nothing, so each is a kernel entry. */
static void bench_null_syscall(unsigned long n)
{
    for (unsigned long i = 0; i < n / 10; i++)
        syscall(SYS_getppid);
    uint64_t t0 = ticks();
    for (unsigned long i = 0; i < n; i++)
        syscall(SYS_getppid);
    report("null_syscall", ticks() - t0, n);
}

/* A child that exits at once, and the parent's wait for it. */
static void bench_fork_exit(unsigned long n)
{
    uint64_t t0 = ticks();
    for (unsigned long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0)
            _exit(0);
        child_wait(pid);
    }
    report("fork_exit", ticks() - t0, n);
}

/* As fork_exit, but the child execs this (static) program first. */
static void bench_fork_exec(unsigned long n)
{
    uint64_t t0 = ticks();
    for (unsigned long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            execl(self, self, "exit", (char *)NULL);
            _exit(127);
        }
        child_wait(pid);
    }
    report("fork_exec", ticks() - t0, n);
}

/*
 * One op: the first touch of an anonymous page (a fault that allocates
 * and maps a zeroed frame), with its share of the mmap and munmap.
 */
static void bench_page_fault(unsigned long rounds)
{
    uint64_t t0 = ticks();
    for (unsigned long r = 0; r < rounds; r++) {
        char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            die("mmap");
        for (int i = 0; i < FAULT_PAGES; i++)
            p[i * PAGE] = 1;
        if (munmap(p, FAULT_PAGES * PAGE))
            die("munmap");
    }
    report("page_fault", ticks() - t0, rounds * FAULT_PAGES);
}

/* One op: a byte to the child through one pipe and back through another. */
static void bench_pipe_pingpong(unsigned long n)
{
    int to[2], from[2];
    char c = 0;

    if (pipe(to) || pipe(from))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(to[1]);
        close(from[0]);
        while (read(to[0], &c, 1) == 1)
            if (write(from[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    close(to[0]);
    close(from[1]);
    uint64_t t0 = ticks();
    for (unsigned long i = 0; i < n; i++)
        if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
            die("pipe ping-pong");
    uint64_t t = ticks() - t0;
    close(to[1]);
    child_wait(pid);
    close(from[0]);
    report("pipe_pingpong", t, n);
}

/*
 * Two processes each calling sched_yield() n times on one CPU. Both are
 * SCHED_FIFO at one priority, where a yield always queues the caller
 * behind the other (under CFS a yield need not switch, and in the guests
 * most did not). One op: one yield and the switch it makes. The child
 * starts when the parent writes a byte, so both are runnable throughout.
 */
static void bench_ctx_switch(unsigned long n)
{
    struct sched_param fifo = {.sched_priority = 1}, other = {0};
    struct rusage before, after;
    int go[2];
    char c = 0;

    if (sched_setscheduler(0, SCHED_FIFO, &fifo))
        perror("sched_setscheduler"); /* not root: CFS, may not switch */
    if (pipe(go))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        for (unsigned long i = 0; i < n; i++)
            sched_yield();
        _exit(0);
    }
    getrusage(RUSAGE_SELF, &before);
    uint64_t t0 = ticks();
    if (write(go[1], &c, 1) != 1)
        die("write");
    for (unsigned long i = 0; i < n; i++)
        sched_yield();
    /* The child's last yield is the one that brought the parent back. */
    uint64_t t = ticks() - t0;
    getrusage(RUSAGE_SELF, &after);
    child_wait(pid);
    sched_setscheduler(0, SCHED_OTHER, &other);
    /* Linux counts a switch away from a runnable task as involuntary. */
    long switches = after.ru_nivcsw - before.ru_nivcsw;
    if (switches < (long)n)
        printf("LINFO ctx_switch: only %ld of %lu yields switched\n", switches, n);
    report("ctx_switch", t, 2 * n);
    close(go[0]);
    close(go[1]);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit") == 0)
        return 0;
    if (argc > 1 && strcmp(argv[1], "tsc") == 0) {
        report("tsc_at_init", ticks(), 1);
        return 0;
    }
    self = argv[0];
    bench_null_syscall(20000);
    bench_fork_exit(200);
    bench_fork_exec(100);
    bench_page_fault(16);
    bench_pipe_pingpong(2000);
    bench_ctx_switch(2000);
    printf("LBENCH done\n");
    return 0;
}
