/* SPDX-License-Identifier: MIT */
/*
 * The PV domain builder. Pseudo-physical frame N of the guest is mapped
 * at virt_base + N * 4 KiB; from the kernel's first page upwards come,
 * page-aligned: the kernel, the ramdisk, the p2m list, start_info, the
 * xenstore page, the console page, the bootstrap page tables (mapped
 * read-only), one page of boot stack, and slack to a 4 MiB boundary with
 * at least 512 KiB to spare. The L4 is pinned through the same
 * validation a guest's own pin goes through.
 */
#include <xenolith/console.h>
#include <xenolith/console_ring.h>
#include <xenolith/domain.h>
#include <xenolith/elf.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/grant_table.h>
#include <xenolith/hypercall.h>
#include <xenolith/kernel_image.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/string.h>
#include <xen/grant_table.h>
#include <asm/cpufeature.h>
#include <asm/dom_build.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>

#define MB4 (4ull << 20)

struct layout {
    uint64_t v_start, v_end;
    uint64_t ramdisk, p2m, start_info, store, console, pt, stack; /* VAs */
    unsigned long nr_pt;
};

static uint64_t tables_needed(uint64_t start, uint64_t end, unsigned int shift)
{
    return ((end - 1) >> shift) - (start >> shift) + 1;
}

static int plan_layout(struct layout *l, const struct elf_image *img,
                       const struct pv_build_params *p)
{
    uint64_t va, need;

    l->v_start = img->virt_base;
    va = img->virt_kend;
    l->ramdisk = va;
    va += ALIGN_UP((uint64_t)p->ramdisk_size, PAGE_SIZE);
    l->p2m = va;
    va += ALIGN_UP(p->nr_pages * 8, PAGE_SIZE);
    l->start_info = va;
    l->store = va + PAGE_SIZE;
    l->console = va + 2 * PAGE_SIZE;
    l->pt = va + 3 * PAGE_SIZE;
    /* The tables map themselves: grow their count until it settles. */
    for (l->nr_pt = 1;; l->nr_pt = need) {
        l->stack = l->pt + l->nr_pt * PAGE_SIZE;
        l->v_end = ALIGN_UP(l->stack + PAGE_SIZE + (512 << 10), MB4);
        need = 1 + tables_needed(l->v_start, l->v_end, 39) +
               tables_needed(l->v_start, l->v_end, 30) + tables_needed(l->v_start, l->v_end, 21);
        if (need <= l->nr_pt)
            break;
    }
    if (l->v_end < l->v_start || (l->v_end - l->v_start) / PAGE_SIZE > p->nr_pages)
        return -ENOMEM;
    return 0;
}

static void *pfn_va(const unsigned long *p2m, unsigned long pfn)
{
    return __va((paddr_t)p2m[pfn] << PAGE_SHIFT);
}

/* Builds [v_start, v_end) -> pfn 0.. with tables taken from the pt area. */
static void build_tables(const struct layout *l, const unsigned long *p2m)
{
    unsigned long pt_pfn = (l->pt - l->v_start) >> PAGE_SHIFT, next = pt_pfn + 1;
    pte_t *l4 = pfn_va(p2m, pt_pfn);
    uint64_t va;

    for (va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        unsigned long pfn = (va - l->v_start) >> PAGE_SHIFT;
        pte_t *t = l4, e;
        unsigned int shift;

        for (shift = 39; shift > 12; shift -= 9) {
            pte_t *slot = &t[(va >> shift) & 511];

            if (!(*slot & _PAGE_PRESENT))
                *slot = ((pte_t)p2m[next++] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
                        _PAGE_ACCESSED | _PAGE_DIRTY;
            t = __va(pte_addr(*slot));
        }
        e = ((pte_t)p2m[pfn] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED;
        if (pfn < pt_pfn || pfn >= pt_pfn + l->nr_pt)
            e |= _PAGE_RW; /* page tables stay read-only to the guest */
        /*
         * Past the kernel image nothing is code: Linux unmaps this area
         * only up to the 4 MiB boundary after the tables, and would find
         * the rest of the padding writable and executable.
         */
        if (va >= l->ramdisk && boot_cpu.nx)
            e |= _PAGE_NX;
        t[(va >> 12) & 511] = e;
    }
}

static void copy_to_pfns(const unsigned long *p2m, uint64_t pfn_offset, const void *src, size_t len)
{
    size_t done = 0;

    while (done < len) {
        uint64_t off = pfn_offset + done;
        size_t n = MIN(len - done, PAGE_SIZE - (off & (PAGE_SIZE - 1)));

        memcpy((char *)pfn_va(p2m, off >> PAGE_SHIFT) + (off & (PAGE_SIZE - 1)),
               (const char *)src + done, n);
        done += n;
    }
}

static void load_kernel(const struct elf_image *img, const struct layout *l,
                        const unsigned long *p2m)
{
    unsigned int i;

    for (i = 0; i < img->nr_segments; i++) {
        const struct elf_segment *s = &img->segments[i];

        copy_to_pfns(p2m, s->vaddr - l->v_start, img->data + s->file_offset, s->file_size);
    }
    if (img->hypercall_page)
        hypercall_page_fill(pfn_va(p2m, (img->hypercall_page - l->v_start) >> PAGE_SHIFT));
}

static int fill_start_info(struct domain *d, const struct layout *l, const unsigned long *p2m,
                           const struct pv_build_params *p, struct pv_build_result *res)
{
    start_info_t *si = pfn_va(p2m, (l->start_info - l->v_start) >> PAGE_SHIFT);
    int port;

    strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
    si->nr_pages = p->nr_pages;
    si->shared_info = __pa(d->shared_info);
    si->flags = d->is_privileged ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;
    si->store_mfn = res->store_mfn = p2m[(l->store - l->v_start) >> PAGE_SHIFT];
    si->console.domU.mfn = res->console_mfn = p2m[(l->console - l->v_start) >> PAGE_SHIFT];
    si->pt_base = l->pt;
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->p2m;
    si->mod_start = p->ramdisk ? l->ramdisk : 0;
    si->mod_len = p->ramdisk_size;
    strlcpy((char *)si->cmd_line, p->cmdline ? p->cmdline : "", sizeof(si->cmd_line));
    /* Its store ring: granted to the xenstore domain, which binds the port. */
    if (p->store_domid >= 0 && p->store_domid != d->domain_id) {
        port = evtchn_alloc_unbound_for(d, (domid_t)p->store_domid);
        if (port < 0)
            return port;
        si->store_evtchn = res->store_port = (uint32_t)port;
        gnttab_seed_entry(d, GNTTAB_RESERVED_XENSTORE, (domid_t)p->store_domid, si->store_mfn);
    }
    /* The control domain writes with console_io; a domU gets a ring and its port. */
    if (d->is_privileged)
        return 0;
    port = console_ring_attach(d, si->console.domU.mfn);
    if (port < 0)
        return port;
    si->console.domU.evtchn = res->console_port = (uint32_t)port;
    return 0;
}

/* Pins the L4 (validating the whole tree) and makes it vCPU 0's base. */
static int install_tables(struct domain *d, struct vcpu *v, unsigned long l4_mfn)
{
    struct page_info *pg = mfn_to_page(l4_mfn);
    int rc;

    spin_lock(&pv_mm_lock);
    rc = page_get_ref(pg, d->domain_id) ? page_get_type(pg, PGT_l4_page_table) : -EINVAL;
    if (!rc) {
        pg->type_info |= PGT_pinned;
        page_get_ref(pg, d->domain_id);
        page_get_type(pg, PGT_l4_page_table); /* the base pointer's own reference */
        pv_install_m2p_slot(l4_mfn);
        v->arch.guest_table = l4_mfn;
    }
    spin_unlock(&pv_mm_lock);
    return rc;
}

static int alloc_memory(struct domain *d, unsigned long nr_pages, unsigned long *p2m)
{
    unsigned long pfn;

    for (pfn = 0; pfn < nr_pages; pfn++) {
        struct page_info *pg = domain_alloc_page(d);

        if (!pg)
            return -ENOMEM;
        p2m[pfn] = page_to_mfn(pg);
        memset(page_to_virt(pg), 0, PAGE_SIZE);
        m2p_set(p2m[pfn], pfn);
    }
    return 0;
}

static int build(struct domain *d, const struct pv_build_params *p, const struct kernel_image *ki,
                 struct pv_build_result *res);

int pv_build_domain(struct domain *d, const struct pv_build_params *p, struct pv_build_result *res)
{
    struct pv_build_result ignored;
    struct kernel_image ki;
    int rc;

    if (d->built || d->tot_pages)
        return -EBUSY; /* built, or a failed build not yet destroyed */
    rc = kernel_image_open(&ki, p->kernel, p->kernel_size);
    if (rc)
        return rc;
    memset(res ? res : &ignored, 0, sizeof(ignored));
    rc = build(d, p, &ki, res ? res : &ignored);
    kernel_image_close(&ki);
    if (!rc) {
        struct pv_build_result *r = res ? res : &ignored;

        d->built = true;
        d->store_mfn = r->store_port ? r->store_mfn : 0;
        d->store_port = r->store_port;
        d->console_mfn = r->console_port ? r->console_mfn : 0;
        d->console_port = r->console_port;
    }
    return rc;
}

static int build(struct domain *d, const struct pv_build_params *p, const struct kernel_image *ki,
                 struct pv_build_result *res)
{
    struct vcpu *v = d->vcpus[0];
    struct elf_image img;
    struct layout l;
    unsigned long *p2m;
    int rc = elf_parse(&img, ki->elf, ki->len);

    if (rc)
        return rc;
    if (!img.has_xen_notes || strncmp(img.xen_version, "xen-3.0", 7))
        return -ENOEXEC;
    if (img.entry < img.virt_kstart || img.entry >= img.virt_kend)
        return -EINVAL; /* the guest would start outside its own image */
    rc = plan_layout(&l, &img, p);
    if (rc)
        return rc;
    p2m = xmalloc_bytes(p->nr_pages * sizeof(*p2m), 8);
    if (!p2m)
        return -ENOMEM;
    rc = alloc_memory(d, p->nr_pages, p2m);
    if (rc)
        goto out;
    load_kernel(&img, &l, p2m);
    if (p->ramdisk)
        copy_to_pfns(p2m, l.ramdisk - l.v_start, p->ramdisk, p->ramdisk_size);
    copy_to_pfns(p2m, l.p2m - l.v_start, p2m, p->nr_pages * sizeof(*p2m));
    rc = fill_start_info(d, &l, p2m, p, res);
    if (rc)
        goto out;
    build_tables(&l, p2m);
    rc = install_tables(d, v, p2m[(l.pt - l.v_start) >> PAGE_SHIFT]);
    if (rc)
        goto out;
    v->arch.user_regs.rip = img.entry;
    v->arch.user_regs.rsp = l.stack + PAGE_SIZE;
    v->arch.user_regs.rsi = l.start_info;
    v->arch.kernel_sp = l.stack + PAGE_SIZE;
    v->is_up = true;
    printk("Domain %u: %s kernel %#lx-%#lx, entry %#lx, %lu pages, tables at %#lx\n", d->domain_id,
           img.guest_os[0] ? img.guest_os : "PV", img.virt_kstart, img.virt_kend, img.entry,
           p->nr_pages, l.pt);
out:
    xfree(p2m);
    return rc;
}
