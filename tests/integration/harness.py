# SPDX-License-Identifier: MIT
"""Boot Xenolith in QEMU (TCG) and read its serial log.

Each Machine gets its own scratch folder (pytest's tmp_path), so tests
can run in parallel and leave nothing behind. Waiting is always on a log
line or on QEMU's exit, with a timeout; never a fixed sleep.
"""
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ROOT / "build" / "xenolith"
QEMU = "qemu-system-x86_64"

# isa-debug-exit statuses (include/xenolith/shutdown.h: code * 2 + 1).
EXIT_PASS, EXIT_FAIL, EXIT_CRASH = 33, 35, 37

POLL = 0.05


class Machine:
    """One QEMU run. Use start(), then wait_for()/wait_exit()."""

    def __init__(self, scratch, *, smp=1, memory="256M", append="",
                 modules=(), cdrom=None, cpu="max", kernel=IMAGE, extra=(), console_input=False):
        self.scratch = Path(scratch)
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.log_path = self.scratch / "serial.log"
        # With console_input, the serial port is a socket: send() types into it,
        # and a thread copies what comes out to serial.log. QEMU waits for that
        # connection before it starts the machine, so nothing is missed. (Its
        # own chardev logfile sometimes doubles a byte when a write is retried.)
        self.socket_path = self.scratch / "serial.sock" if console_input else None
        serial = (["-chardev", f"socket,id=com1,path={self.socket_path},server=on,wait=on",
                   "-serial", "chardev:com1"] if console_input
                  else ["-serial", f"file:{self.log_path}"])
        self.args = [QEMU, "-M", "pc", "-cpu", cpu, "-smp", str(smp),
                     "-m", memory, "-display", "none", "-nodefaults",
                     "-no-reboot", *serial,
                     "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if cdrom:
            self.args += ["-cdrom", str(cdrom)]
        else:
            self.args += ["-kernel", str(kernel), "-append", append]
            if modules:
                # QEMU's multiboot module list: "file args,file args" (',,' escapes ',').
                self.args += ["-initrd", ",".join(m.replace(",", ",,") for m in modules)]
        self.args += list(extra)
        self.proc = None
        self.input = None
        self.copier = None

    def start(self):
        self.log_path.write_bytes(b"")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.scratch / "qemu.stderr", "wb"),
                                     start_new_session=True)
        if self.socket_path:
            self._connect()
        return self

    def _connect(self, timeout=10):
        """Connects to the serial socket and starts copying its output to serial.log."""
        deadline = time.monotonic() + timeout
        while True:
            self.input = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.input.connect(str(self.socket_path))
                break
            except OSError:
                self.input.close()
                self.input = None
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise AssertionError(f"no serial socket at {self.socket_path}")
                time.sleep(POLL)
        self.copier = threading.Thread(target=self._copy_output, args=(self.input, self.log_path),
                                       daemon=True)
        self.copier.start()

    def _output_done(self):
        """QEMU has exited: wait until the copy of its last output is in serial.log."""
        if self.copier:
            self.copier.join(timeout=5)

    def log(self):
        return self.log_path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")

    def tail(self, lines=40):
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_for(self, pattern, timeout=60, start=0):
        """Wait until the log from offset `start` on matches `pattern` (a
        regex); return the match."""
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.log(), start)
            if m:
                return m
            if self.proc.poll() is not None:
                self._output_done()
                m = regex.search(self.log(), start)
                if m:
                    return m
                raise AssertionError(
                    f"QEMU exited ({self.proc.returncode}) before /{pattern}/ appeared;"
                    f" serial log tail:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"/{pattern}/ not seen in {timeout}s;"
                                     f" serial log tail:\n{self.tail()}")
            time.sleep(POLL)

    def wait_exit(self, timeout=60):
        """Wait for QEMU to exit; return its status."""
        try:
            status = self.proc.wait(timeout=timeout)
            self._output_done()
            return status
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"QEMU still running after {timeout}s;"
                                 f" serial log tail:\n{self.tail()}")

    def send(self, data):
        """Types `data` (str or bytes) on the serial console (console_input=True)."""
        self.input.sendall(data.encode() if isinstance(data, str) else data)

    @staticmethod
    def _copy_output(sock, path):
        with open(path, "ab") as log:
            try:
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    log.write(data)
                    log.flush()
            except OSError:
                pass

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._output_done()
        if self.input:
            self.input.close()
            self.input = None

    def warnings(self):
        """The hypervisor's warnings; what a domain prints, "(dN) ...", is its own."""
        return [l for l in self.log().splitlines()
                if not l.startswith("(d") and ("WARNING" in l or "BUG" in l)]

    def assert_no_warnings(self, allowed=()):
        """Fail on any hypervisor warning the test did not expect."""
        unexpected = [w for w in self.warnings()
                      if not any(re.search(a, w) for a in allowed)]
        assert not unexpected, "unexpected hypervisor warnings:\n" + "\n".join(unexpected)


def run_to_exit(scratch, timeout=90, **kw):
    """Boot, wait for QEMU to exit; return (status, log)."""
    m = Machine(scratch, **kw).start()
    try:
        return m.wait_exit(timeout), m
    finally:
        m.kill()
