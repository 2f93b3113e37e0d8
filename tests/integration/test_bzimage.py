# SPDX-License-Identifier: MIT
"""Kernel images as Xen's builders accept them: a plain ELF, or a Linux
bzImage whose payload is a gzip or xz compressed ELF. The project's guest
kernel is wrapped into a bzImage here (setup header, payload, the size
Linux appends) and must boot and pass a suite exactly as the plain ELF
does. The decompressors themselves are tested on the host
(tests/unit/test_decompress.c, including Debian's own kernel)."""
import gzip
import lzma
import re
import struct

import pytest

from harness import EXIT_FAIL, EXIT_PASS
from test_domains import GUEST

SETUP_SECTS = 1


def bzimage(elf, compress):
    """A bzImage (boot protocol 2.15) carrying `elf` compressed."""
    payload = compress(elf) + struct.pack("<I", len(elf))
    setup = bytearray((SETUP_SECTS + 1) * 512)
    setup[0x1f1] = SETUP_SECTS
    setup[0x1fe:0x200] = b"\x55\xaa"
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, 0x020f)
    struct.pack_into("<II", setup, 0x248, 0, len(payload))
    return bytes(setup) + payload


def xz(data):
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32,
                         filters=[{"id": lzma.FILTER_X86}, {"id": lzma.FILTER_LZMA2, "preset": 6}])


@pytest.mark.parametrize("kind", ["gzip", "xz"])
def test_bzimage_kernel_boots(machine, tmp_path, kind):
    image = tmp_path / f"guest-{kind}.bzImage"
    image.write_bytes(bzimage(GUEST.read_bytes(), gzip.compress if kind == "gzip" else xz))
    m = machine(modules=[f"{image} suite=basic,user"], append="loglvl=all qemu_exit",
                allowed_warnings=[r"hypercall \d+ not implemented"])
    status = m.wait_exit(60)
    log = m.log()
    assert re.search(rf"Kernel image: bzImage, {kind} payload of \d+ KiB -> \d+ KiB ELF", log)
    assert re.search(r"^\(d0\) PASS user/", log, re.M), log[-3000:]
    assert re.search(r"^\(d0\) 29 passed, 0 failed$", log, re.M), log[-3000:]
    assert status == EXIT_PASS


def test_corrupt_payload_is_refused(machine, tmp_path):
    """A payload whose check fails is an error, never a half-built domain."""
    data = bytearray(bzimage(GUEST.read_bytes(), xz))
    data[len(data) // 2] ^= 0xff
    image = tmp_path / "bad.bzImage"
    image.write_bytes(bytes(data))
    m = machine(modules=[f"{image} suite=basic"], append="loglvl=all qemu_exit")
    assert m.wait_exit(60) == EXIT_FAIL
    assert re.search(r"Domain 0 \(Domain-0\) not built", m.log()), m.log()[-2000:]
