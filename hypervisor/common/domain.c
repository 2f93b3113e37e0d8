/* SPDX-License-Identifier: MIT */
/*
 * Domain and vCPU objects: creation, shutdown, destruction, and the
 * frames a domain owns.
 *
 * Locking: domlist_lock protects the list of domains; d->lock protects
 * d's page list and counters. domlist_lock is taken with interrupts off:
 * interrupt handlers take evtchn_lock (a vCPU's timer sends its VIRQ),
 * whose holders look domains up under it, so a CPU interrupted while it
 * held domlist_lock would wait for evtchn_lock while that lock's holder
 * waits for domlist_lock, for good (found by domctl_hostile: a domctl on
 * one CPU, a domain's shutdown raising VIRQ_DOM_EXC on the other). A domain is destroyed only once
 * none of its vCPUs can run any more (sched_remove_vcpu() guarantees it).
 */
#include <xenolith/bug.h>
#include <xenolith/console.h>
#include <xenolith/console_ring.h>
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/grant_table.h>
#include <xenolith/lib.h>
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
/* Domains being destroyed: gone for domain_by_id(), still dying for
 * getdomaininfo until their frames are all returned (the toolstack waits
 * for that). */
static struct list_head dying_list = LIST_HEAD_INIT(dying_list);
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
    v->affinity_hard = v->affinity_soft = ~0ull;
    vtimer_init(v);
    arch_vcpu_init(v);
    return v;
}

DEFINE_SPINLOCK(frame_lock);
static uint64_t instances; /* domains ever created */

/*
 * Domain ids in use, from the moment creation starts until the domain is
 * freed: an id is taken once, under domlist_lock, before anything
 * (frames' owner fields) records it. The rover hands out ids as Xen's
 * does: the next free one after the last given, from 1, wrapping.
 */
static uint64_t domids_taken[DOMID_FIRST_RESERVED / 64 + 1];
static domid_t domid_rover;

static bool domid_test_and_take(domid_t id)
{
    uint64_t bit = 1ull << (id % 64);

    if (domids_taken[id / 64] & bit)
        return false;
    domids_taken[id / 64] |= bit;
    return true;
}

/* id, or the next free one when id is DOMID_INVALID; DOMID_INVALID if none. */
static domid_t domid_take(domid_t id)
{
    unsigned long flags;
    domid_t got = DOMID_INVALID;
    unsigned int tries;

    flags = spin_lock_irqsave(&domlist_lock);
    if (id != DOMID_INVALID) {
        got = id < DOMID_FIRST_RESERVED && domid_test_and_take(id) ? id : DOMID_INVALID;
    } else {
        for (tries = 0; tries < DOMID_FIRST_RESERVED && got == DOMID_INVALID; tries++) {
            if (++domid_rover >= DOMID_FIRST_RESERVED)
                domid_rover = 1;
            if (domid_test_and_take(domid_rover))
                got = domid_rover;
        }
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
    return got;
}

static void domid_give_back(domid_t id)
{
    unsigned long flags = spin_lock_irqsave(&domlist_lock);

    domids_taken[id / 64] &= ~(1ull << (id % 64));
    spin_unlock_irqrestore(&domlist_lock, flags);
}

struct domain *domain_create(domid_t id, const char *name, unsigned int max_vcpus,
                             unsigned long max_pages, bool privileged)
{
    unsigned long flags;
    struct domain *d;
    unsigned int i;

    if (max_vcpus == 0 || max_vcpus > MAX_VIRT_CPUS)
        return NULL;
    id = domid_take(id);
    if (id == DOMID_INVALID)
        return NULL;
    d = xzalloc(struct domain);
    if (!d) {
        domid_give_back(id);
        return NULL;
    }
    d->domain_id = id;
    d->created_at = NOW();
    d->instance = __atomic_add_fetch(&instances, 1, __ATOMIC_RELAXED);
    if (name)
        strlcpy(d->name, name, sizeof(d->name));
    else
        snprintf(d->name, sizeof(d->name), "d%u", id); /* until the toolstack names it */
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
    flags = spin_lock_irqsave(&domlist_lock);
    list_add_tail_published(&d->domlist_link, &domain_list); /* for_each_domain() */
    nr_domains++;
    spin_unlock_irqrestore(&domlist_lock, flags);
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
    domid_give_back(id);
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

/* The live domain with that id; caller holds domlist_lock. */
static struct domain *domain_find_locked(domid_t id)
{
    struct domain *d;

    list_for_each_entry(d, &domain_list, domlist_link)
    {
        if (d->domain_id == id)
            return d;
    }
    return NULL;
}

struct domain *domain_by_id(domid_t id)
{
    unsigned long flags;
    struct domain *found;

    flags = spin_lock_irqsave(&domlist_lock);
    found = domain_find_locked(id);
    spin_unlock_irqrestore(&domlist_lock, flags);
    return found;
}

uint64_t vcpu_cpu_time(const struct vcpu *v)
{
    uint64_t t = v->runstate.time[RUNSTATE_running];

    if (v->runstate.state == RUNSTATE_running) /* and the run under way */
        t += (uint64_t)(NOW() - v->runstate.state_entry_time);
    return t;
}

struct domain *domain_get(domid_t id)
{
    unsigned long flags;
    struct domain *found;

    flags = spin_lock_irqsave(&domlist_lock);
    found = domain_find_locked(id);
    if (found)
        __atomic_add_fetch(&found->refs, 1, __ATOMIC_ACQUIRE);
    spin_unlock_irqrestore(&domlist_lock, flags);
    return found;
}

void domain_put(struct domain *d)
{
    __atomic_sub_fetch(&d->refs, 1, __ATOMIC_RELEASE);
}

static void domain_fill_info(const struct domain *d, struct domain_info *out)
{
    unsigned int i;

    *out = (struct domain_info){
        .id = d->domain_id,
        .dying = d->state >= DOMSTATE_dying || d->killed,
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

        out->cpu_time += vcpu_cpu_time(v);
        if (!v->is_up)
            continue;
        out->nr_up++;
        out->any_running |= READ_ONCE(v->is_running);
        out->all_blocked &= READ_ONCE(v->run_state) == VCPU_blocked;
    }
}

int domain_get_info(domid_t from, struct domain_info *out)
{
    unsigned long flags;
    const struct domain *d, *best = NULL;

    flags = spin_lock_irqsave(&domlist_lock);
    list_for_each_entry(d, &domain_list, domlist_link)
    {
        if (d->domain_id >= from && (!best || d->domain_id < best->domain_id))
            best = d;
    }
    list_for_each_entry(d, &dying_list, domlist_link)
    {
        if (d->domain_id >= from && (!best || d->domain_id < best->domain_id))
            best = d;
    }
    if (best)
        domain_fill_info(best, out);
    spin_unlock_irqrestore(&domlist_lock, flags);
    return best ? 0 : -ESRCH;
}

unsigned int domain_count(void)
{
    return READ_ONCE(nr_domains);
}

/*
 * Unpausing starts every vCPU that is up, blocked ones included: a wake-up
 * meant for a paused vCPU was dropped (sched_wake() wakes only in running
 * domains), and a spurious return from SCHEDOP_block or _poll is one every
 * PV guest handles.
 */
int domain_unpause(struct domain *d)
{
    unsigned int i;
    int rc = -EINVAL;

    spin_lock(&d->lock);
    if (d->state == DOMSTATE_created && !d->built)
        rc = -EBUSY; /* nothing to run yet */
    else if (d->state == DOMSTATE_created || d->state == DOMSTATE_paused) {
        d->state = DOMSTATE_running;
        for (i = 0; i < d->max_vcpus; i++)
            if (d->vcpus[i]->is_up)
                sched_start_vcpu(d->vcpus[i]);
        rc = 0;
    } else if (d->state == DOMSTATE_running) {
        rc = 0;
    }
    spin_unlock(&d->lock);
    return rc;
}

/* Off the run queues now; a vCPU on a pCPU leaves it at its next exit. */
int domain_pause(struct domain *d)
{
    unsigned int i;
    int rc = 0;

    spin_lock(&d->lock);
    if (d->state == DOMSTATE_running) {
        d->state = DOMSTATE_paused;
        for (i = 0; i < d->max_vcpus; i++)
            sched_remove_vcpu(d->vcpus[i]);
    } else if (d->state != DOMSTATE_paused && d->state != DOMSTATE_created) {
        rc = -EINVAL;
    }
    spin_unlock(&d->lock);
    return rc;
}

void control_domain_virq(unsigned int virq)
{
    evtchn_send_global_virq(0, virq); /* only the control domain has id 0 */
}

/*
 * Takes every vCPU of d out of scheduling, under d->lock so that two
 * stoppers (the guest's shutdown, the toolstack's destroy) do not
 * interleave; `stopped`, written last, tells the reaper it may go on.
 * Returns whether this call shut d down (the first reason wins).
 */
static bool domain_stop(struct domain *d, unsigned int reason, bool kill)
{
    bool first;
    unsigned int i;

    spin_lock(&d->lock);
    first = d->state < DOMSTATE_shutdown;
    if (first) {
        d->state = DOMSTATE_shutdown;
        d->shutdown_reason = reason;
    }
    for (i = 0; i < d->max_vcpus; i++) {
        sched_remove_vcpu(d->vcpus[i]);
        vtimer_stop(d->vcpus[i]);
    }
    if (kill)
        __atomic_store_n(&d->killed, true, __ATOMIC_RELEASE);
    __atomic_store_n(&d->stopped, true, __ATOMIC_RELEASE);
    spin_unlock(&d->lock);
    return first;
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    if (!domain_stop(d, reason, false))
        return;
    printk("Domain %u (%s) shut down: %s\n", d->domain_id, d->name, domain_shutdown_name(reason));
    cpu_raise_softirq(0, DOMAIN_REAP_SOFTIRQ);
    control_domain_virq(VIRQ_DOM_EXC);
}

/*
 * XEN_DOMCTL_destroydomain: stops d in whatever state it is and leaves its
 * destruction to CPU 0's reaper, where domains die (for_each_domain()).
 * getdomaininfo shows it dying until it is gone.
 */
void domain_kill(struct domain *d)
{
    domain_stop(d, SHUTDOWN_poweroff, true);
    cpu_raise_softirq(0, DOMAIN_REAP_SOFTIRQ);
}

static bool domain_is_running_anywhere(const struct domain *d)
{
    unsigned int i;

    for (i = 0; i < d->max_vcpus; i++)
        if (!sched_vcpu_off_cpus(d->vcpus[i]))
            return true;
    return false;
}

/* A shut-down domain that no longer runs anywhere, not yet handed to the policy. */
static struct domain *find_reapable(void)
{
    unsigned long flags;
    struct domain *d, *found = NULL;

    flags = spin_lock_irqsave(&domlist_lock);
    list_for_each_entry(d, &domain_list, domlist_link)
    {
        if (d->state == DOMSTATE_shutdown && __atomic_load_n(&d->stopped, __ATOMIC_ACQUIRE) &&
            (!d->reaped || __atomic_load_n(&d->killed, __ATOMIC_ACQUIRE)) &&
            !domain_is_running_anywhere(d)) {
            found = d;
            break;
        }
    }
    spin_unlock_irqrestore(&domlist_lock, flags);
    return found;
}

static void domain_kill_orphan(struct domain *d)
{
    if (d->toolstack && !d->killed)
        domain_kill(d);
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
        bool control = d->is_privileged;

        if (d->killed) {
            printk("Domain %u (%s) destroyed by the control domain\n", d->domain_id, d->name);
            domain_destroy(d);
        } else if (d->toolstack) {
            d->reaped = true; /* kept, shut down, until the toolstack destroys it */
        } else {
            d->reaped = true;
            if (domain_ended(d))
                domain_destroy(d);
            else
                continue;
        }
        /* Without their control domain, its domains have no one to end them. */
        if (control && !domain_by_id(0))
            for_each_domain(domain_kill_orphan);
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
    unsigned long flags;
    domid_t id;
    struct page_info *pg, *tmp;
    unsigned int i;

    ASSERT(d->state == DOMSTATE_shutdown || d->state == DOMSTATE_created);
    flags = spin_lock_irqsave(&domlist_lock);
    d->state = DOMSTATE_dying;
    list_del(&d->domlist_link);
    list_add_tail(&d->domlist_link, &dying_list);
    nr_domains--;
    spin_unlock_irqrestore(&domlist_lock, flags);
    /* Unlinked: no new domain_get(); those in flight (domctl) finish first. */
    while (__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE))
        cpu_relax();

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
    d->state = DOMSTATE_destroyed;
    if (d->orphaned_frames)
        printk("Domain %u (%s) destroyed: %lu frames still mapped by other domains (freed with "
               "their last mapping); %lu hypercalls answered -ENOSYS\n",
               d->domain_id, d->name, d->orphaned_frames, d->enosys_count);
    else
        printk("Domain %u (%s) destroyed: all frames returned; %lu hypercalls answered -ENOSYS\n",
               d->domain_id, d->name, d->enosys_count);
    id = d->domain_id;
    /* Its vCPUs and itself freed under the lock: getdomaininfo finds it
     * dying until the last of its memory is back (the heap's pages too),
     * so a toolstack that waits for it to go sees every frame free. */
    flags = spin_lock_irqsave(&domlist_lock);
    list_del(&d->domlist_link);
    for (i = 0; i < d->max_vcpus; i++)
        xfree(d->vcpus[i]);
    xfree(d);
    spin_unlock_irqrestore(&domlist_lock, flags);
    domid_give_back(id);
    control_domain_virq(VIRQ_DOM_EXC); /* as Xen: the toolstack hears of the end too */
}
