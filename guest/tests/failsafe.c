/* SPDX-License-Identifier: MIT */
/*
 * Suite "failsafe": when Xen enters the failsafe callback. Xen reloads a
 * PV guest's data selectors (ds, es, fs, gs) only when it really
 * switches this CPU to the vCPU from another one's state; if a selector
 * no longer loads (here: its descriptor in the guest's own GDT was made
 * not present with update_descriptor), Xen loads the null selector
 * instead and bounces the guest to its failsafe callback with the
 * selectors it tried to load between r11 and rip.
 *
 * One vCPU on one CPU: a yield keeps running the same vCPU, and a vCPU
 * that blocks is resumed lazily over the idle vCPU (its state was never
 * saved), so neither reloads anything. A hypercall Xen finishes in a
 * tasklet (continue_hypercall_on_cpu, here sysctl cpu_hotplug) does save
 * the state, and the vCPU's return runs the reload.
 *
 * Each case installs a one-page GDT and its own failsafe callback, and
 * restores the selectors, the GDT and the kernel's callback afterwards.
 */
#include <guest/events.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/test.h>
#include <guest/time.h>
#include <guest/traps.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>

#define FAILSAFE_MS          1000000UL
#define FAILSAFE_DESC_DATA   0x00cff3000000ffffUL /* flat data, DPL 3, present */
#define FAILSAFE_DESC_P      (1UL << 47)
#define FAILSAFE_SEL         0x13 /* GDT entry 2, RPL 3 */
#define FAILSAFE_RFLAGS_IF   (1UL << 9)
#define FAILSAFE_CS_MASK_BIT 32 /* Xen's saved upcall mask in the cs slot */

/*
 * XEN_SYSCTL_cpu_hotplug as xen/sysctl.h (interface 0x15, Xen 4.17)
 * lays it out; that header is for control tools only (__XEN_TOOLS__,
 * which would also change the guest's interface version).
 */
#define FAILSAFE_SYSCTL_VERSION     0x15
#define FAILSAFE_SYSCTL_CPU_HOTPLUG 11
#define FAILSAFE_HOTPLUG_ONLINE     0

struct failsafe_sysctl {
    uint32_t cmd, interface_version;
    union {
        struct {
            uint32_t cpu, op;
        } cpu_hotplug;
        uint8_t pad[128];
        uint64_t align;
    } u;
};

/* Xen's failsafe frame as the callback finds it, lowest address first. */
struct failsafe_frame {
    unsigned long rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct failsafe_frame) == 11 * 8, "failsafe_probe copies 11 words");

/* Written by failsafe_probe (below). */
struct failsafe_frame failsafe_frame;
uint16_t failsafe_entry_sels[4]; /* ds, es, fs, gs as the callback began */
unsigned long failsafe_hits;
unsigned long failsafe_entry_rsp;
uint8_t failsafe_entry_mask;

/*
 * The probe callback: records the frame and the live selectors, then
 * resumes the interrupted context (with the null selectors Xen left in
 * place) through the iret hypercall. rcx and r11 are free: Xen saved
 * the interrupted values in the frame and they are popped back.
 */
extern char failsafe_probe[];
_Static_assert(offsetof(struct smp_cpu, vcpu_info) == 16,
               "failsafe_probe reads vCPU 0's vcpu_info");
asm(".pushsection .text\n"
    "failsafe_probe:\n"
    "    mov %rsp, failsafe_entry_rsp(%rip)\n"
    "    incq failsafe_hits(%rip)\n"
    "    mov %ds, failsafe_entry_sels+0(%rip)\n"
    "    mov %es, failsafe_entry_sels+2(%rip)\n"
    "    mov %fs, failsafe_entry_sels+4(%rip)\n"
    "    mov %gs, failsafe_entry_sels+6(%rip)\n"
    "    push %rax\n"
    "    mov smp_cpus+16(%rip), %rax\n" /* kernel_vcpu_info */
    "    movb 1(%rax), %cl\n"           /* evtchn_upcall_mask follows upcall_pending */
    "    movb %cl, failsafe_entry_mask(%rip)\n"
    "    lea failsafe_frame(%rip), %rax\n"
    "    xor %ecx, %ecx\n"
    "1:  mov 8(%rsp,%rcx,8), %r11\n"
    "    mov %r11, (%rax,%rcx,8)\n"
    "    inc %ecx\n"
    "    cmp $11, %ecx\n"
    "    jne 1b\n"
    "    pop %rax\n"
    "    pop %rcx\n"
    "    pop %r11\n"
    "    add $32, %rsp\n" /* the four selectors */
    "    push $0\n"       /* iret flags: a full return */
    "    jmp hypercall_iret\n"
    ".popsection\n");

extern char failsafe_entry[];

struct failsafe_gdt {
    unsigned long pfn, frame;
    uint16_t es; /* as the case found it */
};

static uint16_t failsafe_read_es(void)
{
    uint16_t sel;

    asm volatile("mov %%es, %0" : "=r"(sel));
    return sel;
}

static void failsafe_load_es(uint16_t sel)
{
    asm volatile("mov %0, %%es" : : "r"(sel) : "memory");
}

static long failsafe_callback(const void *address)
{
    struct callback_register cb = {.type = CALLBACKTYPE_failsafe,
                                   .flags = CALLBACKF_mask_events,
                                   .address = (unsigned long)address};

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static uint64_t failsafe_desc_ma(const struct failsafe_gdt *g)
{
    return ((uint64_t)g->frame << PAGE_SHIFT) + (FAILSAFE_SEL >> 3) * 8;
}

/*
 * A GDT whose entry 2 is loaded into %es and then marked not present:
 * %es keeps its cached descriptor until something reloads it.
 */
static bool failsafe_arm(struct failsafe_gdt *g)
{
    uint64_t *gdt;

    memset(&failsafe_frame, 0, sizeof(failsafe_frame));
    memset(failsafe_entry_sels, 0xff, sizeof(failsafe_entry_sels));
    failsafe_hits = 0;
    g->es = failsafe_read_es();
    g->pfn = mm_page_alloc();
    if (!g->pfn)
        return false;
    g->frame = mm_pfn_to_mfn(g->pfn);
    gdt = mm_pfn_to_virt(g->pfn);
    memset(gdt, 0, PAGE_SIZE);
    gdt[FAILSAFE_SEL >> 3] = FAILSAFE_DESC_DATA;
    if (mm_set_readonly(g->pfn, true) || HYPERVISOR_set_gdt(&g->frame, 4) ||
        failsafe_callback(failsafe_probe))
        return false;
    failsafe_load_es(FAILSAFE_SEL);
    return HYPERVISOR_update_descriptor(failsafe_desc_ma(g),
                                        FAILSAFE_DESC_DATA & ~FAILSAFE_DESC_P) == 0;
}

static void failsafe_disarm(struct failsafe_gdt *g)
{
    failsafe_load_es(g->es);
    if (failsafe_callback(failsafe_entry))
        test_fail(__FILE__, __LINE__, "restoring the kernel's failsafe callback");
    if (!g->pfn)
        return;
    if (HYPERVISOR_set_gdt(&g->frame, 0) || mm_set_readonly(g->pfn, false))
        test_fail(__FILE__, __LINE__, "releasing the GDT frame");
    mm_page_free(g->pfn);
}

static long failsafe_poll(evtchn_port_t port, uint64_t timeout)
{
    struct sched_poll poll = {.nr_ports = 1, .timeout = timeout};

    set_xen_guest_handle(poll.ports, &port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
}

/* A hypercall Xen completes in a tasklet on CPU 0 (cpu 0 is online already). */
static long failsafe_sysctl_online_cpu0(void)
{
    struct failsafe_sysctl op;

    memset(&op, 0, sizeof(op));
    op.cmd = FAILSAFE_SYSCTL_CPU_HOTPLUG;
    op.interface_version = FAILSAFE_SYSCTL_VERSION;
    op.u.cpu_hotplug.cpu = 0;
    op.u.cpu_hotplug.op = FAILSAFE_HOTPLUG_ONLINE;
    return HC(__HYPERVISOR_sysctl, &op, 0, 0, 0, 0);
}

/* What the probe saw, for the log. */
static void failsafe_dump(void)
{
    const struct failsafe_frame *f = &failsafe_frame;

    test_info("failsafe callbacks %lu", failsafe_hits);
    if (!failsafe_hits)
        return;
    test_info("frame ds %#lx es %#lx fs %#lx gs %#lx", f->ds, f->es, f->fs, f->gs);
    test_info("frame rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx", f->rip, f->cs, f->rflags,
              f->rsp, f->ss);
    test_info("on entry ds %#x es %#x fs %#x gs %#x, upcall mask %u, rsp %#lx",
              failsafe_entry_sels[0], failsafe_entry_sels[1], failsafe_entry_sels[2],
              failsafe_entry_sels[3], failsafe_entry_mask, failsafe_entry_rsp);
}

static void failsafe_check_untouched(const char *what)
{
    uint16_t es = failsafe_read_es();

    test_info("after %s: es %#x", what, es);
    failsafe_dump();
    CHECK_EQ(failsafe_hits, 0);
    CHECK_EQ(es, FAILSAFE_SEL);
}

/*
 * Runs `body` with %es on the not-present descriptor and the probe as
 * the failsafe callback, then puts everything back, whatever body found.
 */
static void failsafe_with_bad_es(void (*body)(void))
{
    struct failsafe_gdt g = {0};

    if (failsafe_arm(&g))
        body();
    else
        test_fail(__FILE__, __LINE__, "setting up the GDT");
    failsafe_disarm(&g);
}

/* SCHEDOP_yield with nothing else to run: the same vCPU goes on, no reload. */
static void failsafe_yield_body(void)
{
    CHECK_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    failsafe_check_untouched("yield");
}

static void failsafe_yield(void)
{
    failsafe_with_bad_es(failsafe_yield_body);
}

/*
 * Blocked in SCHEDOP_poll until its timeout: the CPU idles, but Xen
 * switches to the idle vCPU lazily and back without a reload.
 */
static evtchn_port_t failsafe_port_a, failsafe_port_b;

static void failsafe_block_body(void)
{
    uint64_t t0 = time_now(), t1;

    CHECK_EQ(failsafe_poll(failsafe_port_a, t0 + 5 * FAILSAFE_MS), 0);
    t1 = time_now();
    test_info("poll slept %lu us", (t1 - t0) / 1000);
    CHECK(t1 - t0 >= 4 * FAILSAFE_MS);
    failsafe_check_untouched("a blocking poll");
}

static void failsafe_block(void)
{
    long port = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF);

    CHECK(port > 0);
    failsafe_port_a = port;
    failsafe_with_bad_es(failsafe_block_body);
    evtchn_close(port);
}

/* An event upcall, its handler and the iret back reload nothing either. */
static void failsafe_upcall_body(void)
{
    evtchn_upcall_enable();
    CHECK_EQ(evtchn_send(failsafe_port_a), 0);
    evtchn_upcall_disable();
    test_info("events on the bound port: %lu", evtchn_count(failsafe_port_b));
    CHECK_EQ(evtchn_count(failsafe_port_b), 1);
    failsafe_check_untouched("an upcall");
}

static void failsafe_upcall(void)
{
    long a = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF), b;

    CHECK(a > 0);
    b = evtchn_bind_interdomain(DOMID_SELF, a);
    if (b > 0) {
        failsafe_port_a = a;
        failsafe_port_b = b;
        evtchn_set_handler(b, NULL, NULL);
        evtchn_clear_pending(b);
        evtchn_reset_count(b);
        evtchn_unmask(b);
        failsafe_with_bad_es(failsafe_upcall_body);
        evtchn_upcall_disable();
        evtchn_close(b);
    } else
        test_fail(__FILE__, __LINE__, "bind_interdomain: %ld", b);
    evtchn_close(a);
}

static void failsafe_check_frame(long rc, uint16_t ds, uint16_t fs, uint16_t gs)
{
    const struct failsafe_frame *f = &failsafe_frame;
    const uint8_t *rip = (const uint8_t *)f->rip;

    test_info("sysctl returned %ld", rc);
    failsafe_dump();
    CHECK_EQ(failsafe_hits, 1);
    /* The selectors Xen tried to load, the failed one included. */
    CHECK_EQ(f->ds, ds);
    CHECK_EQ(f->es, FAILSAFE_SEL);
    CHECK_EQ(f->fs, fs);
    CHECK_EQ(f->gs, gs);
    /* Xen left the null selector where the load failed, the rest as they were. */
    CHECK_EQ(failsafe_entry_sels[0], ds);
    CHECK_EQ(failsafe_entry_sels[1], 0);
    CHECK_EQ(failsafe_entry_sels[2], fs);
    CHECK_EQ(failsafe_entry_sels[3], gs);
    /* Interrupted right after the hypercall's `syscall`, in kernel mode. */
    CHECK(rip[-2] == 0x0f && rip[-1] == 0x05);
    CHECK_EQ(f->cs & 0xffff, FLAT_KERNEL_CS & ~3);
    CHECK_EQ((f->cs >> FAILSAFE_CS_MASK_BIT) & 0xff, 1); /* events were masked */
    CHECK_EQ(f->rflags & FAILSAFE_RFLAGS_IF, 0);
    CHECK_EQ(f->ss, FLAT_KERNEL_SS);
    /* The frame sits below the interrupted rsp, aligned down to 16 bytes. */
    CHECK_EQ(failsafe_entry_rsp, (f->rsp & ~0xfUL) - sizeof(*f));
    /* CALLBACKF_mask_events: the callback runs with the upcall mask set. */
    CHECK_EQ(failsafe_entry_mask, 1);
}

/*
 * The hypercall's tasklet saves the vCPU's state; going back to it
 * reloads the selectors, %es fails, and the failsafe callback is
 * entered on the way out of the hypercall, whose result is kept.
 */
static void failsafe_context_switch_body(void)
{
    uint16_t ds, fs, gs;
    long rc;

    asm volatile("mov %%ds, %0; mov %%fs, %1; mov %%gs, %2" : "=r"(ds), "=r"(fs), "=r"(gs));
    rc = failsafe_sysctl_online_cpu0();
    failsafe_check_frame(rc, ds, fs, gs);
    if (test_failed())
        return;
    CHECK_EQ(rc, -EEXIST); /* cpu 0 is online already */
    CHECK_EQ(failsafe_read_es(), 0);
    CHECK_EQ(kernel_vcpu_info->evtchn_upcall_mask, 1); /* the iret restored it */
}

static void failsafe_context_switch(void)
{
    uint16_t ds, es, fs, gs;

    asm volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                 : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    test_info("before: ds %#x es %#x fs %#x gs %#x", ds, es, fs, gs);
    failsafe_with_bad_es(failsafe_context_switch_body);
}

static const struct test_case failsafe_cases[] = {
    {"yield", failsafe_yield},
    {"block", failsafe_block},
    {"upcall", failsafe_upcall},
    {"context_switch", failsafe_context_switch},
};
TEST_SUITE(test_suite_failsafe, "failsafe", failsafe_cases);
