# SPDX-License-Identifier: MIT
"""Differential tests: the project's own PV guest kernel (guest/) on real
Xen 4.17, the oracle, and on Xenolith.

The guest runs the suites named on its command line and prints one line
per case ("PASS suite/case" or "FAIL suite/case: why"), then
"N passed, N failed", then shuts down (poweroff when all passed, crash
otherwise). On both hypervisors it boots as dom0: the first multiboot
module. Each suite, with hypercalls made both ways (the hypercall page
and a direct `syscall`), must pass completely on Xen; on Xenolith the
same boot must print the same case lines, in the same order.
"""
import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import IMAGE, ROOT, Machine

XEN_GZ = Path("/boot/xen-4.17-amd64.gz")
GUEST = ROOT / "build" / "guest" / "xenolith-guest"
SUITES = ["basic", "mmu", "traps", "user", "threads", "hostile", "events", "time",
          "grant", "priv", "failsafe", "smp"]
MODES = ["page", "syscall"]
# vCPUs (dom0_max_vcpus, and as many QEMU CPUs) for the suites that need more than one.
VCPUS = {"smp": 2}

# Xen under QEMU's TCG needs SMAP hidden (-cpu max,-smap): with it, Xen's
# own accesses to guest memory fault. 64 MiB for dom0.
XEN_CMDLINE = "console=com1 com1=115200,8n1 dom0_mem=64M noreboot loglvl=all guest_loglvl=all"
# Real Xen crashes PV guests under TCG with SMAP on; Xenolith runs with it on.
QEMU_CPU = {"xen": "max,-smap", "xenolith": "max"}
BOOT_TIMEOUT = 30

# Xenolith prefixes each line of a domain's output with "(dN) "; Xen's dom0 has none.
SUMMARY = r"^(?:\(d\d+\) )?(\d+) passed, (\d+) failed$"
CASE_LINE = re.compile(r"^(?:\(d\d+\) )?((?:PASS|FAIL) \S+.*)$", re.M)
XEN_SHUTDOWN = r"^\(XEN\) Hardware Dom0 (halted|crashed)"
XENOLITH_CMDLINE = "loglvl=all dom0_mem=64M"
XENOLITH_SHUTDOWN = r"^\(XEN\) Domain 0 \(Domain-0\) ended: (poweroff|crash)"


@pytest.fixture(scope="session")
def guest_kernel():
    """The guest kernel, built (or brought up to date) by the top Makefile."""
    subprocess.run(["make", "-s", "guest"], cwd=ROOT, check=True)
    assert GUEST.exists()
    return GUEST


@pytest.fixture(scope="session")
def xen_image(tmp_path_factory):
    """Debian's Xen 4.17, decompressed (an ELF32 multiboot image) outside the repo."""
    if not XEN_GZ.exists():
        pytest.skip(f"{XEN_GZ} missing: install xen-hypervisor-4.17-amd64 (tools/deps.sh)")
    path = tmp_path_factory.mktemp("xen") / "xen-4.17"
    with gzip.open(XEN_GZ) as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


class GuestRun:
    """What one boot of the guest printed."""

    def __init__(self, log):
        self.log = log
        m = re.search(SUMMARY, log, re.M)
        self.passed, self.failed = (int(m[1]), int(m[2])) if m else (None, None)
        self.cases = [m.group(1) for m in CASE_LINE.finditer(log)]

    def failures(self):
        return [c for c in self.cases if c.startswith("FAIL")]


def run_guest(hypervisor, scratch, args, *, xen_image=None, vcpus=1):
    """Boots the guest kernel with `args` on `hypervisor` and returns its output.

    This is the one place that knows how each hypervisor is started:
    "xen" is the oracle (real Xen 4.17, the guest as dom0); "xenolith" is
    ours, the guest as its first boot module, exactly as on Xen. The guest
    gets `vcpus` vCPUs, on as many pCPUs.
    """
    if hypervisor == "xen":
        kernel, append, done = xen_image, XEN_CMDLINE, XEN_SHUTDOWN
    elif hypervisor == "xenolith":
        # Xen's module form (docs/boot-protocol.md): the first module is dom0.
        kernel, append, done = IMAGE, XENOLITH_CMDLINE, XENOLITH_SHUTDOWN
    else:
        raise ValueError(hypervisor)
    m = Machine(scratch, kernel=kernel, append=f"{append} dom0_max_vcpus={vcpus}",
                cpu=QEMU_CPU[hypervisor], smp=vcpus, memory="256M",
                modules=[f"{GUEST} {args}"]).start()
    try:
        m.wait_for(SUMMARY, timeout=BOOT_TIMEOUT)
        # The shutdown message proves the guest's SCHEDOP_shutdown arrived.
        m.wait_for(done, timeout=10)
        return GuestRun(m.log())
    finally:
        m.kill()


def assert_all_passed(run, what):
    assert run.passed is not None, f"{what}: no summary line; log tail:\n{run.log[-3000:]}"
    assert not run.failures(), f"{what}: " + "\n".join(run.failures())
    assert run.failed == 0 and run.passed > 0, f"{what}: {run.passed} passed, {run.failed} failed"
    assert run.passed == len(run.cases)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("suite", SUITES)
def test_suite_passes_on_xen(guest_kernel, xen_image, tmp_path, suite, mode):
    """Every case of the suite asserts Xen's real behaviour, so on Xen all pass."""
    run = run_guest("xen", tmp_path, f"suite={suite} hypercall={mode}", xen_image=xen_image,
                    vcpus=VCPUS.get(suite, 1))
    assert_all_passed(run, f"{suite} (hypercall={mode}) on Xen 4.17")
    assert all(c.split()[1].startswith(f"{suite}/") for c in run.cases)
    # All passed, so the guest asked for a poweroff, not a crash.
    assert re.search(r"^\(XEN\) Hardware Dom0 halted", run.log, re.M), run.log[-2000:]


def test_hypercall_modes_agree_on_xen(guest_kernel, xen_image, tmp_path):
    """All one-vCPU suites in one boot: the hypercall page and direct `syscall` agree."""
    suites = ",".join(s for s in SUITES if s not in VCPUS)
    runs = {mode: run_guest("xen", tmp_path / mode, f"suite={suites} hypercall={mode}",
                            xen_image=xen_image) for mode in MODES}
    for mode, run in runs.items():
        assert_all_passed(run, f"all suites (hypercall={mode}) on Xen 4.17")
        assert f"hypercalls via {'syscall' if mode == 'syscall' else 'hypercall page'}" in run.log
    assert runs["page"].cases == runs["syscall"].cases


def case_name(line):
    """"PASS grant/map_host" or "FAIL grant/map_host: why" -> "grant/map_host"."""
    return line.split()[1].rstrip(":") if len(line.split()) > 1 else line


def compare_case_lines(want, got):
    """Line-by-line comparison of two runs' case lines: {case: (Xen's, Xenolith's)}."""
    diffs = {}
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else "(missing)"
        g = got[i] if i < len(got) else "(missing)"
        if w != g:
            diffs[case_name(w if w != "(missing)" else g)] = (w, g)
    return diffs


# ---- Xenolith half: the same guest, the same suites, compared with Xen --------
# Known differences, case by case, each with the work that removes it. A
# listed case must still differ: once it matches, the entry has to go.
KNOWN_DIFFERENCES = {
    "grant/set_version_2": "grant table v2 is not implemented: set_version 2 is -ENOSYS",
    "events/fifo_switch": "FIFO event channels are not implemented: init_control is -ENOSYS",
    "failsafe/block": "Xenolith saves and reloads a vCPU's state across a switch to idle and "
                      "back (Xen switches lazily), so a blocked vCPU's bad selector already "
                      "takes the failsafe callback when it wakes",
    "failsafe/context_switch": "XEN_SYSCTL_cpu_hotplug is not implemented (-ENOSYS): it is "
                               "how the case forces Xen to save the vCPU",
}


def assert_matches_xen(suite, mode, tmp_path, xen_image, vcpus):
    args = f"suite={suite} hypercall={mode}"
    want = run_guest("xen", tmp_path / "xen", args, xen_image=xen_image, vcpus=vcpus)
    got = run_guest("xenolith", tmp_path / "xenolith", args, vcpus=vcpus)
    assert_all_passed(want, f"{suite} on Xen 4.17")
    diffs = compare_case_lines(want.cases, got.cases)
    known = {c for c in KNOWN_DIFFERENCES if c.startswith(f"{suite}/")}
    unexpected = [f"  Xen:      {w}\n  Xenolith: {g}" for c, (w, g) in diffs.items()
                  if c not in known]
    assert not unexpected, f"{suite} (hypercall={mode}): Xenolith differs from Xen:\n" + \
        "\n".join(unexpected)
    now_matching = sorted(known - diffs.keys())
    assert not now_matching, f"known differences that now match Xen (drop them): {now_matching}"
    assert got.passed == want.passed - len(known) and got.failed == len(known)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("suite", SUITES)
def test_suite_matches_xen_on_xenolith(guest_kernel, xen_image, tmp_path, suite, mode):
    """Where Xenolith and Xen disagree, Xen is right."""
    assert_matches_xen(suite, mode, tmp_path, xen_image, VCPUS.get(suite, 1))


def test_smp_on_four_vcpus_matches_xen(guest_kernel, xen_image, tmp_path):
    """Four vCPUs on four pCPUs: bring-up, IPIs, threads and downs as on Xen."""
    assert_matches_xen("smp", "page", tmp_path, xen_image, 4)
