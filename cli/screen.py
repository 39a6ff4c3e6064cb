"""The `watch` screen: a pure function of what was last read from the API."""

from dataclasses import dataclass
from datetime import datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cli.formatting import clock, count, number, sparkline
from cli.snapshot import TASKS, Snapshot, TaskView
from cli.tables import (
    coefficients_table,
    drift_table,
    leaderboard_table,
    metrics_table,
    status_table,
)

# The metric each task's sparkline follows over the history.
TREND_METRIC = {"classification": "accuracy", "regression": "rmse"}
SPARKLINE_WIDTH = 32
DRIFT_EVENTS_SHOWN = 5


@dataclass(frozen=True)
class Frame:
    """Everything one refresh draws."""

    api_url: str
    interval: float
    now: datetime
    snapshot: Snapshot | None  # the last one read; None until the API first answers
    rate: float | None = None
    problem: str | None = None  # why the last read failed; None when it succeeded
    last_success: datetime | None = None


def trend(task: str, history: dict | None) -> Text:
    """The task's trend metric over its history as a sparkline, first and last values."""
    metric = TREND_METRIC[task]
    points = (history or {}).get("points", [])
    values = [(p.get("metrics") or {}).get(metric) for p in points]
    known = [v for v in values if isinstance(v, int | float)]
    text = Text(f"{metric} ", style="bold")
    if not known:
        return text.append("no history yet", style="dim")
    text.append(sparkline(values, SPARKLINE_WIDTH), style="cyan")
    return text.append(f" {number(known[0])} → {number(known[-1])}")


def record_line(latest: dict) -> Text:
    """A record's version, rows and time on one line, and the champion where there is one."""
    text = Text(f"version {count(latest.get('model_version'))}", style="bold")
    updated = clock(latest.get("updated_at"), date=False)
    text.append(f"  {count(latest.get('rows_seen'))} rows  updated {updated}")
    if latest.get("champion"):
        text.append(f"  champion {latest['champion']}", style="bold magenta")
    return text


def task_panel(task: str, view: TaskView) -> Panel:
    if view.latest is None:
        body: RenderableType = Text("Nothing learned yet.", style="dim")
    else:
        tables = Table.grid(padding=(0, 2))
        tables.add_row(metrics_table(task, view.latest), coefficients_table(view.latest))
        body = Group(
            record_line(view.latest), Text(""), tables, Text(""), trend(task, view.history)
        )
    return Panel(body, title=task.capitalize(), title_align="left")


def header(frame: Frame) -> Text:
    text = Text("qa-learner watch", style="bold")
    text.append(f"  {frame.api_url}  every {frame.interval:g} s  ")
    text.append(frame.now.strftime("%H:%M:%S"))
    return text.append("  q quits", style="dim")


def problem_notice(frame: Frame) -> Panel:
    """Why the last read failed, that it is retried, and how old the figures shown are."""
    message = f"{frame.problem}. Retrying every {frame.interval:g} s."
    if frame.last_success and frame.snapshot:
        message += f" Showing what it served at {frame.last_success:%H:%M:%S}."
    return Panel(Text(message, style="bold"), style="white on red")


def side_by_side(*renderables: RenderableType) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_row(*renderables)
    return grid


def watch_screen(frame: Frame) -> RenderableType:
    parts: list[RenderableType] = [header(frame)]
    if frame.problem is not None:
        parts.append(problem_notice(frame))
    snapshot = frame.snapshot
    if snapshot is None:
        return Group(*parts)
    views = [snapshot.tasks[task] for task in TASKS]
    learner = Panel(
        status_table(snapshot.status, rate=frame.rate), title="Learner", title_align="left"
    )
    boards = [
        Panel(leaderboard_table(task, view.leaderboard), title="Leaderboard", title_align="left")
        for task, view in zip(TASKS, views, strict=True)
        if view.leaderboard is not None
    ]
    tasks = Table.grid(expand=True, padding=(0, 1))
    tasks.add_column(ratio=1)
    tasks.add_column(ratio=1)
    tasks.add_row(*(task_panel(task, view) for task, view in zip(TASKS, views, strict=True)))
    parts += [side_by_side(learner, *boards), tasks]
    drifts = [
        drift_table(task, view.drift, newest=DRIFT_EVENTS_SHOWN)
        for task, view in zip(TASKS, views, strict=True)
        if view.drift is not None
    ]
    if drifts:
        parts.append(Panel(side_by_side(*drifts), title="Drift", title_align="left"))
    return Group(*parts)
