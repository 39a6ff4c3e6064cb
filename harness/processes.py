"""Start the project's services as real processes on free loopback ports."""

import contextlib
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from harness import loopback

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# A port is free when it is picked, and bound only when the service has started. Under
# pytest-xdist each worker picks from a range of its own, below Linux's ephemeral ports
# (32768 on), so that no other worker, nor the kernel for a socket bound to port 0, hands
# out a port that a service is about to bind.
WORKER_PORTS_START, WORKER_PORTS, WORKER_RANGES = 20_000, 1_000, 12
# /proc/net/tcp's code for a listening socket.
LISTEN = "0A"
# The worker's ports are handed out in turn from a random one, so that another test run
# beside this one starts elsewhere in the range.
_next_ports = itertools.count(random.SystemRandom().randrange(WORKER_PORTS))


def free_port() -> int:
    """A loopback port nothing listens on; within one worker, not one it handed out lately."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ...
    if worker is None:
        return _bind(0)
    first = WORKER_PORTS_START + int(worker.removeprefix("gw")) % WORKER_RANGES * WORKER_PORTS
    for _ in range(WORKER_PORTS):
        with contextlib.suppress(OSError):  # in use: the next one
            return _bind(first + next(_next_ports) % WORKER_PORTS)
    raise RuntimeError(f"no free port in {first}-{first + WORKER_PORTS - 1}")


def _bind(port: int) -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        return sock.getsockname()[1]


def listening_ports(pid: int) -> set[int] | None:
    """The TCP ports process `pid` listens on, read from Linux's /proc; None without one."""
    if not Path("/proc/self").exists():
        return None
    sockets = set()
    with contextlib.suppress(FileNotFoundError):  # the process has ended
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(FileNotFoundError):  # closed while listed
                sockets.add(os.readlink(fd))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state, inode = (line.split()[i] for i in (1, 3, 9))
            if state == LISTEN and f"socket:[{inode}]" in sockets:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


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
        try:
            wait_until(self._ready, timeout=timeout, message=f"{self.module} on {self.url}")
        except BaseException:
            # Whoever started it never gets it back to stop: a service that started too
            # slowly (a crowded machine) would otherwise outlive the test run.
            self.kill()
            raise
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.module} exited with {self.process.returncode}:\n{self.logs()}"
            )
        # Until the process listens, whatever answers on its port is another one's.
        ports = listening_ports(self.process.pid)
        if ports is not None and self.port not in ports:
            return False
        return loopback.get(self.url + self.ready_path, timeout=1.0).status_code < 500

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
