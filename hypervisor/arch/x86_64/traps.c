/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt dispatch. Interrupt vectors go to the handler
 * registered for them; an exception in the hypervisor is fatal: we print
 * the vector, error code, registers and a symbolized backtrace, stop
 * every other CPU and end the machine.
 */
#include <stdarg.h>
#include <xenolith/bug.h>
#include <xenolith/lib.h>
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/shutdown.h>
#include <xenolith/smp.h>
#include <xenolith/symbols.h>
#include <asm/apic.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include <asm/processor.h>
#include <asm/regs.h>

#define MAX_BACKTRACE 32

static irq_handler_t irq_handlers[256];
static bool crashing; /* a CPU is printing a crash; NMIs mean "stop" */

static const char *const exception_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor segment overrun",
    "invalid TSS",
    "segment not present",
    "stack-segment fault",
    "general protection fault",
    "page fault",
    "reserved",
    "x87 floating-point",
    "alignment check",
    "machine check",
    "SIMD floating-point",
    "virtualization",
    "control protection",
};

void irq_set_handler(unsigned int vector, irq_handler_t fn)
{
    BUG_ON(vector < 32 || vector > 255);
    irq_handlers[vector] = fn;
}

/*
 * A return address is looked up one byte back: after a call to a noreturn
 * function it points past the caller's end, into the next function.
 */
static void print_symbol(const char *prefix, uint64_t addr, bool is_return)
{
    uint64_t off, size;
    const char *name = symbols_lookup(addr - is_return, &off, &size);

    if (name)
        printk(XENLOG_ERR "%s[<%016lx>] %s+%#lx/%#lx\n", prefix, addr, name, off + is_return, size);
    else
        printk(XENLOG_ERR "%s[<%016lx>] ?\n", prefix, addr);
}

/*
 * Follows the frame-pointer chain, staying inside this CPU's stack block
 * so a corrupt chain cannot fault again.
 */
void show_backtrace(uint64_t rip, uint64_t rbp)
{
    uint64_t lo = (uint64_t)get_cpu_info() + CPU_INFO_SIZE - STACK_SIZE;
    uint64_t hi = (uint64_t)get_cpu_info();
    unsigned int depth;

    printk(XENLOG_ERR "Xen call trace:\n");
    print_symbol("   ", rip, false);
    for (depth = 0; depth < MAX_BACKTRACE; depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;

        if (rbp < lo || rbp + 16 > hi || (rbp & 7))
            break;
        if (!frame[1])
            break;
        print_symbol("   ", frame[1], true);
        rbp = frame[0];
    }
}

void show_registers(const struct cpu_regs *r)
{
    printk(XENLOG_ERR "CPU:    %u\n", smp_processor_id());
    print_symbol("RIP:    ", r->rip, false);
    printk(XENLOG_ERR "RFLAGS: %016lx   CS: %04lx   SS: %04lx\n", r->rflags, r->cs, r->ss);
    printk(XENLOG_ERR "rax: %016lx   rbx: %016lx   rcx: %016lx\n", r->rax, r->rbx, r->rcx);
    printk(XENLOG_ERR "rdx: %016lx   rsi: %016lx   rdi: %016lx\n", r->rdx, r->rsi, r->rdi);
    printk(XENLOG_ERR "rbp: %016lx   rsp: %016lx   r8:  %016lx\n", r->rbp, r->rsp, r->r8);
    printk(XENLOG_ERR "r9:  %016lx   r10: %016lx   r11: %016lx\n", r->r9, r->r10, r->r11);
    printk(XENLOG_ERR "r12: %016lx   r13: %016lx   r14: %016lx\n", r->r12, r->r13, r->r14);
    printk(XENLOG_ERR "r15: %016lx   cr0: %016lx   cr4: %016lx\n", r->r15, read_cr0(), read_cr4());
    printk(XENLOG_ERR "cr2: %016lx   cr3: %016lx\n", read_cr2(), read_cr3());
}

/* Claims the crash: the first CPU prints, any later one just stops. */
static void crash_begin(void)
{
    if (__atomic_exchange_n(&crashing, true, __ATOMIC_SEQ_CST))
        halt_forever();
    console_force_unlock();
    smp_stop_others();
}

static void __noreturn fatal_trap(const struct cpu_regs *regs)
{
    unsigned int v = regs->entry_vector;

    crash_begin();
    printk(XENLOG_ERR "----[ Xenolith fatal trap ]----\n");
    printk(XENLOG_ERR "FATAL TRAP: vector %u (%s), error code %#x\n", v,
           v < 32 && exception_names[v] ? exception_names[v] : "unknown", regs->error_code);
    if (v == 14)
        printk(XENLOG_ERR "Faulting linear address: %016lx\n", read_cr2());
    show_registers(regs);
    show_backtrace(regs->rip, regs->rbp);
    printk(XENLOG_ERR "Stopped all CPUs.\n");
    machine_exit(EXIT_CRASH);
}

void __noreturn panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    crash_begin();
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printk(XENLOG_ERR "----[ Xenolith panic on CPU %u ]----\n", smp_processor_id());
    printk(XENLOG_ERR "Panic: %s\n", msg);
    show_backtrace((uint64_t)panic, (uint64_t)__builtin_frame_address(0));
    printk(XENLOG_ERR "Stopped all CPUs.\n");
    machine_exit(EXIT_CRASH);
}

void do_trap(struct cpu_regs *regs)
{
    unsigned int v = regs->entry_vector;

    if (v == 2 && crashing)
        halt_forever(); /* another CPU asked everyone to stop */
    if (v < 32) {
        uint64_t fixup;

        if ((regs->cs & 3) == 3) {
            pv_handle_exception(regs);
            return;
        }
        if (v == 1) {
            /* A guest's data breakpoint hit while we copied its memory. */
            pv_record_debug_trap(current_vcpu());
            return;
        }
        fixup = search_exception_table(regs->rip);
        if (fixup) {
            regs->rip = fixup;
            return;
        }
        fatal_trap(regs);
    }
    if (v == VECTOR_SPURIOUS)
        return;
    if (irq_handlers[v])
        irq_handlers[v](regs);
    else
        printk(XENLOG_WARNING "WARNING: unexpected interrupt vector %#x on CPU %u\n", v,
               smp_processor_id());
    apic_eoi();
}
