# SPDX-License-Identifier: MIT
"""Initramfs images for Linux guests, built at test time: a newc cpio
archive (the format the kernel unpacks, Documentation/filesystems/ramfs-
rootfs-initramfs) holding Debian's static busybox and an /init script.
Written here rather than with cpio(1) so that /dev/console, a device node,
needs no root privileges."""
import gzip
import stat
from pathlib import Path

BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static


def _entry(ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = header + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def build(path, init_script, extra_files=()):
    """Writes a gzip-compressed initramfs to `path`: busybox at /bin/busybox,
    `init_script` as /init, /dev/console, and (name, bytes) extra files."""
    entries = [("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
               ("bin", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("proc", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("sys", stat.S_IFDIR | 0o755, b"", (0, 0)),
               ("bin/busybox", stat.S_IFREG | 0o755, BUSYBOX.read_bytes(), (0, 0)),
               ("init", stat.S_IFREG | 0o755, init_script.encode(), (0, 0))]
    entries += [(name, stat.S_IFREG | 0o644, data, (0, 0)) for name, data in extra_files]
    archive = b"".join(_entry(i + 1, n, m, d, r) for i, (n, m, d, r) in enumerate(entries))
    archive += _entry(0, "TRAILER!!!", 0)
    Path(path).write_bytes(gzip.compress(archive))
    return path
