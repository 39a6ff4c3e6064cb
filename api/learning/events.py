"""Events noticed between two commits (a drift, a change of champion), each at its row.

A task or a race numbers each event by its row among the rows it has learned since the
last commit; the commit turns that into the stream's row count.
"""

from typing import Any


def drained(
    events: list[dict[str, Any]],
    rows_since_drain: int,
    *,
    task: str,
    rows_seen: int,
    updated_at: Any,
) -> list[Any]:
    """`events` as rows of a tick that learned up to `rows_seen` (of the shape their
    table takes: `DriftEventValues`, `ChampionChangeValues`)."""
    first_row = rows_seen - rows_since_drain
    rows = []
    for event in events:
        details = dict(event)
        row = details.pop("row")
        rows.append(
            {"task": task, "rows_seen": first_row + row, "updated_at": updated_at, **details}
        )
    return rows
