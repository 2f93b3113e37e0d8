/* SPDX-License-Identifier: MIT */
/*
 * Credit scheduler decisions, after the model of Xen's credit scheduler:
 * weights share the machine each accounting period, caps limit a domain
 * to a percentage of one pCPU, a vCPU waking while UNDER is boosted, and
 * a pCPU with nothing better than OVER work steals UNDER work from its
 * peers. Pure logic: no locks, no arch, time passed in.
 *
 * Invariants:
 *  - a vCPU is on at most one run queue, only while runnable and not any
 *    pCPU's current; v->pcpu is the pCPU of that queue;
 *  - each run queue is sorted by pri (BOOST, UNDER, OVER), UNDER by credit
 *    (most first), FIFO otherwise;
 *    pcpu->nr_queued is its length;
 *  - a vCPU is picked only on a pCPU of its hard affinity, and only while
 *    its domain is not parked;
 *  - blocked vCPUs are on no queue and are neither debited nor credited;
 *  - credit stays within [-period, +period] after each accounting.
 *
 * Locking: caller serializes.
 */
#include <xenolith/bug.h>
#include <xenolith/errno.h>
#include <xenolith/sched_credit.h>
#include <xenolith/time.h>

#define BIT(cpu) (1ull << (cpu))

static unsigned int cpu_lowest(uint64_t mask)
{
    ASSERT(mask);
    return (unsigned int)__builtin_ctzll(mask);
}

/* Without -mpopcnt, __builtin_popcountll is a libgcc call: count by hand. */
static unsigned int cpu_count(uint64_t mask)
{
    unsigned int n = 0;

    for (; mask; mask &= mask - 1)
        n++;
    return n;
}

/* A full domain's vCPUs cannot exceed their share: never OVER. */
static enum csched_pri pri_of(const struct csched_vcpu *v)
{
    return v->credit < 0 && !v->dom->full ? CSCHED_PRI_OVER : CSCHED_PRI_UNDER;
}

static void unboost(struct csched_vcpu *v)
{
    v->pri = pri_of(v);
}

static bool pickable(const struct csched_vcpu *v, unsigned int cpu)
{
    return (v->hard & BIT(cpu)) && !v->dom->parked;
}

static bool is_current(const struct csched_system *sys, const struct csched_vcpu *v)
{
    return sys->pcpus[v->pcpu].curr == v;
}

/* Online pCPUs with nothing running and nothing queued. */
static uint64_t idle_mask(const struct csched_system *sys)
{
    uint64_t idle = 0;
    unsigned int cpu;

    for (cpu = 0; cpu < sys->nr_pcpus; cpu++) {
        if (!sys->pcpus[cpu].curr && !sys->pcpus[cpu].nr_queued)
            idle |= BIT(cpu);
    }
    return idle & sys->online;
}

/* Debits v for the time it ran since its last debit; parks a capped domain. */
static void burn(struct csched_vcpu *v, s_time_t now)
{
    s_time_t ran = now > v->last_debit ? now - v->last_debit : 0;

    v->last_debit = MAX(now, v->last_debit);
    v->credit -= (int64_t)ran;
    v->ran_period += ran;
    v->runtime += ran;
    if (v->dom->cap) {
        v->dom->cap_budget -= (int64_t)ran;
        if (v->dom->cap_budget <= 0)
            v->dom->parked = true;
    }
    if (v->pri != CSCHED_PRI_BOOST)
        unboost(v);
}

/* Whether v goes ahead of queued vCPU q. */
static bool runq_before(const struct csched_vcpu *v, const struct csched_vcpu *q)
{
    if (v->pri != q->pri || v->yielded)
        return v->pri > q->pri;
    /*
     * UNDER vCPUs run the most credit first: the one furthest below its
     * share. FIFO instead let a vCPU whose slice ended (cut to its credit
     * before an accounting refilled it) wait behind all the others, and
     * reach the credit limit, losing the excess: a weight-1024 domain got
     * 0.26 of two pCPUs for 0.286.
     */
    return v->pri == CSCHED_PRI_UNDER && v->credit > q->credit;
}

/* Queues v behind every vCPU that goes first (runq_before), FIFO otherwise. */
static void runq_insert(struct csched_pcpu *pc, struct csched_vcpu *v)
{
    struct list_head *pos;

    ASSERT(list_empty(&v->runq_link) && v->runnable);
    for (pos = pc->runq.next; pos != &pc->runq; pos = pos->next) {
        if (runq_before(v, list_entry(pos, struct csched_vcpu, runq_link)))
            break;
    }
    list_add_tail(&v->runq_link, pos);
    pc->nr_queued++;
    v->yielded = false;
}

static void runq_remove(struct csched_system *sys, struct csched_vcpu *v)
{
    ASSERT(!list_empty(&v->runq_link));
    list_del(&v->runq_link);
    sys->pcpus[v->pcpu].nr_queued--;
}

/* The first vCPU of pc's queue that may run on cpu, or NULL. */
static struct csched_vcpu *runq_best(const struct csched_pcpu *pc, unsigned int cpu)
{
    struct csched_vcpu *v;

    list_for_each_entry(v, &pc->runq, runq_link)
    {
        if (pickable(v, cpu))
            return v;
    }
    return NULL;
}

/* Whether cpu should call pick_next: idle with work, or outranked. */
static bool needs_resched(const struct csched_system *sys, unsigned int cpu)
{
    const struct csched_pcpu *pc = &sys->pcpus[cpu];
    const struct csched_vcpu *best = runq_best(pc, cpu);

    if (!pc->curr)
        return best != NULL;
    if (!pc->curr->runnable || pc->curr->dom->parked)
        return true;
    return best && best->pri > pc->curr->pri;
}

/*
 * The least loaded pCPU of mask (running + queued), ties going to soft
 * affinity, then to v's last pCPU, then to the lowest number.
 */
static unsigned int least_loaded(const struct csched_system *sys, const struct csched_vcpu *v,
                                 uint64_t mask)
{
    unsigned int cpu, best = 0, best_key = ~0u, key;

    for (cpu = 0; cpu < sys->nr_pcpus; cpu++) {
        if (!(mask & BIT(cpu)))
            continue;
        key = (sys->pcpus[cpu].nr_queued + (sys->pcpus[cpu].curr != NULL)) * 4;
        key += (v->soft & BIT(cpu) ? 0 : 2) + (cpu == v->pcpu ? 0 : 1);
        if (key < best_key) {
            best_key = key;
            best = cpu;
        }
    }
    return best;
}

/* Wake placement: an idle pCPU of soft, of hard, else the least loaded. */
static unsigned int place(const struct csched_system *sys, const struct csched_vcpu *v)
{
    uint64_t hard = v->hard & sys->online, idle = idle_mask(sys);
    uint64_t pref[2] = {hard & v->soft & idle, hard & idle};
    unsigned int i;

    ASSERT(hard);
    for (i = 0; i < 2; i++) {
        if (pref[i] & BIT(v->pcpu))
            return v->pcpu;
        if (pref[i])
            return cpu_lowest(pref[i]);
    }
    return least_loaded(sys, v, hard);
}

/* Queues v on cpu; returns cpu as a tickle if v should run there now. */
static uint64_t enqueue_on(struct csched_system *sys, struct csched_vcpu *v, unsigned int cpu)
{
    struct csched_pcpu *pc = &sys->pcpus[cpu];

    v->pcpu = cpu;
    runq_insert(pc, v);
    if (!pickable(v, cpu))
        return 0;
    if (!pc->curr || v->pri > pc->curr->pri)
        return BIT(cpu);
    return 0;
}

/*
 * Idle pCPUs that could steal what waits on pc: one per waiting vCPU,
 * of its soft affinity if possible.
 */
static uint64_t idlers_for(const struct csched_system *sys, const struct csched_pcpu *pc)
{
    uint64_t idle = idle_mask(sys), chosen = 0, cand;
    const struct csched_vcpu *v;

    list_for_each_entry(v, &pc->runq, runq_link)
    {
        cand = v->hard & idle & ~chosen;
        if (v->dom->parked || !cand)
            continue;
        chosen |= BIT(cpu_lowest(cand & v->soft ? cand & v->soft : cand));
    }
    return chosen;
}

/*
 * A vCPU on another online pCPU's queue that cpu may run and that outranks
 * floor, from the soft-affinity candidates first; the highest priority
 * wins, then the nearest pCPU after cpu.
 */
static struct csched_vcpu *steal(const struct csched_system *sys, unsigned int cpu,
                                 enum csched_pri floor)
{
    struct csched_vcpu *v, *best = NULL;
    unsigned int pass, i, peer;

    for (pass = 0; pass < 2 && !best; pass++) {
        for (i = 1; i < sys->nr_pcpus; i++) {
            peer = (cpu + i) % sys->nr_pcpus;
            if (!(sys->online & BIT(peer)))
                continue;
            list_for_each_entry(v, &sys->pcpus[peer].runq, runq_link)
            {
                if (v->pri <= floor)
                    break; /* sorted: nothing better behind */
                if (!pickable(v, cpu) || (pass == 0 && !(v->soft & BIT(cpu))))
                    continue;
                if (!best || v->pri > best->pri)
                    best = v;
                break;
            }
        }
    }
    return best;
}

/*
 * A vCPU queued behind a full domain's vCPU is stranded: that vCPU never
 * goes OVER, so it keeps its pCPU until it blocks. An UNDER one that has
 * more credit than what cpu would run next is taken by cpu instead.
 */
static struct csched_vcpu *steal_stranded(const struct csched_system *sys, unsigned int cpu,
                                          const struct csched_vcpu *next)
{
    struct csched_vcpu *v, *best = NULL;
    unsigned int i, peer;

    for (i = 1; i < sys->nr_pcpus; i++) {
        peer = (cpu + i) % sys->nr_pcpus;
        if (!(sys->online & BIT(peer)) || !sys->pcpus[peer].curr ||
            !sys->pcpus[peer].curr->dom->full)
            continue;
        list_for_each_entry(v, &sys->pcpus[peer].runq, runq_link)
        {
            if (v->pri < next->pri || (v->pri == next->pri && v->credit <= next->credit))
                break; /* sorted: nothing better behind */
            if (!pickable(v, cpu))
                continue;
            if (!best || v->pri > best->pri || (v->pri == best->pri && v->credit > best->credit))
                best = v;
            break;
        }
    }
    return best;
}

void csched_params_default(struct csched_params *p)
{
    p->period = MILLISECS(30);
    p->tick = MILLISECS(10);
    p->slice = MILLISECS(30);
    p->boost_slice = MILLISECS(2);
    p->min_slice = MILLISECS(1);
}

int csched_init(struct csched_system *sys, const struct csched_params *p, struct csched_pcpu *pcpus,
                unsigned int nr_pcpus, uint64_t online, s_time_t now)
{
    uint64_t all = nr_pcpus >= 64 ? ~0ull : BIT(nr_pcpus) - 1;
    unsigned int cpu;

    if (!p->tick || p->period < p->tick || !p->slice || !p->boost_slice || !p->min_slice ||
        p->min_slice > p->slice)
        return -EINVAL;
    if (!nr_pcpus || nr_pcpus > CSCHED_MAX_PCPUS || !online || (online & ~all))
        return -EINVAL;
    sys->params = *p;
    sys->pcpus = pcpus;
    sys->nr_pcpus = nr_pcpus;
    sys->online = online;
    list_init(&sys->domains);
    sys->last_acct = now;
    sys->nr_active_domains = sys->nr_active_vcpus = 0;
    sys->active_weight = 0;
    for (cpu = 0; cpu < nr_pcpus; cpu++) {
        list_init(&pcpus[cpu].runq);
        pcpus[cpu].curr = NULL;
        pcpus[cpu].nr_queued = 0;
    }
    return 0;
}

uint64_t csched_pcpu_online(struct csched_system *sys, unsigned int cpu)
{
    BUG_ON(cpu >= sys->nr_pcpus);
    sys->online |= BIT(cpu);
    return BIT(cpu);
}

static int dom_check(unsigned int weight, unsigned int cap)
{
    if (weight < CSCHED_WEIGHT_MIN || weight > CSCHED_WEIGHT_MAX || cap > CSCHED_CAP_MAX)
        return -EINVAL;
    return 0;
}

int csched_dom_adjust(struct csched_system *sys, struct csched_domain *d, unsigned int weight,
                      unsigned int cap)
{
    int rc = dom_check(weight, cap);

    if (rc)
        return rc;
    if (cap && !d->cap)
        d->cap_budget = sys->params.period * cap / 100;
    d->weight = weight;
    d->cap = cap;
    return 0;
}

int csched_dom_init(struct csched_system *sys, struct csched_domain *d, unsigned int weight,
                    unsigned int cap)
{
    int rc = dom_check(weight, cap);

    if (rc)
        return rc;
    list_init(&d->vcpus);
    d->cap = 0;
    d->parked = d->active = d->saturated = d->full = false;
    d->nr_active = 0;
    d->peak = d->share = d->cap_budget = 0;
    csched_dom_adjust(sys, d, weight, cap);
    list_add_tail(&d->link, &sys->domains);
    return 0;
}

void csched_dom_destroy(struct csched_system *sys, struct csched_domain *d)
{
    (void)sys;
    BUG_ON(!list_empty(&d->vcpus));
    list_del(&d->link);
}

void csched_vcpu_init(struct csched_system *sys, struct csched_domain *d, struct csched_vcpu *v,
                      void *owner, unsigned int cpu)
{
    BUG_ON(cpu >= sys->nr_pcpus);
    list_init(&v->runq_link);
    list_add_tail(&v->dom_link, &d->vcpus);
    v->dom = d;
    v->owner = owner;
    v->pcpu = cpu;
    v->hard = v->soft = ~0ull;
    v->credit = 0;
    v->pri = CSCHED_PRI_UNDER;
    v->runnable = v->yielded = false;
    v->last_debit = v->ran_period = v->runtime = 0;
}

void csched_vcpu_destroy(struct csched_system *sys, struct csched_vcpu *v)
{
    BUG_ON(v->runnable || is_current(sys, v) || !list_empty(&v->runq_link));
    list_del(&v->dom_link);
}

uint64_t csched_vcpu_wake(struct csched_system *sys, struct csched_vcpu *v, s_time_t now)
{
    (void)now;
    if (v->runnable)
        return 0;
    v->runnable = true;
    /* Woken before its pCPU switched away: it never stopped running. */
    if (is_current(sys, v))
        return 0;
    unboost(v); /* a boost from an earlier wake ended when it slept */
    if (v->pri == CSCHED_PRI_UNDER && !v->dom->parked)
        v->pri = CSCHED_PRI_BOOST;
    return enqueue_on(sys, v, place(sys, v));
}

uint64_t csched_vcpu_sleep(struct csched_system *sys, struct csched_vcpu *v, s_time_t now)
{
    if (!v->runnable)
        return 0;
    v->runnable = false;
    if (is_current(sys, v)) {
        burn(v, now);
        return BIT(v->pcpu);
    }
    runq_remove(sys, v);
    return 0;
}

int csched_vcpu_set_affinity(struct csched_system *sys, struct csched_vcpu *v, uint64_t hard,
                             uint64_t soft, uint64_t *tickle)
{
    *tickle = 0;
    if (!(hard & sys->online))
        return -EINVAL;
    v->hard = hard;
    v->soft = soft;
    if (hard & BIT(v->pcpu))
        return 0;
    if (is_current(sys, v))
        *tickle = BIT(v->pcpu); /* pick_next moves it */
    else if (!list_empty(&v->runq_link)) {
        runq_remove(sys, v);
        *tickle = enqueue_on(sys, v, place(sys, v));
    }
    return 0;
}

void csched_vcpu_yield(struct csched_system *sys, struct csched_vcpu *v)
{
    v->yielded = is_current(sys, v);
}

/* Puts a descheduled but runnable vCPU back: here if allowed, else placed. */
static uint64_t requeue(struct csched_system *sys, struct csched_vcpu *v, unsigned int cpu)
{
    if ((v->hard & sys->online & BIT(cpu)) || !(v->hard & sys->online))
        return enqueue_on(sys, v, cpu) & ~BIT(cpu);
    return enqueue_on(sys, v, place(sys, v));
}

static s_time_t slice_for(const struct csched_system *sys, unsigned int cpu,
                          const struct csched_vcpu *next)
{
    const struct csched_vcpu *w = runq_best(&sys->pcpus[cpu], cpu);
    s_time_t slice = sys->params.slice;

    if (!w && next->pri == CSCHED_PRI_UNDER)
        w = steal_stranded(sys, cpu, &(struct csched_vcpu){.pri = CSCHED_PRI_OVER});

    if (w && w->pri == CSCHED_PRI_BOOST)
        slice = MIN(slice, sys->params.boost_slice);
    /*
     * With others waiting, an UNDER vCPU stops when its credit runs out
     * (at least min_slice), not up to a tick later: a weight-256 domain
     * gets only ~4 ms a period, and each overrun would be paid back by
     * waiting a period or more, which makes a short window's share swing
     * by a whole slice.
     */
    if (w && next->pri == CSCHED_PRI_UNDER && !next->dom->full)
        slice = MIN(slice, MAX((s_time_t)MAX(next->credit, 0), sys->params.min_slice));
    /* Stop when the cap runs out (not parked: cap_budget > 0). */
    if (next->dom->cap)
        slice = MIN(slice, (s_time_t)next->dom->cap_budget);
    return slice;
}

struct csched_decision csched_pick_next(struct csched_system *sys, unsigned int cpu, s_time_t now)
{
    struct csched_pcpu *pc = &sys->pcpus[cpu];
    struct csched_decision dec = {NULL, 0, 0};
    struct csched_vcpu *prev = pc->curr, *next, *stolen;

    if (prev) {
        burn(prev, now);
        unboost(prev);
        pc->curr = NULL;
        if (prev->runnable)
            dec.tickle |= requeue(sys, prev, cpu);
    }
    next = (sys->online & BIT(cpu)) ? runq_best(pc, cpu) : NULL;
    if (next && next->pri == CSCHED_PRI_UNDER && (stolen = steal_stranded(sys, cpu, next)))
        next = stolen;
    if ((sys->online & BIT(cpu)) && (!next || next->pri <= CSCHED_PRI_OVER)) {
        stolen = steal(sys, cpu, next ? next->pri : CSCHED_PRI_IDLE);
        if (stolen)
            next = stolen;
    }
    if (next) {
        runq_remove(sys, next);
        next->pcpu = cpu;
        next->last_debit = now;
        pc->curr = next;
        dec.next = next;
        dec.slice = slice_for(sys, cpu, next);
    }
    dec.tickle |= idlers_for(sys, pc);
    return dec;
}

bool csched_tick(struct csched_system *sys, unsigned int cpu, s_time_t now)
{
    struct csched_vcpu *v = sys->pcpus[cpu].curr;

    if (!v)
        return needs_resched(sys, cpu);
    burn(v, now);
    unboost(v);
    if (needs_resched(sys, cpu))
        return true;
    /* Running OVER work while a peer queues UNDER work that may run here. */
    return v->pri == CSCHED_PRI_OVER && steal(sys, cpu, CSCHED_PRI_OVER);
}

/*
 * Counts each domain's active vCPUs (runnable or ran this period) and the
 * most credit they can use: one pCPU each, no more than fills them up to
 * the credit limit (Xen makes such a vCPU inactive instead), and the cap.
 */
static void acct_collect(struct csched_system *sys, s_time_t elapsed)
{
    int64_t limit = (int64_t)sys->params.period, room;
    struct csched_domain *d;
    struct csched_vcpu *v;

    sys->nr_active_domains = sys->nr_active_vcpus = 0;
    sys->active_weight = 0;
    list_for_each_entry(d, &sys->domains, link)
    {
        d->nr_active = 0;
        room = 0;
        list_for_each_entry(v, &d->vcpus, dom_link)
        {
            if (!v->runnable && !v->ran_period)
                continue;
            d->nr_active++;
            room += limit - MIN(v->credit, limit);
        }
        d->active = d->nr_active != 0;
        d->saturated = d->full = false;
        d->share = 0;
        d->whole = (int64_t)MIN(d->nr_active, cpu_count(sys->online)) * (int64_t)elapsed;
        d->peak = MIN(d->whole, room);
        if (d->cap) {
            d->peak = MIN(d->peak, (int64_t)elapsed * d->cap / 100);
            if ((int64_t)elapsed * d->cap / 100 < d->whole)
                d->whole = INT64_MAX; /* the cap binds first */
        }
        if (!d->active)
            continue;
        sys->nr_active_domains++;
        sys->nr_active_vcpus += d->nr_active;
        sys->active_weight += d->weight;
    }
}

/*
 * Shares total among the active domains by weight. A domain whose share
 * exceeds its peak gets its peak, and the rest is shared again among the
 * others (water-filling), so credit no domain can use is not lost.
 *
 * A domain whose share covers a whole pCPU for each active vCPU is full
 * until the next accounting: whatever it runs, it cannot exceed its
 * share, so its vCPUs are never OVER whatever their credit (a timer
 * firing late would otherwise tip them below 0 just before the refill),
 * and acct_distribute fills their credit.
 */
static void acct_shares(struct csched_system *sys, int64_t total)
{
    uint64_t weight = sys->active_weight;
    struct csched_domain *d;
    bool changed = true;
    int64_t fair;

    while (changed && weight) {
        changed = false;
        list_for_each_entry(d, &sys->domains, link)
        {
            if (!d->active || d->saturated)
                continue;
            fair = total * (int64_t)d->weight / (int64_t)weight;
            if (fair > d->peak) {
                d->saturated = true;
                d->full = fair >= d->whole;
                d->share = d->full ? d->whole : d->peak;
                total -= d->share;
                weight -= d->weight;
                changed = true;
            }
        }
    }
    list_for_each_entry(d, &sys->domains, link)
    {
        if (d->active && !d->saturated)
            d->share = total * (int64_t)d->weight / (int64_t)weight;
    }
}

/* Credits active vCPUs, clamps, re-prioritizes; refills caps. */
static void acct_distribute(struct csched_system *sys, s_time_t elapsed)
{
    int64_t limit = (int64_t)sys->params.period;
    struct csched_domain *d;
    struct csched_vcpu *v;

    list_for_each_entry(d, &sys->domains, link)
    {
        list_for_each_entry(v, &d->vcpus, dom_link)
        {
            if (d->active && (v->runnable || v->ran_period))
                v->credit = d->full ? limit : v->credit + d->share / (int64_t)d->nr_active;
            v->credit = MAX(-limit, MIN(limit, v->credit));
            v->ran_period = 0;
            if (v->pri != CSCHED_PRI_BOOST)
                unboost(v);
        }
        if (!d->cap) {
            d->parked = false; /* its cap may have just been lifted */
            continue;
        }
        d->cap_budget += (int64_t)elapsed * d->cap / 100;
        d->cap_budget = MIN(d->cap_budget, limit * d->cap / 100);
        d->parked = d->cap_budget <= 0;
    }
}

/* Sorts a queue again after priorities and credits changed (stable). */
static void runq_resort(struct csched_pcpu *pc)
{
    struct list_head old;
    struct csched_vcpu *v;

    if (list_empty(&pc->runq))
        return;
    list_add(&old, &pc->runq);
    list_del(&pc->runq);
    pc->nr_queued = 0;
    while (!list_empty(&old)) {
        v = list_first_entry(&old, struct csched_vcpu, runq_link);
        list_del(&v->runq_link);
        runq_insert(pc, v);
    }
}

uint64_t csched_account(struct csched_system *sys, s_time_t now)
{
    s_time_t elapsed = now > sys->last_acct ? now - sys->last_acct : 0;
    uint64_t tickle = 0;
    unsigned int cpu;

    /* A late timer gets more credit, bounded so products cannot overflow. */
    elapsed = MIN(elapsed, 8 * sys->params.period);
    sys->last_acct = MAX(now, sys->last_acct);
    for (cpu = 0; cpu < sys->nr_pcpus; cpu++) {
        if (sys->pcpus[cpu].curr)
            burn(sys->pcpus[cpu].curr, now);
    }
    acct_collect(sys, elapsed);
    acct_shares(sys, (int64_t)elapsed * cpu_count(sys->online));
    acct_distribute(sys, elapsed);
    for (cpu = 0; cpu < sys->nr_pcpus; cpu++)
        runq_resort(&sys->pcpus[cpu]);
    for (cpu = 0; cpu < sys->nr_pcpus; cpu++) {
        if (!(sys->online & BIT(cpu)))
            continue;
        if (needs_resched(sys, cpu))
            tickle |= BIT(cpu);
        tickle |= idlers_for(sys, &sys->pcpus[cpu]);
    }
    return tickle;
}
