/* SPDX-License-Identifier: MIT */
/*
 * vcpu_op: a guest manages its own vCPUs: whether they are up, their
 * timers (vtimer.c), where their vcpu_info lives, and the runstate area
 * the hypervisor keeps up to date. Bringing up further vCPUs arrives with
 * SMP guests and answers -ENOSYS until then.
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
    if (r.offset > PAGE_SIZE - sizeof(vcpu_info_t))
        return -ENXIO; /* Xen's answer: the area would leave the page */
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

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct domain *d = current_vcpu()->domain;
    struct vcpu_register_runstate_memory_area area;
    struct vcpu *v;

    if (vcpuid >= d->max_vcpus)
        return -ENOENT;
    v = d->vcpus[vcpuid];
    switch (cmd) {
    case VCPUOP_is_up:
        return v->is_up;
    case VCPUOP_initialise:
        return arch_vcpu_initialise(v, arg);
    case VCPUOP_up:
        if (!v->is_up && !arch_vcpu_initialised(v))
            return -EINVAL;
        if (!v->is_up) {
            v->is_up = true;
            sched_start_vcpu(v);
        }
        return 0;
    case VCPUOP_down:
        if (v->is_up) {
            v->is_up = false;
            sched_remove_vcpu(v);
        }
        return 0;
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
    case VCPUOP_set_periodic_timer:
    case VCPUOP_stop_periodic_timer:
        return vtimer_op(v, cmd, arg);
    case VCPUOP_register_vcpu_info:
        return v == current_vcpu() ? register_vcpu_info(v, arg) : -EINVAL;
    case VCPUOP_register_runstate_memory_area:
        if (copy_from_guest(&area, arg, sizeof(area)))
            return -EFAULT;
        if (area.addr.p && !guest_range_ok(area.addr.p, sizeof(v->runstate)))
            return -EFAULT;
        v->runstate_area = area.addr.p;
        if (v == current_vcpu())
            runstate_publish(v);
        return 0;
    case VCPUOP_get_runstate_info:
        if (v == current_vcpu())
            vcpu_runstate_change(v, RUNSTATE_running); /* bring the running time up to date */
        return copy_to_guest(arg, &v->runstate, sizeof(v->runstate));
    }
    return -ENOSYS;
}
