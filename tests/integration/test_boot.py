# SPDX-License-Identifier: MIT
"""Boot paths, command line, memory sizes, CPU counts, self-test."""
import re
import shutil
import subprocess

import pytest

from harness import EXIT_PASS, IMAGE, ROOT

MIB = 1024


def ram_in_map(log):
    """(start, end) of each RAM entry of the memory map the hypervisor printed."""
    return [(int(s, 16), int(e, 16)) for s, e in
            re.findall(r"^\(XEN\)\s+([0-9a-f]{16}) - ([0-9a-f]{16}) \(RAM\)", log, re.M)]


def test_boots_to_ready_line(machine):
    """The plain boot (what `make run` shows) reaches the ready line."""
    m = machine(smp=2, append="loglvl=all")
    m.wait_for(r"Xenolith ready: 2 CPUs online, \d+ MiB free")
    log = m.log()
    for line in (r"Xenolith \S+ \(Xen 4\.17 PV ABI\)", r"Command line: loglvl=all",
                 r"Memory map:", r"Modules: 0", r"CPUs: 2 found", r"CPUs: 2 online",
                 r"Memory: \d+ KiB RAM, \d+ KiB free", r"Scheduler: credit"):
        assert re.search(line, log), f"boot log lacks /{line}/"


@pytest.mark.parametrize("smp", [1, 2, 4, 8])
def test_selftest_on_n_cpus(machine, smp):
    """Every CPU QEMU offers comes online and the self-test passes on all."""
    m = machine(smp=smp, append="selftest qemu_exit")
    assert m.wait_exit(120) == EXIT_PASS, m.tail()
    log = m.log()
    assert f"CPUs: {smp} found (ACPI MADT)" in log
    assert f"CPUs: {smp} online" in log
    assert f"selftest: starting on {smp} CPUs" in log
    assert "selftest: 10 passed, 0 failed" in log


@pytest.mark.parametrize("memory,mib", [("64M", 64), ("512M", 512), ("4G", 4096), ("16G", 16384)])
def test_memory_sizes(machine, memory, mib):
    """The firmware map, the RAM total and the free memory match -m."""
    m = machine(smp=2, memory=memory, append="selftest qemu_exit")
    assert m.wait_exit(120) == EXIT_PASS, m.tail()
    log = m.log()
    ram, free, frames, table_kib = map(int, re.search(
        r"Memory: (\d+) KiB RAM, (\d+) KiB free; frame table: (\d+) frames, (\d+) KiB",
        log).groups())
    regions = ram_in_map(log)
    assert ram == sum(e - s for s, e in regions) // 1024
    # QEMU keeps under 1 MiB of the -m size for firmware.
    assert mib * MIB - 1024 <= ram <= mib * MIB
    # One 32-byte entry per frame up to the top of RAM (holes included).
    assert frames == max(e for _, e in regions) // 4096
    assert table_kib == frames * 32 // 1024
    # Beyond the frame table the hypervisor keeps its image and page tables: a few MiB.
    overhead = ram - free
    assert overhead <= table_kib + 4 * MIB, f"{overhead} KiB held back"
    assert "CPUs: 2 online" in log


def make_module(path, size):
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return path


def test_modules_and_command_line(machine, tmp_path):
    """QEMU's multiboot1 path passes modules with their arguments."""
    sizes = [5000, 123457]
    a = make_module(tmp_path / "modA", sizes[0])
    b = make_module(tmp_path / "modB", sizes[1])
    m = machine(append="loglvl=all qemu_exit selftest",
                modules=[f"{a} first arg", f"{b} second,arg"])
    assert m.wait_exit(60) == EXIT_PASS, m.tail()
    log = m.log()
    mods = re.findall(r"module (\d): ([0-9a-f]{16}) - ([0-9a-f]{16}) '(.*)'", log)
    assert [(i, s) for i, _, _, s in mods] == [("0", "first arg"), ("1", "second,arg")]
    for (_, start, end, _), size in zip(mods, sizes):
        assert int(end, 16) - int(start, 16) == size
        assert int(start, 16) % 4096 == 0
    assert "Command line: loglvl=all qemu_exit selftest" in log


def test_unknown_and_bad_options_are_warned(machine):
    """Unknown options and bad values are reported, never silently ignored."""
    m = machine(append="bogus=1 maxcpus=lots loglvl=chatty sched=fifo selftest qemu_exit",
                allowed_warnings=[r"command line: '(bogus|maxcpus|loglvl|sched)"])
    assert m.wait_exit(60) == EXIT_PASS, m.tail()
    warnings = "\n".join(m.warnings())
    assert "'bogus'" in warnings and "unknown option" in warnings
    assert "maxcpus" in warnings
    assert "loglvl" in warnings
    assert "sched" in warnings


def test_sched_option(machine):
    m = machine(append="sched=rr")
    m.wait_for(r"Scheduler: rr\n")


def test_credit_time_slice_option(machine):
    """sched_credit_tslice_ms, as Xen's: 1..1000 ms, else the default with a warning."""
    m = machine(append="sched_credit_tslice_ms=5")
    m.wait_for(r"^\(XEN\) Credit scheduler: time slice 5 ms$")
    m = machine(append="sched_credit_tslice_ms=5000",
                allowed_warnings=[r"sched_credit_tslice_ms=5000: out of 1\.\.1000, 30 used"])
    m.wait_for(r"^\(XEN\) Credit scheduler: time slice 30 ms$")


def test_maxcpus_limits_cpus(machine):
    m = machine(smp=4, append="maxcpus=2 selftest qemu_exit")
    assert m.wait_exit(60) == EXIT_PASS, m.tail()
    assert "CPUs: 4 found" in m.log() and "CPUs: 2 online" in m.log()


@pytest.mark.skipif(not shutil.which("grub-mkrescue"), reason="grub-mkrescue missing")
def test_grub_multiboot2_iso(machine, tmp_path):
    """GRUB's multiboot2 path: command line and a module reach the hypervisor."""
    iso = tmp_path / "x.iso"
    module = make_module(tmp_path / "mod", 7777)
    subprocess.run([ROOT / "tools" / "mkiso.sh", IMAGE, iso, "-c", "selftest qemu_exit",
                    "-m", module, "readme args"], check=True)
    m = machine(smp=2, cdrom=iso)
    assert m.wait_exit(120) == EXIT_PASS, m.tail()
    log = m.log()
    assert re.search(r"Boot loader: multiboot2, GRUB", log)
    assert "Command line: selftest qemu_exit" in log
    start, end = re.search(r"module 0: ([0-9a-f]{16}) - ([0-9a-f]{16}) 'readme args'", log).groups()
    assert int(end, 16) - int(start, 16) == 7777
    assert "selftest: 10 passed, 0 failed" in log
