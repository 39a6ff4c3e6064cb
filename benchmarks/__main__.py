"""`python -m benchmarks`: run every benchmark, print the table and write it to --output."""

import argparse
import tempfile
from pathlib import Path

from api.core.config import settings
from benchmarks.catchup import fetch_every_page, learn_in_memory, run_learner
from benchmarks.pages import measure_page_cost
from benchmarks.report import Results, render
from benchmarks.serving import measure_serving, require_wrk
from benchmarks.stack import simulator_service

RESULTS = Path(__file__).parent / "results" / "latest.md"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the catch-up stream")
    parser.add_argument(
        "--serving-rows",
        type=int,
        default=1_000_000,
        help="rows of the stream the learner works on while wrk runs (long enough to last)",
    )
    parser.add_argument("--max-pages-per-tick", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10, help="length of one wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs of each endpoint")
    parser.add_argument("--page-requests", type=int, default=300)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        workdir = Path(directory)
        with simulator_service(rows=args.rows, workdir=workdir) as simulator:
            print("page cost ...", flush=True)
            page_cost = measure_page_cost(
                simulator.url, rows=args.rows, requests=args.page_requests
            )
            print("baseline A: fetching every page ...", flush=True)
            pages, fetch_rate = fetch_every_page(simulator.url)
            print("baseline B: learning in memory ...", flush=True)
            learn_rate = learn_in_memory(pages)
            print("learner catch-up ...", flush=True)
            learner = run_learner(
                source_url=simulator.url, rows=args.rows, workdir=workdir,
                max_pages_per_tick=args.max_pages_per_tick,
            )  # fmt: skip
        print("serving under load ...", flush=True)
        with simulator_service(rows=args.serving_rows, workdir=workdir) as simulator:
            serving = measure_serving(
                source_url=simulator.url, workdir=workdir, seconds=args.seconds, runs=args.runs,
                max_pages_per_tick=args.max_pages_per_tick,
            )  # fmt: skip
    table = render(
        Results(
            rows=args.rows,
            max_pages_per_tick=args.max_pages_per_tick,
            source_concurrency=settings.SOURCE_CONCURRENCY,
            fetch_rows_per_second=fetch_rate,
            learn_rows_per_second=learn_rate,
            learner=learner,
            serving=serving,
            page_cost=page_cost,
        )
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)
    print()
    print(table, end="")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
