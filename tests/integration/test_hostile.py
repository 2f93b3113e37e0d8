# SPDX-License-Identifier: MIT
"""Hostile guests: the guest kernel's "hostile" suite (guest/tests/hostile.c)
makes every attack the PV ABI allows a guest (writable views of its page
tables, foreign and hypervisor frames, hypervisor L4 slots, bad base
pointers, pointers into the hypervisor, huge counts, privileged
instructions, trap handlers and iret frames aimed at ring 0) and checks
each is refused exactly as Xen refuses it (test_differential.py compares
the lines with real Xen). Here it runs beside an innocent domain: the
attacker must end cleanly, the other domain must keep running to its own
end, the hypervisor must not crash, and every frame must come back.
"""
import re

import pytest

from test_domains import assert_interleaved, assert_memory_returned, boot, cfg, ends
from harness import EXIT_PASS

INNOCENT = "suite=" + ",".join(["threads", "user"] * 8)


@pytest.mark.parametrize("mode", ["page", "syscall"])
def test_hostile_guest_beside_an_innocent_one(machine, tmp_path, mode):
    modules = (cfg(tmp_path, "attacker.cfg", "attacker", f"suite=hostile,hostile hypercall={mode}")
               + cfg(tmp_path, "innocent.cfg", "innocent", INNOCENT))
    status, log = boot(machine, modules)
    assert status == EXIT_PASS, log[-3000:]
    assert ends(log) == {0: ("attacker", "poweroff"), 1: ("innocent", "poweroff")}
    counts = re.findall(r"^\(d0\) (\d+) passed, (\d+) failed$", log, re.M)
    assert counts and counts[-1][1] == "0" and int(counts[-1][0]) >= 20, log[-3000:]
    assert re.search(r"^\(d1\) \d+ passed, 0 failed$", log, re.M)
    assert_interleaved(log, [0, 1])
    assert_memory_returned(log, 2)
    assert "FATAL" not in log and "Panic" not in log


def test_smp_guest_racing_the_iret_back_dies_alone(machine, tmp_path):
    """vCPU 0 pulls the descriptor of the %ss vCPU 1 runs on (guest suite
    smp_hostile): the hypervisor's iretq back to vCPU 1 faults, which must
    end that domain only. Without the fault's fixup the hypervisor dies."""
    modules = (cfg(tmp_path, "racer.cfg", "racer", "suite=smp_hostile", "vcpus = 2\n")
               + cfg(tmp_path, "innocent.cfg", "innocent", INNOCENT))
    status, log = boot(machine, modules)
    assert ends(log) == {0: ("racer", "crash"), 1: ("innocent", "poweroff")}, log[-3000:]
    assert re.search(r"^\(XEN\) Domain 0 \(racer\) crashed: the iret back to it faulted", log,
                     re.M), log[-3000:]
    assert "smp_hostile/iret_after_descriptor_pulled" not in "".join(
        re.findall(r"^\(d0\) (?:PASS|FAIL) .*$", log, re.M)), "vCPU 1 outlived its %ss"
    assert re.search(r"^\(d1\) \d+ passed, 0 failed$", log, re.M)
    assert_memory_returned(log, 2)
    assert "FATAL" not in log and "Panic" not in log
