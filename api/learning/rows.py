"""Validation of the rows the stream serves: a good row is learned, a bad one quarantined."""

import math
import reprlib
from dataclasses import dataclass
from typing import Any

# The ids the tables' integer columns hold on every backend (32 bits on PostgreSQL): a row
# whose id does not fit would fail every commit, so it is quarantined like any bad row.
ID_RANGE = range(-(2**31), 2**31)
# Beyond this a feature's square, summed over any number of rows, overflows the models'
# float arithmetic, and the row would fail every tick that tried to learn it.
FEATURE_LIMIT = 1e100


# Rows on a full page of the stream: a page with fewer is its end, for now.
PAGE_SIZE = 10

# One learned row as the races need it: its id, competence, network_ability, promoted, and
# the reference's progressive probability of promotion and prediction of network_ability.
RaceRow = tuple[int, float, float, bool, float, float]


@dataclass(frozen=True, slots=True)
class StreamRow:
    id: int
    competence: float
    network_ability: float
    promoted: bool


class BadRow(ValueError):
    """A row that cannot be learned; the message is the quarantine reason."""


def _number(raw: dict[str, Any], field: str) -> float:
    if field not in raw:
        raise BadRow(f"missing field {field!r}")
    value = raw[field]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRow(f"{field!r} must be a number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise BadRow(f"{field!r} must be finite, got {_shown(value)}")
    if abs(number) > FEATURE_LIMIT:
        raise BadRow(f"{field!r} is too large to learn (over {FEATURE_LIMIT:g}), got {number:g}")
    return number


def _shown(value: Any) -> str:
    """The offending value in a quarantine reason, cut short whatever its size."""
    text = reprlib.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def source_id(raw: Any) -> int | None:
    """The row's id when it has a usable one, so a bad row can still move the cursor."""
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, int) and not isinstance(value, bool) and value in ID_RANGE:
            return value
    return None


def parse_row(raw: Any) -> StreamRow:
    """A validated row, or BadRow saying what is wrong with it.

    >>> parse_row({"id": 3, "competence": 0.5, "network_ability": 1, "promoted": False})
    StreamRow(id=3, competence=0.5, network_ability=1.0, promoted=False)
    >>> parse_row({"id": 4, "competence": float("nan"), "network_ability": 0.1, "promoted": True})
    Traceback (most recent call last):
    ...
    api.learning.rows.BadRow: 'competence' must be finite, got nan
    """
    if not isinstance(raw, dict):
        raise BadRow(f"row must be a JSON object, got {type(raw).__name__}")
    row_id = source_id(raw)
    if row_id is None:
        raise BadRow(
            "missing field 'id'"
            if "id" not in raw
            else f"'id' must be an integer in [-2**31, 2**31), got {_shown(raw['id'])}"
        )
    competence = _number(raw, "competence")
    network_ability = _number(raw, "network_ability")
    if "promoted" not in raw:
        raise BadRow("missing field 'promoted'")
    if not isinstance(raw["promoted"], bool):
        raise BadRow(f"'promoted' must be a boolean, got {_shown(raw['promoted'])}")
    return StreamRow(row_id, competence, network_ability, raw["promoted"])
