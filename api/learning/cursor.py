"""Where the stream stands: the one value that moves with every committed tick."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cursor:
    """The next page to ask for, the last id consumed there, and what was committed.

    `last_id` also moves past quarantined and held rows that carry an id, so a partial
    page that fills up later is read on from where it stood and no row is taken twice.
    Every row taken is learned (`rows_seen`), quarantined or held back by the outlier
    fence (`rows_held`, until it is one of the other two).
    """

    next_page: int = 0
    last_id: int | None = None
    rows_seen: int = 0
    rows_quarantined: int = 0
    model_version: int = 0
    rows_held: int = 0

    @property
    def rows_taken(self) -> int:
        return self.rows_seen + self.rows_quarantined + self.rows_held
