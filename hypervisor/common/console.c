/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor log: formats a message, splits it into lines, prefixes
 * each with "(XEN) " and hands it to every registered console driver.
 * Everything printed is also kept in a ring, Xen's "conring" (16 KiB, or
 * conring_size=; the control domain reads it with XEN_SYSCTL_readconsole);
 * a driver registered late is first sent what the ring holds, so messages
 * from before the UART was set up are not lost. As on Xen (without
 * console_to_ring), the control domain's own output stays out of the ring.
 *
 * Locking: console_lock serializes whole messages, so lines from different
 * CPUs never interleave mid-line. The crash path may steal the lock.
 */
#include <stdarg.h>
#include <xenolith/conring.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <asm/guest_access.h>

#define MAX_CONSOLES 4
#define LOG_LEVELS   4     /* error, warning, info, debug */
#define RING_SIZE    16384 /* a power of two; Xen's default */

static const struct console_driver *consoles[MAX_CONSOLES];
static unsigned int nr_consoles;
static DEFINE_SPINLOCK(console_lock);
static bool at_line_start = true;
static int partial_domid = -1;         /* the domain whose unfinished line was emitted last */
static unsigned int log_threshold = 2; /* print error, warning and info */
static char boot_ring[RING_SIZE];
static struct conring ring = {.buf = boot_ring, .size = RING_SIZE};
static unsigned long opt_conring_size; /* bytes; 0: the boot ring */
UINT_PARAM("conring_size", opt_conring_size);

static int parse_loglvl(const char *v)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    unsigned int i;

    if (!strcmp(v, "all")) {
        log_threshold = LOG_LEVELS - 1;
        return 0;
    }
    if (!strcmp(v, "none")) {
        log_threshold = 0; /* errors are always printed */
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(v, names[i])) {
            log_threshold = i;
            return 0;
        }
    }
    return -EINVAL;
}
CUSTOM_PARAM("loglvl", parse_loglvl);

static int console_replay_piece(void *ctx, uint32_t offset, const char *src, uint32_t len)
{
    const struct console_driver *drv = ctx;

    (void)offset;
    drv->write(src, len);
    return 0;
}

/* Replays the ring to a new driver, oldest byte first. */
static void console_replay(const struct console_driver *drv)
{
    uint32_t done;

    conring_copy(&ring, ring.cons, ring.prod, ring.size, console_replay_piece, (void *)drv, &done);
}

void console_register(const struct console_driver *drv)
{
    unsigned long flags = spin_lock_irqsave(&console_lock);

    if (nr_consoles < MAX_CONSOLES) {
        console_replay(drv);
        consoles[nr_consoles++] = drv;
    }
    spin_unlock_irqrestore(&console_lock, flags);
}

bool console_can_read(void)
{
    unsigned int i;

    for (i = 0; i < nr_consoles; i++)
        if (consoles[i]->read)
            return true;
    return false;
}

/* Drivers are only ever added, so the array needs no lock to be read. */
int console_read_char(void)
{
    unsigned int i;
    int c;

    for (i = 0; i < READ_ONCE(nr_consoles); i++)
        if (consoles[i]->read && (c = consoles[i]->read()) >= 0)
            return c;
    return -1;
}

static void console_emit_to(const char *s, size_t len, bool to_ring)
{
    unsigned int i;

    if (to_ring)
        conring_put(&ring, s, len);
    for (i = 0; i < nr_consoles; i++)
        consoles[i]->write(s, len);
}

static void console_emit(const char *s, size_t len)
{
    console_emit_to(s, len, true);
}

/* Writes text line by line, adding the prefix at every line start. */
static void console_write_lines(const char *s)
{
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);

        if (partial_domid >= 0 && !at_line_start) {
            console_emit("\n", 1); /* a domain's prompt stays on its own line */
            at_line_start = true;
        }
        if (at_line_start)
            console_emit("(XEN) ", 6);
        partial_domid = -1;
        console_emit(s, len);
        at_line_start = nl != NULL;
        s += len;
    }
}

void console_domain_line(unsigned int domid, const char *s, size_t len, bool continued,
                         bool complete)
{
    char prefix[16];
    unsigned long flags = spin_lock_irqsave(&console_lock);
    int n = snprintf(prefix, sizeof(prefix), "(d%u) ", domid);
    bool to_ring = domid != 0; /* Xen's hardware domain writes past the ring */

    /* A continuation goes on the same serial line unless other output came between. */
    if (!continued || partial_domid != (int)domid || at_line_start) {
        if (!at_line_start)
            console_emit("\n", 1);
        console_emit_to(prefix, (size_t)n, to_ring);
    }
    console_emit_to(s, len, to_ring);
    if (complete)
        console_emit_to("\n", 1, to_ring);
    at_line_start = complete;
    partial_domid = complete ? -1 : (int)domid;
    spin_unlock_irqrestore(&console_lock, flags);
}

static unsigned int message_level(const char **fmt)
{
    const char *f = *fmt;

    if (f[0] == '<' && f[1] >= '0' && f[1] < '0' + LOG_LEVELS && f[2] == '>') {
        *fmt = f + 3;
        return (unsigned int)(f[1] - '0');
    }
    return 2;
}

void printk(const char *fmt, ...)
{
    char buf[512];
    unsigned long flags;
    unsigned int level = message_level(&fmt);
    va_list ap;

    if (level > log_threshold)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);

    flags = spin_lock_irqsave(&console_lock);
    console_write_lines(buf);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_force_unlock(void)
{
    spin_lock_init(&console_lock);
}

/*
 * conring_size=: a larger ring once the heap is up, rounded up to a power
 * of two pages as Xen does; what the boot ring holds moves into it.
 */
void console_init_ring(void)
{
    unsigned int order = 0;
    unsigned long flags;
    char *buf;

    if (opt_conring_size <= RING_SIZE)
        return;
    while ((PAGE_SIZE << order) < opt_conring_size && order < 12)
        order++;
    buf = alloc_xenheap_pages(order);
    if (!buf) {
        printk(XENLOG_WARNING "conring_size=%lu: no memory, the ring stays %u KiB\n",
               opt_conring_size, RING_SIZE >> 10);
        return;
    }
    flags = spin_lock_irqsave(&console_lock);
    conring_move(&ring, buf, (uint32_t)PAGE_SIZE << order);
    spin_unlock_irqrestore(&console_lock, flags);
    printk("Allocated console ring of %lu KiB.\n", (PAGE_SIZE << order) >> 10);
}

static int console_read_piece(void *ctx, uint32_t offset, const char *src, uint32_t len)
{
    return copy_to_guest(*(const uint64_t *)ctx + offset, src, len) ? -EFAULT : 0;
}

/*
 * XEN_SYSCTL_readconsole's worker, Xen's rules: from *index when
 * incremental and still in the ring, else from the oldest byte; at most
 * *count bytes into the guest buffer (no NUL added); *count and *index
 * say how many and where the read stopped; clear drops what was read.
 * The copy runs without the lock, as on Xen: a writer overtaking a slow
 * reader costs the reader garbled text, never the hypervisor.
 */
int console_read_ring(uint64_t buffer, uint32_t *count, uint32_t *index, bool incremental,
                      bool clear)
{
    unsigned long flags = spin_lock_irqsave(&console_lock);
    uint32_t pos = conring_read_start(&ring, incremental, *index);
    uint32_t prod = ring.prod, done;
    int rc;

    spin_unlock_irqrestore(&console_lock, flags);
    rc = conring_copy(&ring, pos, prod, *count, console_read_piece, &buffer, &done);
    if (rc)
        return rc;
    if (clear) {
        flags = spin_lock_irqsave(&console_lock);
        conring_clear(&ring, pos + done);
        spin_unlock_irqrestore(&console_lock, flags);
    }
    *count = done;
    *index = pos + done;
    return 0;
}
