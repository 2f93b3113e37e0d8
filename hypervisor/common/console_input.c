/* SPDX-License-Identifier: MIT */
/*
 * Console input (see console_input.h). Every POLL_PERIOD a timer on CPU 0
 * raises CONSOLE_INPUT_SOFTIRQ there, which reads what the console
 * drivers received and hands it to whoever has the focus, as Xen does:
 *   - the control domain: a buffer it reads with CONSOLEIO_read, and
 *     VIRQ_CONSOLE to say there is something to read;
 *   - a domU: the input half of its console ring (console_ring.c);
 *   - the hypervisor itself: debug keys ('h' lists them).
 * Three CTRL-a in a row move the focus on: each domain by id, then the
 * hypervisor, then round again. Fewer than three are passed on.
 *
 * Delivery happens in a softirq on CPU 0, where domains are destroyed,
 * so the focused domain cannot go away under it. rx_lock guards the
 * control domain's buffer, which CONSOLEIO_read drains from any CPU.
 */
#include <xenolith/console.h>
#include <xenolith/console_input.h>
#include <xenolith/console_ring.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/lib.h>
#include <xenolith/sched.h>
#include <xenolith/softirq.h>
#include <xenolith/spinlock.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>
#include <asm/guest_access.h>

#define POLL_PERIOD MILLISECS(10)
#define RX_SIZE     128 /* the control domain's buffer, as Xen's */
#define CTRL_A      0x01
#define FOCUS_XEN   (-1)

#define CTRL_RBRACKET 0x1d /* leaves a console the toolstack attached, as xl's */

static char rx_ring[RX_SIZE];
static unsigned int rx_prod, rx_cons;
static DEFINE_SPINLOCK(rx_lock);
static int focus = FOCUS_XEN;
static unsigned int ctrl_a_run;
static struct timer poll_timer;
/* XENOLITH_DOMCTL_console: a domain id + 1 to attach (0: none), taken by
 * the softirq; attached while the focus is the toolstack's choice. */
static unsigned int attach_request;
static bool attached;

static void focus_announce(void)
{
    if (focus == FOCUS_XEN)
        printk("*** Serial input to Xen (type 'CTRL-a' three times to switch input)\n");
    else
        printk("*** Serial input to DOM%d (type 'CTRL-a' three times to switch input)\n", focus);
}

static int next_focus_id;

static void lowest_after(struct domain *d)
{
    if ((int)d->domain_id > focus && (next_focus_id < 0 || (int)d->domain_id < next_focus_id))
        next_focus_id = (int)d->domain_id;
}

/* The next domain by id after the focus; after the last, the hypervisor. */
static void focus_switch(void)
{
    next_focus_id = -1;
    for_each_domain(lowest_after);
    focus = next_focus_id;
    focus_announce();
}

/* A whole batch of input for domain `id`. */
static void deliver_to_domain(int id, const char *s, size_t n)
{
    struct domain *d = domain_by_id((domid_t)id);
    unsigned long flags;
    size_t i;

    if (!d || d->state != DOMSTATE_running)
        return;
    if (d->console_ring) {
        console_ring_input(d, s, n);
        return;
    }
    if (!d->is_privileged)
        return; /* no ring and no console_io input: nowhere to put it */
    flags = spin_lock_irqsave(&rx_lock);
    for (i = 0; i < n && rx_prod - rx_cons < RX_SIZE; i++)
        rx_ring[rx_prod++ % RX_SIZE] = s[i]; /* as Xen: a full buffer drops */
    spin_unlock_irqrestore(&rx_lock, flags);
    evtchn_send_virq(d->vcpus[0], VIRQ_CONSOLE);
}

static void domain_summary(struct domain *d)
{
    unsigned int i;

    printk("Domain %u (%s): state %d, %lu pages, %lu orphaned, weight %u, %lu -ENOSYS\n",
           d->domain_id, d->name, d->state, d->tot_pages, d->orphaned_frames, d->weight,
           d->enosys_count);
    for (i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];

        printk("  vCPU %u: %s, %s on pCPU %u, runstate %d\n", i, v->is_up ? "up" : "down",
               v->is_running ? "running" : "not running", v->processor, v->runstate.state);
    }
}

/* Debug keys, while the hypervisor has the focus. */
static void debug_key(char key)
{
    s_time_t now = NOW();

    switch (key) {
    case 'h':
        printk("'h' this list, 'q' domains and vCPUs, 't' system time\n");
        return;
    case 'q':
        for_each_domain(domain_summary);
        return;
    case 't':
        printk("System time: %lu.%09lu s\n", (unsigned long)(now / SECONDS(1)),
               (unsigned long)(now % SECONDS(1)));
        return;
    }
    printk("'%c' pressed: no such key ('h' lists them)\n", key >= ' ' && key < 127 ? key : '?');
}

/* c for the focus: a debug key, or one more byte of the domain's batch. */
static void input_plain(char c, char *batch, size_t *n, size_t size)
{
    if (focus == FOCUS_XEN) {
        debug_key(c);
        return;
    }
    batch[(*n)++] = c;
    if (*n == size) {
        deliver_to_domain(focus, batch, *n);
        *n = 0;
    }
}

/* The control domain gets the input back, and a VIRQ_CONSOLE to see it. */
static void focus_to_control_domain(void)
{
    struct domain *c = domain_by_id(0);

    attached = false;
    focus = 0;
    focus_announce();
    if (c && c->is_privileged)
        evtchn_send_virq(c->vcpus[0], VIRQ_CONSOLE);
}

static void input_char(char c, char *batch, size_t *n, size_t size)
{
    if (c == CTRL_RBRACKET && attached) {
        if (*n)
            deliver_to_domain(focus, batch, *n);
        *n = 0;
        focus_to_control_domain();
        return;
    }
    if (c == CTRL_A && ++ctrl_a_run < 3)
        return;
    if (c == CTRL_A) {
        ctrl_a_run = 0;
        attached = false;
        if (*n && focus != FOCUS_XEN)
            deliver_to_domain(focus, batch, *n);
        *n = 0;
        focus_switch();
        return;
    }
    for (; ctrl_a_run; ctrl_a_run--) /* fewer than three: they were input */
        input_plain(CTRL_A, batch, n, size);
    input_plain(c, batch, n, size);
}

/* The toolstack's attach request, and the end of an attached domain. */
static void attach_update(void)
{
    unsigned int req = __atomic_exchange_n(&attach_request, 0, __ATOMIC_ACQ_REL);

    if (req) {
        attached = true;
        focus = (int)req - 1;
        printk("*** Serial input to DOM%d (type 'CTRL-]' to return to DOM0)\n", focus);
    }
    if (attached && !domain_by_id((domid_t)focus))
        focus_to_control_domain();
}

static void console_input_softirq(void)
{
    char batch[64];
    size_t n = 0;
    int c;

    attach_update();
    while ((c = console_read_char()) >= 0)
        input_char((char)c, batch, &n, sizeof(batch));
    if (n && focus != FOCUS_XEN)
        deliver_to_domain(focus, batch, n);
}

static void poll_fired(void *data)
{
    (void)data;
    raise_softirq(CONSOLE_INPUT_SOFTIRQ);
    timer_set(&poll_timer, NOW() + POLL_PERIOD);
}

void console_input_start(void)
{
    if (!console_can_read())
        return;
    softirq_register(CONSOLE_INPUT_SOFTIRQ, console_input_softirq);
    timer_init(&poll_timer, poll_fired, NULL);
    focus_switch(); /* from the hypervisor to the first domain, as Xen at the end of boot */
    timer_set(&poll_timer, NOW() + POLL_PERIOD);
}

long console_input_read(uint64_t buffer, uint64_t count)
{
    char chunk[RX_SIZE];
    unsigned long flags = spin_lock_irqsave(&rx_lock);
    unsigned int n = 0;

    while (rx_cons != rx_prod && n < count && n < sizeof(chunk))
        chunk[n++] = rx_ring[rx_cons++ % RX_SIZE];
    spin_unlock_irqrestore(&rx_lock, flags);
    if (n && copy_to_guest(buffer, chunk, n))
        return -EFAULT; /* as Xen: what was taken is gone */
    return n;
}

int console_input_attach(const struct domain *d)
{
    if (!d->console_ring || d->state >= DOMSTATE_shutdown)
        return -EINVAL; /* nothing to type into */
    if (!console_can_read())
        return -ENODEV;
    __atomic_store_n(&attach_request, d->domain_id + 1u, __ATOMIC_RELEASE);
    return 0;
}

domid_t console_input_focus(void)
{
    unsigned int req = __atomic_load_n(&attach_request, __ATOMIC_ACQUIRE);
    int f = READ_ONCE(focus);

    if (req) /* not applied yet, but as good as */
        return (domid_t)(req - 1);
    return f == FOCUS_XEN ? DOMID_XEN : (domid_t)f;
}
