# SPDX-License-Identifier: MIT
"""Boot-time domains (hypervisor/common/boot_domains.c): several guests
of the project's guest kernel at once, built from xl.cfg boot modules
(docs/boot-protocol.md), and how each ends.

Most tests hand QEMU the modules directly, to control them exactly; the
first goes through the launcher with the committed demo configs, as
`make run` does. Every run checks that the hypervisor's free memory after
the last domain is gone equals its value before the first was built.
"""
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from harness import EXIT_FAIL, EXIT_PASS, ROOT

GUEST = ROOT / "build" / "guest" / "xenolith-guest"
LAUNCHER = ROOT / "xenolith"
APPEND = "loglvl=all qemu_exit"
TIMEOUT = 30

# Long enough that three guests overlap: 16 suites each, both passing today.
LONG = "suite=" + ",".join(["threads", "user"] * 8)
SHORT = "suite=threads"

FREE_BEFORE = re.compile(r"^\(XEN\) Boot domains: (\d+) built, (\d+) KiB free before$", re.M)
FREE_AFTER = re.compile(r"^\(XEN\) Boot domains: (\d+) KiB free after all ended$", re.M)


@pytest.fixture(scope="module", autouse=True)
def guest_kernel():
    subprocess.run(["make", "-s", "all", "guest"], cwd=ROOT, check=True)
    assert GUEST.exists()


def cfg(tmp_path, file, name, cmdline, extra=""):
    """An xl.cfg for the guest kernel; returns its module string."""
    path = tmp_path / file
    path.write_text(f'name = "{name}"\nkernel = "{GUEST}"\nmemory = 32\n'
                    f'cmdline = "{cmdline}"\n' + textwrap.dedent(extra))
    return [f"{path} xlcfg name={file}", f"{GUEST} kernel"]


def boot(machine, modules, memory="256M", smp=2):
    m = machine(modules=modules, append=APPEND, memory=memory, smp=smp)
    status = m.wait_exit(TIMEOUT)
    return status, m.log()


def ends(log):
    """{domid: (name, reason)} from the "Domain N (name) ended: reason" lines."""
    return {int(i): (n, r) for i, n, r in
            re.findall(r"^\(XEN\) Domain (\d+) \((.*)\) ended: (\S+)$", log, re.M)}


def assert_memory_returned(log, built):
    before, after = FREE_BEFORE.search(log), FREE_AFTER.search(log)
    assert before and after, log[-3000:]
    assert int(before[1]) == built
    assert int(after[1]) == int(before[2]), \
        f"{before[2]} KiB free before the domains, {after[1]} KiB after"


def assert_interleaved(log, ids):
    """Every domain printed, and some domain's line sits between two lines
    of another: they ran at the same time, not one after the other."""
    order = [int(d) for d in re.findall(r"^\(d(\d+)\) ", log, re.M)]
    for i in ids:
        assert i in order, f"no (d{i}) output"
    runs = [d for k, d in enumerate(order) if k == 0 or order[k - 1] != d]
    assert any(runs[k] == runs[k + 2] and runs[k + 1] != runs[k] for k in range(len(runs) - 2)), \
        f"domain output does not interleave: {runs[:40]}"


def test_three_guests_at_once_through_the_launcher(tmp_path):
    """`make run`'s demo: dom0 (the shell, serving xenstore, running
    examples/files/etc/rc from its boot ramdisk) and three guests of
    examples/, the first two streaming through a shared ring, each ending
    with poweroff, their console lines interleaved; with no terminal the
    launcher types "poweroff" once they have ended; exit 0."""
    files = tmp_path / "files"
    shutil.copytree(ROOT / "examples" / "files", files)
    (files / "boot").mkdir()
    shutil.copy(GUEST, files / "boot" / "xenolith-guest")
    cfgs = [f"examples/guest{i}.cfg" for i in (1, 2, 3)]
    p = subprocess.run([sys.executable, str(LAUNCHER), "run", "--no-build", "--timeout",
                        str(TIMEOUT), "--append", "xenstored=dom0", "--dom0", "examples/dom0.cfg",
                        "--files", str(files), *cfgs],
                       cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT + 15,
                       stdin=subprocess.DEVNULL)
    log = p.stdout.replace("\r\n", "\n")
    assert p.returncode == 0, log[-3000:] + p.stderr
    assert ends(log) == {0: ("Domain-0", "poweroff"), 1: ("guest1", "poweroff"),
                         2: ("guest2", "poweroff"), 3: ("guest3", "poweroff")}
    assert re.search(r"^\(d0\) xenolith# xl create -q etc/xen/web.cfg$", log, re.M)
    assert re.search(r"^\(d0\) Domain 4 has been shut down, reason code 0$", log, re.M)
    assert_interleaved(log, [1, 2, 3])
    assert_memory_returned(log, 4)
    assert "xenolith: every domain powered off" in log
    assert re.search(r"^\(d1\) PASS ring_front/stream$", log, re.M)
    assert re.search(r"^\(d2\) PASS ring_back/stream$", log, re.M)


def test_three_domus_with_dom0(machine, tmp_path):
    """dom0 and domUs 1, 2, 3 in module order; all end; QEMU status 33."""
    mods = cfg(tmp_path, "dom0.cfg", "control", SHORT)
    for i in (1, 2, 3):
        mods += cfg(tmp_path, f"g{i}.cfg", f"g{i}", LONG)
    status, log = boot(machine, mods)
    assert status == EXIT_PASS, log[-3000:]
    assert ends(log) == {0: ("control", "poweroff"), 1: ("g1", "poweroff"),
                         2: ("g2", "poweroff"), 3: ("g3", "poweroff")}
    assert re.search(r"^\(XEN\) Domain 0 \(control\) created: .*privileged$", log, re.M)
    assert not re.search(r"^\(XEN\) Domain [123] .*created: .*privileged", log, re.M)
    assert_interleaved(log, [1, 2, 3])
    assert_memory_returned(log, 4)


def test_config_error_names_file_and_line(machine, tmp_path):
    """A file with an error is reported as FILE:LINE and its domain is not
    built; the others run; the verdict is fail."""
    bad = tmp_path / "bad.cfg"
    bad.write_text(f'name = "bad"\nkernel = "{GUEST}"\nmemory = "lots"\n')
    mods = cfg(tmp_path, "dom0.cfg", "control", SHORT)
    mods += [f"{bad} xlcfg name=bad.cfg", f"{GUEST} kernel"]
    mods += cfg(tmp_path, "ok.cfg", "ok", SHORT)
    status, log = boot(machine, mods)
    assert status == EXIT_FAIL, log[-3000:]
    assert re.search(r"^\(XEN\) bad\.cfg:3: error: 'memory' must be a number", log, re.M), log
    assert "(XEN) Domain 1 (bad) not built: errors in bad.cfg" in log
    assert "Domain 1 (bad) created" not in log and "(d1)" not in log
    assert ends(log) == {0: ("control", "poweroff"), 2: ("ok", "poweroff")}
    assert_memory_returned(log, 2)


def test_unsupported_setting_is_an_error_with_its_line(machine, tmp_path):
    """More vCPUs than shared_info holds: an error, not a domain with fewer."""
    mods = cfg(tmp_path, "dom0.cfg", "control", SHORT)
    mods += cfg(tmp_path, "smp.cfg", "smp", SHORT, "vcpus = 33\n")
    status, log = boot(machine, mods)
    assert status == EXIT_FAIL
    assert re.search(r"^\(XEN\) smp\.cfg:5: error: 'vcpus' is 33: Xenolith runs at most 32 vCPUs",
                     log, re.M), log
    assert "(XEN) Domain 1 (smp) not built" in log
    assert ends(log) == {0: ("control", "poweroff")}


def test_vcpus_make_a_domain_with_that_many(machine, tmp_path):
    """vcpus = 3: the domain is created with three, the guest's smp suite
    finds them down and brings them up."""
    mods = cfg(tmp_path, "smp.cfg", "smp", "suite=smp", "vcpus = 3\n")
    status, log = boot(machine, mods)
    assert status == EXIT_PASS, log[-3000:]
    assert "(XEN) Domain 0 (smp) created: 3 vCPUs" in log
    assert re.search(r"^\(d0\) 11 passed, 0 failed$", log, re.M), log[-3000:]


def test_sysctl_refused_to_a_domu_and_a_larger_log_ring(machine, tmp_path):
    """sysctl is the control domain's: a domU is refused (-EPERM, after
    -EFAULT and -EACCES, Xen's order; guest suite sysctl_domu).
    conring_size= moves the log ring into a larger one, keeping the boot log."""
    mods = (cfg(tmp_path, "dom0.cfg", "control", SHORT)
            + cfg(tmp_path, "domu.cfg", "domu", "suite=sysctl_domu"))
    m = machine(modules=mods, append=APPEND + " conring_size=40K", smp=2)
    assert m.wait_exit(TIMEOUT) == EXIT_PASS, m.tail()
    log = m.log()
    assert re.search(r"^\(XEN\) Allocated console ring of 64 KiB\.$", log, re.M), log[-3000:]
    assert re.search(r"^\(d1\) PASS sysctl_domu/refused$", log, re.M), log[-3000:]
    assert ends(log) == {0: ("control", "poweroff"), 1: ("domu", "poweroff")}


def test_module_out_of_place_is_reported(machine, tmp_path):
    """A kernel module that follows no xlcfg module belongs to no domain."""
    mods = cfg(tmp_path, "dom0.cfg", "control", SHORT) + [f"{GUEST} kernel"]
    status, log = boot(machine, mods)
    assert status == EXIT_FAIL
    assert re.search(r"^\(XEN\) module 2 \('kernel'\): error: belongs to no domain", log, re.M)
    assert ends(log) == {0: ("control", "poweroff")}


def test_crashing_domain_leaves_the_others_running(machine, tmp_path):
    """The guest kernel crashes on an unknown suite. That domain ends with
    crash, the others go on and power off; the verdict is fail."""
    mods = cfg(tmp_path, "dom0.cfg", "control", LONG)
    mods += cfg(tmp_path, "crashy.cfg", "crashy", "suite=nosuch")
    mods += cfg(tmp_path, "ok.cfg", "ok", LONG)
    status, log = boot(machine, mods)
    assert status == EXIT_FAIL, log[-3000:]
    assert ends(log) == {0: ("control", "poweroff"), 1: ("crashy", "crash"),
                         2: ("ok", "poweroff")}
    crash = log.index("(XEN) Domain 1 (crashy) ended: crash")
    assert re.search(r"^\(d2\) PASS ", log[crash:], re.M), "domain 2 stopped with the crash"
    assert_memory_returned(log, 3)


def test_restart_rebuilds_from_the_same_modules(machine, tmp_path):
    """on_crash = "restart": the domain is built again with its id, a
    bounded number of times, then ends; no memory is lost on the way."""
    mods = cfg(tmp_path, "dom0.cfg", "control", SHORT)
    mods += cfg(tmp_path, "again.cfg", "again", "suite=nosuch", 'on_crash = "restart"\n')
    status, log = boot(machine, mods)
    assert status == EXIT_FAIL, log[-3000:]
    restarts = re.findall(r"^\(XEN\) Domain 1 \(again\) restarting after crash", log, re.M)
    assert len(restarts) == 4
    assert len(re.findall(r"^\(XEN\) Domain 1 \(again\) created", log, re.M)) == 5
    assert ends(log) == {0: ("control", "poweroff"), 1: ("again", "crash")}
    assert_memory_returned(log, 2)


def test_preserve_keeps_the_domain_and_still_ends(machine, tmp_path):
    """on_poweroff = "preserve": kept with its memory, and the run still ends."""
    mods = cfg(tmp_path, "dom0.cfg", "control", SHORT)
    mods += cfg(tmp_path, "kept.cfg", "kept", SHORT, 'on_poweroff = "preserve"\n')
    status, log = boot(machine, mods)
    assert status == EXIT_PASS, log[-3000:]
    assert "(XEN) Domain 1 (kept) preserved: shut down, its memory kept" in log
    assert "Domain 1 (kept) destroyed" not in log
    assert "(XEN) All domains have ended" in log


def test_xen_form_dom0_is_named_domain_0(machine):
    """Without xlcfg modules, module 0 is dom0 with its command line, as on Xen."""
    status, log = boot(machine, [f"{GUEST} {SHORT}"])
    assert status == EXIT_PASS, log[-3000:]
    assert ends(log) == {0: ("Domain-0", "poweroff")}
    assert '(d0) start_info: cmd_line "suite=threads"' in log
    assert_memory_returned(log, 1)


def test_xen_form_refuses_more_dom0_vcpus_than_shared_info_holds(machine):
    m = machine(modules=[f"{GUEST} {SHORT}"], append=APPEND + " dom0_max_vcpus=33")
    assert m.wait_exit(TIMEOUT) == EXIT_FAIL
    log = m.log()
    assert "(XEN) dom0_max_vcpus=33: a domain has 1 to 32 vCPUs" in log
    assert "(XEN) Domain 0 (Domain-0) not built" in log


def test_control_domain_reads_console_input(machine):
    """Serial input goes to dom0 first; three CTRL-a hand it to the
    hypervisor's debug keys, three more back to dom0 (the only domain),
    which reads it with CONSOLEIO_read after VIRQ_CONSOLE. Two CTRL-a
    before another key are input, not a switch."""
    m = machine(modules=[f"{GUEST} suite=console_input"], append=APPEND, console_input=True)
    m.wait_for(r"^\(XEN\) \*\*\* Serial input to DOM0 \(type 'CTRL-a' three times", TIMEOUT)
    at = m.wait_for(r"^\(d0\)   info console_input/line: type a line$", TIMEOUT).end()
    m.send("\x01\x01\x01")
    at = m.wait_for(r"^\(XEN\) \*\*\* Serial input to Xen ", 10, at).end()
    m.send("h")
    at = m.wait_for(r"^\(XEN\) 'h' this list, 'q' domains and vCPUs, 't' system time$", 10, at).end()
    m.send("q")
    at = m.wait_for(r"^\(XEN\)   vCPU 0: up, ", 10, at).end()
    m.send("\x01\x01\x01")
    m.wait_for(r"^\(XEN\) \*\*\* Serial input to DOM0 ", 10, at)
    m.send("\x01\x01hi\n")
    assert m.wait_exit(TIMEOUT) == EXIT_PASS, m.tail()
    assert re.search(r"^\(d0\) PASS console_input/line$", m.log(), re.M)


def test_domu_console_ring_both_ways_and_corrupt_indices(machine, tmp_path):
    """A domU's console ring: its output becomes (d1) lines, what is typed
    while it has the focus arrives in the ring's input half, and indices it
    corrupts cost it that output or input only, with one warning each."""
    mods = (cfg(tmp_path, "dom0.cfg", "control", SHORT)
            + cfg(tmp_path, "ringer.cfg", "ringer", "suite=console_ring"))
    m = machine(modules=mods, append=APPEND, smp=2, console_input=True,
                allowed_warnings=[r"d1: console ring indices out of range \(\d+\.\.\d+\): "
                                  r"(output|input) dropped"])
    at = m.wait_for(r"^\(d1\)   info console_ring/input: type into the ring$", TIMEOUT).end()
    m.send("\x01\x01\x01")
    at = m.wait_for(r"^\(XEN\) \*\*\* Serial input to DOM1 ", 10, at).end()
    m.send("ring input\n")
    at = m.wait_for(r"^\(d1\)   info console_ring/corrupt: type into the corrupt ring$", TIMEOUT,
                    at).end()
    m.send("lost\n")
    m.wait_for(r"^\(XEN\) d1: console ring indices out of range .*: input dropped$", 10, at)
    assert m.wait_exit(TIMEOUT) == EXIT_PASS, m.tail()
    log = m.log()
    assert re.search(r"^\(d1\) ring: hello from the ring$", log, re.M)
    assert re.search(r"^\(d1\) ring: after the corruption$", log, re.M)
    assert len(re.findall(r"output dropped$", log, re.M)) == 1
    assert re.search(r"^\(d1\) 3 passed, 0 failed$", log, re.M), log[-3000:]
    assert ends(log) == {0: ("control", "poweroff"), 1: ("ringer", "poweroff")}


def boot_with_xenstored(machine, tmp_path, domus):
    """dom0 serving xenstore (xenstored=dom0), then one domU per (name,
    suite); returns the log once all have powered off."""
    mods = cfg(tmp_path, "dom0.cfg", "control", "suite=xenstored")
    for name, suite in domus:
        mods += cfg(tmp_path, f"{name}.cfg", name, f"suite={suite}")
    m = machine(modules=mods, append=APPEND + " xenstored=dom0", smp=2)
    assert m.wait_exit(TIMEOUT) == EXIT_PASS, m.tail()
    return m.log()


def test_xenstore_served_by_the_control_domain(machine, tmp_path):
    """xenstored=dom0: every domU gets a store ring and port for the control
    domain, whose daemon (guest suite xenstored) finds and introduces each,
    lays out /local/domain/N, and serves both domUs' clients (suite
    xenstore: reads, writes, permissions, watches, transactions and their
    conflicts, MKDIR and GET_PERMS, the toolstack's requests refused, the
    quotas on transactions, watches and nodes, an unknown type, then a
    length past the maximum, after which it ignores
    that domain); a third domain corrupts its ring's indices and is
    ignored too. It ends when all have gone, having heard each come and
    go through @introduceDomain and @releaseDomain."""
    log = boot_with_xenstored(machine, tmp_path, [("a", "xenstore"), ("b", "xenstore"),
                                                  ("c", "xenstore_corrupt")])
    for d in (1, 2):
        assert re.search(rf"^\(d{d}\)   info xenstore/home: home /local/domain/{d}$", log, re.M)
        assert re.search(rf"^\(d{d}\) 8 passed, 0 failed$", log, re.M), log[-3000:]
        assert re.search(rf"^\(d{d}\) PASS xenstore/quotas$", log, re.M)
        assert re.search(rf"^\(d0\) xenstored: domain {d} broke the framing \(length 4097\)", log,
                         re.M)
    assert re.search(r"^\(d0\) xenstored: domain 3: request ring indices corrupt: ignored from now$",
                     log, re.M)
    assert re.search(r"^\(d3\) 1 passed, 0 failed$", log, re.M), log[-3000:]
    assert re.search(r"^\(d0\)   info xenstored/serve: introduced 3, released 3, \d+ requests,"
                     r" 0 errors$", log, re.M), log[-3000:]
    assert ends(log) == {0: ("control", "poweroff"), 1: ("a", "poweroff"), 2: ("b", "poweroff"),
                         3: ("c", "poweroff")}


def test_console_flood_drops_only_the_flooders_output(machine, tmp_path):
    """A domain writing 1 MiB to its console at once prints a 256 KiB burst
    and then 64 KiB/s: the rest is dropped, and said when it may print
    again; the domain beside it prints all it has to."""
    mods = (cfg(tmp_path, "dom0.cfg", "control", LONG)
            + cfg(tmp_path, "flood.cfg", "flood", "suite=console_flood"))
    m = machine(modules=mods, append=APPEND, smp=2,
                allowed_warnings=[r"d1: \d+ bytes of console output dropped \(over 64 KiB/s\)"])
    assert m.wait_exit(TIMEOUT) == EXIT_PASS, m.tail()
    log = m.log()
    printed = sum(len(l) + 1 for l in re.findall(r"^\(d1\) (f+)$", log, re.M))
    dropped = int(re.search(r"^\(XEN\) d1: (\d+) bytes of console output dropped", log, re.M)[1])
    assert 256 * 1024 <= printed + dropped <= 1024 * 1024 and printed < 512 * 1024, printed
    assert log.index("bytes of console output dropped") < log.index("(d1) flood: after the pause")
    assert re.search(r"^\(d0\) \d+ passed, 0 failed$", log, re.M)
    assert ends(log) == {0: ("control", "poweroff"), 1: ("flood", "poweroff")}


def test_shared_ring_between_two_guests(machine, tmp_path):
    """A split driver's handshake and stream (guest suites ring_front and
    ring_back): grant, event channel and xenstore states between two domUs,
    the control domain serving xenstore; 1 MiB through the ring, the same
    checksum on both sides; the grant ends once the backend unmapped."""
    log = boot_with_xenstored(machine, tmp_path, [("front", "ring_front"), ("back", "ring_back")])
    sums = re.search(r"^\(d1\)   info ring_front/stream: sent 1048576 bytes, checksum (\w+);"
                     r" the backend's (\w+)$", log, re.M)
    assert sums and sums[1] == sums[2], log[-3000:]
    assert re.search(r"^\(d2\)   info ring_back/stream: received 1048576 bytes$", log, re.M)
    assert re.search(r"^\(d1\) PASS ring_front/stream$", log, re.M)
    assert re.search(r"^\(d2\) PASS ring_back/stream$", log, re.M)
    assert ends(log) == {0: ("control", "poweroff"), 1: ("front", "poweroff"),
                         2: ("back", "poweroff")}
    assert_memory_returned(log, 3)
