"""Bounded storage: what grows with the stream is pruned after each tick, in small steps.

- Learned rows: the newest `LEARNED_ROWS_KEPT`. Never a row a kept version's races would
  race again on a restore or a rewind to it, so a rewind reaches every kept version.
- Quarantined rows: the newest `QUARANTINED_ROWS_KEPT`.
- Records: every version of the newest `RECORDS_KEPT` whole, older versions thinned to
  one in `OLDER_RECORDS_EVERY` (what `history` draws over a long stream). Never the
  record of a kept version.

A step deletes at most `STEP_ROWS` rows a table (more during a catch-up, as many as the
tick learned, so that pruning keeps up) and `STEP_VERSIONS` versions of records, in a
transaction of its own after the tick's commit: a backlog of old rows (a database from
before retention, a lowered setting) goes over many ticks, none of them stalled. Nothing
pruned is needed again: the source serves old pages again if a rewind asks for them.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api import crud
from api.core.config import Settings

STEP_ROWS = 5_000
STEP_VERSIONS = 500


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


def prune(
    session: Session, retention: Retention, *, model_version: int, learned: int = 0
) -> dict[str, int]:
    """One step of pruning in the caller's transaction, at `model_version`, after a tick
    that learned `learned` rows; the rows deleted from each table."""
    step = max(STEP_ROWS, learned)
    return {
        "learned_row": _prune_learned_rows(session, retention.learned_rows, step),
        "quarantined_row": _prune_quarantined_rows(session, retention.quarantined_rows, step),
        "model_record": _thin_records(session, retention, model_version),
    }


def _prune_learned_rows(session: Session, kept: int, step: int) -> int:
    oldest, newest = crud.read_learned_span(session)
    if oldest is None or newest is None:
        return 0
    through = min(newest - kept, oldest + step - 1)
    floor = crud.read_races_floor(session)
    if floor is not None:
        through = min(through, floor)
    return crud.delete_learned_rows(session, through=through) if through >= oldest else 0


def _prune_quarantined_rows(session: Session, kept: int, step: int) -> int:
    oldest, newest = crud.read_quarantine_span(session)
    if oldest is None or newest is None:
        return 0
    through = min(newest - kept, oldest + step - 1)
    return crud.delete_quarantined_rows(session, through=through) if through >= oldest else 0


def _thin_records(session: Session, retention: Retention, model_version: int) -> int:
    every = retention.older_records_every
    if every == 1:
        return 0
    last = model_version - retention.records
    oldest_kept = crud.read_oldest_checkpoint(session)
    if oldest_kept is not None:
        last = min(last, oldest_kept - 1)
    first = crud.read_first_unthinned_version(session, every=every)
    if first is None or first > last:
        return 0
    last = min(last, first + STEP_VERSIONS - 1)
    return crud.thin_records(session, first=first, last=last, every=every)
