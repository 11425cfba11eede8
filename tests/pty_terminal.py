"""A program run on a pseudo-terminal, for tests and trials that drive the review app for real.

Shared by tests/test_tui_kill.py and benchmarks/crash_trials.py: both type keys into
``python -m tui DB`` and kill it with SIGKILL, as a closed terminal or a crash would.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Terminal:
    """A child process on a pty, with its output drained (a full pty buffer would block it)."""

    def __init__(self, args: list[str], cols: int = 160, rows: int = 45) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST"))}
        env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT), COLUMNS=str(cols), LINES=str(rows))
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the app
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, *args], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait_for_text(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on the screen")
            time.sleep(0.05)

    def kill(self) -> int:
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the change never reached the database")
        time.sleep(0.05)
