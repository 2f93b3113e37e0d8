#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Toolstack figures: what creating a domain with xl costs, and how many
minimal domains a host holds.

The control domain runs the shell with xl and xenstored (suite "shell",
as tests/integration/test_toolstack.py boots it); the script types xl
commands into its console and reads the hypervisor's debug lines
"Domain N: first console output T ns after its creation". QEMU runs with
`-icount shift=0,sleep=off`, so T is guest instructions (hypervisor,
control domain and the new domain together), from the createdomain
domctl to the new kernel's first console_io write: the toolstack's
build (memory, kernel image, page tables, xenstore introduction) and the
guest's first steps. A command runs when its line arrives, which is
host time, so the counts repeat only to within a small spread
(docs/bench.md, "Stability"); memory figures and counts repeat exactly.
Prints figures, asserts nothing (`make bench`).
"""
import argparse
import importlib.machinery
import importlib.util
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import IMAGE, ROOT, Machine  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402

_loader = importlib.machinery.SourceFileLoader("launcher", str(ROOT / "xenolith"))
_spec = importlib.util.spec_from_loader("launcher", _loader)
launcher = importlib.util.module_from_spec(_spec)
_loader.exec_module(launcher)

# Fixed paths, as run.py's: they end up in command lines, hence in the counts.
SCRATCH = bench_run.SNAPSHOT / "toolstack"
GUEST = bench_run.GUEST
APPEND = "loglvl=all qemu_exit xenstored=dom0"
PROMPT = r"^\(d0\) xenolith# "
# Not anchored: the line may follow the control domain's unfinished prompt.
FIRST = re.compile(r"Domain (\d+): first console output (\d+) ns after its creation$", re.M)
FREE = re.compile(r"^\(d0\) free: (\d+) KiB of (\d+) KiB, xenstore: (\d+) nodes$", re.M)
# The smallest memory the guest kernel boots in (3 MiB: the build fails).
MIN_MIB = 4
CREATED = re.compile(r"^\(XEN\) Domain (\d+) \(d\d+\) created", re.M)
LOOP = 500  # domains created and destroyed one after another
WINDOW = 10  # domains a row takes the least of
ALIVE = 64  # xl's table (XL_MAX_DOMAINS) and xenstored's hold 64 domains
BIG, SMALL = "4G", "256M"  # SMALL: memory runs out before xl's table
TIMEOUT = 120  # one command


def cfg(name, memory, suite="service"):
    """A minimal domain: the guest kernel's suite "service" prints its
    banner at once, then blocks until asked to shut down."""
    return (f'name = "{name}"\nkernel = "boot/xenolith-guest"\nmemory = {memory}\n'
            f'cmdline = "suite={suite}"\n')


class Shell:
    """The control domain's shell, booted with a ramdisk of configs."""

    def __init__(self, scratch, memory, configs):
        shutil.rmtree(scratch, ignore_errors=True)
        files = scratch / "files"
        (files / "boot").mkdir(parents=True)
        shutil.copy(GUEST, files / "boot" / "xenolith-guest")
        for name, text in configs.items():
            (files / name).write_text(text)  # at the top: short commands
        archive = scratch / "files.cpio"
        archive.write_bytes(launcher.pack_files(files))
        dom0 = scratch / "dom0.cfg"
        dom0.write_text(f'name = "Domain-0"\nkernel = "{GUEST}"\nmemory = 64\n'
                        f'cmdline = "suite=shell"\nramdisk = "{archive}"\n')
        mods = [f"{dom0} xlcfg name=dom0.cfg", f"{GUEST} kernel", f"{archive} ramdisk"]
        self.m = Machine(scratch, kernel=bench_run.SNAPSHOT / "xenolith", append=APPEND, memory=memory,
                         modules=mods, extra=bench_run.ICOUNT, console_input=True).start()
        self.at = self.m.wait_for(PROMPT, 60).end()

    def run(self, line, timeout=TIMEOUT):
        """Types line; returns the log from it to the next prompt."""
        start = self.at
        self.m.send(line + "\n")
        self.at = self.m.wait_for(PROMPT, timeout, self.at).end()
        return self.m.log()[start:self.at]

    def free(self):
        """(free KiB, xenstore nodes)."""
        m = FREE.search(self.run("free"))
        return int(m[1]), int(m[3])

    def close(self):
        self.m.send("poweroff\n")
        try:
            self.m.wait_exit(60)
        finally:
            self.m.kill()


def ordinal(n):
    """1st, 2nd, 3rd, 4th, ..., 11th, ..., 41st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def first_outputs(log):
    """{domid: ns from creation to first console output}."""
    return {int(d): int(ns) for d, ns in FIRST.findall(log)}


def loop(scratch):
    """Creates and destroys LOOP minimal domains one after another, then
    an 8 MiB one; returns ({domid: first output ns}, domid of the 8 MiB one)."""
    sh = Shell(scratch, "512M", {"min": cfg("min", MIN_MIB), "eight": cfg("eight", 8)})
    try:
        sh.run(f"repeat {LOOP} xl create -q min; xl destroy min")
        out = sh.run("xl create -q eight; xl destroy eight")
        eight = int(re.search(r"^\(XEN\) Domain (\d+) \(d\d+\) created", out, re.M)[1])
        log = sh.m.log()
        sh.close()
    finally:
        sh.m.kill()
    return first_outputs(log), eight


def alive(scratch, memory, count):
    """Creates minimal domains without destroying any, `count` of them or
    until xl refuses one; returns ([first output ns in creation order],
    free KiB before, free KiB after, xl's refusal or None)."""
    names = [f"m{i}" for i in range(1, count + 1)]
    sh = Shell(scratch, memory, {n: cfg(n, MIN_MIB) for n in names})
    created, refusal = [], None
    try:
        # As test_toolstack.py's baseline: the control domain's grant
        # maptrack and xenstored's first ring are allocated for good at the
        # first domain; one comes and goes before the count starts.
        sh.run(f"xl create -q {names[0]}; xl destroy {names[0]}")
        before, _ = sh.free()
        for n in names:
            out = sh.run(f"xl create -q {n}")
            failed = re.search(r"^\(d0\) (xl: .*)$", out, re.M)
            if failed:
                refusal = failed[1]
                break
            created += [int(d) for d in CREATED.findall(out)]
        after, _ = sh.free()
        log = sh.m.log()
        sh.close()
    finally:
        sh.m.kill()
    ns = first_outputs(log)
    return [ns.get(d) for d in created], before, after, refusal


def null_hypercall():
    """run.py's null_hypercall_page, from a boot as run.py makes it."""
    figures, _ = bench_run.run("xenolith", bench_run.SNAPSHOT / "xenolith", SCRATCH / "null",
                               "page")
    return figures.get("null_hypercall_page")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--null-hypercall", type=float,
                    help="run.py's null_hypercall_page figure (default: boot the bench suite"
                    " as run.py does and take it)")
    args = ap.parse_args()
    built = ROOT / "build" / "guest" / "xenolith-guest"
    if not built.exists() or not IMAGE.exists():
        sys.exit(f"build first: {built} and {IMAGE} (make bench does)")
    bench_run.snapshot(built, IMAGE)  # the same paths as run.py's boots
    SCRATCH.mkdir(parents=True, exist_ok=True)
    null = args.null_hypercall
    if null is None:
        print("booting the bench guest for the null hypercall ...", file=sys.stderr, flush=True)
        null = null_hypercall()
    print(f"creating and destroying {LOOP} domains of {MIN_MIB} MiB ...", file=sys.stderr,
          flush=True)
    firsts, eight = loop(SCRATCH / "loop")
    print(f"creating {ALIVE} domains of {MIN_MIB} MiB, -m {BIG} ...", file=sys.stderr, flush=True)
    alive_ns, before, after, refusal = alive(SCRATCH / "alive", BIG, ALIVE + 1)
    print(f"creating domains of {MIN_MIB} MiB until memory runs out, -m {SMALL} ...",
          file=sys.stderr, flush=True)
    small_ns, small_before, small_after, small_refusal = alive(SCRATCH / "small", SMALL, ALIVE)

    fmt = lambda v: "-" if v is None else str(v)  # noqa: E731
    ratio = lambda v: "-" if v is None or not null else f"{v / null:.0f}"  # noqa: E731
    print(f"xl create, minimal domains (guest kernel, suite=service) under -icount"
          f" shift=0,sleep=off; null hypercall = {null} instructions")
    print(f"{'figure':<46} {'instructions':>12} {'x null hc':>9}")
    # Windows of WINDOW domains, their least: when the command was typed
    # (host time) moves one domain's count by up to a few thousand
    # instructions, and with many domains alive, about half of the
    # creations wait for something else first: their counts grow with
    # the number alive and change from run to run (the "most" rows).
    least = lambda vs: min((v for v in vs if v is not None), default=None)  # noqa: E731
    rows = [(f"create to first output, {MIN_MIB} MiB, domain 1", firsts.get(1)),
            (f"create to first output, 8 MiB, domain {eight}", firsts.get(eight))]
    for last in (WINDOW + 1, 100, LOOP):
        rows.append((f"create+destroy: least of domains {last - WINDOW + 1}-{last}",
                     least(firsts.get(d) for d in range(last - WINDOW + 1, last + 1))))
    rows.append(("alive: the 1st domain", alive_ns[0] if alive_ns else None))
    for last in (50, ALIVE):
        window = [v for v in alive_ns[last - WINDOW:last] if v is not None]
        rows.append((f"alive: least of the {ordinal(last - WINDOW + 1)}-{ordinal(last)}",
                     least(window)))
        rows.append(("alive: most of them (varies by run)", max(window, default=None)))
    for name, v in rows:
        print(f"{name:<46} {fmt(v):>12} {ratio(v):>9}")
    k = len(alive_ns)
    per = (before - after) / k if k else None
    print(f"memory per {MIN_MIB} MiB domain ({k} alive, -m {BIG}): {per:.1f} KiB,"
          f" {per - MIN_MIB * 1024:.1f} KiB over its {MIN_MIB * 1024} KiB")
    print(f"minimal domains alive at once, -m {BIG}: {k}"
          f" (stopped by: {refusal or 'none'}); free then {after} KiB")
    fit = int(after // per) if per else 0
    print(f"  memory alone would take {k + fit} (another {fit} at {per:.1f} KiB each)")
    print(f"minimal domains alive at once, -m {SMALL}: {len(small_ns)}"
          f" (stopped by: {small_refusal or 'none'}); free {small_before} KiB before,"
          f" {small_after} KiB after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
