"""A real terminal for a full-screen program: a detached tmux session of its own."""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from harness.processes import wait_until


# The pane's programs inherit the tmux server's environment, and the test runner sets
# COLUMNS and LINES to its own size (80x24), which would override the pane's size.
def pane_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}


class Terminal:
    """Runs one command in a tmux pane of a fixed size, on a tmux server of its own.

    The command's exit code and standard error are written to files, since the pane
    closes with the program.
    """

    def __init__(self, directory: Path, *, width: int = 160, height: int = 50):
        assert shutil.which("tmux"), "tmux is needed (Debian: apt-get install tmux)"
        self.socket = directory / "tmux.sock"
        self.exit_code_path = directory / "exit-code"
        self.stderr_path = directory / "stderr"
        self.width, self.height = width, height

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
            env=pane_env(),
        ).stdout

    def run(self, command: list[str]) -> "Terminal":
        shell = (
            f"{shlex.join(command)} 2>{shlex.quote(str(self.stderr_path))}; "
            f"echo $? >{shlex.quote(str(self.exit_code_path))}"
        )
        size = f"-x {self.width} -y {self.height}".split()
        self._tmux("new-session", "-d", "-s", "cli", *size, shell)
        return self

    def screen(self) -> str:
        """The pane's text as shown now."""
        return self._tmux("capture-pane", "-p", "-t", "cli")

    def wait_for(self, pattern: str, *, timeout: float) -> re.Match:
        """Wait until the screen matches `pattern`; return the match."""
        return self._wait(lambda: re.search(pattern, self.screen()), timeout, pattern)

    def wait_without(self, pattern: str, *, timeout: float) -> str:
        """Wait until the screen no longer matches `pattern`; return that screen."""

        def screen_without() -> str | None:
            screen = self.screen()
            return None if re.search(pattern, screen) else screen

        return self._wait(screen_without, timeout, f"no {pattern}")

    def _wait(self, predicate, timeout: float, message: str):
        try:
            return wait_until(predicate, timeout=timeout, interval=0.2, message=message)
        except TimeoutError as error:
            size = self._tmux(
                "display-message", "-p", "-t", "cli", "#{window_width}x#{window_height}"
            )
            raise AssertionError(f"{error}\nscreen ({size.strip()}):\n{self.screen()}") from None

    def press(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "cli", *keys)

    def exit_code(self, *, timeout: float) -> int:
        """The program's exit code, once it has ended."""
        wait_until(self.exit_code_path.exists, timeout=timeout, message="the program to end")
        return int(self.exit_code_path.read_text())

    def stderr(self) -> str:
        return self.stderr_path.read_text() if self.stderr_path.exists() else ""

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, timeout=10
        )
