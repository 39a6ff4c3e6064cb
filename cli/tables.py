"""The API's JSON as Rich tables: pure functions, JSON in, renderable out."""

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from cli.client import Json
from cli.formatting import clock, count, interval, number

METRIC_KEYS = {
    "classification": ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "mcc"),
    "regression": ("mae", "rmse", "r2"),
}
STATE_STYLES = {
    "running": "bold green",
    "backing_off": "bold yellow",
    "restarting": "bold yellow",
    "starting": "bold yellow",
    "paused": "bold cyan",
    "standby": "bold blue",
    "disabled": "dim",
}


def _fields(title: str | None = None) -> Table:
    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    return table


def state_text(state: object) -> Text:
    return Text(str(state), style=STATE_STYLES.get(str(state), "bold red"))


def learner_process(process: Json) -> Text:
    """The `learner` object of /status: its process id, whether alive, its restarts and
    how the previous process ended."""
    alive, pid = process.get("alive"), process.get("pid")
    text = Text(f"pid {pid}, " if pid is not None else "no process, ")
    text.append("alive" if alive else "down", style="green" if alive else "bold red")
    text.append(f", {count(process.get('restarts'))} restarts")
    if process.get("last_exit"):
        text.append(f", last exit: {process['last_exit']}", style="dim")
    return text


def status_table(status: Json, *, rate: float | None = None) -> Table:
    """GET /status as a two-column table; `rate` is rows/s measured by the caller."""
    table = _fields()
    table.add_row("State", state_text(status.get("state")))
    if isinstance(status.get("learner"), dict):
        table.add_row("Learner process", learner_process(status["learner"]))
    cursor = f"next page {count(status.get('next_page'))}, last id {count(status.get('last_id'))}"
    table.add_row("Cursor", cursor)
    table.add_row("Rows learned", count(status.get("rows_seen")))
    table.add_row("Rows quarantined", count(status.get("rows_quarantined")))
    if status.get("rows_held"):
        table.add_row("Rows held back", f"{count(status['rows_held'])} (beyond the outlier fence)")
    recovery = status.get("last_recovery")
    if isinstance(recovery, dict):
        table.add_row(
            "Last rewind",
            f"version {recovery.get('from_version')} to {recovery.get('to_version')}, "
            f"{clock(recovery.get('at'))}: {recovery.get('reason')}",
        )
    if rate is not None:
        table.add_row("Rate", f"{rate:,.1f} rows/s")
    table.add_row("Model version", count(status.get("model_version")))
    table.add_row("Last tick", clock(status.get("last_tick_at")))
    if status.get("last_error"):
        table.add_row("Last error", Text(str(status["last_error"]), style="red"))
    table.add_row("Source", str(status.get("source_url", "-")))
    return table


def record_table(latest: Json) -> Table:
    """The header fields of a `latest` record."""
    table = _fields()
    table.add_row("Model version", count(latest.get("model_version")))
    table.add_row("Rows learned", count(latest.get("rows_seen")))
    table.add_row("Page", count(latest.get("page")))
    table.add_row("Updated", clock(latest.get("updated_at")))
    if latest.get("champion"):
        table.add_row("Champion", str(latest["champion"]))
    return table


def metrics_table(task: str, record: Json) -> Table:
    """Cumulative and rolling metrics side by side, with the rows each covers."""
    cumulative, rolling = record.get("metrics") or {}, record.get("rolling_metrics") or {}
    table = Table(box=None, pad_edge=False)
    table.add_column("metric", style="bold")
    table.add_column("cumulative", justify="right")
    table.add_column("rolling", justify="right")
    for key in METRIC_KEYS[task]:
        table.add_row(key, number(cumulative.get(key)), number(rolling.get(key)))
    table.add_row("rows", count(cumulative.get("count")), count(rolling.get("count")))
    return table


def coefficients_table(record: Json) -> Table:
    """Weights in original units; their 95% intervals where the API gives them."""
    intervals: dict[str, Any] = record.get("coefficient_intervals") or {}
    table = Table(box=None, pad_edge=False)
    table.add_column("coefficient", style="bold")
    table.add_column("weight", justify="right")
    if intervals:
        table.add_column("95% interval", justify="right")
    for name, weight in (record.get("coefficients") or {}).items():
        extra = [interval(intervals.get(name))] if intervals else []
        table.add_row(name, number(weight), *extra)
    return table


def history_table(task: str, history: Json) -> Table:
    """Each history point: its version, rows and the task's headline metrics."""
    keys = ("accuracy", "log_loss") if task == "classification" else ("rmse", "r2")
    table = Table(title=f"{task} history", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("version", justify="right")
    table.add_column("rows", justify="right")
    table.add_column("updated", no_wrap=True)
    for key in keys:
        table.add_column(key, justify="right")
        table.add_column(f"rolling {key}", justify="right")
    for point in history.get("points", []):
        cumulative, rolling = point.get("metrics") or {}, point.get("rolling_metrics") or {}
        cells = [count(point.get("model_version")), count(point.get("rows_seen"))]
        cells.append(clock(point.get("updated_at")))
        for key in keys:
            cells += [number(cumulative.get(key)), number(rolling.get(key))]
        table.add_row(*cells)
    return table


def leaderboard_table(task: str, board: Json) -> Table:
    """The candidates on the ranking metric; the champion first and starred."""
    metric, champion = str(board.get("metric", "")), board.get("champion")
    table = Table(title=f"{task} leaderboard ({metric})", box=None, pad_edge=False)
    table.add_column("candidate", style="bold")
    table.add_column("rows", justify="right")
    table.add_column(metric, justify="right")
    table.add_column(f"rolling {metric}", justify="right")
    candidates = sorted(board.get("candidates", []), key=lambda c: c.get("name") != champion)
    for candidate in candidates:
        name = str(candidate.get("name"))
        table.add_row(
            f"★ {name}" if name == champion else f"  {name}",
            count(candidate.get("rows_seen")),
            number((candidate.get("metrics") or {}).get(metric)),
            number((candidate.get("rolling_metrics") or {}).get(metric)),
        )
    raced, learned = board.get("rows_raced"), board.get("rows_seen")
    if isinstance(raced, int) and isinstance(learned, int) and raced < learned:
        table.caption = f"behind: raced {raced:,} of {learned:,} rows"
    return table


def drift_table(task: str, drift: Json, *, newest: int | None = None) -> Table:
    """Drift events, newest first; only the `newest` few when given."""
    events = list(reversed(drift.get("events", [])))[:newest]
    table = Table(title=f"{task} drift events", box=None, pad_edge=False)
    for header in ("rows", "detected", "detector", "loss before", "loss after", "what moved"):
        table.add_column(
            header, justify="right" if "loss" in header or header == "rows" else "left"
        )
    for event in events:
        table.add_row(
            count(event.get("rows_seen")),
            clock(event.get("updated_at")),
            str(event.get("detector", "-")),
            number(event.get("loss_before")),
            number(event.get("loss_after")),
            what_moved(event),
        )
    return table


def what_moved(event: Json) -> str:
    """A relationship event's coefficient or a fence event's feature (its median), from its
    value before to its value after.

    >>> what_moved({"coefficient": "competence", "before": 12.06, "after": -11.4})
    'competence 12.060 -> -11.400'
    >>> what_moved({"feature": "competence", "before": 0.5, "after": 49.8})
    'competence (median) 0.500 -> 49.800'
    >>> what_moved({"detector": "ADWIN"})
    '-'
    """
    name = event.get("coefficient") or event.get("feature")
    if not name:
        return "-"
    label = name if event.get("coefficient") else f"{name} (median)"
    return f"{label} {number(event.get('before'))} -> {number(event.get('after'))}"


def versions_table(body: Json) -> Table:
    """GET /learner/versions: the kept model versions, newest first."""
    table = Table(title="kept model versions, newest first", box=None, pad_edge=False)
    for header in ("version", "rows learned", "page", "committed"):
        table.add_column(header, justify="left" if header == "committed" else "right")
    for version in body.get("versions", []):
        table.add_row(
            count(version.get("model_version")),
            count(version.get("rows_seen")),
            count(version.get("page")),
            clock(version.get("updated_at")),
        )
    return table


def quarantine_table(quarantine: Json) -> Table:
    """GET /quarantine: the newest rows with their reasons; every row counted by reason."""
    table = Table(title="quarantined rows, newest first", box=None, pad_edge=False)
    for header in ("id", "received", "reason", "row as received"):
        table.add_column(header, justify="right" if header == "id" else "left")
    for row in quarantine.get("rows", []):
        payload = row.get("payload")
        table.add_row(
            count(row.get("id")),
            clock(row.get("received_at")),
            str(row.get("reason", "")),
            Text(str(payload), overflow="ellipsis", no_wrap=True),
        )
    reasons = quarantine.get("reasons") or {}
    if reasons:
        counted = ", ".join(f"{reason}: {count(n)}" for reason, n in reasons.items())
        table.caption = f"all quarantined rows by reason: {counted}"
    else:
        table.caption = "no row was quarantined"
    return table


# What the terms of each task's answer add up to.
TERMS_TOTAL = {"classification": "the logit", "regression": "network_ability"}


def terms_table(task: str, terms: Json) -> Table:
    """A linear model's answer term by term, and what they add up to."""
    table = Table(box=None, pad_edge=False)
    table.add_column("term", style="bold")
    table.add_column(f"in {TERMS_TOTAL[task]}", justify="right")
    for name, term in terms.items():
        table.add_row(name, number(term))
    total = sum(term for term in terms.values() if isinstance(term, int | float))
    table.add_row(Text(f"sum: {TERMS_TOTAL[task]}", style="dim"), number(total))
    return table


def candidates_table(task: str, answer: Json) -> Table:
    """Every candidate's answer for one person (`?all=true`), the one that answers by
    default starred; the terms of the linear ones, '-' for the others."""
    candidates = answer.get("candidates") or []
    terms = list(dict.fromkeys(t for c in candidates for t in (c.get("contributions") or {})))
    title = f"{task}: every candidate (model version {count(answer.get('model_version'))})"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("candidate", style="bold")
    if task == "classification":
        table.add_column("promoted")
        table.add_column("probability", justify="right")
    else:
        table.add_column("network_ability", justify="right")
    table.add_column("95% interval", justify="right")
    for term in terms:
        table.add_column(term, justify="right")
    for candidate in candidates:
        name = str(candidate.get("model"))
        cells = [f"★ {name}" if name == answer.get("model") else f"  {name}"]
        if task == "classification":
            cells += ["yes" if candidate.get("promoted") else "no"]
            cells += [number(candidate.get("probability"))]
        else:
            cells += [number(candidate.get("network_ability"))]
        cells += [interval(candidate.get("interval")) or "-"]
        contributions = candidate.get("contributions") or {}
        cells += [number(contributions.get(term)) for term in terms]
        table.add_row(*cells)
    table.caption = f"★ answers by default; the terms add up to {TERMS_TOTAL[task]}"
    return table
