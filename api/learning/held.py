"""Rows the fence held back, until the stream says what they were.

A row beyond the fence (`api.learning.fence`) is held, not learned. While such rows stay
rare, each is an outlier: once `GIVE_UP_ROWS` more rows have been taken after it, it is
quarantined with the fence's reason. When they become the rule, `SHIFT_ROWS` of them held
at once (within the last `GIVE_UP_ROWS` rows taken), the world has shifted: the fence of
the features they cross is drawn from them and they are learned, in order. A unit change
of a feature is thus learned after `SHIFT_ROWS` rows, while a whole page of absurd values
stays an outlier.

Held rows are committed with each tick in a table of their own (`held_row`) and the
cursor counts them, so they survive a restart exactly once like everything else. A row's
place in the stream (`taken`) is the number of rows taken before it, learned, quarantined
or held: rows_seen + rows_quarantined + rows_held never goes back.
"""

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from api.learning.committed import HeldRowValues
from api.learning.fence import Beyond
from api.learning.rows import StreamRow

GIVE_UP_ROWS = 100
SHIFT_ROWS = 30


@dataclass
class HeldRow:
    row: StreamRow
    page: int
    position: int  # on its page
    taken: int  # rows taken before it
    features: tuple[str, ...]  # those beyond the fence
    reason: str

    @classmethod
    def of(cls, row: StreamRow, page: int, position: int, taken: int, beyond: list[Beyond]):
        reason = "; ".join(b.reason() for b in beyond)
        return cls(row, page, position, taken, tuple(b.feature for b in beyond), reason)

    def payload(self) -> str:
        row = self.row
        fields = {"id": row.id, "competence": row.competence}
        fields.update(network_ability=row.network_ability, promoted=row.promoted)
        return json.dumps(fields)

    def stored(self) -> HeldRowValues:
        """Its row of `held_row`."""
        return {
            "page": self.page,
            "position": self.position,
            "source_id": self.row.id,
            "taken": self.taken,
            "features": ",".join(self.features),
            "payload": self.payload(),
            "reason": self.reason,
        }

    @classmethod
    def from_stored(cls, stored: Any) -> "HeldRow":
        """From its row of `held_row` (anything with its columns as attributes)."""
        return cls(
            StreamRow(**json.loads(stored.payload)),
            stored.page,
            stored.position,
            stored.taken,
            tuple(stored.features.split(",")),
            stored.reason,
        )


def given_up(held: list[HeldRow], taken: int) -> list[HeldRow]:
    """Pop the held rows that `GIVE_UP_ROWS` rows have followed without a shift."""
    outliers = []
    while held and taken - held[0].taken > GIVE_UP_ROWS:
        outliers.append(held.pop(0))
    return outliers


def shifted_features(held: list[HeldRow]) -> list[str]:
    """The features of a shift: none while the held rows are fewer than `SHIFT_ROWS`, else
    those that at least half of them cross."""
    if len(held) < SHIFT_ROWS:
        return []
    counts = Counter(feature for row in held for feature in row.features)
    return sorted(feature for feature, count in counts.items() if 2 * count >= SHIFT_ROWS)
