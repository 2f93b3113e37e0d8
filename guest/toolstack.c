/* SPDX-License-Identifier: MIT */
/*
 * The control domain's toolstack behind xl (guest/toolstack/xl.h): each
 * operation as libxl does it, with domctl and sysctl for what the
 * hypervisor holds and xenstore for what the guest is told (its memory
 * target, its vCPUs' availability, shutdown requests). Creating and the
 * domains' ends are toolstack_create.c's.
 */
#include <guest/console.h>
#include <guest/domctl.h>
#include <guest/hypercall.h>
#include <guest/sysctl.h>
#include <guest/time.h>
#include <guest/toolstack.h>
#include <guest/xenstored.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>
#include <xenolith/string.h>
#include <xen/version.h>

#define MAXMEM_SLACK_KIB 1024 /* libxl's LIBXL_MAXMEM_CONSTANT */
#define CONSOLE_POLL_NS  50000000ull
#define DMESG_CHUNK      1024
#define SCHED_ID_CREDIT  5 /* XEN_SCHEDULER_CREDIT (public/domctl.h, tools only) */

void toolstack_print(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    console_write(s, len);
}

static int ts_list(void *ctx, struct xl_dominfo *out, unsigned int max)
{
    struct domctl_info info;
    unsigned int n = 0;

    (void)ctx;
    for (domid_t from = 0; n < max && domctl_domain_info_from(from, &info) == 0;
         from = info.domid + 1) {
        struct domctl_description d;
        struct xl_dominfo *o = &out[n++];

        if (domctl_describe(info.domid, &d))
            strlcpy(d.name, "", sizeof(d.name));
        *o = (struct xl_dominfo){
            .domid = info.domid,
            .mem_kib = info.tot_pages * 4,
            .maxmem_kib = info.max_pages * 4,
            .vcpus_online = info.nr_online_vcpus,
            .max_vcpus = info.max_vcpu_id + 1,
            .running = info.running,
            .blocked = info.blocked,
            .paused = info.paused,
            .shutdown = info.shutdown,
            .dying = info.dying,
            .shutdown_reason = info.shutdown_reason,
            .cpu_time_ns = info.cpu_time,
            .start_ns = toolstack_start_time(info.domid),
        };
        strlcpy(o->name, d.name, sizeof(o->name));
    }
    return (int)n;
}

static int ts_destroy(void *ctx, uint16_t domid)
{
    (void)ctx;
    return domid == 0 ? -EINVAL : toolstack_destroy(domid);
}

static int ts_home_write(domid_t domid, const char *sub, const char *value)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, sub);
    return ts_xs_write(path, value) ? -EIO : 0;
}

/* As libxl for a PV guest: the request in control/shutdown, which it watches. */
static int ts_shutdown(void *ctx, uint16_t domid, bool reboot)
{
    struct domctl_info info;

    (void)ctx;
    if (domctl_domain_info(domid, &info))
        return -ESRCH;
    if (domid == 0)
        return -EINVAL;
    return ts_home_write(domid, "control/shutdown", reboot ? "reboot" : "poweroff");
}

static int ts_wait_shutdown(void *ctx, uint16_t domid)
{
    struct domctl_info info;

    (void)ctx;
    while (domctl_domain_info(domid, &info) == 0 && !info.shutdown && !info.dying)
        toolstack_idle(CONSOLE_POLL_NS);
    return 0;
}

static int ts_pause(void *ctx, uint16_t domid)
{
    (void)ctx;
    return (int)domctl_pause(domid);
}

static int ts_unpause(void *ctx, uint16_t domid)
{
    (void)ctx;
    return (int)domctl_unpause(domid);
}

/* Serial input goes to the domain until CTRL-] (or its end) gives it back. */
static int ts_console(void *ctx, uint16_t domid)
{
    domid_t focus;
    long rc = domctl_console(domid, true, &focus);

    (void)ctx;
    if (rc)
        return (int)rc;
    while (domctl_console(0, false, &focus) == 0 && focus == domid)
        toolstack_idle(CONSOLE_POLL_NS);
    return 0;
}

static int ts_read_kib(domid_t domid, const char *sub, uint64_t *kib)
{
    char path[64], value[24];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, sub);
    if (ts_xs_read(path, value, sizeof(value)))
        return -ENOENT;
    *kib = simple_strtoul(value, NULL, 10);
    return 0;
}

/*
 * Both memory verbs as libxl: the new value in xenstore (memory/target,
 * the balloon's target; memory/static-max) after checking it against
 * the other, and the hypervisor's limit at the new value + libxl's slack.
 * (xl's messages, its "or or" included.)
 */
static int ts_mem_write(uint16_t domid, uint64_t kib, bool target)
{
    uint64_t other;
    char v[24];
    int rc;

    if (ts_read_kib(domid, target ? "memory/static-max" : "memory/target", &other))
        return -ESRCH;
    if (target ? kib > other : kib < other) {
        const char *msg = target ? "memory_dynamic_max must be less than or equal to"
                                   " memory_static_max\n"
                                 : "memory_static_max must be greater than or or equal to"
                                   " memory_dynamic_max\n";

        toolstack_print(NULL, msg, strlen(msg));
        return -EINVAL;
    }
    rc = (int)domctl_max_mem(domid, kib + MAXMEM_SLACK_KIB);
    snprintf(v, sizeof(v), "%lu", (unsigned long)kib);
    return rc ?: ts_home_write(domid, target ? "memory/target" : "memory/static-max", v);
}

static int ts_mem_set(void *ctx, uint16_t domid, uint64_t kib)
{
    (void)ctx;
    return ts_mem_write(domid, kib, true);
}

static int ts_mem_max(void *ctx, uint16_t domid, uint64_t kib)
{
    (void)ctx;
    return ts_mem_write(domid, kib, false);
}

static int ts_vcpu_list(void *ctx, uint16_t domid, struct xl_vcpuinfo *out, unsigned int max)
{
    struct domctl_info info;
    unsigned int n = 0;

    (void)ctx;
    if (domctl_domain_info(domid, &info))
        return -ESRCH;
    for (unsigned int v = 0; v <= info.max_vcpu_id && n < max; v++) {
        struct domctl_vcpu vi;
        struct xl_vcpuinfo *o = &out[n];
        long rc = domctl_vcpu_info(domid, v, &vi);

        rc = rc ?: domctl_get_affinity(domid, v, &o->hard, &o->soft);
        if (rc)
            return (int)rc;
        o->vcpu = v;
        o->cpu = vi.cpu;
        o->online = vi.online;
        o->running = vi.running;
        o->blocked = vi.blocked;
        o->time_ns = vi.cpu_time;
        n++;
    }
    return (int)n;
}

static int ts_vcpu_pin(void *ctx, uint16_t domid, unsigned int vcpu, uint64_t hard, uint64_t soft)
{
    struct domctl_info info;
    long rc = 0;

    (void)ctx;
    if (domctl_domain_info(domid, &info))
        return -ESRCH;
    if (vcpu != ~0u && vcpu > info.max_vcpu_id)
        return -EINVAL;
    for (unsigned int v = 0; !rc && v <= info.max_vcpu_id; v++)
        if (vcpu == ~0u || v == vcpu)
            rc = domctl_set_affinity(domid, v, hard, soft);
    return (int)rc;
}

/* As libxl: each vCPU's availability in xenstore; the guest plugs them. */
static int ts_vcpu_set(void *ctx, uint16_t domid, unsigned int online)
{
    struct domctl_info info;
    int rc = 0;

    (void)ctx;
    if (domctl_domain_info(domid, &info))
        return -ESRCH;
    if (online == 0 || online > info.max_vcpu_id + 1)
        return -EINVAL;
    for (unsigned int v = 0; !rc && v <= info.max_vcpu_id; v++) {
        char sub[32];

        snprintf(sub, sizeof(sub), "cpu/%u/availability", v);
        rc = ts_home_write(domid, sub, v < online ? "online" : "offline");
    }
    return rc;
}

static int ts_sched_get(void *ctx, uint16_t domid, unsigned int *weight, unsigned int *cap)
{
    (void)ctx;
    return (int)domctl_sched_credit_get(domid, weight, cap);
}

static int ts_sched_set(void *ctx, uint16_t domid, unsigned int weight, unsigned int cap)
{
    (void)ctx;
    return (int)domctl_sched_credit_set(domid, weight, cap);
}

/* xen_version's strings are the sizes of their types (1 KiB), whatever they hold. */
static void ts_version(struct xl_physinfo *out)
{
    static union {
        xen_extraversion_t extra;
        xen_capabilities_info_t caps;
        xen_commandline_t cmdline;
    } u;
    long v = HYPERVISOR_xen_version(XENVER_version, NULL);

    out->xen_major = (unsigned int)(v >> 16);
    out->xen_minor = (unsigned int)(v & 0xffff);
    if (HYPERVISOR_xen_version(XENVER_extraversion, u.extra) == 0)
        strlcpy(out->xen_extra, u.extra, sizeof(out->xen_extra));
    if (HYPERVISOR_xen_version(XENVER_capabilities, u.caps) == 0)
        strlcpy(out->capabilities, u.caps, sizeof(out->capabilities));
    if (HYPERVISOR_xen_version(XENVER_commandline, u.cmdline) == 0)
        strlcpy(out->cmdline, u.cmdline, sizeof(out->cmdline));
}

static int ts_physinfo(void *ctx, struct xl_physinfo *out)
{
    struct sysctl_physinfo p;
    unsigned int sched;
    long rc = sysctl_physinfo(&p);

    (void)ctx;
    if (rc)
        return (int)rc;
    memset(out, 0, sizeof(*out));
    out->nr_cpus = p.nr_cpus;
    out->nr_nodes = p.nr_nodes;
    out->cores_per_socket = p.cores_per_socket;
    out->threads_per_core = p.threads_per_core;
    out->cpu_khz = p.cpu_khz;
    out->total_kib = p.total_pages * 4;
    out->free_kib = p.free_pages * 4;
    strlcpy(out->sched, sysctl_sched_id(&sched) == 0 && sched == SCHED_ID_CREDIT ? "credit" : "rr",
            sizeof(out->sched));
    ts_version(out);
    return 0;
}

static int ts_dmesg(void *ctx, bool clear)
{
    static char buf[DMESG_CHUNK];
    uint32_t index = 0;
    bool first = true;

    (void)ctx;
    for (;;) {
        unsigned int len = sizeof(buf);
        long rc = sysctl_readconsole(buf, &len, false, &index, !first);

        if (rc)
            return (int)rc;
        if (len == 0)
            break;
        toolstack_print(NULL, buf, len);
        first = false;
    }
    if (clear) {
        unsigned int len = 0;

        return (int)sysctl_readconsole(buf, &len, true, &index, false);
    }
    return 0;
}

static uint64_t ts_now(void *ctx)
{
    (void)ctx;
    return time_now();
}

const struct xl_backend toolstack_backend = {
    .print = toolstack_print,
    .list = ts_list,
    .create = toolstack_create,
    .destroy = ts_destroy,
    .shutdown = ts_shutdown,
    .wait_shutdown = ts_wait_shutdown,
    .pause = ts_pause,
    .unpause = ts_unpause,
    .console = ts_console,
    .mem_set = ts_mem_set,
    .mem_max = ts_mem_max,
    .vcpu_list = ts_vcpu_list,
    .vcpu_pin = ts_vcpu_pin,
    .vcpu_set = ts_vcpu_set,
    .sched_credit_get = ts_sched_get,
    .sched_credit_set = ts_sched_set,
    .physinfo = ts_physinfo,
    .dmesg = ts_dmesg,
    .now_ns = ts_now,
};
