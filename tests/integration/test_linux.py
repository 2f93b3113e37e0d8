# SPDX-License-Identifier: MIT
"""Debian 12's stock Linux kernel (linux-image-amd64, 6.1, unmodified) as a
PV domU beside the project's control domain (issue 6), which serves it
xenstore (guest suite xenstored, hypervisor option xenstored=dom0).

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
import hashlib
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
LINUX_ENOSYS = [r"d\d+: event_channel_op 11 not implemented",  # FIFO events: 2-level instead
                r"d\d+: physdev_op 28 not implemented",        # pirq_eoi_gmfn_v2: no PIRQs
                r"d\d+: event_channel_op 13 not implemented",  # set_priority: none in 2-level (Xen too)
                r"d\d+: hypercall 40 not implemented"]         # xenpmu_op: "VPMU disabled"

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


def start_linuxes(machine, tmp_path, linuxes, console_input=False):
    """Domain 0: the guest kernel's basic suite, then the xenstore daemon
    (xenstored=dom0) until every Linux has gone; then one Linux domain per
    (name, cmdline, initrd or None, vcpus, extra xl.cfg lines). Returns
    the machine, started."""
    kernel = KERNELS[-1]
    ctl = tmp_path / "ctl.cfg"
    ctl.write_text(f'name = "ctl"\nkernel = "{GUEST}"\nmemory = 32\n'
                   f'cmdline = "suite=basic,xenstored"\n')
    modules = [f"{ctl} xlcfg name=ctl.cfg", f"{GUEST} kernel"]
    for name, cmdline, initrd, vcpus, extra in linuxes:
        cfg = tmp_path / f"{name}.cfg"
        ramdisk = f'ramdisk = "{initrd}"\n' if initrd else ""
        cfg.write_text(f'name = "{name}"\nkernel = "{kernel}"\n{ramdisk}memory = 256\n'
                       f'vcpus = {vcpus}\ncmdline = "{cmdline}"\n{extra}')
        modules += [f"{cfg} xlcfg name={name}.cfg", f"{kernel} kernel"]
        modules += [f"{initrd} ramdisk"] if initrd else []
    return machine(modules=modules, append=APPEND + " xenstored=dom0",
                   memory=f"{256 + 256 * len(linuxes)}M", smp=2,
                   allowed_warnings=LINUX_ENOSYS, console_input=console_input)


def boot_linux(machine, tmp_path, cmdline, initrd=None, vcpus=1):
    """The control domain and one Linux with `vcpus` vCPUs, run to their
    end. Returns (exit status, whole log, Linux's console lines as one text)."""
    m = start_linuxes(machine, tmp_path, [("linux", cmdline, initrd, vcpus, "")])
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


# ---- Linux driven through the console -----------------------------------
# Serial input goes to the domain with the focus; three CTRL-a move it on
# (each domain by id, then the hypervisor's debug keys), as on Xen.

SHELL_INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp
export PS1='sh$ '
echo "init: shell on hvc0"
exec setsid cttyhack sh
"""
# fork/exec/pipe (short pipelines), mmap/munmap and page faults (sort,
# big pipe buffers), three at once; each ends in a checksum.
STRESS = """#!/bin/sh
( for i in $(seq 1 300); do echo "$i" | sha256sum; done | sha256sum ) > /tmp/a &
( seq 1 200000 | sort -rn | sha256sum ) > /tmp/b &
( dd if=/dev/zero bs=64k count=512 2>/dev/null | tr '\\0' x | sha256sum ) > /tmp/c &
wait
cat /tmp/a /tmp/b /tmp/c
"""


def stress_checksums():
    def sha(data):
        return hashlib.sha256(data).hexdigest()
    pipelines = "".join(sha(b"%d\n" % i) + "  -\n" for i in range(1, 301))
    return [sha(pipelines.encode()), sha("".join(f"{i}\n" for i in range(200000, 0, -1)).encode()),
            sha(b"x" * (64 * 1024 * 512))]


class Console:
    """The serial console of a running machine, typed into line by line."""

    def __init__(self, m):
        self.m, self.commands = m, 0

    def focus(self, target):
        """Moves the input focus ("DOM1", "Xen") there, as many switches as it takes."""
        for _ in range(8):
            start = len(self.m.log())
            self.m.send("\x01\x01\x01")
            if self.m.wait_for(r"\*\*\* Serial input to (\S+) ", 10, start)[1] == target:
                return
        raise AssertionError(f"input focus never reached {target}")

    def key(self, key, answer):
        """A debug key, while the hypervisor has the focus: the match of its answer."""
        start = len(self.m.log())
        self.m.send(key)
        return self.m.wait_for(answer, 10, start)

    def run(self, domid, command, timeout=60):
        """Types `command` into domain `domid`'s shell; returns what it printed."""
        self.commands += 1
        n = self.commands
        start = len(self.m.log())
        self.m.send(f'{command}; echo "=""=done{n}=="\n')
        self.m.wait_for(rf"^\(d{domid}\) =+done{n}==$", timeout, start)
        text = self.m.log()[start:]
        lines = re.findall(rf"^\(d{domid}\) (.*)$", text, re.M)
        out = [l for l in lines if f"=done{n}==" not in l and not l.endswith(command)]
        return "\n".join(out)


def shell_initrd(tmp_path):
    return initramfs.build(tmp_path / "initrd.gz", SHELL_INIT,
                           [("bin/stress", STRESS.encode())])


@needs_busybox
def test_linux_shell_through_the_console(machine, tmp_path):
    """Issue 6's checks, typed into a busybox shell on Linux's hvc0."""
    m = start_linuxes(machine, tmp_path, [("linux", "console=hvc0", shell_initrd(tmp_path), 2, "")],
                      console_input=True)
    m.wait_for(r"^\(d1\) init: shell on hvc0", TIMEOUT)
    con = Console(m)
    con.focus("DOM1")
    assert re.search(r"^Linux \S+ 6\.1\.\S+-amd64 #1 SMP .* x86_64", con.run(1, "uname -a"), re.M)
    cpuinfo = con.run(1, "cat /proc/cpuinfo")
    assert len(re.findall(r"^processor\s*: \d+$", cpuinfo, re.M)) == 2, cpuinfo
    mem = re.search(r"^MemTotal:\s+(\d+) kB$", con.run(1, "cat /proc/meminfo"), re.M)
    assert mem and 200000 < int(mem[1]) <= 256 * 1024
    assert_clean(con.run(1, "dmesg"))
    assert con.run(1, "sh /bin/stress", timeout=120).split() == \
        [w for c in stress_checksums() for w in (c, "-")]
    # Time: Linux's sleep 2 inside two readings of the hypervisor's clock.
    con.focus("Xen")
    before = float(con.key("t", r"^\(XEN\) System time: (\d+\.\d+) s$")[1])
    con.focus("DOM1")
    up = con.run(1, "cat /proc/uptime; sleep 2; cat /proc/uptime")
    first, second = [float(l.split()[0]) for l in up.splitlines() if re.match(r"^\d+\.\d+ ", l)]
    con.focus("Xen")
    after = float(con.key("t", r"^\(XEN\) System time: (\d+\.\d+) s$")[1])
    assert 2.0 <= second - first < 2.5, up
    assert second - first <= after - before < second - first + 3.0, (before, after, up)
    assert con.key("q", r"^\(XEN\) Domain 1 \(linux\): state")
    con.focus("DOM1")
    m.send("poweroff -f\n")
    assert m.wait_exit(TIMEOUT) == EXIT_PASS
    log = m.log()
    assert ends(log) == {0: ("ctl", "poweroff"), 1: ("linux", "poweroff")}
    assert_memory_returned(log, 2)
    # Linux's xenbus talked to the control domain's xenstored, its writes allowed.
    assert re.search(r"^\(d0\)   info xenstored/serve: introduced 1, released 1, [1-9]\d* requests,"
                     r" 0 errors$", log, re.M), log[-3000:]
    assert "setup_shutdown_watcher: Error" not in log


@needs_busybox
def test_two_linux_domains_one_crashes_the_other_reboots(machine, tmp_path):
    """Two Linux domUs beside the control domain: one crashed through sysrq
    ends as crashed while the other keeps answering; `reboot` ends the
    other with reason reboot (on_reboot = 'destroy')."""
    initrd = shell_initrd(tmp_path)
    m = start_linuxes(machine, tmp_path,
                      [("a", "console=hvc0", initrd, 1, ""),
                       ("b", "console=hvc0", initrd, 2, "on_reboot = 'destroy'\n")],
                      console_input=True)
    m.wait_for(r"^\(d1\) init: shell on hvc0", TIMEOUT)
    m.wait_for(r"^\(d2\) init: shell on hvc0", TIMEOUT)
    con = Console(m)
    con.focus("DOM1")
    m.send("echo c > /proc/sysrq-trigger\n")
    m.wait_for(r"^\(XEN\) Domain 1 \(a\) ended: crash$", 60)
    con.focus("DOM2")
    assert "init: shell on hvc0" not in con.run(2, "uname -r")
    assert re.search(r"^6\.1\.\S+-amd64$", con.run(2, "uname -r"), re.M)
    m.send("reboot -f\n")
    m.wait_exit(TIMEOUT)
    log = m.log()
    assert re.search(r"^\(d1\) .*sysrq: Trigger a crash", log, re.M)
    assert ends(log) == {0: ("ctl", "poweroff"), 1: ("a", "crash"), 2: ("b", "reboot")}
    assert_memory_returned(log, 3)
