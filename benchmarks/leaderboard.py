"""`python -m benchmarks.leaderboard`: every candidate's progressive scores and cost.

Every candidate of the registry (the defaults and the others) races in process, as the
learner runs them, over
100,000 simulator rows and over a challenge-shaped main.db (`--main-db` to give the
challenge's own file instead); the table gives each one's cumulative progressive scores
and the champion at the end. The cost of a candidate is the time per row it adds to the
reference alone, both timed in the same run on the same rows (best of `--repeats`).
"""

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from api.core.config import settings
from api.learning.candidates import REFERENCE, known_names
from api.learning.names import CLASSIFICATION, REGRESSION, TASKS
from api.learning.options import TaskOptions, task_options
from api.learning.rows import StreamRow
from api.learning.tasks import new_tasks
from benchmarks import docs_page
from harness.streams import read_db, simulated, write_challenge_shaped_db

RESULTS = Path(__file__).parent / "results" / "leaderboard.md"
SCORES = {CLASSIFICATION: ("log_loss", "accuracy", "roc_auc"), REGRESSION: ("rmse", "mae", "r2")}
CHALLENGE_SHAPED_ROWS, CHALLENGE_SHAPED_SEED = 100_000, 7


def race(rows: list[StreamRow], options: TaskOptions) -> dict:
    """Every row through both tasks; the tasks at the end."""
    tasks = new_tasks(settings.ROLLING_WINDOW, options)
    for row in rows:
        for task in tasks.values():
            task.learn_one(row)
    return tasks


def seconds_per_row(rows: list[StreamRow], options: TaskOptions) -> float:
    # CPU time of this process: the machine is shared, and a neighbour's burst would
    # otherwise land on whichever configuration happened to run then.
    started = time.process_time()
    race(rows, options)
    return (time.process_time() - started) / len(rows)


def alone(options: TaskOptions, task: str | None = None, name: str | None = None) -> TaskOptions:
    """The reference alone in both tasks, with `name` beside it in `task`."""
    bare = replace(
        options, classification_candidates=(REFERENCE,), regression_candidates=(REFERENCE,)
    )
    if task is None or name is None:
        return bare
    if task == CLASSIFICATION:
        return replace(bare, classification_candidates=(REFERENCE, name))
    return replace(bare, regression_candidates=(REFERENCE, name))


def costs(
    rows: list[StreamRow], options: TaskOptions, defaults: TaskOptions, repeats: int
) -> list[str]:
    """What each candidate adds to a row, and what the default set costs together: every
    configuration once per round, the best of the rounds."""
    configurations = {"base": alone(options), "defaults": defaults}
    for task in TASKS:
        for name in options.candidates(task)[1:]:
            configurations[f"{task} {name}"] = alone(options, task, name)
    best = dict.fromkeys(configurations, float("inf"))
    for _ in range(repeats):
        for key, configuration in configurations.items():
            best[key] = min(best[key], seconds_per_row(rows, configuration))
    base, full = best.pop("base"), best.pop("defaults")
    lines = [
        f"CPU time per row in process over {len(rows):,} simulator rows (best of {repeats} "
        f"rounds): the reference models of both tasks {base * 1e6:.0f} us, with every "
        f"default candidate {full * 1e6:.0f} us ({base / full:.2f} of the reference's rows/s).",
        "",
        "| task | candidate | default | extra us per row |",
        "|---|---|---|---|",
    ]
    for key, seconds in best.items():
        task_name, name = key.split(" ")
        default = "yes" if name in defaults.candidates(task_name) else ""
        lines.append(f"| {task_name} | {name} | {default} | {(seconds - base) * 1e6:.0f} |")
    return lines


def scores(
    streams: dict[str, Callable[[], list[StreamRow]]], options: TaskOptions, defaults: TaskOptions
) -> list[str]:
    lines = []
    for task in TASKS:
        keys = SCORES[task]
        lines += ["", f"| {task} candidate | stream | " + " | ".join(keys) + " | champion |",
                  "|---|---|" + "---|" * (len(keys) + 1)]  # fmt: skip
        for stream, rows in streams.items():
            learned = race(rows(), options)[task]
            for entry in learned.leaderboard():
                values = " | ".join(f"{entry['metrics'][key]:.4f}" for key in keys)
                crown = "yes" if entry["name"] == learned.champion else ""
                default = entry["name"] in defaults.candidates(task)
                name = entry["name"] + (" (default)" if default else "")
                lines.append(f"| {name} | {stream} | {values} | {crown} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.leaderboard", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="simulator rows")
    parser.add_argument("--main-db", type=Path, help="the challenge's main.db (default: made)")
    parser.add_argument("--cost-rows", type=int, default=5_000, help="rows timed per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-docs", action="store_true", help="leave docs/performance.md as it is (a trial run)"
    )
    args = parser.parse_args()
    if not args.no_docs:
        docs_page.check_page(docs_page.PERFORMANCE_PAGE, docs_page.LEADERBOARD)
    defaults = task_options(settings)
    options = replace(
        defaults,
        classification_candidates=known_names(CLASSIFICATION),
        regression_candidates=known_names(REGRESSION),
    )
    with tempfile.TemporaryDirectory(prefix="leaderboard-") as directory:
        main_db = args.main_db
        if main_db is None:
            main_db = Path(directory) / "main.db"
            write_challenge_shaped_db(
                main_db, rows=CHALLENGE_SHAPED_ROWS, seed=CHALLENGE_SHAPED_SEED
            )
        streams = {
            f"simulator, {args.rows:,} rows": lambda: list(simulated(args.rows)),
            f"{'challenge-shaped ' if args.main_db is None else ''}main.db": lambda: list(
                read_db(main_db)
            ),
        }
        print("progressive scores ...", flush=True)
        table = [
            f"Progressive (cumulative) scores at the end of each stream, every registered "
            "candidate racing, (default) marking the shipped set; the race's settings "
            f"(ROLLING_WINDOW={settings.ROLLING_WINDOW}, CHAMPION_MARGIN="
            f"{settings.CHAMPION_MARGIN}, CHAMPION_SUSTAIN_ROWS={settings.CHAMPION_SUSTAIN_ROWS}); "
            "the champion is judged on the rolling window.",
            *scores(streams, options, defaults),
        ]
    print("cost per candidate ...", flush=True)
    table += ["", *costs(list(simulated(args.cost_rows)), options, defaults, args.repeats)]
    text = "\n".join(table) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(text + f"\nwritten to {args.output}")
    if not args.no_docs:
        docs_page.write_section(docs_page.PERFORMANCE_PAGE, docs_page.LEADERBOARD, text)


if __name__ == "__main__":
    main()
