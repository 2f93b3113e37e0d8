/* SPDX-License-Identifier: MIT */
/*
 * vcpu_op: a guest manages its own vCPUs: whether they are up, their
 * timers (vtimer.c), where their vcpu_info lives, and the runstate area
 * the hypervisor keeps up to date, and bringing further vCPUs up and down.
 *
 * Locking: d->vcpu_op_lock serialises the changes of a vCPU's life
 * (initialise, up, down, register_vcpu_info) among the domain's vCPUs;
 * it is taken before frame_lock and d->lock.
 */
#include <xenolith/domain.h>
#include <xenolith/errno.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/page_type.h>
#include <xenolith/sched.h>
#include <xenolith/string.h>
#include <xenolith/time.h>
#include <xenolith/vtimer.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <asm/guest_access.h>
#include <asm/pv_mm.h>

/*
 * The vcpu_info moves into a frame of the guest's, which keeps a
 * writable-type reference for good (it can never become a page table).
 * Everything pending is re-announced so no event is lost in the move.
 */
static long register_vcpu_info(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    struct domain *d = v->domain;
    struct page_info *pg;
    vcpu_info_t *new;
    long rc = -EINVAL;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.offset > PAGE_SIZE - sizeof(vcpu_info_t) || r.offset % __alignof__(vcpu_info_t))
        return -ENXIO; /* Xen's answer: the area would leave the page, or is misaligned */
    if (v->vcpu_info_registered)
        return -EINVAL;
    spin_lock(&pv_mm_lock);
    pg = pv_owned_frame(d, r.mfn);
    if (pg && page_get_ref(pg, d->domain_id)) {
        if (!page_get_type(pg, PGT_writable_page))
            rc = 0;
        else
            page_put_ref(pg);
    }
    spin_unlock(&pv_mm_lock);
    if (rc)
        return rc;
    new = (vcpu_info_t *)((char *)page_to_virt(pg) + r.offset);
    memcpy(new, v->vcpu_info, sizeof(*new));
    new->evtchn_upcall_pending = 1;
    new->evtchn_pending_sel = ~0ul;
    v->vcpu_info = new;
    v->vcpu_info_registered = true;
    arch_vcpu_time_update(v);
    return 0;
}

/*
 * With VMASST runstate_update_flag the guest sees XEN_RUNSTATE_UPDATE in
 * state_entry_time while the copy is under way, so it can retry.
 */
static void runstate_publish(struct vcpu *v)
{
    uint64_t entry = v->runstate.state_entry_time, at = v->runstate_area;
    uint64_t entry_at = at + offsetof(struct vcpu_runstate_info, state_entry_time);
    bool flag = v->domain->arch.vm_assist & (1ul << VMASST_TYPE_runstate_update_flag);

    if (!at)
        return;
    if (flag) {
        uint64_t busy = entry | XEN_RUNSTATE_UPDATE;

        copy_to_guest(entry_at, &busy, sizeof(busy));
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    copy_to_guest(at, &v->runstate, sizeof(v->runstate));
    if (flag) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        copy_to_guest(entry_at, &entry, sizeof(entry));
    }
}

/* Called on every state change of v, on the pCPU with v's tables loaded. */
void vcpu_runstate_change(struct vcpu *v, int state)
{
    s_time_t now = NOW();

    if (v->runstate.state >= 0 && v->runstate.state < 4)
        v->runstate.time[v->runstate.state] += now - v->runstate.state_entry_time;
    v->runstate.state = state;
    v->runstate.state_entry_time = now;
    runstate_publish(v);
}

/*
 * VCPUOP_up/down. A vCPU goes down for good only through this (or the
 * domain's end); up again, it resumes where it was, after its own
 * VCPUOP_down if it downed itself. Under d->lock so that a domain
 * shutting down, which stops every vCPU after changing its state under
 * that lock, never has a vCPU started behind its back.
 */
static bool other_vcpu_up(const struct vcpu *v)
{
    unsigned int i;

    for (i = 0; i < v->domain->max_vcpus; i++)
        if (v->domain->vcpus[i] != v && v->domain->vcpus[i]->is_up)
            return true;
    return false;
}

static long vcpu_set_up(struct vcpu *v, bool up)
{
    struct domain *d = v->domain;

    if (up && !arch_vcpu_initialised(v))
        return -EINVAL;
    if (!up && !other_vcpu_up(v)) {
        domain_shutdown(d, SHUTDOWN_poweroff); /* as Xen: the last vCPU went down */
        return 0;
    }
    spin_lock(&d->lock);
    if (up && !v->is_up) {
        v->is_up = true;
        if (d->state == DOMSTATE_running)
            sched_start_vcpu(v);
    } else if (!up && v->is_up) {
        v->is_up = false;
        sched_remove_vcpu(v);
    }
    spin_unlock(&d->lock);
    return 0;
}

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct domain *d = current_vcpu()->domain;
    struct vcpu_register_runstate_memory_area area;
    struct vcpu *v;
    long rc;

    if (vcpuid >= d->max_vcpus)
        return -ENOENT;
    v = d->vcpus[vcpuid];
    switch (cmd) {
    case VCPUOP_is_up:
        return READ_ONCE(v->is_up);
    case VCPUOP_initialise:
        spin_lock(&d->vcpu_op_lock);
        rc = v->is_up ? -EEXIST : arch_vcpu_initialise(v, arg);
        if (rc > 0) /* the context said VGCF_online */
            rc = vcpu_set_up(v, true);
        spin_unlock(&d->vcpu_op_lock);
        return rc;
    case VCPUOP_up:
    case VCPUOP_down:
        spin_lock(&d->vcpu_op_lock);
        rc = vcpu_set_up(v, cmd == VCPUOP_up);
        spin_unlock(&d->vcpu_op_lock);
        return rc;
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
    case VCPUOP_set_periodic_timer:
    case VCPUOP_stop_periodic_timer:
        return vtimer_op(v, cmd, arg);
    case VCPUOP_register_vcpu_info:
        /* Its own, or a vCPU that is down (Linux sets up its others from CPU 0). */
        spin_lock(&d->vcpu_op_lock);
        rc = v == current_vcpu() || !v->is_up ? register_vcpu_info(v, arg) : -EINVAL;
        spin_unlock(&d->vcpu_op_lock);
        return rc;
    case VCPUOP_register_runstate_memory_area:
        if (copy_from_guest(&area, arg, sizeof(area)))
            return -EFAULT;
        if (area.addr.p && !guest_range_ok(area.addr.p, sizeof(v->runstate)))
            return -EFAULT;
        v->runstate_area = area.addr.p;
        runstate_publish(v); /* a guest address: the caller's tables, the same domain's */
        return 0;
    case VCPUOP_get_runstate_info:
        if (v == current_vcpu())
            vcpu_runstate_change(v, RUNSTATE_running); /* bring the running time up to date */
        return copy_to_guest(arg, &v->runstate, sizeof(v->runstate));
    }
    return -ENOSYS;
}
