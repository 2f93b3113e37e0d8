#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Micro-benchmarks: the guest kernel's "bench" suite on Xenolith and on
real Xen 4.17, side by side.

Both boot the same guest (build/guest/xenolith-guest, "suite=bench") as
dom0 under QEMU with `-icount shift=0,sleep=off`: one vCPU, single-threaded
TCG, the guest's TSC counting executed instructions. So every figure is
instructions per operation and repeats exactly from run to run. The
script prints the figures; it never judges them (`make bench`, not
`make test`). docs/bench.md says what each operation measures.
"""
import argparse
import gzip
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import IMAGE, QEMU, ROOT, Machine  # noqa: E402

XEN_GZ = Path("/boot/xen-4.17-amd64.gz")
# The binaries are copied here first, so that a rebuild during the run
# changes nothing, and every path QEMU passes on (multiboot command lines)
# is the same from run to run: the counts depend on them.
SNAPSHOT = ROOT / "build" / "bench"
GUEST = SNAPSHOT / "xenolith-guest"

# As tests/integration/test_differential.py boots each hypervisor.
XEN_CMDLINE = ("console=com1 com1=115200,8n1 dom0_mem=64M "
               "noreboot loglvl=all guest_loglvl=all")
XENOLITH_CMDLINE = "loglvl=all dom0_mem=64M"
# Real Xen crashes PV guests under TCG with SMAP on; Xenolith runs with it on.
QEMU_CPU = {"xen": "max,-smap", "xenolith": "max"}
# Deterministic: 1 instruction = 1 ns = 1 TSC tick; fixed seed and RTC.
ICOUNT = ["-icount", "shift=0,sleep=off", "-seed", "1",
          "-rtc", "base=2025-01-01T00:00:00,clock=vm"]

SUMMARY = r"^(?:\(d\d+\) )?(\d+) passed, (\d+) failed$"
SHUTDOWN = {"xen": r"^\(XEN\) Hardware Dom0 (halted|crashed)",
            "xenolith": r"^\(XEN\) Domain 0 \(Domain-0\) ended: (poweroff|crash)"}
BENCH = re.compile(r"^(?:\(d\d+\) )?BENCH (\S+) (\d+(?:\.\d+)?) per (?:op|KiB)$", re.M)
FAIL = re.compile(r"^(?:\(d\d+\) )?(FAIL \S+.*)$", re.M)
TIMEOUT = 120


def snapshot(guest, image):
    """Copies the guest, Xenolith and (decompressed) Xen to SNAPSHOT."""
    SNAPSHOT.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(guest, GUEST)
    shutil.copyfile(image, SNAPSHOT / "xenolith")
    kernels = {"xenolith": SNAPSHOT / "xenolith"}
    if XEN_GZ.exists():
        with gzip.open(XEN_GZ) as src, open(SNAPSHOT / "xen-4.17", "wb") as dst:
            shutil.copyfileobj(src, dst)
        kernels["xen"] = SNAPSHOT / "xen-4.17"
    else:
        print(f"skipping Xen 4.17: {XEN_GZ} missing (tools/deps.sh)", file=sys.stderr)
    return kernels


def run(hypervisor, kernel, scratch, mode, suite="bench", vcpus=1, pcpus=1):
    """Boots the bench guest (dom0 with `vcpus` vCPUs on `pcpus` pCPUs) on
    `hypervisor`; returns ({op: figure}, log)."""
    append = XEN_CMDLINE if hypervisor == "xen" else XENOLITH_CMDLINE
    append = f"{append} dom0_max_vcpus={vcpus}"
    m = Machine(scratch, kernel=kernel, append=append, cpu=QEMU_CPU[hypervisor], smp=pcpus,
                memory="256M", modules=[f"{GUEST} suite={suite} hypercall={mode}"],
                extra=ICOUNT).start()
    try:
        m.wait_for(SUMMARY, timeout=TIMEOUT)
        m.wait_for(SHUTDOWN[hypervisor], timeout=30)
        log = m.log()
    finally:
        m.kill()
    for f in FAIL.findall(log):
        print(f"warning: {hypervisor}: {f}", file=sys.stderr)
    return {name: float(v) for name, v in BENCH.findall(log)}, log


def run_domains(kernel, scratch, pcpus, suites, append=""):
    """Xenolith only: one domain per suites entry (name, cmdline suites) on
    `pcpus` pCPUs; returns {op: figure} from every domain's BENCH lines.
    Xen 4.17 builds one domain at boot."""
    scratch.mkdir(parents=True, exist_ok=True)
    mods = []
    for name, suite in suites:
        cfg = scratch / f"{name}.cfg"
        cfg.write_text(f'name = "{name}"\nkernel = "{GUEST}"\nmemory = 32\n'
                       f'cmdline = "suite={suite}"\n')
        mods += [f"{cfg} xlcfg name={name}.cfg", f"{GUEST} kernel"]
    m = Machine(scratch, kernel=kernel, append=f"loglvl=all qemu_exit {append}",
                cpu=QEMU_CPU["xenolith"], smp=pcpus, memory="256M", modules=mods,
                extra=ICOUNT).start()
    try:
        m.wait_for(r"^\(XEN\) All domains have ended$", timeout=TIMEOUT)
        log = m.log()
    finally:
        m.kill()
    for f in FAIL.findall(log):
        print(f"warning: xenolith: {f}", file=sys.stderr)
    return {f"{name} ({pcpus} pCPU)": float(v) for name, v in BENCH.findall(log)}


def qemu_version():
    """QEMU's version line."""
    version = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
    return version.splitlines()[0] if version else "QEMU (version unknown)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["page", "syscall"], default="page",
                    help="how the guest makes its other hypercalls (default: page)")
    ap.add_argument("--only", choices=["xen", "xenolith"], help="boot one hypervisor only")
    ap.add_argument("--logs", help="keep the serial logs in this folder")
    ap.add_argument("--guest", default=ROOT / "build" / "guest" / "xenolith-guest", type=Path,
                    help="the guest kernel (default: build/guest/xenolith-guest)")
    ap.add_argument("--image", default=IMAGE, type=Path,
                    help="the Xenolith image (default: build/xenolith)")
    args = ap.parse_args()
    if not args.guest.exists() or not args.image.exists():
        sys.exit(f"build first: {args.guest} and {args.image} (make bench does)")
    kernels = snapshot(args.guest, args.image)
    scratch = Path(args.logs) if args.logs else Path(tempfile.mkdtemp(prefix="xenolith-bench-"))
    results = {}
    cpu_lines = {}
    targets = [args.only] if args.only else ["xenolith", "xen"]
    for hv in [t for t in targets if t in kernels]:
        print(f"booting the bench guest on {hv} ...", file=sys.stderr, flush=True)
        results[hv], log = run(hv, kernels[hv], scratch / hv, args.mode)
        for pcpus in (1, 2):  # two vCPUs of dom0: scheduling between them
            print(f"booting the bench_smp guest on {hv}, {pcpus} pCPU ...", file=sys.stderr,
                  flush=True)
            figures, _ = run(hv, kernels[hv], scratch / f"{hv}-smp{pcpus}", args.mode,
                             suite="bench_smp", vcpus=2, pcpus=pcpus)
            results[hv].update({f"{n} ({pcpus} pCPU)": v for n, v in figures.items()})
            if hv == "xenolith":
                print(f"booting two domains ping-ponging on {pcpus} pCPU ...", file=sys.stderr,
                      flush=True)
                results[hv].update(run_domains(kernels[hv], scratch / f"pp{pcpus}", pcpus,
                                               [("ping", "bench_ping"), ("pong", "bench_pong")]))
                print(f"booting a shared ring between two domains on {pcpus} pCPU ...",
                      file=sys.stderr, flush=True)
                results[hv].update(run_domains(
                    kernels[hv], scratch / f"ring{pcpus}", pcpus,
                    [("dom0", "xenstored"), ("front", "ring_front,bench_xenstore"),
                     ("back", "ring_back")], append="xenstored=dom0"))
        cpu = re.search(r"^\(XEN\) .*(?:CPU0?|cpu).*?((?:Authentic|Genuine)\w+|AMD|Intel).*$", log,
                        re.M)
        cpu_lines[hv] = cpu.group(0) if cpu else None
    if not args.logs:
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"{qemu_version()}, TCG, -smp 1, -icount shift=0,sleep=off;"
          f" -cpu {QEMU_CPU['xenolith']} (Xenolith), -cpu {QEMU_CPU['xen']} (Xen 4.17)")
    for hv, line in cpu_lines.items():
        if line:
            print(f"  {hv}: {line.strip()}")
    print(f"guest: suite=bench hypercall={args.mode} (1 vCPU), suite=bench_smp (2 vCPUs on 1 or 2"
          " pCPUs); figures are instructions per operation")
    names = []
    for r in results.values():
        names += [n for n in r if n not in names]
    print(f"{'operation':<24} {'Xenolith':>10} {'Xen 4.17':>10} {'ratio':>7}")
    for n in names:
        ours, xen = results.get("xenolith", {}).get(n), results.get("xen", {}).get(n)
        ratio = f"{ours / xen:.2f}" if ours is not None and xen else "-"
        fmt = lambda v: f"{v:.1f}" if v is not None else "-"  # noqa: E731
        print(f"{n:<24} {fmt(ours):>10} {fmt(xen):>10} {ratio:>7}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
