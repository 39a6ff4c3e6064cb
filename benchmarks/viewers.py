"""Viewers: many dashboards open at once while the learner catches up.

The trio starts as users start it (`python -m simulator`, `python -m api`,
`python -m dashboard`, shipped defaults) on a backlog long enough that the learner is
still catching up when a phase ends, so the models change on every tick. A real
browser's callback requests are recorded once; then, for each number of viewers, a fresh
API and dashboard start, the learner alone is measured, and the viewers replay those
requests every refresh. All traffic stays on 127.0.0.1.
"""

import math
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.core.config import settings
from benchmarks.recording import Recording, record_callbacks
from benchmarks.replay import watch_share
from benchmarks.stack import (
    api_service,
    dashboard_service,
    rows_raced,
    rows_seen,
    simulator_service,
    wait_for_learning,
)

REFRESH_SECONDS = 2.0
# Viewers join over the first refresh and draw everything once; the next cycles count.
WARM_UP_SECONDS = 2 * REFRESH_SECONDS
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SIMULATOR_START_SECONDS = 300
# Real viewers run on machines of their own: the replay spreads them over processes so the
# load generator's own Python is not what holds the cycles back.
VIEWERS_PER_PROCESS = 25
# Time for the processes to start before the first viewer joins.
SPAWN_SECONDS = 2.0


@dataclass
class ViewersPhase:
    viewers: int
    cycles: int
    p50_seconds: float
    p95_seconds: float
    within_refresh: float
    errors: int
    first_error: str | None
    dashboard_cpu: float
    replay_cpu: float
    rows_per_second: float
    alone_rows_per_second: float


def cpu_seconds(pid: int, *, excluding: frozenset[int] = frozenset()) -> float:
    """CPU time of a process and its live children (workers, if the server forks any),
    but for the children in `excluding`."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in excluding:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def _percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else math.nan
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def learner_rate(client: httpx.Client, seconds: float) -> float:
    before, started = rows_seen(client), time.monotonic()
    time.sleep(seconds)
    return (rows_seen(client) - before) / (time.monotonic() - started)


def _mark_at(
    moment: float, *, dashboard_pid: int, service_pids: frozenset[int], api: httpx.Client
) -> tuple[float, float, float, int]:
    """When, the dashboard's CPU, the replay's CPU (this process and its workers, not the
    services it started), rows."""
    time.sleep(max(0.0, moment - time.monotonic()))
    replay = cpu_seconds(os.getpid(), excluding=service_pids)
    return time.monotonic(), cpu_seconds(dashboard_pid), replay, rows_seen(api)


def _phase(
    *,
    viewers: int,
    dashboard_url: str,
    dashboard_pid: int,
    service_pids: frozenset[int],
    api: httpx.Client,
    recording: Recording,
    seconds: float,
    alone_seconds: float,
) -> ViewersPhase:
    alone = learner_rate(api, alone_seconds)
    begins = time.monotonic() + SPAWN_SECONDS
    measured_from = begins + WARM_UP_SECONDS
    shares = math.ceil(viewers / VIEWERS_PER_PROCESS)
    with ProcessPoolExecutor(max_workers=shares) as pool:
        futures = [
            pool.submit(
                watch_share,
                dashboard_url,
                recording,
                share=share,
                shares=shares,
                count=viewers,
                period=REFRESH_SECONDS,
                begins=begins,
                until=measured_from + seconds,
            )
            for share in range(shares)
        ]
        start, cpu_start, replay_start, rows_start = _mark_at(
            measured_from, dashboard_pid=dashboard_pid, service_pids=service_pids, api=api
        )
        end, cpu_end, replay_end, rows_end = _mark_at(
            measured_from + seconds,
            dashboard_pid=dashboard_pid,
            service_pids=service_pids,
            api=api,
        )
        cycles = [cycle for future in futures for cycle in future.result()]
    # A failed cycle counts with the time it took to fail, and never as within the refresh.
    counted = [c for c in cycles if start <= c.started_at < end]
    durations = [c.seconds for c in counted]
    in_time = [c for c in counted if c.error is None and c.seconds <= REFRESH_SECONDS]
    failed = [c.error for c in cycles if c.error is not None]
    return ViewersPhase(
        viewers=viewers,
        cycles=len(counted),
        p50_seconds=_percentile(durations, 0.5),
        p95_seconds=_percentile(durations, 0.95),
        within_refresh=len(in_time) / len(counted) if counted else 0.0,
        errors=len(failed),
        first_error=failed[0] if failed else None,
        dashboard_cpu=(cpu_end - cpu_start) / (end - start),
        replay_cpu=(replay_end - replay_start) / (end - start),
        rows_per_second=(rows_end - rows_start) / (end - start),
        alone_rows_per_second=alone,
    )


def _require_catching_up(client: httpx.Client, rows: int) -> None:
    """Refuse a phase that measured something other than a learner racing through a backlog."""
    seen = rows_seen(client)
    if seen >= rows:
        raise RuntimeError(
            f"the learner drained all {rows:,} rows before the end: the phase ran partly "
            "without a catch-up; run again with more --viewer-rows"
        )
    if seen - rows_raced(client) >= settings.RACE_MAX_LAG_ROWS:
        raise RuntimeError(
            f"the learner waited for its candidates ({settings.RACE_MAX_LAG_ROWS:,} rows "
            "behind): the phase measured the race, not the viewers; shorten the phases"
        )


def measure_viewers(
    *, rows: int, workdir: Path, counts: list[int], seconds: float, alone_seconds: float
) -> list[ViewersPhase]:
    """One phase per count of viewers, each after the learner alone. Every phase has an API
    and a dashboard of its own on a fresh database, so each finds the learner at the same
    point of its catch-up: a long one reaches the race's lag bound, past which the learner
    goes at its candidates' pace (see docs/models.md, "The race")."""
    simulator = simulator_service(rows=rows, workdir=workdir)
    # Generating millions of rows takes longer than a service's usual start.
    simulator.start(timeout=SIMULATOR_START_SECONDS)
    recording = None
    phases = []
    try:
        for viewers in counts:
            phase_dir = workdir / f"{viewers}-viewers"
            phase_dir.mkdir()
            api = api_service(
                source_url=simulator.url, database=phase_dir / "viewers.db", workdir=phase_dir
            )
            with (
                api,
                dashboard_service(api_url=api.url, workdir=phase_dir) as dashboard,
                httpx.Client(base_url=api.url, timeout=10) as client,
            ):
                assert dashboard.process is not None
                services = (simulator.process, api.process, dashboard.process)
                wait_for_learning(client)
                if recording is None:
                    print("recording a browser's callback requests ...", flush=True)
                    recording = record_callbacks(dashboard.url, refresh_seconds=REFRESH_SECONDS)
                print(f"{viewers} viewers ...", flush=True)
                phase = _phase(
                    viewers=viewers,
                    dashboard_url=dashboard.url,
                    dashboard_pid=dashboard.process.pid,
                    service_pids=frozenset(p.pid for p in services if p is not None),
                    api=client,
                    recording=recording,
                    seconds=seconds,
                    alone_seconds=alone_seconds,
                )
                _require_catching_up(client, rows)
                phases.append(phase)
    finally:
        simulator.stop()
    return phases
