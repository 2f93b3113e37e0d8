# SPDX-License-Identifier: MIT
"""domctl against a hostile caller (docs/domctl.md): the control domain
runs guest suite `domctl_hostile` (guest/tests/domctl_hostile.c), one
case per validation rule, each asserting the exact error code, with the
guest kernel in its boot ramdisk to build real domains from; beside it a
boot domU (preserved when it powers off, so the control domain can try
to build it) runs `domctl_domu` and `sysctl_domu`: every command refused
with -EPERM. The hypervisor must survive all of it, and every frame the
suite's domains took must come back (checked by the suite itself)."""
import re

from harness import EXIT_PASS
from test_domains import cfg, ends
from test_toolstack import control_domain, guest_kernel  # noqa: F401 (fixture)

APPEND = "loglvl=all qemu_exit"
TIMEOUT = 60
CASES = ["setup", "create", "self", "missing", "vcpu", "affinity_masks", "affinity_nr_bits",
         "sched", "build_pointers", "build_sizes", "build_cmdline", "build_garbage",
         "build_twice", "build_bzimage", "build_nomem", "dying", "console", "shut_down", "op",
         "sysctl", "cleanup"]


def test_domctl_hostile(machine, tmp_path):
    mods = control_domain(tmp_path, "control", "domctl_hostile")
    mods += cfg(tmp_path, "domu.cfg", "domu", "suite=domctl_domu,sysctl_domu",
                'on_poweroff = "preserve"\n')
    m = machine(modules=mods, append=APPEND, memory="256M", smp=2)
    status = m.wait_exit(TIMEOUT)
    log = m.log()
    for case in CASES:
        assert re.search(rf"^\(d0\) PASS domctl_hostile/{case}$", log, re.M), \
            f"domctl_hostile/{case}\n" + log[-4000:]
    assert re.search(rf"^\(d0\) {len(CASES)} passed, 0 failed$", log, re.M), log[-4000:]
    assert re.search(r"^\(d1\) PASS domctl_domu/refused$", log, re.M), log[-4000:]
    assert re.search(r"^\(d1\) PASS sysctl_domu/refused$", log, re.M), log[-4000:]
    assert re.search(r"^\(d1\) 2 passed, 0 failed$", log, re.M), log[-4000:]
    assert ends(log)[0] == ("control", "poweroff"), log[-4000:]
    assert "(XEN) All domains have ended" in log, log[-4000:]
    assert "FATAL" not in log and "Panic" not in log
    assert status == EXIT_PASS, log[-4000:]
