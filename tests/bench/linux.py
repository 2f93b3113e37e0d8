#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Linux user-space micro-benchmarks: Debian's kernel natively, as a PV
domU on Xenolith and as PV dom0 on real Xen 4.17, side by side.

One initramfs (busybox-static, tests/bench/linux_bench.c built static, an
/init that runs it and powers off) and the newest /boot/vmlinuz-* boot
three ways under QEMU with `-icount shift=0,sleep=off`, so the guest's
TSC counts executed instructions and every figure is instructions per
operation, the same from run to run. Linux has 256 MiB and one vCPU on
each. Prints figures, never judges them; a platform that fails is
reported and skipped. docs/bench.md says what each figure means.
"""
import argparse
import concurrent.futures
import glob
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import initramfs  # noqa: E402
from harness import IMAGE, ROOT, Machine  # noqa: E402
from run import ICOUNT, XEN_GZ, qemu_version  # noqa: E402

SOURCE = Path(__file__).resolve().parent / "linux_bench.c"
STUB = Path(__file__).resolve().parent / "tsc_entry.S"
# Everything a guest sees a path of is copied here first, so the paths
# (in multiboot and xl.cfg command lines, hence the counts) never change.
SNAPSHOT = ROOT / "build" / "bench" / "linux"
BENCH = "/bin/linux_bench"
TIMEOUT = 600

# /init: the TSC first (instructions since machine reset), then what the
# figures depend on (CPU, page-table isolation), then the benchmark.
INIT = f"""#!/bin/busybox sh
/bin/busybox chmod 755 {BENCH}
{BENCH} tsc
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
grep -m2 -E '^(vendor_id|model name)' /proc/cpuinfo | sed 's/^/LINFO /'
dmesg | grep -i 'page tables isolation' | sed 's/^/LINFO /'
echo "LINFO meltdown: $(cat /sys/devices/system/cpu/vulnerabilities/meltdown)"
echo "LINFO $(uname -sr)"
{BENCH}
poweroff -f
"""
LINUX_CMDLINE = "quiet"
# The Xen 4.17 and Xenolith command lines of run.py / test_linux.py,
# with Linux's 256 MiB.
XEN_CMDLINE = ("console=com1 com1=115200,8n1 dom0_mem=256M dom0_max_vcpus=1 "
               "noreboot loglvl=all guest_loglvl=all")
XENOLITH_CMDLINE = "loglvl=all qemu_exit"
PLATFORMS = ["native", "xenolith", "xen"]
TITLES = {"native": "native", "xenolith": "Xenolith", "xen": "Xen 4.17"}

LINE = r"^(?:\(d\d+\) )?"  # Xenolith prefixes a domU's console lines
FIGURE = re.compile(LINE + r"LBENCH (\S+) (\d+)$", re.M)
INFO = re.compile(LINE + r"LINFO (.*)$", re.M)
DONE = LINE + r"LBENCH done\r*$"  # Xen ends its lines in \r\r\n
# The end of each platform's run after poweroff -f.
# None: QEMU exits (Xenolith's qemu_exit once every domain has ended).
ENDED = {"native": None, "xenolith": None,
         "xen": r"^\(XEN\) (Hardware Dom0 (halted|crashed)|Entering ACPI S5 state)"}


def prepare(image, guest):
    """Builds the benchmark and the initramfs and copies every binary to
    SNAPSHOT; returns {name: path}."""
    SNAPSHOT.mkdir(parents=True, exist_ok=True)
    files = {"bench": SNAPSHOT / "linux_bench", "initrd": SNAPSHOT / "initrd.gz",
             "vmlinuz": SNAPSHOT / "vmlinuz", "xenolith": SNAPSHOT / "xenolith",
             "guest": SNAPSHOT / "xenolith-guest", "stub": SNAPSHOT / "tsc_entry"}
    subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-o", files["bench"], SOURCE],
                   check=True)
    subprocess.run(["gcc", "-m32", "-nostdlib", "-static", "-no-pie", "-Wl,-Ttext=0x100000",
                    "-Wl,--build-id=none", "-o", files["stub"], STUB], check=True)
    initramfs.build(files["initrd"], INIT, [(BENCH[1:], files["bench"].read_bytes())])
    kernel = sorted(glob.glob("/boot/vmlinuz-*"))[-1]
    shutil.copyfile(kernel, files["vmlinuz"])
    shutil.copyfile(image, files["xenolith"])
    shutil.copyfile(guest, files["guest"])
    if XEN_GZ.exists():
        files["xen"] = SNAPSHOT / "xen-4.17"
        with gzip.open(XEN_GZ) as src, open(files["xen"], "wb") as dst:
            shutil.copyfileobj(src, dst)
    return files, Path(kernel).name


def machine(platform, files, scratch, stub=False):
    """The QEMU run for `platform`, not yet started; with `stub`, the same
    run with tsc_entry.S in the hypervisor's place."""
    if platform == "native":
        return Machine(scratch, kernel=files["vmlinuz"], memory="256M", cpu="max", smp=1,
                       append=f"console=ttyS0 {LINUX_CMDLINE}",
                       modules=[str(files["initrd"])], extra=ICOUNT)
    hypervisor = dict(kernel=files["stub" if stub else platform], memory="512M", smp=1,
                      extra=ICOUNT)
    if platform == "xen":
        return Machine(scratch, cpu="max,-smap", append=XEN_CMDLINE,
                       modules=[f"{files['vmlinuz']} console=hvc0 {LINUX_CMDLINE}",
                                str(files["initrd"])], **hypervisor)
    # Xenolith: the control domain and linux.cfg as test_linux.py's boot_linux.
    ctl, linux = SNAPSHOT / "ctl.cfg", SNAPSHOT / "linux.cfg"
    ctl.write_text(f'name = "ctl"\nkernel = "{files["guest"]}"\nmemory = 32\n'
                   'cmdline = "suite=basic"\n')
    linux.write_text(f'name = "linux"\nkernel = "{files["vmlinuz"]}"\n'
                     f'ramdisk = "{files["initrd"]}"\nmemory = 256\nvcpus = 1\n'
                     f'cmdline = "console=hvc0 {LINUX_CMDLINE}"\n')
    modules = [f"{ctl} xlcfg name=ctl.cfg", f"{files['guest']} kernel",
               f"{linux} xlcfg name=linux.cfg", f"{files['vmlinuz']} kernel",
               f"{files['initrd']} ramdisk"]
    return Machine(scratch, cpu="max", append=XENOLITH_CMDLINE, modules=modules,
                   **hypervisor)


def entry_tsc(platform, files, scratch):
    """The TSC at the hypervisor's first instruction: tsc_entry.S booted
    as `platform` boots its hypervisor."""
    m = machine(platform, files, scratch / f"{platform}-entry", stub=True).start()
    try:
        return int(m.wait_for(r"^LBENCH tsc_at_entry ([0-9a-f]+)$", timeout=60)[1], 16)
    finally:
        m.kill()


def run(platform, files, scratch):
    """Boots one platform; returns (figures, info lines, log) or raises
    with the reason it failed."""
    m = machine(platform, files, scratch / platform).start()
    try:
        m.wait_for(DONE, timeout=TIMEOUT)
        try:
            if ENDED[platform]:
                m.wait_for(ENDED[platform], timeout=60)
            else:
                m.wait_exit(60)
        except AssertionError as e:
            print(f"warning: {platform}: no clean end: {str(e).splitlines()[0]}",
                  file=sys.stderr)
        log = m.log().replace("\r", "")
    finally:
        m.kill()
    figures = {n: int(v) for n, v in FIGURE.findall(log) if n != "done"}
    if platform != "native" and "tsc_at_init" in figures:
        try:
            entry = entry_tsc(platform, files, scratch)
        except AssertionError as e:
            print(f"warning: {platform}: tsc_entry.S: {e}", file=sys.stderr)
        else:  # the row after tsc_at_init
            at_init = figures.pop("tsc_at_init")
            figures = {"tsc_at_init": at_init, "hv_entry_to_init": at_init - entry, **figures}
    return (figures, [re.sub(r"\s+", " ", i) for i in INFO.findall(log)], log)


def xen_lines(log):
    """Xen's CPU and XPTI lines (its own page-table isolation)."""
    return [l for l in log.splitlines()
            if l.startswith("(XEN)") and re.search(r"XPTI|CPU Vendor", l)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=PLATFORMS, action="append",
                    help="boot this platform only (repeatable)")
    ap.add_argument("--logs", help="keep the serial logs in this folder")
    ap.add_argument("--image", default=IMAGE, type=Path,
                    help="the Xenolith image (default: build/xenolith)")
    ap.add_argument("--guest", default=ROOT / "build" / "guest" / "xenolith-guest", type=Path,
                    help="the control domain's kernel (default: build/guest/xenolith-guest)")
    args = ap.parse_args()
    if not glob.glob("/boot/vmlinuz-*") or not initramfs.BUSYBOX.exists():
        print("skipping the Linux benchmark: no /boot/vmlinuz-* or busybox-static"
              " (tools/deps.sh)", file=sys.stderr)
        return 0
    files, kernel = prepare(args.image, args.guest)
    platforms = args.only or PLATFORMS
    if "xen" in platforms and "xen" not in files:
        print(f"skipping Xen 4.17: {XEN_GZ} missing (tools/deps.sh)", file=sys.stderr)
        platforms = [p for p in platforms if p != "xen"]
    scratch = Path(args.logs) if args.logs else Path(tempfile.mkdtemp(prefix="xenolith-lbench-"))
    results, info, xen = {}, {}, []
    # The runs are independent and each is deterministic: run them at once.
    print(f"booting {kernel} on {', '.join(platforms)} ...", file=sys.stderr, flush=True)
    with concurrent.futures.ThreadPoolExecutor(len(platforms)) as pool:
        jobs = {p: pool.submit(run, p, files, scratch) for p in platforms}
        for p, job in jobs.items():
            try:
                results[p], info[p], log = job.result()
                if p == "xen":
                    xen = xen_lines(log)
            except (AssertionError, OSError) as e:
                stderr = scratch / p / "qemu.stderr"
                stderr = stderr.read_text(errors="replace") if stderr.exists() else ""
                print(f"{TITLES[p]} failed: {e}\n{stderr}", file=sys.stderr)
    if not args.logs:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\n{qemu_version()}, TCG, -smp 1, -icount shift=0,sleep=off; Linux {kernel},"
          " 256 MiB, 1 vCPU; -cpu max (native, Xenolith), -cpu max,-smap (Xen 4.17)")
    for p, lines in info.items():
        print(f"  {TITLES[p]}: " + "; ".join(lines))
    for line in xen:
        print(f"  Xen 4.17: {line}")
    print("figures: instructions per operation; tsc_at_init: instructions from machine reset"
          " to /init's first program; hv_entry_to_init: from the hypervisor's first"
          " instruction")
    head = [TITLES[p] for p in PLATFORMS] + ["Xenolith/nat", "Xen/nat"]
    print(f"{'operation':<16}" + "".join(f"{h:>14}" for h in head))
    names = []
    for r in sorted(results.values(), key=len, reverse=True):
        names += [n for n in r if n not in names]
    for n in names:
        v = [results.get(p, {}).get(n) for p in PLATFORMS]
        cells = [f"{x}" if x is not None else "-" for x in v]
        cells += [f"{x / v[0]:.2f}" if x is not None and v[0] else "-" for x in v[1:]]
        print(f"{n:<16}" + "".join(f"{c:>14}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
