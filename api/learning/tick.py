"""One tick's learning, page by page, as plain values: what the tick will commit.

For every row not consumed yet each task runs `step` (predict, score, `learn_one`): the
order of River's `progressive_val_score`. Bad rows are set aside for the quarantine. Each
learned row then goes to the races (`feed`, a hundred at a time), which learn it at their
own pace. The models are the only thing changed in place; everything else is returned in
the `TickWrite`, which the learner commits in one transaction.
"""

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from api.crud import TickWrite
from api.learning.committed import LearnedRowValues
from api.learning.cursor import Cursor
from api.learning.rows import BadRow, RaceRow, parse_row, source_id
from api.learning.source import PAGE_SIZE
from api.learning.tasks import CLASSIFICATION, REGRESSION, Task

QUARANTINE_PAYLOAD_LIMIT = 2_000
# Rows handed to the races at once: enough that the hand-over costs little per row, few
# enough that the races start while the tick is still fetching.
RACE_BATCH_ROWS = 100


class TickPlan:
    """The tick under way: call `take` with each page in order, then `write`."""

    def __init__(
        self,
        start: Cursor,
        tasks: dict[str, Task],
        *,
        feed: Callable[[list[RaceRow], list[str]], None],
        quarantined_positions: set[int] | None = None,
        resets: list[int] | None = None,
        fresh_races: list[str] | None = None,
    ):
        self.start, self.tasks, self.feed = start, tasks, feed
        # Positions of id-less bad rows already quarantined on the first page: such a row
        # cannot move the cursor, so its position is what keeps it from being taken twice.
        self.quarantined_positions = quarantined_positions or set()
        # Admin resets whose fresh models are among `tasks`: applied if rows are learned.
        self.resets = resets or []
        # Those tasks: their fresh races start with the first rows fed.
        self.fresh_races = fresh_races or []
        self.race_rows: list[RaceRow] = []
        self.next_page, self.last_id = start.next_page, start.last_id
        self.pages = 0
        self.learned: list[LearnedRowValues] = []
        self.quarantined: list[dict[str, Any]] = []
        self.outputs: dict[str, list[dict[str, Any]]] = {CLASSIFICATION: [], REGRESSION: []}

    def take(self, rows: list[Any]) -> bool:
        """Learn the new rows of the next page; True while the pages are full (the stream
        goes on), False at a partial page, which is read again on the next tick."""
        page = self.next_page
        self.pages += 1
        version = self.start.model_version + 1
        for position, raw in enumerate(rows):
            row_id = source_id(raw)
            if row_id is not None and self.last_id is not None and row_id <= self.last_id:
                continue  # consumed by an earlier tick: exactly once
            try:
                row = parse_row(raw)
            except BadRow as reason:
                known = page == self.start.next_page and position in self.quarantined_positions
                if row_id is None and known:
                    continue
                self.quarantined.append(_quarantine_entry(page, position, row_id, raw, reason))
                self.last_id = row_id if row_id is not None else self.last_id
                continue
            classified = self.tasks[CLASSIFICATION].step(row)
            regressed = self.tasks[REGRESSION].step(row)
            self.outputs[CLASSIFICATION].append(classified)
            self.outputs[REGRESSION].append(regressed)
            self.learned.append(
                {
                    "id": row.id,
                    "page": page,
                    "competence": row.competence,
                    "network_ability": row.network_ability,
                    "promoted": row.promoted,
                    "predicted_promoted": classified["predicted"],
                    "promoted_probability": classified["probability"],
                    "predicted_network_ability": regressed["predicted"],
                    "model_version": version,
                }
            )
            probability, predicted = classified["probability"], regressed["predicted"]
            self.race_rows.append(
                (row.id, row.competence, row.network_ability, row.promoted, probability, predicted)
            )
            self.last_id = row.id
        if len(self.race_rows) >= RACE_BATCH_ROWS:
            self.feed_races()
        full = len(rows) >= PAGE_SIZE
        if full:
            self.next_page = page + 1
        return full

    def feed_races(self) -> None:
        """Hand the rows learned since the last call to the races."""
        if self.race_rows:
            self.feed(self.race_rows, self.fresh_races)
            self.race_rows, self.fresh_races = [], []

    def write(self, *, races_moved: bool = False) -> TickWrite | None:
        """What to commit, or None when the tick changed nothing at all; every row it
        learned has gone to the races. `races_moved`: the races have come further since
        the last commit, a new model version even without rows."""
        self.feed_races()
        cursor = replace(
            self.start,
            next_page=self.next_page,
            last_id=self.last_id,
            rows_seen=self.start.rows_seen + len(self.learned),
            rows_quarantined=self.start.rows_quarantined + len(self.quarantined),
            # The version moves only with the models: a tick that only quarantines moves
            # the cursor but not the version.
            model_version=self.start.model_version + bool(self.learned or races_moved),
        )
        if cursor == self.start:
            return None
        return TickWrite(
            cursor=cursor,
            learned=self.learned,
            quarantined=self.quarantined,
            applied_resets=self.resets if self.learned else [],
        )


def _quarantine_entry(
    page: int, position: int, row_id: int | None, raw: Any, reason: BadRow
) -> dict[str, Any]:
    payload = json.dumps(raw, default=repr)[:QUARANTINE_PAYLOAD_LIMIT]
    return {
        "page": page,
        "position": position,
        "source_id": row_id,
        "payload": payload,
        "reason": str(reason),
    }
