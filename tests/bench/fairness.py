#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fairness figures: CPU-bound domains with different weights under the
credit scheduler, their measured shares of the pCPUs against the ideal.

Each domain runs the guest suite "spin" (guest/tests/spin.c, as
tests/integration/test_fairness.py does): it never blocks and prints the
time it ran over one window of system time, 1 s to 9 s after boot. Here
QEMU runs with `-icount shift=0,sleep=off`, so the figures repeat exactly
from run to run. Xenolith only: Xen 4.17 builds one domain at boot, and
more need its toolstack. Prints figures, asserts nothing (`make bench`).
"""
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import IMAGE, ROOT, Machine  # noqa: E402
from test_fairness import SPIN, ideal_shares  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ICOUNT  # noqa: E402

GUEST = ROOT / "build" / "guest" / "xenolith-guest"
TIMEOUT = 600
# (weights, pCPUs): as test_fairness.py, plus three domains on two pCPUs.
CASES = [([256, 512, 1024], 1), ([256, 512, 1024], 2), ([256, 512, 1024, 2048], 2)]


def measure(scratch, weights, pcpus):
    """Boots one spinner per weight; returns [running_ns] in domain order."""
    mods = []
    for i, w in enumerate(weights):
        cfg = scratch / f"spin{i}.cfg"
        cfg.write_text(f'name = "spin{i}"\nkernel = "{GUEST}"\nmemory = 32\n'
                       f'cmdline = "suite=spin"\nweight = {w}\n')
        mods += [f"{cfg} xlcfg name=spin{i}.cfg", f"{GUEST} kernel"]
    m = Machine(scratch, kernel=IMAGE, append="loglvl=all qemu_exit sched=credit",
                memory="512M", smp=pcpus, modules=mods, extra=ICOUNT).start()
    try:
        m.wait_for(r"^\(XEN\) All domains have ended$", TIMEOUT)
        log = m.log()
    finally:
        m.kill()
    ran = {int(d): int(r) for d, r, _, _ in SPIN.findall(log)}
    return [ran.get(i) for i in range(len(weights))]


def main():
    if not GUEST.exists() or not IMAGE.exists():
        sys.exit(f"build first: {GUEST} and {IMAGE} (make bench does)")
    print("credit scheduler, spinning domains, shares of an 8 s window of system time"
          " (-icount shift=0,sleep=off)")
    print(f"{'weights':<24} {'pCPUs':>5}  {'weight':>6} {'share':>7} {'ideal':>7} {'error':>7}")
    with tempfile.TemporaryDirectory(prefix="xenolith-fairness-") as tmp:
        for n, (weights, pcpus) in enumerate(CASES):
            print(f"booting {len(weights)} spinners on {pcpus} pCPU ...", file=sys.stderr,
                  flush=True)
            scratch = Path(tmp) / f"case{n}"
            scratch.mkdir()
            ran = measure(scratch, weights, pcpus)
            if None in ran:
                print(f"{'/'.join(map(str, weights)):<24} {pcpus:>5}  (a domain did not report)")
                continue
            total = sum(ran)
            for w, r, ideal in zip(weights, ran, ideal_shares(weights, pcpus)):
                share = r / total
                print(f"{'/'.join(map(str, weights)):<24} {pcpus:>5}  {w:>6} {share:>7.4f}"
                      f" {ideal:>7.4f} {(share - ideal) / ideal:>+7.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
