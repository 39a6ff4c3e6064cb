"""Serving under load: wrk against `latest` and a trivial endpoint of the same API process,
in alternating runs while its learner catches up on a long stream, and between them
windows of the same length with no reader at all: the learner's rows/s in each tell how
much readers slow it down."""

import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.stack import api_service, rows_seen, wait_for_learning

LATEST = "/classification/latest"
TRIVIAL = "/health"
QUIET = "no readers"
CONNECTIONS = 64
THREADS = 2
WARM_UP_SECONDS = 2
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass
class WrkRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Serving:
    latest: WrkRun
    trivial: WrkRun
    learner_rows_per_second_quiet: float
    learner_rows_per_second_under_latest: float
    seconds_per_run: int
    runs_each: int


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian) and run again")
    return wrk


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> WrkRun:
    """The figures of `wrk --latency`; errors are non-2xx/3xx answers plus socket errors."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(map(int, socket_errors.groups())) if socket_errors else 0
    return WrkRun(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),  # type: ignore[index]
        p50_ms=_milliseconds(percentiles["50"]),
        p99_ms=_milliseconds(percentiles["99"]),
        errors=errors + (int(non_2xx[1]) if non_2xx else 0),
    )


def run_wrk(url: str, *, seconds: int) -> WrkRun:
    command = [require_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    return parse_wrk(result.stdout)


def median_run(runs: list[WrkRun]) -> WrkRun:
    return WrkRun(
        requests_per_second=statistics.median(r.requests_per_second for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        errors=sum(r.errors for r in runs),
    )


def measure_serving(*, source_url: str, workdir: Path, seconds: int, runs: int) -> Serving:
    """Medians of `runs` runs of each endpoint and of a quiet window, alternating, after a
    warm-up of each endpoint."""
    api = api_service(source_url=source_url, database=workdir / "serving.db", workdir=workdir)
    measured: dict[str, list[WrkRun]] = {LATEST: [], TRIVIAL: []}
    learned: dict[str, list[float]] = {QUIET: [], LATEST: [], TRIVIAL: []}
    with api, httpx.Client(base_url=api.url, timeout=10) as client:
        wait_for_learning(client)
        for path in measured:
            run_wrk(api.url + path, seconds=WARM_UP_SECONDS)
        for round_number in range(runs):
            # Rotate the order, so a drift in the machine's load falls on all alike.
            order = [QUIET, LATEST, TRIVIAL]
            order = order[round_number % 3 :] + order[: round_number % 3]
            for window in order:
                before, started = rows_seen(client), time.perf_counter()
                if window == QUIET:
                    time.sleep(seconds)
                else:
                    measured[window].append(run_wrk(api.url + window, seconds=seconds))
                rate = (rows_seen(client) - before) / (time.perf_counter() - started)
                learned[window].append(rate)
    return Serving(
        latest=median_run(measured[LATEST]),
        trivial=median_run(measured[TRIVIAL]),
        learner_rows_per_second_quiet=statistics.median(learned[QUIET]),
        learner_rows_per_second_under_latest=statistics.median(learned[LATEST]),
        seconds_per_run=seconds,
        runs_each=runs,
    )
