# SPDX-License-Identifier: MIT
"""Debian 12's stock Linux kernel (linux-image-amd64, 6.1, unmodified) as a
PV domU beside the project's control domain (issue 6).

Without a root device the kernel runs its whole initialisation —
memory, 2-level events, the vcpuop timer, grant tables, the balloon
driver, every built-in driver — and stops where such a kernel must: the
VFS panic, which ends the domain as crashed. With an initramfs built here
from Debian's busybox-static it runs user space, whose output reaches the
serial log through hvc0, the console ring the hypervisor serves. Either
way every frame comes back, and the control domain runs its suite to
the end beside it.
"""
import glob
import re

import pytest

import initramfs
from harness import EXIT_FAIL, EXIT_PASS
from test_domains import APPEND, GUEST, assert_memory_returned, ends

KERNELS = sorted(glob.glob("/boot/vmlinuz-*"))
TIMEOUT = 180
needs_kernel = pytest.mark.skipif(not KERNELS, reason="tools/deps.sh installs linux-image-amd64")
needs_busybox = pytest.mark.skipif(not KERNELS or not initramfs.BUSYBOX.exists(),
                                   reason="tools/deps.sh installs busybox-static")

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

INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "init: busybox up"
uname -sr
grep MemTotal /proc/meminfo
echo "init: cpus $(grep -c ^processor /proc/cpuinfo)"
echo "init: $(echo hello | sha256sum)"
echo "init: done"
poweroff -f
"""


def boot_linux(machine, tmp_path, cmdline, initrd=None, vcpus=1):
    """Domain 0: the guest kernel's basic suite; domain 1: Linux with
    `vcpus` vCPUs. Returns (exit status, whole log, Linux's console lines
    as one text)."""
    kernel = KERNELS[-1]
    ctl, linux = tmp_path / "ctl.cfg", tmp_path / "linux.cfg"
    ctl.write_text(f'name = "ctl"\nkernel = "{GUEST}"\nmemory = 32\ncmdline = "suite=basic"\n')
    ramdisk = f'ramdisk = "{initrd}"\n' if initrd else ""
    linux.write_text(f'name = "linux"\nkernel = "{kernel}"\n{ramdisk}memory = 256\n'
                     f'vcpus = {vcpus}\ncmdline = "{cmdline}"\n')
    modules = [f"{ctl} xlcfg name=ctl.cfg", f"{GUEST} kernel",
               f"{linux} xlcfg name=linux.cfg", f"{kernel} kernel"]
    modules += [f"{initrd} ramdisk"] if initrd else []
    m = machine(modules=modules, append=APPEND, memory="512M", smp=2,
                allowed_warnings=LINUX_ENOSYS)
    status = m.wait_exit(TIMEOUT)
    log = m.log()
    assert re.search(r"^\(d0\) \d+ passed, 0 failed$", log, re.M), log[-3000:]
    return status, log, "\n".join(re.findall(r"^\(d1\) (.*)$", log, re.M))


def assert_clean(text):
    for bad in ("WARNING:", "BUG:", "Oops", "Call Trace", "MSR access error", "FAILED"):
        assert bad not in text, f"{bad} in Linux's boot:\n" + text[-4000:]


@needs_kernel
def test_debian_kernel_initialises_as_a_pv_domu(machine, tmp_path):
    status, log, text = boot_linux(machine, tmp_path, "console=hvc0 earlyprintk=xen loglevel=8")
    at = 0
    for milestone in MILESTONES:
        found = re.compile(milestone).search(text, at)
        assert found, f"Linux never printed {milestone!r}; its last lines:\n" + text[-4000:]
        at = found.end()
    assert_clean(text[:at])
    assert ends(log) == {0: ("ctl", "poweroff"), 1: ("linux", "crash")}
    assert_memory_returned(log, 2)
    assert status == EXIT_FAIL  # a domain crashed, so the run is not a pass


@needs_busybox
def test_debian_kernel_runs_busybox_init_on_its_console_ring(machine, tmp_path):
    """No earlyprintk: everything Linux and busybox print goes through hvc0."""
    initrd = initramfs.build(tmp_path / "initrd.gz", INIT)
    status, log, text = boot_linux(machine, tmp_path, "console=hvc0", initrd)
    assert "init: busybox up" in text, text[-4000:]
    assert re.search(r"^Linux 6\.1\.\S+-amd64$", text, re.M)
    mem = re.search(r"^MemTotal:\s+(\d+) kB$", text, re.M)
    assert mem and 150000 < int(mem[1]) <= 256 * 1024, text[-2000:]
    assert "init: cpus 1" in text
    sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"  # of "hello\n"
    assert f"init: {sha}  -" in text
    assert "init: done" in text
    assert ends(log) == {0: ("ctl", "poweroff"), 1: ("linux", "poweroff")}
    assert_memory_returned(log, 2)
    assert status == EXIT_PASS


@needs_busybox
def test_debian_kernel_boot_to_init_has_no_warning(machine, tmp_path):
    """The whole boot to /init without a warning, Linux's W+X page-table
    check included (the builder maps the padding after the kernel NX)."""
    initrd = initramfs.build(tmp_path / "initrd.gz", INIT)
    _, _, text = boot_linux(machine, tmp_path, "console=hvc0", initrd)
    assert "init: done" in text
    assert_clean(text)


@needs_busybox
def test_debian_kernel_with_two_vcpus(machine, tmp_path):
    """Linux brings its second vCPU up itself (register_vcpu_info from CPU 0,
    VCPUOP_initialise and VCPUOP_up, per-CPU timer and IPIs) and runs
    user space across both."""
    initrd = initramfs.build(tmp_path / "initrd.gz", INIT)
    status, log, text = boot_linux(machine, tmp_path, "console=hvc0", initrd, vcpus=2)
    assert re.search(r"smp: Brought up 1 node, 2 CPUs", text), text[-4000:]
    assert "init: cpus 2" in text, text[-4000:]
    assert "init: done" in text
    assert_clean(text)
    assert ends(log) == {0: ("ctl", "poweroff"), 1: ("linux", "poweroff")}
    assert_memory_returned(log, 2)
    assert status == EXIT_PASS
