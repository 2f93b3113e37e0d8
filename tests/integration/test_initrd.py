# SPDX-License-Identifier: MIT
"""dom0's boot ramdisk from `./xenolith run --files DIR`, end to end: the
launcher packs DIR, the hypervisor loads it as dom0's ramdisk module, and
the guest kernel's suite `initrd` (guest/tests/initrd.c) lists it through
start_info and reads one file back (docs/boot-protocol.md, "Files for
dom0"). One boot."""
import re
import subprocess
import sys

import pytest

from harness import ROOT

GUEST = ROOT / "build" / "guest" / "xenolith-guest"
LAUNCHER = ROOT / "xenolith"
TIMEOUT = 30
HELLO = "Hello from the boot ramdisk.\n"  # INITRD_TEST_TEXT in the suite


@pytest.fixture(scope="module", autouse=True)
def guest_kernel():
    subprocess.run(["make", "-s", "all", "guest"], cwd=ROOT, check=True)
    assert GUEST.exists()


def test_dom0_reads_its_files(tmp_path):
    files = tmp_path / "files"
    (files / "initrd-test").mkdir(parents=True)
    (files / "initrd-test" / "hello.txt").write_text(HELLO)
    (files / "etc" / "xen").mkdir(parents=True)
    (files / "etc" / "xen" / "web.cfg").write_text('name = "web"\nmemory = 32\n')
    (files / "boot").mkdir()
    (files / "boot" / "blob").write_bytes(bytes(range(256)) * 41 + b"end")  # 10 KiB and a bit
    dom0 = tmp_path / "dom0.cfg"
    dom0.write_text(f'name = "dom0"\nkernel = "{GUEST}"\nmemory = 64\ncmdline = "suite=initrd"\n')
    p = subprocess.run([sys.executable, str(LAUNCHER), "run", "--no-build", "--timeout",
                        str(TIMEOUT), "--dom0", dom0, "--files", files],
                       cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT + 15)
    log = p.stdout.replace("\r\n", "\n")
    assert p.returncode == 0, log[-3000:] + p.stderr
    assert re.search(r"^\(d0\) PASS initrd/list$", log, re.M), log[-3000:]
    assert re.search(r"^\(d0\) PASS initrd/find$", log, re.M), log[-3000:]
    listed = {m[3]: (int(m[1], 8), int(m[2]))
              for m in re.finditer(r"^\(d0\) initrd: ([0-7]+) (\d+) (.*)$", log, re.M)}
    want = {str(path.relative_to(files)): (path.stat().st_mode,
                                           path.stat().st_size if path.is_file() else 0)
            for path in files.rglob("*")}
    assert listed == want
    assert "xenolith: every domain powered off" in log
