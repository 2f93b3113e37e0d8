/* SPDX-License-Identifier: MIT */
/*
 * Domain and vCPU objects: creation, shutdown, destruction, and the
 * frames a domain owns.
 *
 * Locking: domlist_lock protects the list of domains; d->lock protects
 * d's page list and counters. A domain is destroyed only once none of its
 * vCPUs can run any more (sched_remove_vcpu() guarantees it).
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/console_ring.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/grant_table.h>
#include <xenolith/vtimer.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/sched.h>
#include <xenolith/smp.h>
#include <xenolith/softirq.h>
#include <xenolith/string.h>
#include <xenolith/time.h>
#include <xen/sched.h>

static struct list_head domain_list = LIST_HEAD_INIT(domain_list);
static DEFINE_SPINLOCK(domlist_lock);
static unsigned int nr_domains;

static const char *const shutdown_names[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
    [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
    [SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

const char *domain_shutdown_name(unsigned int reason)
{
    return reason < ARRAY_SIZE(shutdown_names) && shutdown_names[reason] ? shutdown_names[reason]
                                                                         : "unknown";
}

static struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = xzalloc(struct vcpu);

    if (!v)
        return NULL;
    v->vcpu_id = id;
    v->domain = d;
    v->run_state = VCPU_offline;
    v->vcpu_info = &d->shared_info->vcpu_info[id];
    v->vcpu_info->evtchn_upcall_mask = 1; /* events start masked, as on Xen */
    list_init(&v->runq_link);
    v->runstate.state = RUNSTATE_offline;
    v->runstate.state_entry_time = NOW();
    vtimer_init(v);
    arch_vcpu_init(v);
    return v;
}

DEFINE_SPINLOCK(frame_lock);
static uint64_t instances; /* domains ever created */

struct domain *domain_create(domid_t id, const char *name, unsigned int max_vcpus,
                             unsigned long max_pages, bool privileged)
{
    struct domain *d;
    unsigned int i;

    if (max_vcpus == 0 || max_vcpus > MAX_VIRT_CPUS || domain_by_id(id))
        return NULL;
    d = xzalloc(struct domain);
    if (!d)
        return NULL;
    d->domain_id = id;
    d->instance = __atomic_add_fetch(&instances, 1, __ATOMIC_RELAXED);
    strlcpy(d->name, name, sizeof(d->name));
    spin_lock_init(&d->lock);
    spin_lock_init(&d->vcpu_op_lock);
    list_init(&d->page_list);
    d->max_pages = max_pages;
    d->is_privileged = privileged;
    d->weight = 256;
    d->state = DOMSTATE_created;
    d->shared_info = alloc_xenheap_pages(0);
    if (!d->shared_info)
        goto fail;
    memset(d->shared_info, 0, PAGE_SIZE);
    share_xen_frame(d, d->shared_info);
    if (evtchn_domain_init(d) || gnttab_domain_init(d))
        goto fail;
    arch_domain_init(d);
    d->max_vcpus = max_vcpus;
    for (i = 0; i < max_vcpus; i++)
        if (!(d->vcpus[i] = vcpu_create(d, i)))
            goto fail;

    if (sched_domain_init(d))
        goto fail_sched;
    spin_lock(&domlist_lock);
    list_add_tail(&d->domlist_link, &domain_list);
    nr_domains++;
    spin_unlock(&domlist_lock);
    printk("Domain %u (%s) created: %u vCPU%s, up to %lu KiB%s\n", id, d->name, max_vcpus,
           max_vcpus > 1 ? "s" : "", max_pages * 4, privileged ? ", privileged" : "");
    return d;

fail_sched:
    sched_domain_destroy(d);
fail:
    gnttab_domain_destroy(d);
    evtchn_domain_destroy(d);
    for (i = 0; i < max_vcpus; i++)
        xfree(d->vcpus[i]);
    if (d->shared_info)
        unshare_xen_frame(d, d->shared_info);
    xfree(d);
    return NULL;
}

void for_each_domain(void (*fn)(struct domain *d))
{
    struct domain *d, *tmp;

    BUG_ON(smp_processor_id() != 0);
    list_for_each_entry_safe(d, tmp, &domain_list, domlist_link)
    {
        fn(d);
    }
}

struct domain *domain_by_id(domid_t id)
{
    struct domain *d, *found = NULL;

    spin_lock(&domlist_lock);
    list_for_each_entry(d, &domain_list, domlist_link)
    {
        if (d->domain_id == id) {
            found = d;
            break;
        }
    }
    spin_unlock(&domlist_lock);
    return found;
}

static void domain_fill_info(const struct domain *d, struct domain_info *out)
{
    unsigned int i;

    *out = (struct domain_info){
        .id = d->domain_id,
        .dying = d->state >= DOMSTATE_dying,
        .shut_down = d->state == DOMSTATE_shutdown,
        .paused = d->state == DOMSTATE_created || d->state == DOMSTATE_paused,
        .privileged = d->is_privileged,
        .shutdown_code = d->state >= DOMSTATE_shutdown ? d->shutdown_reason : ~0u,
        .all_blocked = true,
        .max_vcpu_id = d->max_vcpus - 1,
        .tot_pages = d->tot_pages,
        .max_pages = d->max_pages,
        .shared_info_mfn = __pa(d->shared_info) >> PAGE_SHIFT,
    };
    for (i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];

        out->cpu_time += v->runstate.time[RUNSTATE_running];
        if (v->runstate.state == RUNSTATE_running) /* and the run under way */
            out->cpu_time += (uint64_t)(NOW() - v->runstate.state_entry_time);
        if (!v->is_up)
            continue;
        out->nr_up++;
        out->any_running |= READ_ONCE(v->is_running);
        out->all_blocked &= READ_ONCE(v->run_state) == VCPU_blocked;
    }
}

int domain_get_info(domid_t from, struct domain_info *out)
{
    const struct domain *d, *best = NULL;

    spin_lock(&domlist_lock);
    list_for_each_entry(d, &domain_list, domlist_link)
    {
        if (d->domain_id >= from && (!best || d->domain_id < best->domain_id))
            best = d;
    }
    if (best)
        domain_fill_info(best, out);
    spin_unlock(&domlist_lock);
    return best ? 0 : -ESRCH;
}

unsigned int domain_count(void)
{
    return READ_ONCE(nr_domains);
}

void domain_unpause(struct domain *d)
{
    unsigned int i;

    spin_lock(&d->lock);
    if (d->state == DOMSTATE_created || d->state == DOMSTATE_paused) {
        d->state = DOMSTATE_running;
        for (i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i]->is_up)
                sched_start_vcpu(d->vcpus[i]);
    }
    spin_unlock(&d->lock);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    unsigned int i;

    spin_lock(&d->lock);
    if (d->state >= DOMSTATE_shutdown) {
        spin_unlock(&d->lock);
        return;
    }
    d->state = DOMSTATE_shutdown;
    d->shutdown_reason = reason;
    spin_unlock(&d->lock);
    for (i = 0; i < d->max_vcpus; i++) {
        sched_remove_vcpu(d->vcpus[i]);
        vtimer_stop(d->vcpus[i]);
    }
    printk("Domain %u (%s) shut down: %s\n", d->domain_id, d->name, domain_shutdown_name(reason));
    cpu_raise_softirq(0, DOMAIN_REAP_SOFTIRQ);
}

static bool domain_is_running_anywhere(const struct domain *d)
{
    unsigned int i;

    for (i = 0; i < d->max_vcpus; i++)
        if (__atomic_load_n(&d->vcpus[i]->is_running, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

/* A shut-down domain that no longer runs anywhere, not yet handed to the policy. */
static struct domain *find_reapable(void)
{
    struct domain *d, *found = NULL;

    spin_lock(&domlist_lock);
    list_for_each_entry(d, &domain_list, domlist_link)
    {
        if (d->state == DOMSTATE_shutdown && !d->reaped && !domain_is_running_anywhere(d)) {
            found = d;
            break;
        }
    }
    spin_unlock(&domlist_lock);
    return found;
}

/*
 * DOMAIN_REAP softirq (CPU 0): every domain that has shut down and whose
 * vCPUs have all left their pCPUs goes to the policy (domain_ended),
 * which destroys it or keeps it. A vCPU still running raises this again
 * when it is switched out (sched_switched_out).
 */
static void domain_reap(void)
{
    struct domain *d;

    while ((d = find_reapable()) != NULL) {
        d->reaped = true;
        if (domain_ended(d))
            domain_destroy(d);
    }
    if (domain_count() == 0)
        domains_all_ended();
}

void domain_init(void)
{
    softirq_register(DOMAIN_REAP_SOFTIRQ, domain_reap);
    console_ring_init();
}

void domain_crash(struct domain *d, const char *why)
{
    printk(XENLOG_WARNING "Domain %u (%s) crashed: %s\n", d->domain_id, d->name, why);
    domain_shutdown(d, SHUTDOWN_crash);
}

struct page_info *domain_alloc_page(struct domain *d)
{
    struct page_info *pg;

    if (d->tot_pages >= d->max_pages)
        return NULL;
    pg = alloc_frames(0, 0);
    if (!pg)
        return NULL;
    pg->owner = d->domain_id;
    page_set_refcount(pg, 1); /* the allocation reference */
    spin_lock(&d->lock);
    list_add_tail(&pg->list, &d->page_list);
    d->tot_pages++;
    spin_unlock(&d->lock);
    return pg;
}

void domain_free_page(struct domain *d, struct page_info *pg)
{
    spin_lock(&d->lock);
    list_del(&pg->list);
    d->tot_pages--;
    spin_unlock(&d->lock);
    pg->owner = PAGE_OWNER_INVALID;
    pg->type_info = 0;
    page_set_refcount(pg, 0);
    free_frames(pg, 0);
}

/*
 * Drops d's allocation reference on a frame it owned. With no other
 * reference left the frame is free now; one another domain still maps
 * (a grant, a foreign PTE) stays allocated, orphaned and owned by no one,
 * and the last reference frees it (frame_put_orphan). Caller holds
 * frame_lock; pg is off d's page list.
 */
static void frame_release(struct domain *d, struct page_info *pg)
{
    pg->owner = PAGE_OWNER_INVALID;
    if (page_refcount(pg) > 1) {
        pg->count_info |= PGC_orphan;
        d->orphaned_frames++;
    }
    page_put_ref(pg);
    frame_put_orphan(pg);
}

void frame_put_orphan(struct page_info *pg)
{
    if (page_refcount(pg) != 0 || !(pg->count_info & (PGC_orphan | PGC_shared)))
        return;
    if (pg->count_info & PGC_orphan)
        printk(XENLOG_DEBUG "frame %#lx: last mapping gone, orphan freed\n", page_to_mfn(pg));
    pg->count_info &= ~(PGC_orphan | PGC_shared);
    pg->type_info = 0;
    free_frames(pg, 0);
}

void share_xen_frame(struct domain *d, void *va)
{
    struct page_info *pg = mfn_to_page(__pa(va) >> PAGE_SHIFT);

    pg->owner = d->domain_id;
    pg->count_info |= PGC_shared;
    page_set_refcount(pg, 1);
    BUG_ON(page_get_type(pg, PGT_writable_page)); /* a fresh frame: untyped */
}

void unshare_xen_frame(struct domain *d, void *va)
{
    struct page_info *pg = mfn_to_page(__pa(va) >> PAGE_SHIFT);

    page_put_type(pg);
    frame_release(d, pg);
}

static void domain_release_page(struct domain *d, struct page_info *pg)
{
    if (page_refcount(pg) <= 1) {
        domain_free_page(d, pg);
        return;
    }
    spin_lock(&d->lock);
    list_del(&pg->list);
    d->tot_pages--;
    spin_unlock(&d->lock);
    frame_release(d, pg);
}

void domain_destroy(struct domain *d)
{
    struct page_info *pg, *tmp;
    unsigned int i;

    ASSERT(d->state == DOMSTATE_shutdown || d->state == DOMSTATE_created);
    d->state = DOMSTATE_dying;
    spin_lock(&domlist_lock);
    list_del(&d->domlist_link);
    nr_domains--;
    spin_unlock(&domlist_lock);

    for (i = 0; i < d->max_vcpus; i++)
        vtimer_stop(d->vcpus[i]);
    sched_domain_destroy(d);
    arch_domain_relinquish(d); /* first: its tables map its grant frames */
    console_ring_detach(d);
    evtchn_domain_destroy(d);
    gnttab_domain_destroy(d);
    spin_lock(&frame_lock);
    list_for_each_entry_safe(pg, tmp, &d->page_list, list)
    {
        domain_release_page(d, pg);
    }
    BUG_ON(d->tot_pages != 0);
    unshare_xen_frame(d, d->shared_info);
    spin_unlock(&frame_lock);
    for (i = 0; i < d->max_vcpus; i++)
        xfree(d->vcpus[i]);
    d->state = DOMSTATE_destroyed;
    if (d->orphaned_frames)
        printk("Domain %u (%s) destroyed: %lu frames still mapped by other domains (freed with "
               "their last mapping); %lu hypercalls answered -ENOSYS\n",
               d->domain_id, d->name, d->orphaned_frames, d->enosys_count);
    else
        printk("Domain %u (%s) destroyed: all frames returned; %lu hypercalls answered -ENOSYS\n",
               d->domain_id, d->name, d->enosys_count);
    xfree(d);
}
