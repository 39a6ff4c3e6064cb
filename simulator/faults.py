"""Fault injection for tests and demos, off by default and seeded.

Requests, each fault drawn per request from a generator seeded by the simulator's seed:
- a share `error_rate` is answered 500 (an HTML error page, as a crashed server or a proxy
  sends) or 503 (a JSON detail);
- a share `html_rate` is answered 200 with an HTML page instead of JSON (a captive portal
  or a misrouted proxy);
- a share `truncate_rate` has its body cut off halfway and the connection dropped;
- a share `slow_rate` waits `slow_ms` before answering (by default long enough that a
  client with a short timeout gives up and abandons the request);
- every data request waits `latency_ms` more.

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


HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>{status} {reason}</title></head>"
    "<body><h1>{reason}</h1><p>The server could not complete your request.</p></body></html>"
)
HTML_PORTAL_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in</title></head>"
    "<body><form action='/login'><input name='user'></form></body></html>"
)


@dataclass(frozen=True)
class RequestFault:
    """What one request gets: a delay, and at most one way of failing."""

    delay_ms: int = 0
    status: int | None = None
    html: bool = False
    truncate: bool = False


@dataclass
class RequestFaults:
    """The per-request knobs, each a seeded share of requests."""

    error_rate: float
    latency_ms: int
    seed: int
    html_rate: float = 0.0
    truncate_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: int = 3000
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"errors:{self.seed}")

    def _drawn(self, rate: float) -> bool:
        return bool(rate) and self._rng.random() < rate

    def draw(self) -> RequestFault:
        """The fault of the next request.

        >>> RequestFaults(error_rate=0, latency_ms=5, seed=1).draw()
        RequestFault(delay_ms=5, status=None, html=False, truncate=False)
        >>> RequestFaults(error_rate=0, latency_ms=0, seed=1, truncate_rate=1.0).draw().truncate
        True
        """
        delay = self.latency_ms + (self.slow_ms if self._drawn(self.slow_rate) else 0)
        if self._drawn(self.error_rate):
            status = self._rng.choice(ERROR_STATUSES)
            return RequestFault(delay, status=status, html=status == 500)
        if self._drawn(self.html_rate):
            return RequestFault(delay, status=200, html=True)
        return RequestFault(delay, truncate=self._drawn(self.truncate_rate))
