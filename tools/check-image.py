#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that the image loads as one flat block, as multiboot1's a.out kludge
(QEMU -kernel) needs: every PT_LOAD's file offset minus its physical address
must be the same, and the multiboot headers must sit where loaders look."""
import struct
import sys

MB1_MAGIC, MB2_MAGIC = 0x1BADB002, 0xE85250D6


def main(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit(f"{path}: not an ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    deltas = set()
    for i in range(phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_filesz:
            deltas.add(p_offset - p_paddr)
    if len(deltas) != 1:
        sys.exit(f"{path}: PT_LOAD segments are not laid out flat in the file")
    mb1 = data.find(struct.pack("<I", MB1_MAGIC))
    mb2 = data.find(struct.pack("<I", MB2_MAGIC))
    if mb1 < 0 or mb1 >= 8192 or mb1 % 4:
        sys.exit(f"{path}: multiboot1 header not in the first 8 KiB")
    if mb2 < 0 or mb2 >= 32768 or mb2 % 8:
        sys.exit(f"{path}: multiboot2 header not in the first 32 KiB")


if __name__ == "__main__":
    main(sys.argv[1])
