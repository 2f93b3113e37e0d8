/* SPDX-License-Identifier: MIT */
/*
 * Suite "shell": the control domain as Xen users know it, a shell on its
 * console with xl (guest/toolstack/xl_cli.c over guest/toolstack.c), and
 * beside it the xenstore daemon. One loop serves them all: it waits
 * (SCHEDOP_poll) for console input (VIRQ_CONSOLE), the domains' store
 * rings and domain exceptions (VIRQ_DOM_EXC: a domain shut down or went
 * away), and handles each. Commands: xl ..., xenstore-read PATH,
 * xenstore-write PATH VALUE, xenstore-ls [PATH] (Xen's tools of those
 * names, the last printing "path = value" lines), free (the host's free
 * memory in KiB and the store's node count: what a leak would move),
 * ls (the boot ramdisk's files), repeat N LINE, help, poweroff; ';'
 * separates commands on a line. At start it runs etc/rc from the boot
 * ramdisk, if there is one, each line shown after the prompt as if typed.
 *
 * Input arrives unechoed, so the shell echoes it; the hypervisor shows
 * the control domain's unfinished line whenever it reads input, which
 * makes the prompt and the echo appear as they are typed.
 */
#include <guest/console.h>
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/initrd.h>
#include <guest/mm.h>
#include <guest/sysctl.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/toolstack.h>
#include <guest/xenstored.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>
#include <xen/io/xs_wire.h>
#include "toolstack/cpio.h"

#define SHELL_LINE_MAX 512
#define SHELL_ARGS_MAX 32
#define SHELL_PROMPT   "xenolith# "
#define SHELL_IDLE_NS  1000000000ull

static struct {
    evtchn_port_t console, dom_exc;
    bool dom_exc_seen;
    char line[SHELL_LINE_MAX];
    size_t len;
    bool done;
} sh;

/* Waits for the rings, domain exceptions and (with_console) input. */
static void shell_wait(uint64_t timeout_ns, bool with_console)
{
    evtchn_port_t ports[XSD_MAX_DOMAINS + 2];
    struct sched_poll poll = {.timeout = time_now() + timeout_ns};
    unsigned int n = ts_xs_serve(ports);

    ports[n++] = sh.dom_exc;
    if (with_console)
        ports[n++] = sh.console;
    poll.nr_ports = n;
    set_xen_guest_handle(poll.ports, ports);
    if (timeout_ns)
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    if (evtchn_is_pending(sh.dom_exc)) {
        evtchn_clear_pending(sh.dom_exc);
        sh.dom_exc_seen = true;
        ts_xs_discover(); /* a boot domain may have restarted */
    }
    ts_xs_serve(ports);
}

void toolstack_idle(uint64_t timeout_ns)
{
    shell_wait(timeout_ns, false);
}

static int shell_ls_entry(const struct cpio_entry *e, void *arg)
{
    (void)arg;
    if ((e->mode & 0170000) == 0100000) /* regular files */
        printk("%10lu %s\n", (unsigned long)e->size, cpio_name_strip(e->name));
    return 0;
}

/* Each level's listing has a page of its own: the recursion is as deep as the path. */
static void shell_xenstore_ls(const char *path)
{
    char value[128], child[XENSTORE_ABS_PATH_MAX + 1];
    unsigned long pfn = mm_pages_alloc(2);
    char *dir = pfn ? mm_pfn_to_virt(pfn) : NULL;
    size_t len = 0;

    if (ts_xs_read(path, value, sizeof(value)) == 0)
        printk("%s = \"%s\"\n", path, value);
    if (!dir || ts_xs_directory(path, dir, 2 * PAGE_SIZE, &len))
        len = 0;
    for (size_t at = 0; at < len; at += strlen(dir + at) + 1) {
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", dir + at);
        shell_xenstore_ls(child);
    }
    if (dir)
        mm_pages_free(pfn, 2);
}

static void shell_free(void)
{
    struct sysctl_physinfo p;

    if (sysctl_physinfo(&p)) {
        printk("free: physinfo failed\n");
        return;
    }
    if (ts_xs_nodes() < 0)
        printk("free: %lu KiB of %lu KiB, xenstore: in domain %u\n", p.free_pages * 4,
               p.total_pages * 4, ts_xs_domid());
    else
        printk("free: %lu KiB of %lu KiB, xenstore: %ld nodes\n", p.free_pages * 4,
               p.total_pages * 4, ts_xs_nodes());
}

static void shell_xenstore_read(const char *path)
{
    char value[256];

    if (ts_xs_read(path, value, sizeof(value)))
        printk("xenstore-read: couldn't read path %s\n", path);
    else
        printk("%s\n", value);
}

/* One command's words. */
static void shell_run_words(int argc, char **argv)
{
    if (!strcmp(argv[0], "xl"))
        xl_main(&toolstack_backend, argc, argv);
    else if (!strcmp(argv[0], "xenstore-read") && argc == 2)
        shell_xenstore_read(argv[1]);
    else if (!strcmp(argv[0], "xenstore-write") && argc == 3) {
        if (ts_xs_write(argv[1], argv[2]))
            printk("xenstore-write: could not write path %s\n", argv[1]);
    } else if (!strcmp(argv[0], "xenstore-ls") && argc <= 2)
        shell_xenstore_ls(argc > 1 ? argv[1] : "/");
    else if (!strcmp(argv[0], "free"))
        shell_free();
    else if (!strcmp(argv[0], "ls"))
        initrd_list(shell_ls_entry, NULL);
    else if (!strcmp(argv[0], "help"))
        printk("commands: xl VERB ... ('xl help'), xenstore-read PATH, xenstore-write PATH VALUE,"
               " xenstore-ls [PATH], free, ls, repeat N LINE, help, poweroff\n");
    else if (!strcmp(argv[0], "poweroff") || !strcmp(argv[0], "exit"))
        sh.done = true;
    else
        printk("sh: %s: not found, or wrong arguments ('help' lists the commands)\n", argv[0]);
}

/* ';'-separated commands. */
static void shell_run_commands(char *line)
{
    char *argv[SHELL_ARGS_MAX];
    char *next;
    int argc;

    for (; line && !sh.done; line = next) {
        next = strchr(line, ';');
        if (next)
            *next++ = '\0';
        argc = xl_split_line(line, argv, SHELL_ARGS_MAX);
        if (argc < 0)
            printk("sh: too many words, or an open quote\n");
        else if (argc > 0)
            shell_run_words(argc, argv);
    }
}

static char *shell_skip_blanks(char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

static bool shell_has_repeat(const char *s)
{
    for (; *s; s++)
        if (!strncmp(s, "repeat", 6))
            return true;
    return false;
}

/* A line: "repeat N REST" runs REST (';' and all) N times; not nested. */
static void shell_run_line(char *line)
{
    static char copy[SHELL_LINE_MAX];
    char *p = shell_skip_blanks(line);
    const char *rest;
    unsigned long n;

    if (strncmp(p, "repeat ", 7)) {
        shell_run_commands(line);
        return;
    }
    p = shell_skip_blanks(p + 7);
    n = simple_strtoul(p, &rest, 10);
    if (rest == p || n == 0 || *rest != ' ' || shell_has_repeat(rest)) {
        printk("usage: repeat N COMMAND[; COMMAND...] (not nested)\n");
        return;
    }
    for (unsigned long i = 0; i < n && !sh.done; i++) {
        strlcpy(copy, rest, sizeof(copy)); /* each run splits its own copy */
        shell_run_commands(copy);
    }
}

/* One byte of input: edits the line, runs it at the end. */
static void shell_input(char c)
{
    if (c == '\r' || c == '\n') {
        console_write("\n", 1);
        sh.line[sh.len] = '\0';
        shell_run_line(sh.line);
        sh.len = 0;
        if (!sh.done)
            console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
    } else if (c == 0x7f || c == '\b') {
        if (sh.len) {
            sh.len--;
            console_write("\b \b", 3);
        }
    } else if (c >= ' ' && c < 0x7f && sh.len < SHELL_LINE_MAX - 1) {
        sh.line[sh.len++] = c;
        console_write(&c, 1);
    }
}

static bool shell_read_input(void)
{
    char buf[64];
    long n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);

    for (long i = 0; i < n && !sh.done; i++)
        shell_input(buf[i]);
    return n > 0;
}

/* etc/rc: each line as if typed; '#' starts a comment line. */
static void shell_run_rc(void)
{
    const char *text;
    size_t len;

    if (initrd_find("etc/rc", (const void **)&text, &len))
        return;
    for (size_t at = 0, end; at < len && !sh.done; at = end + 1) {
        for (end = at; end < len && text[end] != '\n'; end++)
            ;
        if (end - at == 0 || text[at] == '#' || end - at >= SHELL_LINE_MAX)
            continue;
        memcpy(sh.line, text + at, end - at);
        sh.line[end - at] = '\0';
        printk(SHELL_PROMPT "%s\n", sh.line);
        shell_run_line(sh.line);
        toolstack_idle(0); /* xenstore requests the command caused */
    }
}

static void shell_session(void)
{
    long console = evtchn_bind_virq(VIRQ_CONSOLE, 0);
    long dom_exc = evtchn_bind_virq(VIRQ_DOM_EXC, 0);

    CHECK(console > 0 && dom_exc > 0);
    CHECK_EQ(ts_xs_start(), 0);
    sh.console = (evtchn_port_t)console;
    sh.dom_exc = (evtchn_port_t)dom_exc;
    evtchn_mask(sh.console); /* polled, never an upcall */
    evtchn_mask(sh.dom_exc);
    ts_xs_discover();
    printk("Xenolith control domain: type 'help'\n");
    shell_run_rc();
    console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
    while (!sh.done) {
        evtchn_clear_pending(sh.console);
        if (shell_read_input())
            continue;
        if (sh.dom_exc_seen) {
            bool spoke = false;

            sh.dom_exc_seen = false;
            toolstack_domains_changed(&spoke);
            if (spoke) { /* it said something: the prompt again, with what was typed */
                console_write(SHELL_PROMPT, sizeof(SHELL_PROMPT) - 1);
                console_write(sh.line, sh.len);
            }
            continue;
        }
        shell_wait(SHELL_IDLE_NS, true);
    }
    printk("shell: poweroff\n");
}

static const struct test_case shell_cases[] = {{"session", shell_session}};
TEST_SUITE(test_suite_shell, "shell", shell_cases);
