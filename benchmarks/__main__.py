"""`python -m benchmarks`: run every benchmark, print the table and write it to --output and
to the docs' Performance page."""

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from api.core.config import settings
from benchmarks import docs_page
from benchmarks.catchup import LearnerRun, fetch_every_page, learn_in_memory, run_learner
from benchmarks.pages import measure_page_cost
from benchmarks.report import (
    Results,
    render,
    render_candidates,
    render_guards,
    render_startup,
    render_storage,
    render_viewers,
)
from benchmarks.serving import measure_serving, require_wrk
from benchmarks.stack import simulator_service
from benchmarks.startup import measure_startup
from benchmarks.storage import measure_catch_up, measure_live
from benchmarks.viewers import measure_viewers

RESULTS = Path(__file__).parent / "results" / "latest.md"
SLOW_SOURCE_MS = 5
VIEWERS_RESULTS = RESULTS.with_name("viewers.md")
CANDIDATES_RESULTS = RESULTS.with_name("candidates.md")
REFERENCE_ALONE: dict[str, Any] = {
    "CLASSIFICATION_CANDIDATES": "reference",
    "REGRESSION_CANDIDATES": "reference",
}
# What the outlier fence and the relationship detector cost: the learner without both.
UNGUARDED: dict[str, Any] = {"OUTLIER_FENCE": "off", "RELATIONSHIP_DETECTOR": "false"}
GUARDS_RESULTS = RESULTS.with_name("guards.md")
STARTUP_RESULTS = RESULTS.with_name("startup.md")
STORAGE_RESULTS = RESULTS.with_name("storage.md")
# A first tick of a few pages: the start-up is measured, not a catch-up.
STARTUP_ROWS = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the catch-up stream")
    parser.add_argument(
        "--serving-rows",
        type=int,
        default=1_000_000,
        help="rows of the stream the learner works on while wrk runs (long enough to last)",
    )
    parser.add_argument(
        "--latency-rows", type=int, default=20_000, help="rows of the stream served 5 ms late"
    )
    parser.add_argument(
        "--catch-up-runs", type=int, default=3, help="alternating runs of A and the learner"
    )
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs of each endpoint")
    parser.add_argument("--page-requests", type=int, default=300)
    parser.add_argument(
        "--viewer-rows",
        type=int,
        default=2_000_000,
        help="rows of the stream the learner catches up on while viewers watch (enough to last)",
    )
    parser.add_argument(
        "--viewer-counts",
        type=lambda text: [int(count) for count in text.split(",")],
        default=[10, 25, 50, 100, 200],
        help="comma-separated numbers of viewers, one phase each",
    )
    parser.add_argument("--viewer-seconds", type=float, default=20, help="length of a phase")
    parser.add_argument(
        "--alone-seconds", type=float, default=8, help="the learner alone before each phase"
    )
    parser.add_argument(
        "--viewers-only",
        action="store_true",
        help=f"run only the viewers benchmark; its table goes to {VIEWERS_RESULTS.name}",
    )
    parser.add_argument(
        "--candidates-only",
        action="store_true",
        help="run only the catch-up with the default candidates against the reference alone; "
        f"its table goes to {CANDIDATES_RESULTS.name}",
    )
    parser.add_argument("--startup-runs", type=int, default=5, help="starts of python -m api")
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help=f"run only the start-up measure; its table goes to {STARTUP_RESULTS.name}",
    )
    parser.add_argument(
        "--guards-only",
        action="store_true",
        help="run only the catch-up with the outlier fence and the relationship detector "
        f"against without them; its table goes to {GUARDS_RESULTS.name}",
    )
    parser.add_argument(
        "--storage-versions",
        type=int,
        default=15_000,
        help="ticks of a page each in the live storage measure (beyond RECORDS_KEPT)",
    )
    parser.add_argument(
        "--storage-rows",
        type=int,
        default=1_600_000,
        help="rows of the catch-up storage measure (beyond LEARNED_ROWS_KEPT)",
    )
    parser.add_argument(
        "--storage-only",
        action="store_true",
        help=f"run only the storage measures; their table goes to {STORAGE_RESULTS.name}",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"default {RESULTS} ({VIEWERS_RESULTS.name} with --viewers-only)",
    )
    parser.add_argument(
        "--no-docs",
        action="store_true",
        help="leave docs/performance.md as it is (a trial run); a full run writes its table "
        "there, --viewers-only and --candidates-only never do",
    )
    return parser.parse_args()


def median_learner(runs: list[LearnerRun]) -> LearnerRun:
    return sorted(runs, key=lambda run: run.rows_per_second)[len(runs) // 2]


def run_viewers(args: argparse.Namespace, workdir: Path) -> str:
    print("viewers ...", flush=True)
    viewers_dir = workdir / "viewers"
    viewers_dir.mkdir()
    phases = measure_viewers(
        rows=args.viewer_rows,
        workdir=viewers_dir,
        counts=args.viewer_counts,
        seconds=args.viewer_seconds,
        alone_seconds=args.alone_seconds,
    )
    return render_viewers(phases, rows=args.viewer_rows, seconds=args.viewer_seconds)


def run_reference_alone(source_url: str, rows: int, workdir: Path, run: int) -> LearnerRun:
    print(f"learner catch-up with the reference models alone, run {run} ...", flush=True)
    run_dir = workdir / f"catch-up-reference-{run}"
    run_dir.mkdir()
    return run_learner(source_url=source_url, rows=rows, workdir=run_dir, **REFERENCE_ALONE)


def run_candidates(args: argparse.Namespace, workdir: Path) -> str:
    """The learner with the default candidates and with the reference alone, alternating."""
    learners, references = [], []
    with simulator_service(rows=args.rows, workdir=workdir) as simulator:
        for run in range(1, args.catch_up_runs + 1):
            print(f"learner catch-up, run {run} ...", flush=True)
            run_dir = workdir / f"catch-up-{run}"
            run_dir.mkdir()
            learners.append(
                run_learner(
                    source_url=simulator.url, rows=args.rows, workdir=run_dir, until_raced=True
                )
            )
            references.append(run_reference_alone(simulator.url, args.rows, workdir, run))
    return "\n".join([
        f"Catch-up of {args.rows:,} rows, the shipped defaults but for the candidates.", "",
        "| part | measure | result | target |", "|---|---|---|---|",
        *render_candidates(
            median_learner(learners), median_learner(references), runs=args.catch_up_runs
        ),
    ]) + "\n"  # fmt: skip


def run_unguarded(source_url: str, rows: int, workdir: Path, run: int) -> LearnerRun:
    print(f"learner catch-up without the fence and the relationship detector, run {run} ...")
    run_dir = workdir / f"catch-up-unguarded-{run}"
    run_dir.mkdir()
    return run_learner(source_url=source_url, rows=rows, workdir=run_dir, **UNGUARDED)


def run_guards(args: argparse.Namespace, workdir: Path) -> str:
    """The learner with its defaults and without the fence and the detector, alternating."""
    learners, unguarded = [], []
    with simulator_service(rows=args.rows, workdir=workdir) as simulator:
        for run in range(1, args.catch_up_runs + 1):
            print(f"learner catch-up, run {run} ...", flush=True)
            run_dir = workdir / f"catch-up-{run}"
            run_dir.mkdir()
            learners.append(run_learner(source_url=simulator.url, rows=args.rows, workdir=run_dir))
            unguarded.append(run_unguarded(simulator.url, args.rows, workdir, run))
    guarded, without = median_learner(learners), median_learner(unguarded)
    return "\n".join([
        f"Catch-up of {args.rows:,} rows, the shipped defaults.", "",
        "| part | measure | result | target |", "|---|---|---|---|",
        *render_guards(guarded, without, runs=args.catch_up_runs),
    ]) + "\n"  # fmt: skip


def startup_runs(args: argparse.Namespace, workdir: Path) -> list:
    print(f"start-up of python -m api, {args.startup_runs} runs ...", flush=True)
    with simulator_service(rows=STARTUP_ROWS, workdir=workdir) as simulator:
        return measure_startup(source_url=simulator.url, workdir=workdir, runs=args.startup_runs)


def run_startup(args: argparse.Namespace, workdir: Path) -> str:
    return "\n".join([
        "| part | measure | result | target |", "|---|---|---|---|",
        *render_startup(startup_runs(args, workdir)),
    ]) + "\n"  # fmt: skip


def storage_lines(args: argparse.Namespace, workdir: Path) -> list[str]:
    print(f"storage: {args.storage_versions:,} live ticks of a page each ...", flush=True)
    live_dir = workdir / "storage-live"
    live_dir.mkdir()
    live = measure_live(workdir=live_dir, versions=args.storage_versions)
    print(f"storage: a catch-up of {args.storage_rows:,} rows ...", flush=True)
    catch_up_dir = workdir / "storage-catch-up"
    catch_up_dir.mkdir()
    with simulator_service(rows=args.storage_rows, workdir=catch_up_dir) as simulator:
        catch_up = measure_catch_up(
            source_url=simulator.url, rows=args.storage_rows, workdir=catch_up_dir
        )
    return render_storage(live, catch_up, every=settings.OLDER_RECORDS_EVERY)


def run_storage(args: argparse.Namespace, workdir: Path) -> str:
    return "\n".join([
        "The shipped defaults.", "",
        "| part | measure | result | target |", "|---|---|---|---|",
        *storage_lines(args, workdir),
    ]) + "\n"  # fmt: skip


def write(table: str, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(table)
    print()
    print(table, end="")
    print(f"\nwritten to {output}")


def main() -> None:
    args = parse_args()
    if args.viewers_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            write(run_viewers(args, Path(directory)), args.output or VIEWERS_RESULTS)
        return
    if args.candidates_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            write(run_candidates(args, Path(directory)), args.output or CANDIDATES_RESULTS)
        return
    if args.startup_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            write(run_startup(args, Path(directory)), args.output or STARTUP_RESULTS)
        return
    if args.guards_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            write(run_guards(args, Path(directory)), args.output or GUARDS_RESULTS)
        return
    if args.storage_only:
        with tempfile.TemporaryDirectory(prefix="bench-") as directory:
            write(run_storage(args, Path(directory)), args.output or STORAGE_RESULTS)
        return
    require_wrk()
    if not args.no_docs:
        docs_page.check_page(docs_page.PERFORMANCE_PAGE, docs_page.BENCH)
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        workdir = Path(directory)
        with simulator_service(rows=args.rows, workdir=workdir) as simulator:
            print("page cost ...", flush=True)
            page_cost = measure_page_cost(
                simulator.url, rows=args.rows, requests=args.page_requests
            )
            # A and the learner alternate, so a noisy moment of the machine falls on both.
            fetch_rates, learners, plain_learners, references, unguarded = [], [], [], [], []
            for run in range(1, args.catch_up_runs + 1):
                print(f"baseline A: fetching every page, run {run} ...", flush=True)
                pages, fetch_rate = fetch_every_page(simulator.url)
                fetch_rates.append(fetch_rate)
                print(f"learner catch-up, run {run} ...", flush=True)
                run_dir = workdir / f"catch-up-{run}"
                run_dir.mkdir()
                learners.append(
                    run_learner(source_url=simulator.url, rows=args.rows, workdir=run_dir)
                )
                print(f"learner catch-up without intervals and detectors, run {run} ...")
                plain_dir = workdir / f"catch-up-plain-{run}"
                plain_dir.mkdir()
                plain_learners.append(
                    run_learner(
                        source_url=simulator.url,
                        rows=args.rows,
                        workdir=plain_dir,
                        UNCERTAINTY_AND_DRIFT="false",
                    )
                )
                references.append(run_reference_alone(simulator.url, args.rows, workdir, run))
                unguarded.append(run_unguarded(simulator.url, args.rows, workdir, run))
            print("baseline B: learning in memory ...", flush=True)
            learn_rate = learn_in_memory(pages)
        startup = startup_runs(args, workdir)
        latency = SLOW_SOURCE_MS
        with simulator_service(
            rows=args.latency_rows, workdir=workdir, latency_ms=latency
        ) as simulator:
            slow_fetch_rates, slow_learners = [], []
            for run in range(1, args.catch_up_runs + 1):
                print(f"{latency} ms source: A, then the learner, run {run} ...", flush=True)
                slow_fetch_rates.append(fetch_every_page(simulator.url)[1])
                run_dir = workdir / f"slow-catch-up-{run}"
                run_dir.mkdir()
                slow_learners.append(
                    run_learner(source_url=simulator.url, rows=args.latency_rows, workdir=run_dir)
                )
        print("serving under load ...", flush=True)
        with simulator_service(rows=args.serving_rows, workdir=workdir) as simulator:
            serving = measure_serving(
                source_url=simulator.url, workdir=workdir, seconds=args.seconds, runs=args.runs
            )
        storage = storage_lines(args, workdir)
        viewers = run_viewers(args, workdir)
    table = render(
        Results(
            rows=args.rows,
            max_pages_per_tick=settings.MAX_PAGES_PER_TICK,
            source_concurrency=settings.SOURCE_CONCURRENCY,
            catch_up_runs=args.catch_up_runs,
            fetch_rows_per_second=statistics.median(fetch_rates),
            learn_rows_per_second=learn_rate,
            learner=median_learner(learners),
            latency_ms=latency,
            latency_rows=args.latency_rows,
            slow_fetch_rows_per_second=statistics.median(slow_fetch_rates),
            slow_learner=median_learner(slow_learners),
            plain_learner=median_learner(plain_learners),
            reference_learner=median_learner(references),
            unguarded_learner=median_learner(unguarded),
            startup=startup,
            serving=serving,
            page_cost=page_cost,
            storage=storage,
        )
    )
    write(table + "\n" + viewers, args.output or RESULTS)
    if not args.no_docs:
        docs_page.write_section(docs_page.PERFORMANCE_PAGE, docs_page.BENCH, table + "\n" + viewers)


if __name__ == "__main__":
    main()
