"""Fault injection for tests and demos, off by default and seeded.

Requests: a share `error_rate` is answered 500 or 503, drawn from a generator seeded by
the simulator's seed, and every data request waits `latency_ms` more.

Rows: whether a row is malformed, and how, depends on (seed, row id) alone, so a row is
served the same broken way every time it is fetched, like a bad record in a real source.
Tests elsewhere call `is_malformed` to know exactly which ids a consumer must quarantine.
One value field of the row is broken; the id is always intact so the row can be named.
"""

import hashlib
import math
import random
from dataclasses import dataclass, field

MALFORMED_FIELDS = ("competence", "network_ability", "promoted")
MALFORMATIONS = ("missing", "null", "string", "nan", "infinity")
ERROR_STATUSES = (500, 503)

_BROKEN_VALUES = {"null": None, "string": "abc", "nan": math.nan, "infinity": math.inf}


def _row_digest(row_id: int, seed: int) -> bytes:
    # A hash rather than an RNG: stable across numpy and Python versions, and cheap enough
    # to compute for every id of a large dataset.
    key = f"{seed}:{row_id}".encode()
    return hashlib.blake2b(key, digest_size=16, person=b"malformed").digest()


def is_malformed(row_id: int, *, seed: int, rate: float) -> bool:
    """Whether row `row_id` is served malformed: the same answer on every fetch.

    Monotone in `rate`: a row malformed at one rate is malformed at every higher rate.

    >>> is_malformed(1, seed=42, rate=0.0), is_malformed(1, seed=42, rate=1.0)
    (False, True)
    >>> 900 < sum(is_malformed(i, seed=42, rate=0.1) for i in range(1, 10_001)) < 1100
    True
    """
    draw = int.from_bytes(_row_digest(row_id, seed)[:8], "big") / 2**64
    return draw < rate


def malformation(row_id: int, *, seed: int) -> tuple[str, str]:
    """(field, kind) of the damage a malformed row gets; kind is one of MALFORMATIONS."""
    digest = _row_digest(row_id, seed)
    return (
        MALFORMED_FIELDS[digest[8] % len(MALFORMED_FIELDS)],
        MALFORMATIONS[digest[9] % len(MALFORMATIONS)],
    )


def malform(row: dict, *, seed: int) -> dict:
    """A copy of `row` with one value field missing, null, a string, NaN or infinite.

    >>> row = {"id": 3, "competence": 0.5, "network_ability": 0.5, "promoted": True}
    >>> malform(row, seed=42) == malform(row, seed=42) != row
    True
    """
    field_name, kind = malformation(row["id"], seed=seed)
    broken = dict(row)
    if kind == "missing":
        del broken[field_name]
    else:
        broken[field_name] = _BROKEN_VALUES[kind]
    return broken


@dataclass
class RequestFaults:
    """The per-request knobs: a seeded share of 5xx answers and a fixed extra latency."""

    error_rate: float
    latency_ms: int
    seed: int
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"errors:{self.seed}")

    def draw_error_status(self) -> int | None:
        """500 or 503 for a share `error_rate` of calls, else None."""
        if self.error_rate and self._rng.random() < self.error_rate:
            return self._rng.choice(ERROR_STATUSES)
        return None
