# SPDX-License-Identifier: MIT
"""The credit scheduler (the default, `sched=credit`) shares pCPUs among
CPU-bound domains in proportion to their weights, measured in guest time.

Every domain runs the guest suite "spin" (guest/tests/spin.c): it never
blocks, and prints the time its vCPU spent running and runnable, from its
runstate area, over three consecutive 2 s windows of system time that
are the same for all (1 s to 7 s after the hypervisor booted; the guests
begin at ~0.1-0.3 s). Each check is made on the median window: the host
this runs on (two CPUs, and pytest and QEMU's other threads on them) now
and then stalls a QEMU CPU thread for ~20 ms, which the hypervisor's
clock charges as running time to the vCPU it interrupted, and that moves
one window, never the median (a one-window check failed about one full
test run in three for it, while the scheduler met 2 s windows in every
isolated run).
The first config is the control domain: it spins and is measured like the
others (weight 256), so no dom0 outside the figures can distort them.

A domain's share is its running time over the sum of all; its ideal share
is its weight's part of the pCPUs, no domain getting more than its one
vCPU can use (the rest shared by the others in proportion to weight).
Each share must be within 5% of its ideal, relative, over the 2 s
window (issue 4). That needs two things of the credit scheduler (see
docs/scheduler.md and tests/unit/test_sched_credit_sim.c,
test_fair_2s_windows): the weight-2048 domain, entitled to a whole pCPU,
never runs OVER (it used to lose 15-50 ms per 2 s to OVER-stealing), and
an UNDER vCPU's slice ends with its credit while others wait (a 30 ms
slice is ~10% of what weight 256 gets in 2 s; the share swung by one).

A capped domain (xl.cfg `cap`) gets its cap's part of one pCPU, within
5 points, beside an uncapped spinner and even with a pCPU to spare.
"""
import re
import subprocess

import pytest

from harness import EXIT_PASS, ROOT

GUEST = ROOT / "build" / "guest" / "xenolith-guest"
APPEND = "loglvl=all qemu_exit sched=credit"
TIMEOUT = 90

SPIN = re.compile(r"^\(d(\d+)\) spin: window (\d+) running_ns (\d+) runnable_ns (\d+) window_ns (\d+)$",
                  re.M)

# Allowed error of a share, relative to its ideal.
TOLERANCE = 0.05


@pytest.fixture(scope="module", autouse=True)
def guest_kernel():
    subprocess.run(["make", "-s", "all", "guest"], cwd=ROOT, check=True)
    assert GUEST.exists()


def spin_cfg(tmp_path, i, weight, cap=0, cpus="all"):
    """An xl.cfg of a spinning guest with `weight`, `cap` and hard
    affinity `cpus`; returns its module strings."""
    path = tmp_path / f"spin{i}.cfg"
    path.write_text(f'name = "spin{i}"\nkernel = "{GUEST}"\nmemory = 32\n'
                    f'cmdline = "suite=spin"\nweight = {weight}\ncap = {cap}\n'
                    f'cpus = "{cpus}"\n')
    return [f"{path} xlcfg name=spin{i}.cfg", f"{GUEST} kernel"]


def ideal_shares(weights, pcpus):
    """Each domain's part of the total pCPU time: weight-proportional, but
    at most one pCPU each (one vCPU), what is left split among the rest."""
    alloc = [None] * len(weights)
    free, left = float(pcpus), set(range(len(weights)))
    while left:
        total = sum(weights[i] for i in left)
        full = [i for i in left if free * weights[i] / total >= 1.0]
        if not full:
            for i in left:
                alloc[i] = free * weights[i] / total
            break
        for i in full:
            alloc[i] = 1.0
            free -= 1.0
            left.remove(i)
    return [a / pcpus for a in alloc]


def spin_figures(log, nr):
    """{window: [(running_ns, runnable_ns, window_ns)] in domain order} from the spin lines."""
    lines = {}
    for d, w, r, q, n in SPIN.findall(log):
        lines.setdefault(int(w), {})[int(d)] = (int(r), int(q), int(n))
    assert lines and all(sorted(v) == list(range(nr)) for v in lines.values()), log[-3000:]
    return {w: [v[i] for i in range(nr)] for w, v in sorted(lines.items())}


def median_window(figures, key):
    """The window whose key(window's figures) is the median of the three:
    one host stall (charged as running time to the vCPU it interrupted)
    moves one window, not the median."""
    ranked = sorted(figures.values(), key=key)
    return ranked[len(ranked) // 2]


def measure(machine, tmp_path, weights, pcpus, caps=None, cpus=None):
    """Boot one spinner per weight (the first as dom0), capped by `caps`
    (default none), on the pCPUs `cpus` names (default all); return
    {window: [(running_ns, runnable_ns, window_ns)] in domain order}."""
    mods = []
    for i, w in enumerate(weights):
        mods += spin_cfg(tmp_path, i, w, caps[i] if caps else 0, cpus[i] if cpus else "all")
    m = machine(modules=mods, append=APPEND, memory="512M", smp=pcpus)
    for i in range(len(weights)):
        m.wait_for(rf"^\(XEN\) Domain {i} \(spin{i}\) ended: \S+$", TIMEOUT)
    status = m.wait_exit(TIMEOUT)
    log = m.log()
    assert status == EXIT_PASS, log[-3000:]
    return spin_figures(log, len(weights))


@pytest.mark.parametrize("weights,pcpus", [([256, 512, 1024], 1),
                                           ([256, 512, 1024, 2048], 2)],
                         ids=["1pcpu", "2pcpus"])
def test_shares_follow_weights(machine, tmp_path, weights, pcpus):
    """1 pCPU: 256/512/1024 get 1/7, 2/7, 4/7. 2 pCPUs: 2048 is entitled
    to more than one pCPU, so it gets exactly one (half the machine) and
    256/512/1024 share the other 1/7, 2/7, 4/7."""
    windows = measure(machine, tmp_path, weights, pcpus)
    ideal = ideal_shares(weights, pcpus)

    def worst(figures):
        total = sum(r for r, _, _ in figures)
        return max(abs(r / total - i) / i for (r, _, _), i in zip(figures, ideal))

    for n, figures in windows.items():
        window = figures[0][2]
        total = sum(r for r, _, _ in figures)
        print(f"\nwindow {n} on {pcpus} pCPU(s): worst error {worst(figures):.4f}, " + ", ".join(
            f"w{w}: {r / total:.4f} (running {r / 1e6:.1f} ms, runnable {q / 1e6:.1f} ms)"
            for w, (r, q, _) in zip(weights, figures)))
        # Every vCPU was running or waiting to run for the whole window...
        for r, q, w in figures:
            assert abs(r + q - w) <= 0.01 * w, f"running + runnable != window: {figures}"
        # ... and the pCPUs were busy with them (not idle, not lost elsewhere).
        assert total >= 0.97 * pcpus * window, figures
    figures = median_window(windows, worst)
    total = sum(r for r, _, _ in figures)
    for (r, _, _), i in zip(figures, ideal):
        assert abs(r / total - i) <= TOLERANCE * i, f"median window: {figures}, ideal {ideal}"


# Allowed error of a capped share, in parts of one pCPU (absolute).
CAP_TOLERANCE = 0.05


@pytest.mark.parametrize("pcpus", [1, 2], ids=["1pcpu", "2pcpus"])
def test_cap_limits_share(machine, tmp_path, pcpus):
    """A spinner capped at 25 beside an uncapped one gets 25% of one pCPU
    over the window, both when the cap binds below its fair half of one
    pCPU and when a second pCPU would let it run all the time; the
    uncapped one gets the rest of its pCPU."""
    windows = measure(machine, tmp_path, [256, 256], pcpus, caps=[0, 25])
    for figures in windows.values():
        for r, q, w in figures:
            assert abs(r + q - w) <= 0.01 * w, f"running + runnable != window: {figures}"
    figures = median_window(windows, lambda f: abs(f[1][0] / f[1][2] - 0.25))
    window = figures[0][2]
    shares = [r / window for r, _, _ in figures]
    print(f"\ncap 25 on {pcpus} pCPU(s): capped {shares[1]:.4f} of a pCPU, "
          f"uncapped {shares[0]:.4f} (median window)")
    assert abs(shares[1] - 0.25) <= CAP_TOLERANCE, shares
    assert shares[0] >= (0.97 if pcpus > 1 else 0.75 - CAP_TOLERANCE), shares


def test_hard_affinity_keeps_vcpus_on_their_pcpus(machine, tmp_path):
    """xl.cfg cpus: two spinners held to pCPU 1 share it, half each, while a
    third has pCPU 0 to itself; unpinned, the credit scheduler would give
    each two thirds of a pCPU."""
    windows = measure(machine, tmp_path, [256, 256, 256], 2, cpus=["0", "1", "1"])
    figures = median_window(windows, lambda f: max(abs(r / f[0][2] - 0.5) for r, _, _ in f[1:]))
    window = figures[0][2]
    shares = [r / window for r, _, _ in figures]
    print(f"\npinned 0/1/1 on 2 pCPUs: {shares}")
    assert shares[0] >= 0.97, shares
    for s in shares[1:]:
        assert abs(s - 0.5) <= CAP_TOLERANCE, shares


def test_affinity_to_no_pcpu_is_refused(machine, tmp_path):
    """cpus naming only pCPUs the machine lacks: that domain is not built."""
    mods = spin_cfg(tmp_path, 0, 256) + spin_cfg(tmp_path, 1, 256, cpus="5-7")
    m = machine(modules=mods, append=APPEND, memory="512M", smp=2)
    m.wait_for(r"^\(XEN\) All domains have ended$", TIMEOUT)
    log = m.log()
    assert "(XEN) Domain 1 (spin1) not built: 'cpus' names none of this machine's pCPUs" in log
    assert re.search(r"^\(XEN\) Domain 0 \(spin0\) ended: poweroff$", log, re.M)
