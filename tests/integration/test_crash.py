# SPDX-License-Identifier: MIT
"""The crash report: vector, error code, registers, symbolized backtrace,
every CPU stopped, and the crash verdict."""
import re

import pytest

from harness import EXIT_CRASH


@pytest.mark.parametrize("fault,header,function", [
    ("pagefault", r"FATAL TRAP: vector 14 \(page fault\), error code 0x2", "crashtest_page_fault"),
    ("invalid-opcode", r"FATAL TRAP: vector 6 \(invalid opcode\), error code 0", "crashtest_invalid_opcode"),
    ("panic", r"Panic: crashtest: deliberate panic", "crashtest_panic"),
])
def test_crash_report(machine, fault, header, function):
    m = machine(smp=2, append=f"crashtest={fault} qemu_exit", allowed_warnings=["crashtest: "])
    assert m.wait_exit(60) == EXIT_CRASH, m.tail()
    log = m.log()
    assert re.search(header, log), log
    trace = log[log.index("Xen call trace:"):]
    # The chain the fault was raised from, innermost first, with offsets.
    names = re.findall(r"\[<ffff82d0[0-9a-f]{8}>\] (\w+)\+0x[0-9a-f]+/0x[0-9a-f]+", trace)
    chain = [function, "crashtest_run", "start_xenolith"]
    assert [n for n in names if n in chain] == chain, trace
    assert "Stopped all CPUs." in log
    if fault != "panic":
        for reg in ("rax:", "rbx:", "r15:", "cr2:", "cr3:", "RIP:", "RFLAGS:"):
            assert reg in log
    if fault == "pagefault":
        assert "cr2: ffff8100deadb000" in log
        assert "Faulting linear address: ffff8100deadb000" in log
