"""Bounded storage: what grows with the stream is pruned after each tick, in small steps.

- Learned rows: the newest `LEARNED_ROWS_KEPT`. Never a row a kept version's races would
  race again on a restore or a rewind to it, so a rewind reaches every kept version.
- Quarantined rows: the newest `QUARANTINED_ROWS_KEPT`.
- Records: every version of the newest `RECORDS_KEPT` whole, older versions thinned to
  one in `OLDER_RECORDS_EVERY` (what `history` draws over a long stream). Never the
  record of a kept version.

A step runs in a transaction of its own after a tick's commit, when a step's worth has
grown (`Pace`): after every tick of a catch-up, after about a hundred ticks of a live
stream. It deletes at most `STEP_ROWS` rows a table (more during a catch-up, as many as
were learned since the last step, so that pruning keeps up) and `STEP_VERSIONS` versions
of records: a backlog of old rows (a database from before retention, a lowered setting)
goes a step a tick, none of them stalled. Nothing pruned is needed again: the source
serves old pages again if a rewind asks for them.
"""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from api import crud
from api.core.config import Settings

STEP_ROWS = 5_000
STEP_VERSIONS = 500
# A live tick learns a page and commits a version: a step for each would cost every tick
# a transaction and a few queries for a handful of rows (about 5 ms on 20), so the
# learner waits until this many rows or versions have grown since the last step.
PACE_ROWS = 1_000
PACE_VERSIONS = 100


@dataclass(frozen=True)
class Retention:
    learned_rows: int
    quarantined_rows: int
    records: int
    older_records_every: int

    @classmethod
    def of(cls, settings: Settings) -> "Retention":
        return cls(
            learned_rows=settings.LEARNED_ROWS_KEPT,
            quarantined_rows=settings.QUARANTINED_ROWS_KEPT,
            records=settings.RECORDS_KEPT,
            older_records_every=settings.OLDER_RECORDS_EVERY,
        )


@dataclass
class Pruned:
    deleted: dict[str, int] = field(default_factory=dict)  # rows, by table
    more: bool = False  # a step's bound stopped it: the next tick goes on


@dataclass
class Pace:
    """When the next step is due: what was learned and committed since the last one."""

    rows: int = PACE_ROWS  # due at start: what an earlier run left goes first
    versions: int = 0

    def count(self, rows: int) -> None:
        self.rows += rows
        self.versions += 1

    @property
    def due(self) -> bool:
        return self.rows >= PACE_ROWS or self.versions >= PACE_VERSIONS

    def pruned(self, step: Pruned) -> None:
        if not step.more:
            self.rows = self.versions = 0


def prune(
    session: Session, retention: Retention, *, model_version: int, learned: int = 0
) -> Pruned:
    """One step of pruning in the caller's transaction, at `model_version`, `learned` rows
    after the last step."""
    step = max(STEP_ROWS, learned)
    pruned = Pruned()
    for table, (deleted, more) in (
        ("learned_row", _prune_learned_rows(session, retention.learned_rows, step)),
        ("quarantined_row", _prune_quarantined_rows(session, retention.quarantined_rows, step)),
        ("model_record", _thin_records(session, retention, model_version)),
    ):
        pruned.deleted[table] = deleted
        pruned.more = pruned.more or more
    return pruned


def _prune_learned_rows(session: Session, kept: int, step: int) -> tuple[int, bool]:
    oldest, newest = crud.read_learned_span(session)
    if oldest is None or newest is None:
        return 0, False
    through = min(newest - kept, oldest + step - 1)
    more = through < newest - kept
    floor = crud.read_races_floor(session)
    if floor is not None and floor < through:
        through, more = floor, False  # the rest waits for the races, not for a step
    if through < oldest:
        return 0, False
    return crud.delete_learned_rows(session, through=through), more


def _prune_quarantined_rows(session: Session, kept: int, step: int) -> tuple[int, bool]:
    oldest, last = crud.read_quarantine_prunable(session, kept=kept)
    if oldest is None or last is None:
        return 0, False
    through = min(last, oldest + step - 1)
    return crud.delete_quarantined_rows(session, through=through), through < last


def _thin_records(session: Session, retention: Retention, model_version: int) -> tuple[int, bool]:
    every = retention.older_records_every
    if every == 1:
        return 0, False
    last = model_version - retention.records
    oldest_kept = crud.read_oldest_checkpoint(session)
    if oldest_kept is not None:
        last = min(last, oldest_kept - 1)
    first = crud.read_first_unthinned_version(session, every=every)
    if first is None or first > last:
        return 0, False
    through = min(last, first + STEP_VERSIONS - 1)
    return crud.thin_records(session, first=first, last=through, every=every), through < last
