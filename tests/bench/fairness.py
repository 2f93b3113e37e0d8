#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fairness figures: CPU-bound domains with different weights under the
credit scheduler, their measured shares of the pCPUs against the ideal.

Each domain runs the guest suite "spin" (guest/tests/spin.c, as
tests/integration/test_fairness.py does): it never blocks and prints the
time it ran over windows of system time from 1 s after boot; the first,
1 s to 3 s, is shown. Here
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
from test_fairness import ideal_shares, spin_cfg, spin_figures  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ICOUNT  # noqa: E402

GUEST = ROOT / "build" / "guest" / "xenolith-guest"
TIMEOUT = 600
# (weights, pCPUs): as test_fairness.py, plus three domains on two pCPUs.
CASES = [([256, 512, 1024], 1), ([256, 512, 1024], 2), ([256, 512, 1024, 2048], 2)]
# (caps, pCPUs): a capped spinner beside an uncapped one (0: no cap).
CAP_CASES = [([25, 0], 1), ([25, 0], 2)]


def measure(scratch, weights, pcpus, caps=None):
    """Boots one spinner per weight (and cap); returns ([running_ns] in
    domain order, window_ns)."""
    mods = []
    for i, w in enumerate(weights):
        mods += spin_cfg(scratch, i, w, caps[i] if caps else 0)
    m = Machine(scratch, kernel=IMAGE, append="loglvl=all qemu_exit sched=credit",
                memory="512M", smp=pcpus, modules=mods, extra=ICOUNT).start()
    try:
        m.wait_for(r"^\(XEN\) All domains have ended$", TIMEOUT)
        log = m.log()
    finally:
        m.kill()
    try:
        first = spin_figures(log, len(weights))[0]  # -icount: no host stalls to outvote
    except (AssertionError, KeyError):
        return [None] * len(weights), None
    return [r for r, _, _ in first], first[0][2]


def main():
    if not GUEST.exists() or not IMAGE.exists():
        sys.exit(f"build first: {GUEST} and {IMAGE} (make bench does)")
    print("credit scheduler, spinning domains, shares of a 2 s window of system time"
          " (-icount shift=0,sleep=off)")
    print(f"{'weights':<24} {'pCPUs':>5}  {'weight':>6} {'share':>7} {'ideal':>7} {'error':>7}")
    with tempfile.TemporaryDirectory(prefix="xenolith-fairness-") as tmp:
        for n, (weights, pcpus) in enumerate(CASES):
            print(f"booting {len(weights)} spinners on {pcpus} pCPU ...", file=sys.stderr,
                  flush=True)
            scratch = Path(tmp) / f"case{n}"
            scratch.mkdir()
            ran, _ = measure(scratch, weights, pcpus)
            if None in ran:
                print(f"{'/'.join(map(str, weights)):<24} {pcpus:>5}  (a domain did not report)")
                continue
            total = sum(ran)
            for w, r, ideal in zip(weights, ran, ideal_shares(weights, pcpus)):
                share = r / total
                print(f"{'/'.join(map(str, weights)):<24} {pcpus:>5}  {w:>6} {share:>7.4f}"
                      f" {ideal:>7.4f} {(share - ideal) / ideal:>+7.1%}")
        print(f"{'caps':<24} {'pCPUs':>5}  {'cap':>6} {'of one pCPU':>12}")
        for n, (caps, pcpus) in enumerate(CAP_CASES):
            print(f"booting a capped and an uncapped spinner on {pcpus} pCPU ...", file=sys.stderr,
                  flush=True)
            scratch = Path(tmp) / f"cap{n}"
            scratch.mkdir()
            ran, window = measure(scratch, [256] * len(caps), pcpus, caps)
            for cap, r in zip(caps, ran):
                got = f"{r / window:.4f}" if r is not None and window else "-"
                print(f"{'/'.join(map(str, caps)):<24} {pcpus:>5}  {cap or 'none':>6} {got:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
