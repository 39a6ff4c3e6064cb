"""One tick's learning, page by page: the rows it learned, quarantined and held back.

For every row not consumed yet each task runs `learn_one` (predict, score, learn): the
order of River's `progressive_val_score`. Bad rows are set aside for the quarantine; a
row beyond the outlier fence is held back (`api.learning.held`) until it is quarantined
as an outlier or, with the others of a shift, learned. Each learned row then goes to the
races (`feed`, a hundred at a time), which learn it at their own pace. The models and the
fence are the only things changed in place; what the tick did is kept as plain values,
from which `api.learning.commit` builds the one transaction the learner commits.
"""

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from api.learning import held as holding
from api.learning.committed import HeldRowValues, LearnedRowValues, QuarantinedRowValues
from api.learning.cursor import Cursor
from api.learning.fence import OutlierFence
from api.learning.held import HeldRow
from api.learning.names import CLASSIFICATION, REGRESSION
from api.learning.rows import PAGE_SIZE, BadRow, RaceRow, StreamRow, parse_row, source_id
from api.learning.tasks import Task

FENCE_DETECTOR = "fence"

QUARANTINE_PAYLOAD_LIMIT = 2_000
# Rows handed to the races at once: enough that the hand-over costs little per row, few
# enough that the races start while the tick is still fetching.
RACE_BATCH_ROWS = 100


class Tick:
    """The tick under way: `learn_page` with each page in order, then the commit is built
    from it (`api.learning.commit`)."""

    def __init__(
        self,
        start: Cursor,
        tasks: dict[str, Task],
        *,
        feed: Callable[[list[RaceRow], list[str]], None],
        fence: OutlierFence | None = None,
        held: list[HeldRow] | None = None,
        quarantined_positions: set[int] | None = None,
        resets: list[int] | None = None,
        fresh_races: list[str] | None = None,
    ):
        self.start, self.tasks, self.feed = start, tasks, feed
        self.fence = fence
        # Rows held back, the committed ones first; `held_at_start` says which those are.
        self.held = list(held or [])
        self.held_at_start = {(row.page, row.position) for row in self.held}
        self.taken = start.rows_taken
        self.newly_held = 0  # rows this tick held back, whatever became of them
        self.shift_learned = 0
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
        self.quarantined: list[QuarantinedRowValues] = []
        self.outliers = 0  # of the quarantined rows, those the fence held back first
        self.outputs: dict[str, list[dict[str, Any]]] = {CLASSIFICATION: [], REGRESSION: []}

    def learn_page(self, rows: list[Any]) -> bool:
        """Learn the new rows of the next page; True while the pages are full (the stream
        goes on), False at a partial page, which is read again on the next tick."""
        page = self.next_page
        self.pages += 1
        if self.fence is None and self.held:
            self._release(list(self.held))  # held by a run with the fence on: learn them
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
                payload = json.dumps(raw, default=repr)[:QUARANTINE_PAYLOAD_LIMIT]
                self.quarantined.append(
                    _quarantine_entry(page, position, row_id, payload, str(reason), self.taken)
                )
                self.last_id = row_id if row_id is not None else self.last_id
            else:
                beyond = self.fence.admit(row) if self.fence is not None else None
                if beyond:
                    self.held.append(HeldRow.of(row, page, position, self.taken, beyond))
                    self.newly_held += 1
                else:
                    self._learn(row, page)
                self.last_id = row.id
            self.taken += 1
            if self.held:
                self._settle_held()
        if len(self.race_rows) >= RACE_BATCH_ROWS:
            self.feed_races()
        full = len(rows) >= PAGE_SIZE
        if full:
            self.next_page = page + 1
        return full

    def _learn(self, row: StreamRow, page: int) -> None:
        """One row of progressive validation for each task, then the row to the races."""
        classified = self.tasks[CLASSIFICATION].learn_one(row)
        regressed = self.tasks[REGRESSION].learn_one(row)
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
                "model_version": self.start.model_version + 1,
                "rows_seen": self.start.rows_seen + len(self.learned) + 1,
            }
        )
        probability, predicted = classified["probability"], regressed["predicted"]
        self.race_rows.append(
            (row.id, row.competence, row.network_ability, row.promoted, probability, predicted)
        )

    def _settle_held(self) -> None:
        """Quarantine the held rows that stayed rare; learn them when they shifted."""
        for outlier in holding.given_up(self.held, self.taken):
            self.outliers += 1
            self.quarantined.append(
                _quarantine_entry(
                    outlier.page,
                    outlier.position,
                    outlier.row.id,
                    outlier.payload(),
                    outlier.reason,
                    outlier.taken,
                )
            )
        features = holding.shifted_features(self.held)
        if features and self.fence is not None:
            self._shift(features, self.fence)

    def _shift(self, features: list[str], fence: OutlierFence) -> None:
        """The held rows are a new world: the fence of `features` is drawn from them, each
        task records the shift, and the rows now inside the fence are learned in order."""
        before = fence.median(features[0])
        for feature in features:
            fence.relearn(
                feature, [getattr(h.row, feature) for h in self.held if feature in h.features]
            )
        inside = [held for held in self.held if not fence.beyond(held.row)]
        for task in self.tasks.values():
            loss_after = sum(task.loss_of(held.row) for held in inside) / max(len(inside), 1)
            task.record_change(
                FENCE_DETECTOR,
                task.recent_loss(),
                loss_after,
                feature=",".join(features),
                value_before=before,
                value_after=fence.median(features[0]),
            )
        self._release(inside)

    def _release(self, rows: list[HeldRow]) -> None:
        """Learn these held rows, in the order they came."""
        for held in rows:
            self.held.remove(held)
            if self.fence is not None:
                self.fence.learn(held.row)
            self._learn(held.row, held.page)
            self.shift_learned += 1

    def feed_races(self) -> None:
        """Hand the rows learned since the last call to the races."""
        if self.race_rows:
            self.feed(self.race_rows, self.fresh_races)
            self.race_rows, self.fresh_races = [], []

    def cursor_after(self, *, races_moved: bool) -> Cursor:
        """Where the stream stands once the tick is committed. The version moves only with
        the models: when rows were learned, or the races came further since the last
        commit (`races_moved`); a tick that only quarantines or holds rows moves the
        cursor but not the version."""
        return replace(
            self.start,
            next_page=self.next_page,
            last_id=self.last_id,
            rows_seen=self.start.rows_seen + len(self.learned),
            rows_quarantined=self.start.rows_quarantined + len(self.quarantined),
            rows_held=len(self.held),
            model_version=self.start.model_version + bool(self.learned or races_moved),
        )

    def newly_held_rows(self) -> list[HeldRowValues]:
        """The rows held back at the end of the tick that were not held at its start."""
        return [
            row.stored() for row in self.held if (row.page, row.position) not in self.held_at_start
        ]

    def released_rows(self) -> list[tuple[int, int]]:
        """(page, position) of the rows held at the start that are held no more."""
        return sorted(self.held_at_start - {(row.page, row.position) for row in self.held})


def _quarantine_entry(
    page: int, position: int, row_id: int | None, payload: str, reason: str, taken: int
) -> QuarantinedRowValues:
    return {
        "page": page,
        "position": position,
        "source_id": row_id,
        "payload": payload,
        "reason": reason,
        "taken": taken,
    }
