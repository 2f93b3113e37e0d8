/* SPDX-License-Identifier: MIT */
/*
 * Boot: from Xen's entry (entry.S: _start, rsi = start_info) to the test
 * run and the shutdown. The order matters: the command line decides how
 * hypercalls are made, so it is read before the first one; the console
 * comes next so everything after can report; shared_info before traps,
 * because the #PF handler reads cr2 from it.
 */
#include <guest/console.h>
#include <guest/events.h>
#include <guest/heap.h>
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/mm.h>
#include <guest/sched.h>
#include <guest/test.h>
#include <guest/traps.h>
#include <xenolith/string.h>

void kernel_main(start_info_t *si);

start_info_t *kernel_start_info;
shared_info_t *kernel_shared_info;
int hypercall_use_syscall;

/* A page of VA whose frame is given up for Xen's shared_info frame. */
static char kernel_shared_info_va[PAGE_SIZE] __aligned(PAGE_SIZE);

static const char *const kernel_default_suites[] = {"basic",   "mmu",     "traps",  "user",
                                                    "threads", "hostile", "events", "time"};

void kernel_shutdown(bool ok)
{
    struct sched_shutdown s = {.reason = ok ? SHUTDOWN_poweroff : SHUTDOWN_crash};

    HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static void kernel_banner(const start_info_t *si)
{
    printk("Xenolith guest kernel: hypercalls via %s\n",
           hypercall_use_syscall ? "syscall" : "hypercall page");
    printk("start_info: magic \"%.32s\" nr_pages %lu shared_info %#lx flags %#x\n", si->magic,
           si->nr_pages, si->shared_info, si->flags);
    printk("start_info: pt_base %#lx nr_pt_frames %lu mfn_list %#lx mod_start %#lx mod_len %lu\n",
           si->pt_base, si->nr_pt_frames, si->mfn_list, si->mod_start, si->mod_len);
    printk("start_info: cmd_line \"%s\"\n", (const char *)si->cmd_line);
    for (unsigned int i = 0; i < kernel_cmdline.nr_unknown; i++)
        printk("cmdline: ignoring unknown option \"%s\"\n", kernel_cmdline.unknown[i]);
}

static void kernel_map_shared_info(const start_info_t *si)
{
    unsigned long va = (unsigned long)kernel_shared_info_va;
    long rc = HYPERVISOR_update_va_mapping(va, si->shared_info | PTE_PAGE, UVMF_INVLPG);

    if (rc)
        panic("mapping shared_info: %ld", rc);
    kernel_shared_info = (shared_info_t *)va;
}

extern char event_entry[], failsafe_entry[], syscall_entry[];

static void kernel_register_callback(uint16_t type, const void *address, uint16_t flags)
{
    struct callback_register cb = {.type = type, .flags = flags, .address = (unsigned long)address};
    long rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);

    if (rc)
        panic("callback_op register type %u: %ld", type, rc);
}

void kernel_main(start_info_t *si)
{
    bool ok;

    kernel_start_info = si;
    cmdline_parse((const char *)si->cmd_line);
    hypercall_use_syscall = kernel_cmdline.hypercall_syscall;
    kernel_banner(si);
    kernel_map_shared_info(si);
    smp_init();
    traps_init();
    evtchn_init();
    kernel_register_callback(CALLBACKTYPE_event, event_entry, CALLBACKF_mask_events);
    kernel_register_callback(CALLBACKTYPE_failsafe, failsafe_entry, CALLBACKF_mask_events);
    kernel_register_callback(CALLBACKTYPE_syscall, syscall_entry, CALLBACKF_mask_events);
    mm_init(si);
    heap_init();
    sched_init();
    if (kernel_cmdline.nr_suites)
        ok = test_run(kernel_cmdline.suites, kernel_cmdline.nr_suites);
    else
        ok = test_run(kernel_default_suites, ARRAY_SIZE(kernel_default_suites));
    kernel_shutdown(ok);
}
