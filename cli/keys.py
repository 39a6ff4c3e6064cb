"""Keys typed in the terminal, read without blocking while the screen refreshes."""

import os
import select
import sys
import termios
import time
import tty
from types import TracebackType


class Keyboard:
    """Puts a terminal's standard input in cbreak mode (no echo, no line buffering).

    Ctrl-C still sends SIGINT in cbreak mode. When standard input is not a terminal,
    no key ever arrives and `wait` only sleeps.
    """

    def __init__(self) -> None:
        self._fd = sys.stdin.fileno() if sys.stdin.isatty() else None
        self._saved: list | None = None

    def __enter__(self) -> "Keyboard":
        if self._fd is not None:
            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None and self._saved is not None:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)

    def wait(self, timeout: float) -> str:
        """The keys typed within `timeout` seconds; returns as soon as one is typed."""
        if self._fd is None:
            time.sleep(timeout)
            return ""
        ready, _, _ = select.select([self._fd], [], [], timeout)
        return os.read(self._fd, 64).decode(errors="ignore") if ready else ""
