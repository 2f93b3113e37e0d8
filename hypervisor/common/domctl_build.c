/* SPDX-License-Identifier: MIT */
/*
 * XENOLITH_DOMCTL_build (public/xenolith_domctl.h): the control domain
 * hands over a kernel image, a ramdisk and a command line from its own
 * memory, and the domain builder that builds boot domains
 * (pv_build_domain) lays the new domain out. The image and ramdisk are
 * copied into hypervisor memory first: the builder reads them while the
 * control domain's vCPUs may be changing their own memory.
 */
#define __XEN_TOOLS__ 1
#include <xenolith/console.h>
#include <xenolith/domain.h>
#include <xenolith/domctl.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/page_alloc.h>
#include <xenolith/string.h>
#include <public/xenolith_domctl.h>
#include <asm/dom_build.h>
#include <asm/guest_access.h>

#define BUILD_KERNEL_MAX  (64ul << 20)
#define BUILD_RAMDISK_MAX (256ul << 20)
#define BUILD_CMDLINE_MAX 1024

/* A copy of len guest bytes at addr in hypervisor pages; NULL with *rc set. */
static void *copy_in(uint64_t addr, uint64_t len, uint64_t max, int *rc)
{
    unsigned long pages = (len + PAGE_SIZE - 1) >> PAGE_SHIFT;
    void *buf;

    *rc = len == 0 || len > max ? -EINVAL : -EFAULT;
    if (len == 0 || len > max || !guest_range_ok(addr, len))
        return NULL;
    buf = alloc_xenheap_pages_exact(pages);
    if (!buf) {
        *rc = -ENOMEM;
        return NULL;
    }
    if (copy_from_guest(buf, addr, len)) {
        free_xenheap_pages_exact(buf, pages);
        return NULL;
    }
    *rc = 0;
    return buf;
}

static void copy_free(void *buf, uint64_t len)
{
    if (buf)
        free_xenheap_pages_exact(buf, (len + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* The NUL-terminated string at addr (0: none), read a page at a time so
 * that one ending just before an unmapped page is not refused. */
static int copy_string_in(char buf[BUILD_CMDLINE_MAX], uint64_t addr)
{
    size_t done = 0;

    buf[0] = '\0';
    while (addr) {
        size_t n = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));

        if (n > BUILD_CMDLINE_MAX - done)
            n = BUILD_CMDLINE_MAX - done;
        if (n == 0)
            return -EINVAL; /* no NUL within the limit */
        if (!guest_range_ok(addr + done, n) || copy_from_guest(buf + done, addr + done, n))
            return -EFAULT;
        if (strnlen(buf + done, n) < n)
            return 0;
        done += n;
    }
    return 0;
}

static int build_checks(const struct domain *d, const struct xenolith_domctl_build *b)
{
    /* Boot domains have theirs from the boot modules; a failed build holds
     * its frames until destroyed (pv_build_domain refuses it too, but only
     * after the image is copied and the memory counted: -EBUSY whatever
     * the host has free). */
    if (d->built || d->tot_pages || d->state != DOMSTATE_created || !d->toolstack)
        return -EBUSY;
    if (b->nr_pages == 0 || b->nr_pages > d->max_pages)
        return -EINVAL; /* XEN_DOMCTL_max_mem first */
    if (b->nr_pages > heap_free_frames())
        return -ENOMEM;
    if (b->store_domid != DOMID_INVALID && b->store_domid >= DOMID_FIRST_RESERVED)
        return -EINVAL;
    if ((b->ramdisk_len == 0) != (b->ramdisk == 0))
        return -EINVAL;
    return 0;
}

long domctl_build(struct domain *d, struct xenolith_domctl_build *b)
{
    struct pv_build_params p = {.store_domid = -1};
    struct pv_build_result res;
    char cmdline[BUILD_CMDLINE_MAX];
    void *kernel = NULL, *ramdisk = NULL;
    int rc = build_checks(d, b);

    if (rc)
        return rc;
    rc = copy_string_in(cmdline, b->cmdline);
    if (rc)
        return rc;
    kernel = copy_in(b->kernel, b->kernel_len, BUILD_KERNEL_MAX, &rc);
    if (kernel && b->ramdisk_len)
        ramdisk = copy_in(b->ramdisk, b->ramdisk_len, BUILD_RAMDISK_MAX, &rc);
    if (!rc) {
        b->name[sizeof(b->name) - 1] = '\0';
        if (b->name[0])
            strlcpy(d->name, b->name, sizeof(d->name));
        p.kernel = kernel;
        p.kernel_size = b->kernel_len;
        p.ramdisk = ramdisk;
        p.ramdisk_size = ramdisk ? b->ramdisk_len : 0;
        p.cmdline = cmdline;
        p.nr_pages = b->nr_pages;
        d->vcpus_online = b->vcpus_online <= d->max_vcpus ? b->vcpus_online : d->max_vcpus;
        p.store_domid = b->store_domid == DOMID_INVALID ? -1 : (int)b->store_domid;
        rc = pv_build_domain(d, &p, &res);
    }
    copy_free(kernel, b->kernel_len);
    copy_free(ramdisk, b->ramdisk_len);
    if (rc) {
        printk(XENLOG_WARNING "Domain %u (%s) not built: error %d\n", d->domain_id, d->name, rc);
        return rc;
    }
    b->store_mfn = res.store_mfn;
    b->console_mfn = res.console_mfn;
    b->store_port = res.store_port;
    b->console_port = res.console_port;
    return 0;
}
