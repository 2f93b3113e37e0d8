/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the other CPUs (INIT-SIPI-SIPI, one at a time) and running
 * functions on them through IPIs.
 *
 * Locking: call_lock serializes smp_call_function() callers; the call
 * data is read by the targets until `finished` reaches the target count.
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/mm.h>
#include <xenolith/param.h>
#include <xenolith/smp.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <xenolith/time.h>
#include <xenolith/timer.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/regs.h>
#include <asm/pv.h>
#include <asm/smp.h>
#include <xenolith/sched.h>

extern const char trampoline_start[], trampoline_end[];
extern uint32_t tramp_gdt_ptr[], tramp_pm_ptr[], tramp_lm_ptr[];
extern uint32_t tramp_cr3[], tramp_cr4[], tramp_efer[];
extern uint64_t tramp_target[];
extern const char ap_start_high[];
extern char cpu0_stack[];

cpumask_t cpu_online_map;
unsigned int nr_cpus_present = 1;
uint64_t ap_stack_top; /* read by ap_start_high */

static unsigned long opt_maxcpus = NR_CPUS;
UINT_PARAM("maxcpus", opt_maxcpus);

static unsigned int cpu_apic_ids[NR_CPUS];
static void *cpu_stacks[NR_CPUS];
static bool apic_ready;

static DEFINE_SPINLOCK(call_lock);
static struct {
    void (*fn)(void *);
    void *arg;
    unsigned int started, finished;
} call_data;

static void call_function_interrupt(struct cpu_regs *regs)
{
    void (*fn)(void *) = call_data.fn;
    void *arg = call_data.arg;

    (void)regs;
    __atomic_fetch_add(&call_data.started, 1, __ATOMIC_SEQ_CST);
    fn(arg);
    __atomic_fetch_add(&call_data.finished, 1, __ATOMIC_SEQ_CST);
}

void smp_call_function(const cpumask_t *mask, void (*fn)(void *), void *arg, bool wait)
{
    unsigned int cpu, targets = 0, self = smp_processor_id();

    ASSERT(local_irq_is_enabled());
    spin_lock(&call_lock);
    call_data.fn = fn;
    call_data.arg = arg;
    call_data.started = 0;
    call_data.finished = 0;
    for_each_cpu(cpu, mask)
    {
        if (cpu == self || !cpumask_test(&cpu_online_map, cpu))
            continue;
        targets++;
        apic_send_ipi(cpu_apic_ids[cpu], VECTOR_CALL_FUNCTION);
    }
    /* The data must stay put until every target has at least read it. */
    while (__atomic_load_n(wait ? &call_data.finished : &call_data.started, __ATOMIC_SEQ_CST) !=
           targets)
        cpu_relax();
    spin_unlock(&call_lock);
}

void smp_stop_others(void)
{
    if (apic_ready)
        apic_send_nmi_allbutself();
}

unsigned int cpu_apic_id(unsigned int cpu)
{
    return cpu_apic_ids[cpu];
}

/* Only interrupts: the way out of the interrupt runs the softirqs. */
static void event_check_interrupt(struct cpu_regs *regs)
{
    (void)regs;
}

static void timer_interrupt(struct cpu_regs *regs)
{
    (void)regs;
    timer_softirq();
}

/* Interrupt handlers and timers every CPU uses; called on the boot CPU. */
void smp_prepare_boot_cpu(void)
{
    struct cpu_info *ci = get_cpu_info();

    apic_init_bsp();
    apic_ready = true;
    ci->processor_id = 0;
    ci->apic_id = apic_id();
    cpu_apic_ids[0] = ci->apic_id;
    cpu_stacks[0] = cpu0_stack;
    irq_set_handler(VECTOR_TIMER, timer_interrupt);
    irq_set_handler(VECTOR_CALL_FUNCTION, call_function_interrupt);
    irq_set_handler(VECTOR_EVENT_CHECK, event_check_interrupt);
    timer_init_cpu(0);
    cpumask_set(&cpu_online_map, 0);
}

void __attribute__((noreturn)) start_secondary(void)
{
    unsigned int cpu = get_cpu_info()->processor_id;

    if (desc_init_cpu(cpu, cpu_stacks[cpu]))
        panic("CPU%u: no memory for its descriptor tables", cpu);
    apic_init_ap();
    timer_init_cpu(cpu);
    sched_init_cpu(cpu);
    if (pv_cpu_init(cpu))
        panic("CPU%u: no memory for its syscall entry", cpu);
    cpumask_set(&cpu_online_map, cpu);
    idle_loop();
}

static void patch_trampoline(void *page)
{
    uint32_t base = (uint32_t)__pa(page);

#define FIELD(sym) ((void *)((char *)page + ((const char *)(sym)-trampoline_start)))
    memcpy(page, trampoline_start, (size_t)(trampoline_end - trampoline_start));
    *(uint32_t *)((char *)FIELD(tramp_gdt_ptr) + 2) += base; /* after the limit */
    *(uint32_t *)FIELD(tramp_pm_ptr) += base;
    *(uint32_t *)FIELD(tramp_lm_ptr) += base;
    *(uint32_t *)FIELD(tramp_cr3) = (uint32_t)__pa(idle_pg_table);
    *(uint32_t *)FIELD(tramp_cr4) = (uint32_t)read_cr4();
    *(uint32_t *)FIELD(tramp_efer) = (uint32_t)rdmsr(MSR_EFER);
    *(uint64_t *)FIELD(tramp_target) = (uint64_t)ap_start_high;
#undef FIELD
}

static bool boot_one_cpu(unsigned int cpu, unsigned int apic, unsigned int page)
{
    void *stack = alloc_xenheap_pages(STACK_ORDER);
    struct cpu_info *ci;
    s_time_t deadline;

    if (!stack)
        return false;
    ci = (struct cpu_info *)((char *)stack + STACK_SIZE - CPU_INFO_SIZE);
    memset(ci, 0, sizeof(*ci));
    ci->processor_id = cpu;
    ci->apic_id = apic;
    cpu_stacks[cpu] = stack;
    cpu_apic_ids[cpu] = apic;
    ap_stack_top = (uint64_t)ci;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    apic_send_init(apic);
    udelay(10000);
    apic_send_sipi(apic, page);
    udelay(200);
    if (!cpumask_test(&cpu_online_map, cpu))
        apic_send_sipi(apic, page);
    deadline = NOW() + SECONDS(2);
    while (!cpumask_test(&cpu_online_map, cpu) && NOW() < deadline)
        cpu_relax();
    if (cpumask_test(&cpu_online_map, cpu))
        return true;
    free_xenheap_pages(stack, STACK_ORDER);
    cpu_stacks[cpu] = NULL;
    return false;
}

void smp_boot_cpus(void)
{
    unsigned int ids[NR_CPUS], n = acpi_find_cpus(ids, NR_CPUS), i, next = 1;
    unsigned long tramp = mm_trampoline_mfn;
    unsigned int self = apic_id();

    nr_cpus_present = n ? n : 1;
    printk("CPUs: %u found (ACPI MADT), maxcpus=%lu\n", nr_cpus_present, opt_maxcpus);
    if (!tramp) {
        printk(XENLOG_WARNING "WARNING: no page below 1 MiB for the AP trampoline\n");
        return;
    }
    patch_trampoline(__va((paddr_t)tramp << PAGE_SHIFT));
    mm_map_low_identity(true);
    for (i = 0; i < n && next < MIN(opt_maxcpus, (unsigned long)NR_CPUS); i++) {
        if (ids[i] == self)
            continue;
        if (boot_one_cpu(next, ids[i], (unsigned int)tramp))
            next++;
        else
            printk(XENLOG_WARNING "WARNING: CPU with APIC id %u did not start\n", ids[i]);
    }
    mm_map_low_identity(false);
    printk("CPUs: %u online\n", cpumask_weight(&cpu_online_map));
}
