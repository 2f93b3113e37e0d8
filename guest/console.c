/* SPDX-License-Identifier: MIT */
/*
 * Console output. Everything goes through HYPERVISOR_console_io
 * (CONSOLEIO_write): dom0 has no console ring, and a domU's ring would
 * need event channels this kernel does not set up yet. Xen may accept
 * fewer bytes than asked, so writes loop until done.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>

void console_write(const char *s, unsigned long len)
{
    while (len > 0) {
        long done = HYPERVISOR_console_io(CONSOLEIO_write, (int)MIN(len, 1024UL), s);

        if (done < 0)
            return; /* nothing else could report it */
        /* Xen 4.17 returns 0 on success, having written everything. */
        if (done == 0)
            done = (long)MIN(len, 1024UL);
        s += done;
        len -= (unsigned long)done;
    }
}

static void console_vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    console_write(buf, MIN((unsigned long)n, sizeof(buf) - 1));
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    console_vprintk(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;

    printk("PANIC: ");
    va_start(ap, fmt);
    console_vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    kernel_shutdown(false);
}
