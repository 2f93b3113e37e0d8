/* SPDX-License-Identifier: MIT */
/*
 * Suite "basic", its sysctl cases: the control domain's view of the host.
 * public/sysctl.h is the toolstack's interface: only with __XEN_TOOLS__,
 * which also makes the headers speak the latest interface version, so it
 * is kept to this file. What differs between machines or hypervisors
 * (memory sizes, TSC rate, CPU features, the log's text, the scheduler)
 * is printed as info lines or checked for its shape only.
 */
#undef __XEN_INTERFACE_VERSION__
#define __XEN_TOOLS__ 1
#include <guest/hypercall.h>
#include <guest/kernel.h>
#include <guest/sysctl.h>
#include <guest/test.h>
#include <xen/sysctl.h>
#include <xenolith/errno.h>
#include <xenolith/string.h>
#include "basic_tools.h"

#define UNMAPPED_VA      0xffff950000000000UL /* L4 slot 298: never mapped */
#define LOG_MAX          (32 * 1024)          /* more than a one-CPU host's ring (16 KiB) */
#define SENTINEL         '\x5a'
#define MEMORY_PAGES_MIN (64UL << 20 >> PAGE_SHIFT) /* no test boots with less */

static char log_buf[LOG_MAX + 1];

/* Whatever the machine: every CPU online, one node, free within total, total
 * within the frames there are (the differential test's -smp and -m vary). */
void basic_sysctl_physinfo(void)
{
    struct sysctl_physinfo pi;

    CHECK_EQ(sysctl_physinfo(&pi), 0);
    test_info("total %lu free %lu max_mfn %#lx cpu_khz %u caps %#x max_node_id %u", pi.total_pages,
              pi.free_pages, pi.max_mfn, pi.cpu_khz, pi.capabilities, pi.max_node_id);
    CHECK(pi.nr_cpus >= 1);
    CHECK_EQ(pi.max_cpu_id + 1, pi.nr_cpus);
    CHECK(pi.threads_per_core >= 1 && pi.cores_per_socket >= 1);
    CHECK_EQ(pi.nr_nodes, 1);
    CHECK(pi.cpu_khz > 0);
    CHECK(pi.free_pages > 0 && pi.free_pages <= pi.total_pages);
    /* All RAM less the firmware's holes: at least the 64 MiB the tests give. */
    CHECK(pi.total_pages > MEMORY_PAGES_MIN);
    CHECK(pi.max_mfn + 1 >= pi.total_pages);
    /* A 64-bit PV host with grant tables v1 and no IOMMU. */
    CHECK((pi.capabilities & XEN_SYSCTL_PHYSCAP_pv) != 0);
    CHECK((pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v1) != 0);
    CHECK((pi.capabilities & XEN_SYSCTL_PHYSCAP_directio) == 0);
}

/* One of Xen's schedulers (credit2 is Xen 4.17's default, credit Xenolith's). */
void basic_sysctl_sched_id(void)
{
    unsigned int id = 0;

    CHECK_EQ(sysctl_sched_id(&id), 0);
    test_info("sched_id %u", id);
    CHECK(id >= XEN_SCHEDULER_CREDIT && id <= XEN_SCHEDULER_NULL);
}

/* Does the text hold a hypervisor line ("(XEN) ")? */
static bool log_has_xen_line(const char *s)
{
    for (; (s = strchr(s, '(')) != NULL; s++)
        if (!strncmp(s, "(XEN) ", 6))
            return true;
    return false;
}

/* Reads n bytes of the log from index (incremental) or the oldest byte. */
static long log_read(char *buf, unsigned int *n, uint32_t *index, bool incremental, bool clear)
{
    memset(buf, SENTINEL, *n + 1);
    return sysctl_readconsole(buf, n, clear, index, incremental);
}

/* A buffer of 0 bytes gets nothing, wherever it points; a bad one faults. */
static void log_read_bad_buffer(void)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_readconsole,
                            .interface_version = XEN_SYSCTL_INTERFACE_VERSION};

    set_xen_guest_handle(op.u.readconsole.buffer, (char *)UNMAPPED_VA);
    CHECK_EQ(HYPERVISOR_sysctl(&op), 0);
    CHECK_EQ(op.u.readconsole.count, 0);
    op.u.readconsole.count = 16;
    CHECK_EQ(HYPERVISOR_sysctl(&op), -EFAULT);
}

/*
 * The log's text differs between hypervisors; its shape does not: lines
 * with "(XEN) ", no NUL added or held, the count bounded by the buffer, and
 * the index where the read stopped, from which an incremental read goes on.
 */
void basic_sysctl_readconsole(void)
{
    static char part[64];
    unsigned int n = LOG_MAX, m;
    uint32_t index = 0, start;

    CHECK_EQ(log_read(log_buf, &n, &index, false, false), 0);
    test_info("%u bytes of log", n);
    CHECK(n > 64 && n < LOG_MAX);
    CHECK(log_buf[n] == SENTINEL);
    CHECK_EQ(strnlen(log_buf, n), n); /* no NUL in the text */
    log_buf[n] = '\0';
    CHECK(log_has_xen_line(log_buf));
    start = index - n; /* the oldest byte held */

    /* 16 bytes, then 16 more from where that stopped: the log's first 32. */
    m = 16;
    index = 0;
    CHECK_EQ(log_read(part, &m, &index, false, false), 0);
    CHECK_EQ(m, 16);
    CHECK_EQ(index, start + 16);
    CHECK(part[16] == SENTINEL);
    CHECK_EQ(log_read(part + 16, &m, &index, true, false), 0);
    CHECK_EQ(m, 16);
    CHECK_EQ(index, start + 32);
    CHECK(memcmp(part, log_buf, 32) == 0);
    /* An index that is not in the ring (the oldest byte itself, or
     * beyond the newest) reads from the oldest byte. */
    index = start;
    CHECK_EQ(log_read(part, &m, &index, true, false), 0);
    CHECK(memcmp(part, log_buf, 16) == 0);
    index = start + n + 4096;
    CHECK_EQ(log_read(part, &m, &index, true, false), 0);
    CHECK(memcmp(part, log_buf, 16) == 0);
    log_read_bad_buffer();
}

/* Clear drops what was read, only that: a partial read with clear moves the
 * oldest byte on by its count; a full one leaves the log empty. */
void basic_sysctl_readconsole_clear(void)
{
    static char part[32];
    unsigned int n = LOG_MAX, m = 16;
    uint32_t index = 0;

    CHECK_EQ(log_read(log_buf, &n, &index, false, false), 0);
    index = 0;
    CHECK_EQ(log_read(part, &m, &index, false, true), 0);
    CHECK_EQ(m, 16);
    CHECK(memcmp(part, log_buf, 16) == 0);
    CHECK_EQ(log_read(part, &m, &index, false, false), 0);
    CHECK(memcmp(part, log_buf + 16, 16) == 0); /* the cleared 16 are gone */
    n = LOG_MAX;
    CHECK_EQ(log_read(log_buf, &n, &index, false, true), 0);
    m = 16;
    CHECK_EQ(log_read(part, &m, &index, false, false), 0);
    CHECK_EQ(m, 0);
    CHECK(part[0] == SENTINEL);
}

/* XEN_SYSCTL_getdomaininfolist: each domain as XEN_DOMCTL_getdomaininfo
 * gives it, from first_domain on, at most max_domains. */
void basic_sysctl_domaininfolist(void)
{
    static struct xen_domctl_getdomaininfo list[4];
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_getdomaininfolist,
                            .interface_version = XEN_SYSCTL_INTERFACE_VERSION};
    struct xen_sysctl_getdomaininfolist *l = &op.u.getdomaininfolist;
    struct xen_domctl dop = {.cmd = XEN_DOMCTL_getdomaininfo,
                             .interface_version = XEN_DOMCTL_INTERFACE_VERSION};
    const struct xen_domctl_getdomaininfo *g = &dop.u.getdomaininfo;

    memset(list, 0xff, sizeof(list));
    l->max_domains = 4;
    set_xen_guest_handle(l->buffer, list);
    CHECK_EQ(HYPERVISOR_sysctl(&op), 0);
    CHECK_EQ(HYPERVISOR_domctl(&dop), 0);
    CHECK(l->num_domains >= 1 && l->num_domains <= 4); /* us, and any others */
    CHECK_EQ(list[0].domain, 0);
    for (unsigned int i = 1; i < l->num_domains; i++)
        CHECK(list[i].domain > list[i - 1].domain); /* in id order */
    CHECK_EQ(list[0].flags, g->flags);
    CHECK_EQ(list[0].tot_pages, g->tot_pages);
    CHECK_EQ(list[0].max_pages, g->max_pages);
    CHECK_EQ(list[0].shared_info_frame, g->shared_info_frame);
    CHECK_EQ(list[0].nr_online_vcpus, g->nr_online_vcpus);
    CHECK_EQ(list[0].max_vcpu_id, g->max_vcpu_id);
    CHECK(list[0].cpu_time > 0 && list[0].cpu_time <= g->cpu_time);
    if (l->num_domains < 4)
        CHECK_EQ(list[l->num_domains].domain, 0xffff); /* nothing written past them */
    l->first_domain = DOMID_FIRST_RESERVED - 1;        /* none from there on */
    CHECK_EQ(HYPERVISOR_sysctl(&op), 0);
    CHECK_EQ(l->num_domains, 0);
    l->first_domain = 0; /* room for none: none, the buffer unread */
    l->max_domains = 0;
    set_xen_guest_handle(l->buffer, (struct xen_domctl_getdomaininfo *)UNMAPPED_VA);
    CHECK_EQ(HYPERVISOR_sysctl(&op), 0);
    CHECK_EQ(l->num_domains, 0);
    l->max_domains = 1;
    CHECK_EQ(HYPERVISOR_sysctl(&op), -EFAULT);
}

/* Refusals: a bad argument pointer, another interface version, an unknown
 * command (Xen 4.17's x86 answers -ENOSYS). */
void basic_sysctl_refused(void)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_sched_id,
                            .interface_version = XEN_SYSCTL_INTERFACE_VERSION - 1};

    CHECK_EQ(HYPERVISOR_sysctl((void *)UNMAPPED_VA), -EFAULT);
    CHECK_EQ(HYPERVISOR_sysctl(&op), -EACCES);
    op.u.sched_id.sched_id = 0x5a5a;
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION + 1;
    CHECK_EQ(HYPERVISOR_sysctl(&op), -EACCES);
    CHECK_EQ(op.u.sched_id.sched_id, 0x5a5a); /* nothing copied back */
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    op.cmd = 999;
    CHECK_EQ(HYPERVISOR_sysctl(&op), -ENOSYS);
}

/*
 * Suite "sysctl_domu", for a domain without privilege: refused with
 * -EPERM, but only once the argument has been read and its version
 * checked, as Xen orders them (XSM's privilege check comes third).
 */
static void sysctl_domu_refused(void)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_physinfo,
                            .interface_version = XEN_SYSCTL_INTERFACE_VERSION};
    unsigned int id = 0x5a5a;

    CHECK_EQ(HYPERVISOR_sysctl(&op), -EPERM);
    CHECK_EQ(op.u.physinfo.nr_cpus, 0); /* nothing copied back */
    CHECK_EQ(sysctl_sched_id(&id), -EPERM);
    CHECK_EQ(id, 0x5a5a);
    op.cmd = 999;
    CHECK_EQ(HYPERVISOR_sysctl(&op), -EPERM);
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION - 1;
    CHECK_EQ(HYPERVISOR_sysctl(&op), -EACCES);
    CHECK_EQ(HYPERVISOR_sysctl((void *)UNMAPPED_VA), -EFAULT);
}

static const struct test_case sysctl_domu_cases[] = {
    {"refused", sysctl_domu_refused},
};
TEST_SUITE(test_suite_sysctl_domu, "sysctl_domu", sysctl_domu_cases);
