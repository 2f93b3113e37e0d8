/* SPDX-License-Identifier: MIT */
/*
 * The boot CPU's path from the boot loader to the idle loop: read the
 * boot information, start the console, memory, descriptor tables, time,
 * the other CPUs, then run whatever the command line asks.
 */
#include <xenolith/bootinfo.h>
#include <xenolith/bug.h>
#include <xenolith/boot_domains.h>
#include <xenolith/domain.h>
#include <xenolith/console.h>
#include <xenolith/console_input.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/sched.h>
#include <xenolith/selftest.h>
#include <xenolith/shutdown.h>
#include <xenolith/smp.h>
#include <xenolith/version.h>
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/mm.h>
#include <asm/multiboot.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/serial.h>
#include <asm/smp.h>
#include <asm/time.h>

#define QEMU_EXIT_PORT 0xf4

extern char cpu0_stack[];

static bool opt_qemu_exit;
BOOL_PARAM("qemu_exit", opt_qemu_exit);

void machine_verdict(unsigned int code)
{
    if (opt_qemu_exit)
        outb(QEMU_EXIT_PORT, (uint8_t)code);
}

void __noreturn machine_exit(unsigned int code)
{
    machine_verdict(code);
    halt_forever();
}

static const char *memmap_type(uint32_t type)
{
    static const char *const names[] = {
        [MEMMAP_RAM] = "RAM",      [MEMMAP_RESERVED] = "reserved", [MEMMAP_ACPI] = "ACPI data",
        [MEMMAP_NVS] = "ACPI NVS", [MEMMAP_UNUSABLE] = "unusable",
    };

    return type < 6 && names[type] ? names[type] : "unknown";
}

static void print_boot_info(void)
{
    unsigned int i;

    printk("Boot loader: %s%s%s\n", boot_info.loader, boot_info.loader_name[0] ? ", " : "",
           boot_info.loader_name);
    printk("Command line: %s\n", boot_info.cmdline);
    printk("Memory map:\n");
    for (i = 0; i < boot_info.nr_memmap; i++) {
        const struct boot_memmap_entry *e = &boot_info.memmap[i];

        printk(" %016lx - %016lx (%s)\n", e->addr, e->addr + e->size, memmap_type(e->type));
    }
    printk("Modules: %u\n", boot_info.nr_modules);
    for (i = 0; i < boot_info.nr_modules; i++)
        printk(" module %u: %016lx - %016lx '%s'\n", i, boot_info.modules[i].start,
               boot_info.modules[i].end, boot_info.modules[i].string);
}

static void print_cpu(void)
{
    printk("CPU: %s %s; NX %s, SMEP %s, SMAP %s, 1G pages %s\n", boot_cpu.vendor, boot_cpu.brand,
           boot_cpu.nx ? "on" : "absent", boot_cpu.smep ? "on" : "absent",
           boot_cpu.smap ? "on" : "absent", boot_cpu.page1gb ? "yes" : "no");
}

void __noreturn start_xenolith(uint32_t magic, uint32_t info)
{
    get_cpu_info()->processor_id = 0;
    cpu_features_init();
    if (multiboot_parse(magic, info))
        boot_info.loader = "unknown (no memory map)";
    printk("Xenolith %s (Xen %d.%d PV ABI), x86-64\n", XENOLITH_VERSION, XEN_ABI_MAJOR,
           XEN_ABI_MINOR);
    param_parse_cmdline(boot_info.cmdline);
    serial_init();
    serial_console_start();
    if (!boot_info.nr_memmap)
        panic("the boot loader gave no memory map (magic %#x)", magic);
    print_boot_info();
    print_cpu();

    mm_init();
    console_init_ring();
    idt_init();
    if (desc_init_cpu(0, cpu0_stack))
        panic("no memory for the boot CPU's descriptor tables");
    time_init();
    smp_prepare_boot_cpu();
    apic_timer_calibrate();
    sched_init();
    sched_init_cpu(0);
    domain_init();
    pv_mm_init();
    if (pv_cpu_init(0))
        panic("no memory for the boot CPU's syscall entry");
    local_irq_enable();
    smp_boot_cpus();

    crashtest_run();
    if (opt_selftest)
        selftest_run();
    printk("Scheduler: %s\n", sched_chosen_name());
    printk("Xenolith ready: %u CPUs online, %lu MiB free\n", cpumask_weight(&cpu_online_map),
           heap_free_frames() >> 8);
    boot_domains_create();
    console_input_start();
    idle_loop();
}
