"""The one table `make bench` prints and writes, targets beside the figures."""

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime

from benchmarks.catchup import LearnerRun
from benchmarks.pages import PageCost
from benchmarks.replay import ASKING_EVERY
from benchmarks.serving import Serving, WrkRun
from benchmarks.startup import StartUp, median_startup
from benchmarks.storage import ALTERNATE_TICKS, CatchUpStorage, LiveStorage, StorageSample
from benchmarks.viewers import REFRESH_SECONDS, ViewersPhase

TARGET_LEARNER_OVER_FETCH = 0.9
TARGET_SLOW_LEARNER_OVER_FETCH = 2.5
TARGET_LEARNER_UNDER_READERS = 0.5
TARGET_WITH_OVER_WITHOUT_TRUST = 0.85
# The outlier fence and the relationship detector may cost a catch-up at most 10%.
TARGET_GUARDED_OVER_UNGUARDED = 0.9
TARGET_FIRST_COMMIT_SECONDS = 4.0
TARGET_LATEST_OVER_TRIVIAL = 0.8
TARGET_P99_MS = 100.0
TARGET_VIEWERS = 100
TARGET_VIEWERS_P95_SECONDS = 1.0
TARGET_LEARNER_WITH_VIEWERS = 0.7
# Pruning may cost a live tick at most 10%, and the database grow at most 10% once
# retention bites.
TARGET_TICK_PRUNING_OVER_BEFORE = 1.1
TARGET_FLAT = 1.1
LIVE_VERSIONS_A_YEAR = 365 * 24 * 3600 // 2  # a page every POLL_INTERVAL_SECONDS (2 s)
# The real challenge source serves about this many rows a second: the learner, with every
# default candidate, must keep up with it.
TARGET_CANDIDATES_ROWS_PER_SECOND = 3_000


@dataclass
class Results:
    rows: int
    max_pages_per_tick: int
    source_concurrency: int
    catch_up_runs: int
    fetch_rows_per_second: float
    learn_rows_per_second: float
    learner: LearnerRun
    latency_ms: int
    latency_rows: int
    slow_fetch_rows_per_second: float
    slow_learner: LearnerRun
    plain_learner: LearnerRun
    reference_learner: LearnerRun
    unguarded_learner: LearnerRun
    startup: list[StartUp]
    serving: Serving
    page_cost: PageCost
    storage: list[str]  # render_storage's lines


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _wrk_cell(run: WrkRun) -> str:
    return (
        f"{run.requests_per_second:,.0f} req/s, p50 {run.p50_ms:.1f} ms, "
        f"p99 {run.p99_ms:.1f} ms, {run.errors} errors"
    )


def _bytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


def render(results: Results) -> str:
    r, learner, serving, pages = results, results.learner, results.serving, results.page_cost
    over_fetch = learner.rows_per_second / r.fetch_rows_per_second
    over_learn = learner.rows_per_second / r.learn_rows_per_second
    slow_over_fetch = r.slow_learner.rows_per_second / r.slow_fetch_rows_per_second
    under_readers = (
        serving.learner_rows_per_second_under_latest / serving.learner_rows_per_second_quiet
    )
    over_plain = learner.rows_per_second / r.plain_learner.rows_per_second
    over_trivial = serving.latest.requests_per_second / serving.trivial.requests_per_second
    errors = serving.latest.errors + serving.trivial.errors
    serving_ok = over_trivial >= TARGET_LATEST_OVER_TRIVIAL
    snapshots = ", ".join(
        f"{s.rows_seen:,} rows: {_bytes(s.blob_bytes)} ({s.snapshots} snapshots)"
        for s in learner.snapshot_samples
    )
    lines = [
        f"`make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {r.rows:,} rows; the shipped defaults "
        f"(MAX_PAGES_PER_TICK={r.max_pages_per_tick}, SOURCE_CONCURRENCY={r.source_concurrency}).",
        "",
        "| part | measure | result | target |",
        "|---|---|---|---|",
        f"| catch-up | A: a plain sequential `httpx.Client` loop over every page "
        f"(median of {r.catch_up_runs}) | "
        f"{r.fetch_rows_per_second:,.0f} rows/s | |",
        f"| catch-up | B: River loop in memory (predict, score, learn) | "
        f"{r.learn_rows_per_second:,.0f} rows/s | |",
        f"| catch-up | learner: API process, fresh database, to rows_seen = {r.rows:,} "
        f"(median of {r.catch_up_runs}, alternating with A) | "
        f"{learner.rows_per_second:,.0f} rows/s ({learner.seconds:.1f} s) | |",
        f"| catch-up | learner / A | {over_fetch:.2f} | >= {TARGET_LEARNER_OVER_FETCH}: "
        f"{_verdict(over_fetch >= TARGET_LEARNER_OVER_FETCH)} |",
        f"| catch-up | learner / B | {over_learn:.2f} | |",
        f"| {r.latency_ms} ms source | A over {r.latency_rows:,} rows served {r.latency_ms} ms "
        f"late | {r.slow_fetch_rows_per_second:,.0f} rows/s | |",
        f"| {r.latency_ms} ms source | learner over the same rows | "
        f"{r.slow_learner.rows_per_second:,.0f} rows/s | |",
        f"| {r.latency_ms} ms source | learner / A | {slow_over_fetch:.2f} | "
        f">= {TARGET_SLOW_LEARNER_OVER_FETCH}: "
        f"{_verdict(slow_over_fetch >= TARGET_SLOW_LEARNER_OVER_FETCH)} |",
        f"| catch-up | learner without intervals and drift detectors "
        f"(`UNCERTAINTY_AND_DRIFT=false`, median of {r.catch_up_runs}, alternating) | "
        f"{r.plain_learner.rows_per_second:,.0f} rows/s ({r.plain_learner.seconds:.1f} s) | |",
        f"| catch-up | learner / learner without them | {over_plain:.2f} | "
        f">= {TARGET_WITH_OVER_WITHOUT_TRUST}: "
        f"{_verdict(over_plain >= TARGET_WITH_OVER_WITHOUT_TRUST)} |",
        *render_guards(learner, r.unguarded_learner, runs=r.catch_up_runs),
        *render_startup(r.startup),
        *render_candidates(learner, r.reference_learner, runs=r.catch_up_runs),
        f"| serving | `GET /classification/latest`, {serving.runs_each} x "
        f"{serving.seconds_per_run} s | {_wrk_cell(serving.latest)} | |",
        f"| serving | `GET /health` (trivial), {serving.runs_each} x "
        f"{serving.seconds_per_run} s | {_wrk_cell(serving.trivial)} | |",
        f"| serving | latest / trivial throughput | {over_trivial:.2f} | "
        f">= {TARGET_LATEST_OVER_TRIVIAL}: {_verdict(serving_ok)} |",
        f"| serving | p99 of latest | {serving.latest.p99_ms:.1f} ms | "
        f"< {TARGET_P99_MS:.0f} ms: {_verdict(serving.latest.p99_ms < TARGET_P99_MS)} |",
        f"| serving | errors (non-2xx/3xx, socket) | {errors} | 0: {_verdict(errors == 0)} |",
        f"| readers | learner with no readers, {serving.runs_each} x "
        f"{serving.seconds_per_run} s | {serving.learner_rows_per_second_quiet:,.0f} rows/s | |",
        f"| readers | learner while wrk -c64 reads latest | "
        f"{serving.learner_rows_per_second_under_latest:,.0f} rows/s | |",
        f"| readers | under readers / no readers | {under_readers:.2f} | "
        f">= {TARGET_LEARNER_UNDER_READERS}: "
        f"{_verdict(under_readers >= TARGET_LEARNER_UNDER_READERS)} |",
        f"| storage | database after {r.rows:,} rows | {_bytes(learner.database_bytes)} "
        f"({learner.database_bytes / r.rows:,.0f} bytes/row) | |",
        f"| storage | model_snapshot blobs as rows grow | {snapshots} | flat |",
        *r.storage,
        f"| pages | simulator page 0, median of {pages.requests_each} | "
        f"{pages.first_ms:.2f} ms | |",
        f"| pages | simulator page {pages.last_page:,}, median of {pages.requests_each} | "
        f"{pages.last_ms:.2f} ms | |",
        f"| pages | last / first | {pages.last_ms / pages.first_ms:.2f} | about 1 |",
    ]
    return "\n".join(lines) + "\n"


def render_startup(runs: list[StartUp]) -> list[str]:
    """The rows of the table on how fast `python -m api` starts."""
    median, slowest = median_startup(runs), max(run.first_commit_seconds for run in runs)
    fast_enough = median.first_commit_seconds <= TARGET_FIRST_COMMIT_SECONDS
    return [
        f"| start-up | `python -m api` on a fresh database to `/health` 200 (median of "
        f"{len(runs)}) | {median.health_seconds:.2f} s | |",
        f"| start-up | to its first commit served (median of {len(runs)}; slowest "
        f"{slowest:.2f} s) | {median.first_commit_seconds:.2f} s | "
        f"<= {TARGET_FIRST_COMMIT_SECONDS:.0f} s: {_verdict(fast_enough)} |",
    ]


def render_guards(learner: LearnerRun, unguarded: LearnerRun, *, runs: int) -> list[str]:
    """The rows of the table on what the outlier fence and the relationship detector cost."""
    ratio = learner.rows_per_second / unguarded.rows_per_second
    return [
        f"| catch-up | learner without the outlier fence and the relationship detector "
        f"(`OUTLIER_FENCE=off`, `RELATIONSHIP_DETECTOR=false`, median of {runs}, alternating) "
        f"| {unguarded.rows_per_second:,.0f} rows/s ({unguarded.seconds:.1f} s) | |",
        f"| catch-up | learner / learner without them | {ratio:.2f} | "
        f">= {TARGET_GUARDED_OVER_UNGUARDED}: "
        f"{_verdict(ratio >= TARGET_GUARDED_OVER_UNGUARDED)} |",
    ]


def render_candidates(learner: LearnerRun, reference: LearnerRun, *, runs: int) -> list[str]:
    """The rows of the table on what the default candidates cost a catch-up."""
    ratio = learner.rows_per_second / reference.rows_per_second
    fast_enough = learner.rows_per_second >= TARGET_CANDIDATES_ROWS_PER_SECOND
    rows = [
        f"| candidates | learner with the reference models alone (`CLASSIFICATION_CANDIDATES` "
        f"and `REGRESSION_CANDIDATES` = reference, median of {runs}, alternating) | "
        f"{reference.rows_per_second:,.0f} rows/s ({reference.seconds:.1f} s) | |",
        f"| candidates | learner (every default candidate) / reference alone | {ratio:.2f} | |",
        f"| candidates | learner (every default candidate, median of {runs}) | "
        f"{learner.rows_per_second:,.0f} rows/s | >= {TARGET_CANDIDATES_ROWS_PER_SECOND:,}: "
        f"{_verdict(fast_enough)} |",
    ]
    if learner.race_seconds is not None:
        lag = learner.race_seconds - learner.seconds
        rows.append(
            f"| candidates | their race, behind the learner: every row raced after | "
            f"{learner.race_seconds:.1f} s ({lag:.1f} s after the learner's last row) | |"
        )
    return rows


def _viewers_row(phase: ViewersPhase) -> str:
    kept = phase.rows_per_second / phase.alone_rows_per_second
    return (
        f"| {phase.viewers} | {phase.cycles:,} | {phase.p50_seconds:.2f} s | "
        f"{phase.p95_seconds:.2f} s | {phase.within_refresh:.0%} | {phase.errors} | "
        f"{phase.dashboard_cpu:.2f} | {phase.replay_cpu:.2f} | {phase.rows_per_second:,.0f} / "
        f"{phase.alone_rows_per_second:,.0f} = {kept:.2f} |"
    )


def render_viewers(phases: list[ViewersPhase], *, rows: int, seconds: float) -> str:
    """The viewers table, then the targets at TARGET_VIEWERS viewers with their verdicts."""
    lines = [
        f"Viewers: a browser's callback requests replayed for each viewer every "
        f"{REFRESH_SECONDS:.0f} s for {seconds:.0f} s while the learner catches up on a "
        f"{rows:,}-row stream (shipped defaults), each phase on a fresh API and dashboard; "
        "the learner alone measured just before the viewers join. One viewer in "
        f"{ASKING_EVERY} also asks about a new person every refresh (every candidate's "
        "answer, both tasks). "
        "The replaying viewers run on the same machine, in processes of 25 viewers.",
        "",
        "| viewers | cycles | cycle p50 | cycle p95 | within "
        f"{REFRESH_SECONDS:.0f} s | errors | dashboard CPU (cores) | replaying viewers' CPU "
        "(cores) | learner rows/s with / alone |",
        "|---|---|---|---|---|---|---|---|---|",
        *map(_viewers_row, phases),
    ]
    target = next((p for p in phases if p.viewers == TARGET_VIEWERS), None)
    if target is not None:
        kept = target.rows_per_second / target.alone_rows_per_second
        lines += [
            "",
            f"Targets at {TARGET_VIEWERS} viewers: p95 < {TARGET_VIEWERS_P95_SECONDS:.0f} s: "
            f"{_verdict(target.p95_seconds < TARGET_VIEWERS_P95_SECONDS)}; every cycle within "
            f"{REFRESH_SECONDS:.0f} s: {_verdict(target.within_refresh == 1)}; no errors: "
            f"{_verdict(target.errors == 0)}; learner with / alone >= "
            f"{TARGET_LEARNER_WITH_VIEWERS}: {_verdict(kept >= TARGET_LEARNER_WITH_VIEWERS)}.",
        ]
    lines += [
        f"First error at {p.viewers} viewers: `{p.first_error}`" for p in phases if p.first_error
    ]
    return "\n".join(lines) + "\n"


def _parts(sample: StorageSample) -> str:
    parts = sorted(sample.parts.items(), key=lambda item: -item[1])
    return ", ".join(f"{part} {_bytes(size)}" for part, size in parts if size >= 50_000)


def _catch_up_sample(sample: StorageSample) -> str:
    parts = sample.parts
    free = sample.database_bytes - sum(parts.values())
    return (
        f"{sample.rows_seen:,} rows: {_bytes(sample.database_bytes)} (learned rows "
        f"{_bytes(parts.get('learned rows', 0))}, {sample.learned_rows_kept:,} kept; snapshots "
        f"{_bytes(parts.get('snapshots', 0))}; free pages {_bytes(max(free, 0))})"
    )


def render_storage(live: LiveStorage, catch_up: CatchUpStorage, *, every: int) -> list[str]:
    """The database's size as a live stream and a catch-up grow, the year it projects,
    and what pruning costs a tick."""
    kept = live.records_kept
    first, bite, last = live.samples[0], live.samples[kept // 1000 - 1], live.samples[-1]
    # Records grow by a version's bytes a version until `kept`, then by one in `every`.
    record_bytes = bite.parts["records"] / bite.model_version
    learned_row_bytes = bite.parts["learned rows"] / bite.rows_seen
    # A year of a live stream is 15.8 million rows: the snapshots are the trees' as grown
    # by the longest stream measured.
    snapshots = max(last.parts.get("snapshots", 0), catch_up.samples[-1].parts.get("snapshots", 0))
    year = (
        kept * record_bytes
        + (LIVE_VERSIONS_A_YEAR - kept) / every * record_bytes
        + min(LIVE_VERSIONS_A_YEAR * 10, catch_up.learned_rows_kept) * learned_row_bytes
        + snapshots
    )
    records_growth = last.parts["records"] / bite.parts["records"]
    mean_ratio = live.tick_mean_ms_pruning / live.tick_mean_ms_not_pruning
    grown = [s for s in catch_up.samples if s.rows_seen >= catch_up.learned_rows_kept]
    samples = ", ".join(_catch_up_sample(s) for s in catch_up.samples)
    if len(grown) > 1:
        flat = grown[-1].parts["learned rows"] / grown[0].parts["learned rows"]
        total = grown[-1].database_bytes / grown[0].database_bytes
        flat_cell = f"{flat:.2f} (the whole file: {total:.2f})"
    else:
        flat, flat_cell = None, "too few rows to say"
    flat_met = flat is not None and flat <= TARGET_FLAT
    return [
        f"| storage (live) | database after {first.model_version:,} versions of a page each | "
        f"{_bytes(first.database_bytes)} ({_parts(first)}) | |",
        f"| storage (live) | after {bite.model_version:,} (`RECORDS_KEPT`) | "
        f"{_bytes(bite.database_bytes)} ({_parts(bite)}): {record_bytes / 1000:.1f} kB of "
        f"records and {learned_row_bytes:.0f} bytes a learned row | |",
        f"| storage (live) | after {last.model_version:,} | {_bytes(last.database_bytes)} "
        f"({_parts(last)}) | |",
        f"| storage (live) | records after {last.model_version:,} / after {kept:,} versions | "
        f"{records_growth:.2f} | <= {TARGET_FLAT}: {_verdict(records_growth <= TARGET_FLAT)} |",
        f"| storage (live) | a year of a live stream, projected from the bytes above | "
        f"{_bytes(round(year))} | a few GB: {_verdict(year < 5e9)} |",
        f"| storage (live) | past {kept:,} versions, a tick in blocks of "
        f"{ALTERNATE_TICKS} ticks with pruning / without, alternating, mean (a step of "
        f"pruning: {live.prune_ms:.1f} ms) | {live.tick_mean_ms_pruning:.1f} ms / "
        f"{live.tick_mean_ms_not_pruning:.1f} ms | |",
        f"| storage (live) | a tick with pruning / without, mean | {mean_ratio:.2f} | "
        f"<= {TARGET_TICK_PRUNING_OVER_BEFORE}: "
        f"{_verdict(mean_ratio <= TARGET_TICK_PRUNING_OVER_BEFORE)} |",
        f"| storage (catch-up) | `python -m api` draining {catch_up.rows:,} rows, the "
        f"database as rows grow | {samples} | |",
        f"| storage (catch-up) | learned rows at the end / when {catch_up.learned_rows_kept:,} "
        f"rows were learned (`LEARNED_ROWS_KEPT`) | {flat_cell} | <= {TARGET_FLAT}: "
        f"{_verdict(flat_met)} |",
        f"| storage (catch-up) | a tick while pruning, mean / a step of pruning, mean | "
        f"{catch_up.tick_ms:.0f} ms / {catch_up.prune_ms:.1f} ms | |",
    ]
