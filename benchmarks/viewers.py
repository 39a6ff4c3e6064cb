"""Viewers: many dashboards open at once while the learner catches up.

The trio starts as users start it (`python -m simulator`, `python -m api`,
`python -m dashboard`, shipped defaults) on a backlog long enough that the learner is
still catching up when the last phase ends, so the models change on every tick. A real
browser's callback requests are recorded once; then, for each number of viewers, a phase
without viewers measures the learner alone and a phase with them replays those requests
for every viewer every refresh. All traffic stays on 127.0.0.1.
"""

import math
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.recording import Recording, record_callbacks
from benchmarks.replay import watch_share
from benchmarks.stack import (
    api_service,
    dashboard_service,
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


def measure_viewers(
    *, rows: int, workdir: Path, counts: list[int], seconds: float, alone_seconds: float
) -> list[ViewersPhase]:
    """One phase per count of viewers, each after a phase of the learner alone."""
    simulator = simulator_service(rows=rows, workdir=workdir)
    # Generating millions of rows takes longer than a service's usual start.
    simulator.start(timeout=SIMULATOR_START_SECONDS)
    try:
        api = api_service(
            source_url=simulator.url, database=workdir / "viewers.db", workdir=workdir
        )
        with api, dashboard_service(api_url=api.url, workdir=workdir) as dashboard:
            assert dashboard.process is not None
            services = (simulator.process, api.process, dashboard.process)
            service_pids = frozenset(process.pid for process in services if process is not None)
            with httpx.Client(base_url=api.url, timeout=10) as client:
                wait_for_learning(client)
                print("recording a browser's callback requests ...", flush=True)
                recording = record_callbacks(dashboard.url, refresh_seconds=REFRESH_SECONDS)
                phases = []
                for viewers in counts:
                    print(f"{viewers} viewers ...", flush=True)
                    phase = _phase(
                        viewers=viewers,
                        dashboard_url=dashboard.url,
                        dashboard_pid=dashboard.process.pid,
                        service_pids=service_pids,
                        api=client,
                        recording=recording,
                        seconds=seconds,
                        alone_seconds=alone_seconds,
                    )
                    phases.append(phase)
                if rows_seen(client) >= rows:
                    raise RuntimeError(
                        f"the learner drained all {rows:,} rows before the end: the phases "
                        "ran partly without a catch-up; run again with more --viewer-rows"
                    )
    finally:
        simulator.stop()
    return phases
