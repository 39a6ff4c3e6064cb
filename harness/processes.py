"""Start the project's services as real processes on free loopback ports."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.1, message: str = "condition"):
    """Poll `predicate` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (httpx.HTTPError, OSError) as error:
            last_error = error
        time.sleep(interval)
    raise TimeoutError(
        f"timed out after {timeout}s waiting for {message} (last error: {last_error})"
    )


class Service:
    """One `python -m <module>` process with its own env, port and log file."""

    def __init__(
        self,
        module: str,
        *,
        port_env: str,
        env: dict[str, str],
        log_dir: Path,
        ready_path: str = "/health",
        port: int | None = None,
        cwd: Path = PROJECT_ROOT,
    ):
        self.module = module
        self.cwd = cwd
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ready_path = ready_path
        self.log_path = log_dir / f"{module.replace('.', '_')}-{self.port}.log"
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **env, port_env: str(self.port)}
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 30.0) -> "Service":
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until(self._ready, timeout=timeout, message=f"{self.module} on {self.url}")
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(
                f"{self.module} exited with {self.process.returncode}:\n{self.logs()}"
            )
        return httpx.get(self.url + self.ready_path, timeout=1.0).status_code < 500

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Service":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
