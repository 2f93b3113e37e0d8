# SPDX-License-Identifier: MIT
"""The control plane end to end: the control domain runs the shell, xl
and xenstored (guest suite `shell`, guest/shell.c), with configs and a
kernel in its boot ramdisk (what `./xenolith run --files DIR` packs); the
test types xl commands into the serial console and reads the answers.
Domains it creates run the guest suites `service` (watches
control/shutdown, echoes its console) and `service_spin` (the same,
never blocking)."""
import importlib.machinery
import importlib.util
import re
import shutil
import subprocess

import pytest

import initramfs
from harness import ROOT
from test_linux import KERNELS, LINUX_ENOSYS, needs_busybox

GUEST = ROOT / "build" / "guest" / "xenolith-guest"
APPEND = "loglvl=all qemu_exit xenstored=dom0"
TIMEOUT = 30
PROMPT = r"^\(d0\) xenolith# "

_loader = importlib.machinery.SourceFileLoader("launcher", str(ROOT / "xenolith"))
_spec = importlib.util.spec_from_loader("launcher", _loader)
launcher = importlib.util.module_from_spec(_spec)
_loader.exec_module(launcher)


@pytest.fixture(scope="module", autouse=True)
def guest_kernel():
    subprocess.run(["make", "-s", "all", "guest"], cwd=ROOT, check=True)


def guest_cfg(name, suite, extra=""):
    return (f'name = "{name}"\nkernel = "boot/xenolith-guest"\nmemory = 32\n'
            f'cmdline = "suite={suite}"\n{extra}')


CONFIGS = {
    "svc1.cfg": guest_cfg("svc1", "service"),
    "spin2.cfg": guest_cfg("spin2", "service_spin"),
    "spin3.cfg": guest_cfg("spin3", "service_spin"),
    "tiny.cfg": guest_cfg("tiny", "service").replace("memory = 32", "memory = 8"),
    "bad.cfg": 'name = "bad"\nkernel = "boot/xenolith-guest"\nmemory = "lots"\n',
    # No such suite: the guest kernel crashes at once.
    "crash.cfg": guest_cfg("crash", "nosuchsuite", 'on_crash = "preserve"\n'),
}


def control_domain(tmp_path, name, suite, configs=(), extra_files=()):
    """Boot modules for a control domain running guest suite `suite`, its
    ramdisk holding boot/xenolith-guest, etc/xen/<configs> and the
    (name in the ramdisk, host file) extra_files (what `./xenolith run
    --files DIR` packs)."""
    files = tmp_path / "files"
    (files / "etc" / "xen").mkdir(parents=True)
    (files / "boot").mkdir()
    shutil.copy(GUEST, files / "boot" / "xenolith-guest")
    for file in configs:
        (files / "etc" / "xen" / file).write_text(CONFIGS[file])
    for file, source in extra_files:
        shutil.copy(source, files / file)
    archive = tmp_path / "files.cpio"
    archive.write_bytes(launcher.pack_files(files))
    dom0 = tmp_path / "dom0.cfg"
    dom0.write_text(f'name = "{name}"\nkernel = "{GUEST}"\nmemory = 64\n'
                    f'cmdline = "suite={suite}"\nramdisk = "{archive}"\n')
    return [f"{dom0} xlcfg name=dom0.cfg", f"{GUEST} kernel", f"{archive} ramdisk"]


class Shell:
    """The control domain's shell on a machine booted with the toolstack."""

    def __init__(self, machine, tmp_path, smp=2, suite="shell", extra_files=(),
                 extra_modules=(), append=APPEND, **machine_args):
        mods = control_domain(tmp_path, "Domain-0", suite, CONFIGS, extra_files)
        self.m = machine(modules=mods + list(extra_modules), append=append, smp=smp,
                         console_input=True, **machine_args)
        self.at = 0
        if suite == "shell":
            self.wait(r"^\(d0\) Xenolith control domain: type 'help'$")
            self.wait(PROMPT)

    def wait(self, pattern, timeout=TIMEOUT):
        match = self.m.wait_for(pattern, timeout, self.at)
        self.at = match.end()
        return match

    def run(self, line, timeout=TIMEOUT):
        """Types line; returns the control domain's output after its echo,
        up to the next prompt. (The echo may be cut by other domains' lines,
        and a prompt shown again after an asynchronous message may come
        before it: the command's own output starts where its echo ends.)"""
        self.m.send(line + "\n")
        echo_end = self.wait(re.escape(line[-8:]) + r"\r?$", timeout).end()
        end = self.wait(PROMPT, timeout).start()
        text = self.m.log()[echo_end:end]
        return "\n".join(l[5:] for l in text.splitlines() if l.startswith("(d0) "))

    def list(self):
        """{name: (id, mem MiB, vcpus, state, time)} from xl list."""
        rows = re.findall(r"^(\S+) +(\d+) +(\d+) +(\d+) +([-rbpscd]{6}) +([\d.]+)$",
                          self.run("xl list"), re.M)
        return {r[0]: (int(r[1]), int(r[2]), int(r[3]), r[4], float(r[5])) for r in rows}

    def vcpu_time(self, name):
        out = self.run(f"xl vcpu-list {name}")
        return float(re.search(rf"^{name} +\d+ +0 +\d+ +\S+ +([\d.]+) ", out, re.M)[1])

    def baseline(self):
        """free() once a domain has come and gone: the control domain's grant
        maptrack (64 KiB) is allocated at its first grant map, xenstored's of
        the first store ring, and kept for its life, as on Xen."""
        self.run("xl create -q etc/xen/tiny.cfg; xl destroy tiny")
        return self.free()

    def free(self):
        m = re.search(r"^free: (\d+) KiB of \d+ KiB, xenstore: (\d+) nodes$", self.run("free"),
                      re.M)
        return int(m[1]), int(m[2])


def test_xl_session(machine, tmp_path):
    """A user's session at the dom0 shell: three domains from configs,
    list, console into one and out, pause/unpause, sched-credit moving the
    measured share, mem-set, reboot (restart), shutdown, destroy, errors.
    One pCPU: credit shares the whole host by weight, so two spinners
    pinned to one of two pCPUs would both stay under their share."""
    sh = Shell(machine, tmp_path, smp=1)
    assert list(sh.list()) == ["Domain-0"]
    free0, nodes0 = sh.baseline()
    out = sh.run("xl create etc/xen/svc1.cfg")
    assert "Parsing config from etc/xen/svc1.cfg" in out
    sh.wait(r"^\(d2\) service: ready$")
    sh.run("xl create etc/xen/spin2.cfg")
    sh.run("xl create etc/xen/spin3.cfg")
    sh.wait(r"^\(d4\) service: ready$")
    doms = sh.list()
    assert [(n, d[1], d[2]) for n, d in doms.items()] == [
        ("Domain-0", 64, 1), ("svc1", 32, 1), ("spin2", 32, 1), ("spin3", 32, 1)]
    # Xen's rover: the next id after the last given (tiny had 1)
    assert [d[0] for d in doms.values()] == [0, 2, 3, 4]
    # xenstore: the standard layout, name and console included.
    out = sh.run("xenstore-ls /local/domain/2")
    for node in ('/local/domain/2/name = "svc1"', '/local/domain/2/domid = "2"',
                 '/local/domain/2/memory/target = "32768"',
                 '/local/domain/2/cpu/0/availability = "online"',
                 '/local/domain/2/console/type = "xenconsoled"'):
        assert node in out
    assert re.search(r'^/local/domain/2/console/port = "\d+"$', out, re.M)

    # Console: typing reaches svc1 until CTRL-], then dom0 again.
    sh.m.send("xl console svc1\n")
    sh.wait(r"^\(XEN\) \*\*\* Serial input to DOM2 ")
    sh.m.send("hello ring\n")
    sh.wait(r"^\(d2\) echo: hello ring$")
    sh.m.send("\x1d")
    sh.wait(r"^\(XEN\) \*\*\* Serial input to DOM0 ")
    sh.wait(PROMPT)  # xl console has returned
    assert "Name" in sh.run("xl list svc1")

    # Pause: svc1 stops (state p, no CPU time); unpause: it answers again.
    sh.run("xl pause svc1")
    paused = sh.list()["svc1"]
    assert paused[3][2] == "p"
    assert sh.list()["svc1"][4] == paused[4]
    sh.run("xl unpause svc1")
    assert sh.list()["svc1"][3][2] == "-"

    # sched-credit: spin2 and spin3 share the pCPU; weights decide their shares.
    def share(seconds=3):
        t2, t3 = sh.vcpu_time("spin2"), sh.vcpu_time("spin3")
        sh.run("xl vcpu-list spin2")  # let time pass in guest time, not host sleeps
        deadline = t2 + t3 + seconds
        while sh.vcpu_time("spin2") + sh.vcpu_time("spin3") < deadline:
            pass
        return (sh.vcpu_time("spin3") - t3) / max(sh.vcpu_time("spin2") - t2, 0.1)

    equal = share()
    assert 0.6 < equal < 1.6, equal
    assert "768" not in sh.run("xl sched-credit -d spin3 -w 768")
    assert re.search(r"^spin3 +4 +768 +0$", sh.run("xl sched-credit"), re.M)
    weighted = share()
    assert weighted > 2.0, (equal, weighted)

    # mem-set and mem-max: the balloon's target and the limit.
    sh.run("xl mem-set svc1 16m")
    assert sh.run("xenstore-read /local/domain/2/memory/target").strip() == "16384"
    assert "memory_dynamic_max must be less than or equal" in sh.run("xl mem-set svc1 64m")
    assert '"max_memkb": 17408' in sh.run("xl list -l svc1")
    sh.run("xl mem-max svc1 24m")
    assert sh.run("xenstore-read /local/domain/2/memory/static-max").strip() == "24576"
    assert "memory_static_max must be greater than" in sh.run("xl mem-max svc1 8m")
    assert '"max_memkb": 25600' in sh.run("xl list -l svc1")
    # vcpu-set: each vCPU's availability, for the guest to plug.
    sh.run("xl vcpu-set svc1 1")
    assert sh.run("xenstore-read /local/domain/2/cpu/0/availability").strip() == "online"
    assert "You are overcommmitting!" in sh.run("xl vcpu-set svc1 2")  # one pCPU here
    assert "libxl_set_vcpuonline failed" in sh.run("xl vcpu-set -i svc1 2")  # it has one vCPU

    # Reboot: xl's default on_reboot is restart, as a new domain.
    sh.run("xl reboot svc1")
    sh.wait(r"^\(d2\) service: shutdown request: reboot$")
    sh.wait(r"^\(d5\) service: ready$")
    assert sh.list()["svc1"][0] == 5

    # Shutdown -w waits; on_poweroff destroy removes it; destroy is at once.
    out = sh.run("xl shutdown -w spin2")
    assert "Domain 3 has been shut down, reason code 0" in out
    sh.wait(r"^\(XEN\) Domain 3 \(spin2\) destroyed")
    sh.run("xl destroy spin3")
    assert sorted(sh.list()) == ["Domain-0", "svc1"]

    # The small verbs.
    assert sh.run("xl vcpu-pin svc1 0 0") == ""  # pCPU 0, the only one: all
    assert "Could not set" in sh.run("xl vcpu-pin svc1 0 7")  # no pCPU 7 here
    assert sh.run("xl domid svc1").strip() == "5"
    assert sh.run("xl domname 5").strip() == "svc1"
    assert re.search(r"^nr_cpus +: 1$", sh.run("xl info"), re.M)
    assert re.search(r"^xen_scheduler +: credit$", sh.run("xl info"), re.M)
    assert re.search(r"^svc1 +5 +\d+:\d\d:\d\d$", sh.run("xl uptime svc1"), re.M)
    assert "(XEN) Xenolith" in sh.run("xl dmesg")

    # create -c: the console attached to the new domain at once, CTRL-] back.
    sh.m.send("xl create -c etc/xen/tiny.cfg\n")
    sh.at = max(sh.m.wait_for(pattern, TIMEOUT, sh.at).end()  # in either order
                for pattern in (r"^\(XEN\) \*\*\* Serial input to DOM\d+ ",
                                r"^\(d\d+\) service: ready$"))
    sh.m.send("hi tiny\n")
    sh.wait(r"^\(d\d+\) echo: hi tiny$")
    sh.m.send("\x1d")
    sh.wait(r"^\(XEN\) \*\*\* Serial input to DOM0 ")
    sh.wait(PROMPT)
    sh.run("xl destroy tiny")

    # on_crash = "preserve": kept, shut down with the crash code, until destroyed.
    sh.run("xl create etc/xen/crash.cfg")
    sh.wait(r"^\(d0\) Domain \d+ has shut down, reason code 3: preserve$")
    assert sh.list()["crash"][3] == "---sc-"  # xl: shut down, crashed
    sh.run("xl destroy crash")

    # Errors, as xl words them; nothing is left behind by a failed create.
    assert "nosuch is an invalid domain identifier (rc=-6)" in sh.run("xl destroy nosuch")
    assert "Failed to read config file: etc/xen/nosuch.cfg" in sh.run(
        "xl create etc/xen/nosuch.cfg")
    out = sh.run("xl create etc/xen/bad.cfg")
    assert re.search(r"^etc/xen/bad.cfg:3: error: .*memory", out, re.M), out
    out = sh.run("xl create etc/xen/svc1.cfg 'name=\"big\"' memory=100000")
    assert "not enough free memory" in out
    sh.run("xl destroy svc1")
    assert list(sh.list()) == ["Domain-0"]
    assert sh.free() == (free0, nodes0)
    sh.m.send("poweroff\n")
    assert sh.m.wait_exit(TIMEOUT) == 33, sh.m.tail()


def test_lifecycle_soak(machine, tmp_path):
    """200 domains created and destroyed in a loop leave the host's free
    memory and the store's node count exactly as they were."""
    sh = Shell(machine, tmp_path)
    before = sh.baseline()
    out = sh.run("repeat 200 xl create -q etc/xen/tiny.cfg; xl destroy tiny", timeout=600)
    expected = re.compile(r"xenstored: domain \d+ (\(tiny\) introduced \(port \d+\)|gone: released)$"
                          r"|xenolith# |repeat 200 ")
    unexpected = [line for line in out.splitlines() if line and not expected.match(line)]
    assert not unexpected, unexpected[:10]
    assert len(re.findall(r"xenstored: domain \d+ \(tiny\) introduced", out)) == 200
    assert sh.free() == before
    assert list(sh.list()) == ["Domain-0"]
    sh.m.send("poweroff\n")
    assert sh.m.wait_exit(TIMEOUT) == 33, sh.m.tail()


def test_vcpu_context_get_and_set(machine, tmp_path):
    """XEN_DOMCTL_getvcpucontext/setvcpucontext from the control domain
    (guest suite vcpu_context): the builder's start-of-day state read
    back, given to a second vCPU, refusals, nothing leaked."""
    sh = Shell(machine, tmp_path, suite="vcpu_context")
    assert sh.m.wait_exit(TIMEOUT) == 33, sh.m.tail()
    log = sh.m.log()
    assert re.search(r"^\(d0\) 2 passed, 0 failed$", log, re.M), log[-3000:]


# Linux's init for an xl-made domain: up, then waiting; xl shutdown reaches
# it through xenstore's control/shutdown, and Linux's orderly poweroff
# runs /sbin/poweroff.
LINUX_INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mkdir -p /sbin
printf '#!/bin/busybox sh\\n/bin/busybox poweroff -f\\n' > /sbin/poweroff
chmod 755 /sbin/poweroff
echo "init: busybox up on $(cat /proc/sys/kernel/hostname)"
while true; do sleep 1; done
"""


@needs_busybox
def test_linux_domain_made_by_xl(machine, tmp_path):
    """Debian's Linux from dom0's ramdisk: xl create (a bzImage through the
    hypervisor's builder), its xenbus on the store dom0 serves, its
    console ring; xl shutdown -w asks it through control/shutdown and
    Linux powers itself off; on_poweroff destroys it, every frame back."""
    initrd = initramfs.build(tmp_path / "initrd.gz", LINUX_INIT)
    CONFIGS_LINUX = ('name = "linux"\nkernel = "boot/vmlinuz"\nramdisk = "boot/initrd.gz"\n'
                     'memory = 192\ncmdline = "console=hvc0"\n')
    (tmp_path / "linux.cfg").write_text(CONFIGS_LINUX)
    sh = Shell(machine, tmp_path, memory="640M", allowed_warnings=LINUX_ENOSYS,
               extra_files=[("boot/vmlinuz", KERNELS[-1]), ("boot/initrd.gz", initrd),
                            ("etc/xen/linux.cfg", tmp_path / "linux.cfg")])
    free0 = sh.free()[0]
    assert "Parsing config from etc/xen/linux.cfg" in sh.run("xl create etc/xen/linux.cfg")
    sh.wait(r"^\(d1\) init: busybox up on ", 180)
    assert sh.list()["linux"][1] == 192
    out = sh.run("xenstore-ls /local/domain/1/control")
    assert '/local/domain/1/control/feature-poweroff = "1"' in out  # Linux's xenbus wrote it
    out = sh.run("xl shutdown -w linux", timeout=120)
    assert "Domain 1 has been shut down, reason code 0" in out
    sh.wait(r"^\(XEN\) Domain 1 \(linux\) destroyed")
    sh.wait(r"^\(d0\) xenstored: domain 1 gone: released$")
    assert list(sh.list()) == ["Domain-0"]
    assert sh.free()[0] == free0 - 64  # dom0's grant maptrack, made at its first map
    sh.m.send("poweroff\n")
    assert sh.m.wait_exit(TIMEOUT) == 33, sh.m.tail()


def test_xenstore_domain_of_its_own(machine, tmp_path):
    """xenstored=dom1: a boot domain of its own runs the daemon (Xen's
    disaggregation); the control domain is its privileged client over a
    ring, xl's domains find it there, and the xenstore domain may read the
    domain list but not create, pause or destroy (-EPERM)."""
    xsd = tmp_path / "xsd.cfg"
    xsd.write_text(f'name = "xenstore"\nkernel = "{GUEST}"\nmemory = 32\n'
                   f'cmdline = "suite=xenstored"\n')
    sh = Shell(machine, tmp_path, extra_modules=[f"{xsd} xlcfg name=xsd.cfg", f"{GUEST} kernel"],
               append="loglvl=all qemu_exit xenstored=dom1")
    sh.m.wait_for(r"^\(d1\) xenstored: serving from a xenstore domain of its own$", TIMEOUT)
    assert sh.run("xenstore-read /local/domain/0/name").strip() == "Domain-0"
    assert re.search(r"xenstore: in domain 1$", sh.run("free"), re.M)
    sh.run("xl create etc/xen/svc1.cfg")
    sh.wait(r"^\(d2\) service: ready$")
    out = sh.run("xenstore-ls /local/domain/2")
    assert '/local/domain/2/name = "svc1"' in out, out
    assert re.search(r'^/local/domain/2/console/port = "\d+"$', out, re.M)
    assert "Domain 2 has been shut down, reason code 0" in sh.run("xl shutdown -w svc1")
    sh.wait(r"^\(d1\) xenstored: domain 2 gone: released$")
    assert list(sh.list()) == ["Domain-0", "xenstore"]
    sh.m.send("poweroff\n")
    assert sh.m.wait_exit(TIMEOUT) == 33, sh.m.tail()
    log = sh.m.log()
    assert re.search(r"^\(d1\) PASS xenstored/serve$", log, re.M), log[-3000:]
