/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART on COM1, the hypervisor's console. "com1=BAUD[,8n1][,IOPORT]"
 * sets it up as in Xen; "console=com1" (the default) or "console=none".
 */
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/param.h>
#include <xenolith/string.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/serial.h>

#define UART_THR 0 /* transmit holding */
#define UART_RBR 0 /* receive buffer */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0 /* divisor latch, when LCR.DLAB is set */
#define UART_DLM 1
#define LSR_DR   0x01 /* a received byte is waiting */
#define LSR_THRE 0x20
#define LCR_DLAB 0x80

static uint16_t com1_port = 0x3f8;
static unsigned long com1_baud = 115200;
static uint8_t com1_lcr = 0x03; /* 8n1 */
static bool console_serial = true;

static int parse_com1(const char *v)
{
    const char *end;
    unsigned long baud = simple_strtoul(v, &end, 10);

    if (end == v || baud == 0 || 115200 % baud)
        return -EINVAL;
    com1_baud = baud;
    if (*end == ',' && !strncmp(end + 1, "8n1", 3))
        end += 4;
    if (*end == ',') {
        unsigned long port = simple_strtoul(end + 1, &end, 0);

        if (port == 0 || port > 0xfff8)
            return -EINVAL;
        com1_port = (uint16_t)port;
    }
    return *end ? -EINVAL : 0;
}
CUSTOM_PARAM("com1", parse_com1);

static int parse_console(const char *v)
{
    if (!strcmp(v, "com1"))
        console_serial = true;
    else if (!strcmp(v, "none"))
        console_serial = false;
    else
        return -EINVAL;
    return 0;
}
CUSTOM_PARAM("console", parse_console);

static void serial_putc(char c)
{
    unsigned int spins = 100000;

    /* Bounded: a missing UART must not hang the log. */
    while (!(inb(com1_port + UART_LSR) & LSR_THRE) && --spins)
        cpu_relax();
    outb(com1_port + UART_THR, (uint8_t)c);
}

static void serial_write(const char *s, size_t len)
{
    while (len--) {
        if (*s == '\n')
            serial_putc('\r');
        serial_putc(*s++);
    }
}

static int serial_read(void)
{
    uint8_t lsr = inb(com1_port + UART_LSR);

    if (lsr == 0xff || !(lsr & LSR_DR)) /* all ones: no UART there */
        return -1;
    return inb(com1_port + UART_RBR);
}

static const struct console_driver serial_console = {.write = serial_write, .read = serial_read};

void serial_init(void)
{
    unsigned int div = (unsigned int)(115200 / com1_baud);

    outb(com1_port + UART_IER, 0);
    outb(com1_port + UART_LCR, LCR_DLAB);
    outb(com1_port + UART_DLL, div & 0xff);
    outb(com1_port + UART_DLM, (div >> 8) & 0xff);
    outb(com1_port + UART_LCR, com1_lcr);
    outb(com1_port + UART_FCR, 0x07); /* enable and clear FIFOs */
    outb(com1_port + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_console_start(void)
{
    if (console_serial)
        console_register(&serial_console);
}
