/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls about the hypervisor itself: xen_version (what we are and
 * which features a guest may rely on), console_io (the guest's early
 * console), vm_assist.
 */
#include <xenolith/bootinfo.h>
#include <xenolith/console.h>
#include <xenolith/time.h>
#include <xenolith/console_input.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/spinlock.h>
#include <xenolith/string.h>
#include <xenolith/version.h>
#include <xen/features.h>
#include <xen/version.h>
#include <asm/config.h>
#include <asm/guest_access.h>

#define CONSOLE_IO_CHUNK 128

/*
 * Only what Xenolith really provides (Linux 6.1 insists on both of the
 * first two).
 */
static uint32_t features_submap0(const struct domain *d)
{
    /*
     * highmem_assist: MMUEXT_CLEAR_PAGE and MMUEXT_COPY_PAGE work on any
     * frame; memory_op_vnode_supported: XENMEMF_vnode names the one virtual
     * node; direct_mapped: a PV guest's frame numbers are machine frames.
     */
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) | (1u << XENFEAT_highmem_assist) |
                 (1u << XENFEAT_gnttab_map_avail_bits) | (1u << XENFEAT_memory_op_vnode_supported) |
                 (1u << XENFEAT_direct_mapped);

    if (d->is_privileged)
        f |= 1u << XENFEAT_dom0;
    return f;
}

static long copy_string_out(uint64_t arg, const char *s, size_t size)
{
    char buf[1024];

    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

long do_xen_version(uint64_t cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return (XEN_ABI_MAJOR << 16) | XEN_ABI_MINOR;
    case XENVER_extraversion:
        return copy_string_out(arg, "-xenolith" XENOLITH_VERSION, sizeof(xen_extraversion_t));
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64 ", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, "xenolith", sizeof(xen_changeset_info_t));
    case XENVER_commandline:
        return copy_string_out(arg, boot_info.cmdline, sizeof(xen_commandline_t));
    case XENVER_compile_info: {
        xen_compile_info_t info;

        memset(&info, 0, sizeof(info));
        strlcpy(info.compiler, "gcc/clang", sizeof(info.compiler));
        strlcpy(info.compile_by, "xenolith", sizeof(info.compile_by));
        return copy_to_guest(arg, &info, sizeof(info));
    }
    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = {.virt_start = HYPERVISOR_VIRT_START};

        return copy_to_guest(arg, &p, sizeof(p));
    }
    case XENVER_get_features: {
        xen_feature_info_t fi;

        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx != 0)
            return -EINVAL;
        fi.submap = features_submap0(current_vcpu()->domain);
        return copy_to_guest(arg, &fi, sizeof(fi));
    }
    case XENVER_pagesize:
        return 4096;
    case XENVER_guest_handle: {
        static const xen_domain_handle_t no_handle; /* domains have no UUID yet */

        return copy_to_guest(arg, no_handle, sizeof(no_handle));
    }
    case XENVER_build_id:
        return -ENODATA;
    }
    return -ENOSYS;
}

/* A domain's partial line: its vCPUs' console_io and its ring's drain (CPU 0) meet here. */
static DEFINE_SPINLOCK(domain_output_lock);

/*
 * Each domain may print CONSOLE_RATE bytes a second, in bursts of up to
 * CONSOLE_BURST: a domain flooding its console drops its own output, not
 * the others' or the hypervisor's. One that ran out stays silent until a
 * quarter burst has built up again (a second), then says what it dropped.
 */
#define CONSOLE_RATE   (64u << 10)
#define CONSOLE_BURST  (256u << 10)
#define CONSOLE_RESUME (CONSOLE_BURST / 4)

/* How many of len bytes d may print now (domain_output_lock held). */
static size_t console_budget(struct domain *d, size_t len)
{
    s_time_t now = NOW();
    uint64_t earned = (uint64_t)(now - d->console_refill) * CONSOLE_RATE / SECONDS(1);
    size_t n;

    if (!d->console_refill)
        earned = CONSOLE_BURST; /* a new domain starts with a whole burst */
    if (earned) {
        d->console_tokens = MIN((uint64_t)CONSOLE_BURST, d->console_tokens + earned);
        d->console_refill = now;
    }
    if (d->console_dropped && d->console_tokens < CONSOLE_RESUME) {
        d->console_dropped += len;
        return 0;
    }
    n = MIN(len, (size_t)d->console_tokens);
    d->console_tokens -= n;
    if (n && d->console_dropped) {
        printk(XENLOG_WARNING "d%u: %lu bytes of console output dropped (over %u KiB/s)\n",
               d->domain_id, d->console_dropped, CONSOLE_RATE >> 10);
        d->console_dropped = 0;
        d->console_len = d->console_shown = 0; /* the line the drop cut short */
    }
    d->console_dropped += len - n;
    return n;
}

void console_domain_output(struct domain *d, const char *s, size_t len)
{
    size_t i;

    spin_lock(&domain_output_lock);
    /* How long a new domain takes to say something (make bench reads it). */
    if (!d->console_spoke && len) {
        d->console_spoke = true;
        printk(XENLOG_DEBUG "Domain %u: first console output %lu ns after its creation\n",
               d->domain_id, (unsigned long)(NOW() - d->created_at));
    }
    len = console_budget(d, len);
    for (i = 0; i < len; i++) {
        if (s[i] == '\n' || d->console_len == sizeof(d->console_line)) {
            console_domain_line(d->domain_id, d->console_line + d->console_shown,
                                d->console_len - d->console_shown, d->console_shown != 0, true);
            d->console_len = d->console_shown = 0;
            if (s[i] == '\n')
                continue;
        }
        if (s[i] != '\r')
            d->console_line[d->console_len++] = s[i];
    }
    spin_unlock(&domain_output_lock);
}

void console_domain_flush(struct domain *d)
{
    spin_lock(&domain_output_lock);
    if (d->console_len > d->console_shown)
        console_domain_line(d->domain_id, d->console_line + d->console_shown,
                            d->console_len - d->console_shown, d->console_shown != 0, false);
    d->console_shown = d->console_len;
    spin_unlock(&domain_output_lock);
}

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buffer)
{
    struct domain *d = current_vcpu()->domain;
    char chunk[CONSOLE_IO_CHUNK];
    uint64_t done = 0;

    switch (cmd) {
    case CONSOLEIO_write:
        while (done < count) {
            size_t n = MIN(count - done, (uint64_t)sizeof(chunk));

            if (copy_from_guest(chunk, buffer + done, n))
                return -EFAULT;
            console_domain_output(d, chunk, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read:
        if (!d->is_privileged)
            return -EPERM;
        console_domain_flush(d); /* a prompt, or what was typed and echoed */
        return console_input_read(buffer, count);
    }
    return -ENOSYS;
}

/*
 * The assists Xenolith honours for 64-bit PV: 4gb_segments and
 * pae_extended_cr3 only mean something to 32-bit guests, so enabling
 * them is harmless; writable_pagetables is pv/ptwr.c; runstate_update_flag
 * governs how runstate areas are written, and none is written yet.
 */
#define VM_ASSIST_SUPPORTED                                                                        \
    ((1ul << VMASST_TYPE_4gb_segments) | (1ul << VMASST_TYPE_4gb_segments_notify) |                \
     (1ul << VMASST_TYPE_pae_extended_cr3) | (1ul << VMASST_TYPE_writable_pagetables) |            \
     (1ul << VMASST_TYPE_runstate_update_flag))

long do_vm_assist(uint64_t cmd, uint64_t type)
{
    struct domain *d = current_vcpu()->domain;

    if (type >= 64 || !(VM_ASSIST_SUPPORTED & (1ul << type)))
        return -EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        d->arch.vm_assist |= 1ul << type;
        return 0;
    case VMASST_CMD_disable:
        d->arch.vm_assist &= ~(1ul << type);
        return 0;
    }
    return -ENOSYS;
}
