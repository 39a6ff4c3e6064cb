"""Worlds made when a page is served: a feature multiplied at chosen rows, as units go wrong.

- Absurd rows (`SIMULATOR_ABSURD_IDS`, `SIMULATOR_ABSURD_FIELD`, `SIMULATOR_ABSURD_FACTOR`):
  each row whose id is listed is served with one feature multiplied by the factor (a
  million by default), a finite value absurdly far from all others, as a unit mistake
  upstream makes it. The rows around it are untouched.
- A feature scaled from a row on (`SIMULATOR_SCALE_FROM_ROW`, 0 = never,
  `SIMULATOR_SCALE_FIELD`, `SIMULATOR_SCALE_FACTOR`): every row whose id is at least that
  id is served with one feature multiplied by the factor (100 by default), a unit change
  for good.

Everything else about a row is served as stored: its id, the other feature, `promoted`.
A row both scaled and absurd gets both factors. A value that is not a number (a bad
record in a challenge file) is served as it is, and a zero stays zero.

Nothing is written: the rows are changed on their way out, like the malformed rows of
`simulator.faults` (which are broken after this). So one database file, generated or the
challenge's `main.db`, serves the clean world and the damaged one, and a row is served the
same way on every fetch.
"""

from dataclasses import dataclass
from typing import Literal

Feature = Literal["competence", "network_ability"]


@dataclass(frozen=True)
class Rescaling:
    """Which rows are served with a feature multiplied, and by what.

    >>> rescaling = Rescaling(absurd_ids=frozenset({2}), scale_from_row=3, scale_factor=10)
    >>> for row_id in (1, 2, 3):
    ...     rescaling.apply({"id": row_id, "competence": 0.5, "network_ability": 0.25})
    {'id': 1, 'competence': 0.5, 'network_ability': 0.25}
    {'id': 2, 'competence': 500000.0, 'network_ability': 0.25}
    {'id': 3, 'competence': 5.0, 'network_ability': 0.25}
    """

    absurd_ids: frozenset[int] = frozenset()
    absurd_field: Feature = "competence"
    absurd_factor: float = 1e6
    scale_from_row: int = 0
    scale_field: Feature = "competence"
    scale_factor: float = 100.0

    def apply(self, row: dict) -> dict:
        """`row` as this world serves it: a changed copy, or `row` itself."""
        row_id = row["id"]
        # A challenge file's id column may hold anything; only an integer id can be chosen.
        if not isinstance(row_id, int):
            return row
        scaled = 0 < self.scale_from_row <= row_id
        absurd = row_id in self.absurd_ids
        if not (scaled or absurd):
            return row
        served = dict(row)
        if scaled:
            _multiply(served, self.scale_field, self.scale_factor)
        if absurd:
            _multiply(served, self.absurd_field, self.absurd_factor)
        return served


def _multiply(row: dict, feature: Feature, factor: float) -> None:
    # The store hands numbers over as floats; anything else is a bad record, served as is.
    if type(row.get(feature)) is float:
        row[feature] *= factor
