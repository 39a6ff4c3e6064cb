"""Start-up: how long `python -m api` takes, on a fresh database, to answer `/health` and
to serve its first committed tick (`GET /classification/latest` 200).

Each run starts the API process and polls both every 20 ms from that moment; the stream
has a few pages, so the first tick is a short one. The median of the runs is reported.
"""

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.stack import api_service
from harness import loopback
from harness.processes import PROJECT_ROOT

POLL_SECONDS = 0.02
GIVE_UP_SECONDS = 60.0


@dataclass
class StartUp:
    health_seconds: float
    first_commit_seconds: float


def start_once(*, source_url: str, workdir: Path) -> StartUp:
    service = api_service(source_url=source_url, database=workdir / "api.db", workdir=workdir)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "api"],
        cwd=PROJECT_ROOT,
        env=service.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    health = None
    try:
        while time.monotonic() - started < GIVE_UP_SECONDS:
            try:
                if health is None and loopback.get(f"{service.url}/health", timeout=1).is_success:
                    health = time.monotonic() - started
                if health is not None:
                    latest = loopback.get(f"{service.url}/classification/latest", timeout=1)
                    if latest.status_code == 200:
                        return StartUp(health, time.monotonic() - started)
            except httpx.HTTPError:
                pass
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"no commit within {GIVE_UP_SECONDS:.0f} s of the start")
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure_startup(*, source_url: str, workdir: Path, runs: int) -> list[StartUp]:
    measured = []
    for run in range(1, runs + 1):
        run_dir = workdir / f"startup-{run}"
        run_dir.mkdir()
        measured.append(start_once(source_url=source_url, workdir=run_dir))
    return measured


def median_startup(runs: list[StartUp]) -> StartUp:
    return StartUp(
        statistics.median(run.health_seconds for run in runs),
        statistics.median(run.first_commit_seconds for run in runs),
    )
