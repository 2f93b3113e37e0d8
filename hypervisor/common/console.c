/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor log: formats a message, splits it into lines, prefixes
 * each with "(XEN) " and hands it to every registered console driver.
 * Everything printed is also kept in a ring (the log the control domain
 * reads later); a driver registered late is first sent what the ring
 * holds, so messages from before the UART was set up are not lost.
 *
 * Locking: console_lock serializes whole messages, so lines from different
 * CPUs never interleave mid-line. The crash path may steal the lock.
 */
#include <stdarg.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/param.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>

#define MAX_CONSOLES 4
#define LOG_LEVELS   4     /* error, warning, info, debug */
#define RING_SIZE    16384 /* a power of two */

static const struct console_driver *consoles[MAX_CONSOLES];
static unsigned int nr_consoles;
static DEFINE_SPINLOCK(console_lock);
static bool at_line_start = true;
static int partial_domid = -1;         /* the domain whose unfinished line was emitted last */
static unsigned int log_threshold = 2; /* print error, warning and info */
static char ring[RING_SIZE];
static uint64_t ring_prod; /* bytes ever written; the ring holds the last RING_SIZE */

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

/* Replays the ring to a new driver, oldest byte first. */
static void console_replay(const struct console_driver *drv)
{
    uint64_t start = ring_prod > RING_SIZE ? ring_prod - RING_SIZE : 0;
    uint64_t i;

    for (i = start; i < ring_prod; i++)
        drv->write(&ring[i & (RING_SIZE - 1)], 1);
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

static void console_emit(const char *s, size_t len)
{
    unsigned int i;
    size_t n;

    for (n = 0; n < len; n++)
        ring[(ring_prod + n) & (RING_SIZE - 1)] = s[n];
    ring_prod += len;
    for (i = 0; i < nr_consoles; i++)
        consoles[i]->write(s, len);
}

/* Writes text line by line, adding the prefix at every line start. */
static void console_write_lines(const char *s)
{
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);

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

    /* A continuation goes on the same serial line unless other output came between. */
    if (!continued || partial_domid != (int)domid || at_line_start) {
        if (!at_line_start)
            console_emit("\n", 1);
        console_emit(prefix, (size_t)n);
    }
    console_emit(s, len);
    if (complete)
        console_emit("\n", 1);
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
