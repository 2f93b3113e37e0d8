# SPDX-License-Identifier: MIT
"""Grant tables between two domains, and hostile grant use (Xenolith-only:
the guest suites are in guest/tests/grant_peer.c, grant_mapper.c and
grant_hostile.c, never in test_differential.py).

Domain 1 (granter) grants pages to domain 0 (mapper), which maps and
copies them; they meet only through the pages granted (the handshake is
in guest/tests/grant_peer.h), each side polling with a timeout. In the
variants one side ends while the other still holds grants, and the
survivor checks what is left. Every run: both domains' suites pass, the
hypervisor does not crash, and every frame comes back once both domains
are gone, including the frames the mapper still had mapped when their
owner was destroyed.

Where the mapper must act after the granter's destruction is complete,
the granter restarts (on_poweroff = "restart", same domid): its new life
exists only once the old one is destroyed. The new life ends for good
with a reboot (on_reboot = "destroy"), so those runs' verdict is "fail"
(not every domain powered off), which the tests expect.
"""
import re

import pytest

from test_domains import APPEND, TIMEOUT, assert_memory_returned, cfg, ends
from test_domains import guest_kernel  # noqa: F401 (builds the image and the guest)
from harness import EXIT_FAIL, EXIT_PASS

# Cases per suite (guest/tests/grant_peer.c, grant_mapper.c, grant_hostile.c).
MAPPER, HOSTILE, GRANTER = 9, 9, 5
SURVIVOR, GRANTER_DIES = 5, 3
RESTART = 'on_poweroff = "restart"\non_reboot = "destroy"\n'


def run(machine, tmp_path, dom0_suites, dom1_suites, mode="page", dom1_extra="",
        verdict=EXIT_PASS, smp=2):
    """Boots the mapper (domain 0) and the granter (domain 1) with the
    suites given; returns the log."""
    modules = (cfg(tmp_path, "mapper.cfg", "mapper", f"suite={dom0_suites} hypercall={mode}")
               + cfg(tmp_path, "granter.cfg", "granter", f"suite={dom1_suites} hypercall={mode}",
                     dom1_extra))
    m = machine(modules=modules, append=APPEND, memory="256M", smp=smp)
    status, log = m.wait_exit(TIMEOUT), m.log()
    assert "FATAL" not in log and "Panic" not in log, log[-3000:]
    assert status == verdict, log[-3000:]
    return log


def assert_passed(log, domid, count):
    totals = re.findall(rf"^\(d{domid}\) (\d+) passed, (\d+) failed$", log, re.M)
    assert totals == [(str(count), "0")], log[-3000:]


def assert_clean_end(log):
    assert ends(log) == {0: ("mapper", "poweroff"), 1: ("granter", "poweroff")}
    assert_memory_returned(log, 2)


def assert_two_lives(log, granter_suite, cases):
    """Domain 1 restarted once; its first life passed all `cases`, its
    second ended for good (reboot) when told, with no case failed."""
    assert "(XEN) Domain 1 (granter) restarting after poweroff (restart 1 " in log
    assert re.findall(r"^\(d1\) (\d+) passed, (\d+) failed$", log, re.M) == [(str(cases), "0")]
    assert len(re.findall(rf"^\(d1\) PASS {granter_suite}/in_use$", log, re.M)) == 2, log[-3000:]
    assert not re.search(r"^\(d1\) FAIL", log, re.M), log[-3000:]
    assert ends(log) == {0: ("mapper", "poweroff"), 1: ("granter", "reboot")}
    assert_memory_returned(log, 2)


def assert_before(log, first, then):
    """The line matching `first` comes before the one matching `then`."""
    a, b = re.search(first, log, re.M), re.search(then, log, re.M)
    assert a and b, f"/{first}/ or /{then}/ not in the log"
    assert a.start() < b.start(), f"/{then}/ before /{first}/"


@pytest.mark.parametrize("mode", ["page", "syscall"])
def test_grants_between_two_domains(machine, tmp_path, mode):
    """Map, copy and refusals across domains, both sides' view of the
    in-use flags, ending and moving grants once unused; then the mapper
    runs the hostile suite against its own grants."""
    log = run(machine, tmp_path, "grant_mapper,grant_hostile", "grant_granter", mode)
    assert_passed(log, 0, MAPPER + HOSTILE)
    assert_passed(log, 1, GRANTER)
    assert_clean_end(log)


@pytest.mark.parametrize("smp", [1, 2])
def test_granter_dies_while_mapped(machine, tmp_path, smp):
    """The granter powers off with its pages mapped by domain 0, which
    reads and writes them once the granter is gone (GNTST_bad_domain),
    then unmaps; only that unmap can free them (memory returned). With one
    pCPU the granter's destruction is over by then; with two the unmap
    may run during it (a frame leaked so once, before frame_lock)."""
    log = run(machine, tmp_path, "grant_survivor", "grant_granter_dies", smp=smp)
    assert_passed(log, 0, SURVIVOR)
    assert_passed(log, 1, GRANTER_DIES)
    assert_before(log, r"^\(XEN\) Domain 1 \(granter\) ended: poweroff$",
                  r"^\(d0\) PASS grant_survivor/after_death$")
    if smp == 1:  # destroyed before the unmap: its mapped frames wait for it
        dead = re.search(r"^\(XEN\) Domain 1 \(granter\) destroyed: (\d+) frames still mapped",
                         log, re.M)
        assert dead, log[-3000:]
        freed = re.findall(r"^\(XEN\) frame 0x[0-9a-f]+: last mapping gone, orphan freed$",
                           log[dead.end():], re.M)
        assert len(freed) == int(dead[1]) > 0
    assert_clean_end(log)


def test_mapper_dies_while_mapping(machine, tmp_path):
    """Domain 0 powers off with the granter's pages mapped: its death
    ends the mappings, and the granter sees its grants unused again."""
    log = run(machine, tmp_path, "grant_mapper_dies", "grant_granter_outlives")
    assert_passed(log, 0, 3)
    assert_passed(log, 1, 4)
    assert_before(log, r"^\(XEN\) Domain 0 \(mapper\) ended: poweroff$",
                  r"^\(d1\) PASS grant_granter_outlives/released_by_death$")
    assert_clean_end(log)


def test_granter_dies_with_its_hypervisor_frames_mapped(machine, tmp_path):
    """The granter also grants its shared_info and grant-table frames,
    which the hypervisor allocated for it, and dies with them mapped. The
    mapper waits for its new life, checks the frames it still maps are
    not the new life's own, then unmaps them. (They were freed at the
    death and handed to the new life; the unmap then hit a BUG_ON.)"""
    log = run(machine, tmp_path, "grant_survivor_xen_frames", "grant_granter_lives",
              dom1_extra=RESTART, verdict=EXIT_FAIL)
    assert_passed(log, 0, 12)
    assert_two_lives(log, "grant_granter_lives", 6)


def test_foreign_mapping_outlives_its_owner(machine, tmp_path):
    """Domain 0 (the control domain) also maps the granter's page with
    update_va_mapping_otherdomain, and unmaps its grants; the granter dies
    with that page still mapped; once its new life shows the old one is
    destroyed, the mapper drops the PTE, the frame's last reference: the
    frame must be freed. (It leaked: only grant unmaps freed orphans.)"""
    log = run(machine, tmp_path, "grant_survivor_foreign", "grant_granter_lives",
              dom1_extra=RESTART, verdict=EXIT_FAIL)
    assert_passed(log, 0, 12)
    assert_two_lives(log, "grant_granter_lives", 6)


def test_granter_restarts_while_mapped(machine, tmp_path):
    """The granter powers off with its pages mapped and restarts with the
    same domid; its new life grants the same refs, which domain 0 maps
    too. Ending the first life's mappings must not touch the new life's
    grants: the new life still sees them in use. (Mappings named their
    granter by domid: the new life's GTF_reading/GTF_writing were cleared.)"""
    log = run(machine, tmp_path, "grant_survivor_restart", "grant_granter_restarts",
              dom1_extra=RESTART, verdict=EXIT_FAIL)
    assert_passed(log, 0, 8)
    assert_two_lives(log, "grant_granter_restarts", 3)
