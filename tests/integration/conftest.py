# SPDX-License-Identifier: MIT
import pytest

from harness import Machine


@pytest.fixture
def machine(tmp_path, request):
    """Factory for QEMU machines. Every one is killed at teardown; a failing
    test gets each machine's serial log tail in its report, and a passing
    one fails if the hypervisor warned about anything the test did not
    expect (pass allowed_warnings=[regex, ...] to expect some)."""
    made = []

    def make(allowed_warnings=(), **kw):
        m = Machine(tmp_path / f"m{len(made)}", **kw)
        m.allowed_warnings = allowed_warnings
        made.append(m)
        return m.start()

    yield make
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for m in made:
        m.kill()
        if failed:
            print(f"\n--- serial log tail of {m.scratch.name} ---\n{m.tail()}")
    if not failed:
        for m in made:
            m.assert_no_warnings(m.allowed_warnings)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
