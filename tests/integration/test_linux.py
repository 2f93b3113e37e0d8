# SPDX-License-Identifier: MIT
"""Debian 12's stock Linux kernel (linux-image-amd64, 6.1, unmodified) as a
PV domU beside the project's control domain (issue 6).

Today's milestone: with no root device and no console backend yet, the
kernel runs its whole initialisation on Xenolith — memory, 2-level
events, the vcpuop timer, grant tables, the balloon driver, every
built-in driver — and stops where a kernel without a root file system
must: the VFS panic, which ends the domain as crashed. Nothing before
that may warn, and every frame comes back. The boot must also never cost
the hypervisor anything: the control domain runs its suite to the end.
"""
import glob
import re

import pytest

from harness import EXIT_FAIL
from test_domains import APPEND, GUEST, assert_memory_returned, ends

KERNELS = sorted(glob.glob("/boot/vmlinuz-*"))
TIMEOUT = 180

# What Linux prints on the way, in order: each is a subsystem that works.
MILESTONES = [
    r"Booting kernel on Xen",
    r"Xen version: 4\.17",
    r"xen:events: Using 2-level ABI",
    r"Xen: using vcpuop timer interface",
    r"installing Xen timer for CPU 0",
    r"Grant table initialized",
    r"xen:balloon: Initialising balloon driver",
    r"List of all partitions:",
    r"Kernel panic - not syncing: VFS: Unable to mount root fs",
]
# Hypervisor warnings this boot may cause: the sub-ops Linux probes and
# handles when they are missing (listed in docs/status.md).
LINUX_ENOSYS = [r"d1: event_channel_op 11 not implemented",  # FIFO events: falls back to 2-level
                r"d1: physdev_op 28 not implemented",        # pirq_eoi_gmfn_v2: none without PIRQs
                r"d1: hypercall 40 not implemented"]         # xenpmu_op: "VPMU disabled"


@pytest.mark.skipif(not KERNELS, reason="no /boot/vmlinuz-*: tools/deps.sh installs linux-image-amd64")
def test_debian_kernel_initialises_as_a_pv_domu(machine, tmp_path):
    kernel = KERNELS[-1]
    ctl = tmp_path / "ctl.cfg"
    ctl.write_text(f'name = "ctl"\nkernel = "{GUEST}"\nmemory = 32\ncmdline = "suite=basic"\n')
    linux = tmp_path / "linux.cfg"
    linux.write_text(f'name = "linux"\nkernel = "{kernel}"\nmemory = 256\n'
                     'cmdline = "console=hvc0 earlyprintk=xen loglevel=8"\n')
    m = machine(modules=[f"{ctl} xlcfg name=ctl.cfg", f"{GUEST} kernel",
                         f"{linux} xlcfg name=linux.cfg", f"{kernel} kernel"],
                append=APPEND, memory="512M", smp=2, allowed_warnings=LINUX_ENOSYS)
    status = m.wait_exit(TIMEOUT)
    log = m.log()
    lines = re.findall(r"^\(d1\) (.*)$", log, re.M)
    text = "\n".join(lines)
    at = 0
    for milestone in MILESTONES:
        found = re.compile(milestone).search(text, at)
        assert found, f"Linux never printed {milestone!r}; its last lines:\n" + "\n".join(lines[-40:])
        at = found.end()
    before_panic = text[:at]
    for bad in ("WARNING:", "BUG:", "Oops", "Call Trace", "MSR access error"):
        assert bad not in before_panic, f"{bad} in Linux's boot:\n" + text[-4000:]
    assert ends(log) == {0: ("ctl", "poweroff"), 1: ("linux", "crash")}
    assert re.search(r"^\(d0\) \d+ passed, 0 failed$", log, re.M), log[:6000]
    assert_memory_returned(log, 2)
    assert status == EXIT_FAIL  # a domain crashed, so the run is not a pass
