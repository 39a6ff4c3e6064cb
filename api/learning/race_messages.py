"""What the learner and the race process hand each other: races as pickled blobs, and
the answers that say how far the races have come.

Value types only: the learner keeps the blobs it is handed and never unpickles a race
(`api.learner.race_process` owns the pipes, `api.learner.race_worker` the process).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.core import pickles
from api.learning.committed import ChampionChangeValues, LeaderboardEntry

if TYPE_CHECKING:
    from api.learning.race import Race


@dataclass(frozen=True)
class RaceBlob:
    """A race pickled as it stood after `rows_raced` rows, the last of id `last_id`;
    without `data`, a fresh race at the start of the stream that is yet to be built."""

    data: bytes | None
    rows_raced: int = 0
    last_id: int | None = None

    @classmethod
    def of(cls, race: "Race") -> "RaceBlob":
        return cls(pickles.dumps(race), race.rows_raced, race.last_id)

    def load(self) -> "Race":
        if self.data is None:
            raise ValueError("a fresh race has no blob to load")
        return pickles.loads(self.data)


@dataclass(frozen=True)
class RaceState:
    """One task's race as an answer left it."""

    blob: RaceBlob
    champion: str
    leaderboard: list[LeaderboardEntry]  # every candidate's entry, the reference first
    changes: list[ChampionChangeValues]  # champion changes since the previous answer


@dataclass(frozen=True)
class RaceReport:
    """Both races after the same row: the `rows_raced`-th of the stream, of id `last_id`."""

    rows_raced: int
    last_id: int | None
    tasks: dict[str, RaceState]
