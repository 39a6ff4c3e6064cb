"""The outlier fence: what a clean stream never reaches, drawn from robust statistics.

For each fenced feature the fence keeps the last `WINDOW_ROWS` values it let through and,
every `REDRAW_ROWS` of them, draws itself again from their quartiles:
[q1 - width * IQR, q3 + width * IQR]. Quartiles do not move for a few absurd values, so the
fence stands where the stream is, however wild its outliers; a width of 10 IQRs is never
met by the uniform, normal or beta features a clean stream has (by a normal feature
beyond 14 standard deviations), and is met at once by a unit mistake.

Quartiles need rows. Until `EARLY_ROWS` rows have come through there is no fence: every
finite row is learned. From then until `WARM_UP_ROWS`, an early fence, drawn again at
every row, stands `width` times the whole range of the values so far beyond them: wide
enough that a few values of a clean stream, whatever their shape, never meet it, and
still met at once by a unit mistake.

A row beyond the fence is held back by the learner (`api.learning.held`), which decides
later whether it was an outlier or the first of a new world. After a shift the fence of
that feature is drawn from the new rows alone (`relearn`).

>>> from api.learning.rows import StreamRow
>>> fence = OutlierFence(width=10.0)
>>> for i in range(100):
...     fence.learn(StreamRow(i, competence=i / 100, network_ability=0.5, promoted=True))
>>> fence.beyond(StreamRow(100, competence=0.42, network_ability=0.5, promoted=False))
[]
>>> [b.reason() for b in fence.beyond(StreamRow(101, 4.2e5, 0.5, promoted=False))]
['outlier: competence 420000 is 1.71e+06 IQRs above the fence [-2.3275, 2.8175]']
"""

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

FENCED = ("competence", "network_ability")
WINDOW_ROWS = 1_000
REDRAW_ROWS = 250
WARM_UP_ROWS = 50
EARLY_ROWS = 10
DEFAULT_WIDTH = 10.0


@dataclass(frozen=True)
class Beyond:
    """A value beyond the fence: which feature, how far, and the fence it crossed."""

    feature: str
    value: float
    low: float
    high: float
    distance: float  # how far beyond, in `unit`: spreads of the fence's values
    unit: str = "IQRs"

    def reason(self) -> str:
        side = "above" if self.value > self.high else "below"
        return (
            f"outlier: {self.feature} {self.value:.6g} is {self.distance:.3g} {self.unit} {side} "
            f"the fence [{self.low:.6g}, {self.high:.6g}]"
        )


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float
    spread: float  # the interquartile range, or what stands for it
    median: float
    unit: str = "IQRs"  # what `spread` is, as a reason tells it

    @property
    def early(self) -> bool:
        return self.unit != "IQRs"


def quantile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values, linearly interpolated.

    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    """
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def bounds_of(values: list[float], width: float) -> Bounds:
    ordered = sorted(values)
    q1, median, q3 = (quantile(ordered, q) for q in (0.25, 0.5, 0.75))
    # A feature with few distinct values has no IQR: the spread of its middle 98%, or its
    # size, stands in (never its whole range, which one outlier would make absurd).
    spread = q3 - q1 or quantile(ordered, 0.99) - quantile(ordered, 0.01) or abs(median) or 1.0
    return Bounds(q1 - width * spread, q3 + width * spread, spread, median)


def early_bounds_of(values: list[float], width: float) -> Bounds:
    """The fence of a few values: `width` times their range beyond them (their size, or
    1, when they are all one value).

    >>> early_bounds_of([2.0, 5.0, 4.0, 3.0, 6.0, 2.5, 4.5, 3.5, 5.5, 3.0], 10.0)
    Bounds(low=-38.0, high=46.0, spread=4.0, median=3.75, unit='ranges of the first rows')
    """
    ordered = sorted(values)
    median = quantile(ordered, 0.5)
    spread = ordered[-1] - ordered[0] or abs(median) or 1.0
    low, high = ordered[0] - width * spread, ordered[-1] + width * spread
    return Bounds(low, high, spread, median, unit="ranges of the first rows")


class OutlierFence:
    """Per feature, the recent values let through and the fence drawn from them."""

    def __init__(self, width: float = DEFAULT_WIDTH):
        self.width = width
        self.values: dict[str, deque[float]] = {f: deque(maxlen=WINDOW_ROWS) for f in FENCED}
        self.bounds: dict[str, Bounds] = {}
        self.since_redraw = 0
        self.redraw_at = EARLY_ROWS  # the first, early fence stands after as many rows

    def beyond(self, row: Any) -> list[Beyond]:
        """The fenced values of `row` beyond the fence; none before it stands."""
        beyond = []
        for feature, bounds in self.bounds.items():
            value = getattr(row, feature)
            if bounds.low <= value <= bounds.high:
                continue
            edge = bounds.high if value > bounds.high else bounds.low
            distance = abs(value - edge) / bounds.spread
            beyond.append(
                Beyond(feature, value, bounds.low, bounds.high, distance, unit=bounds.unit)
            )
        return beyond

    def admit(self, row: Any) -> list[Beyond]:
        """Judge `row` and, when it is inside the fence, let it through (`learn`)."""
        beyond = self.beyond(row) if self.bounds else []
        if not beyond:
            self.learn(row)
        return beyond

    def learn(self, row: Any) -> None:
        """A row let through: its values count towards the fence."""
        for feature, values in self.values.items():
            values.append(getattr(row, feature))
        self.since_redraw += 1
        if self.since_redraw >= self.redraw_at:
            self.redraw()

    def redraw(self) -> None:
        """Draw the fence of each feature with enough values again (one relearnt from
        fewer new values keeps its fence until it has enough); an early fence is drawn
        again at every row until the warm-up ends."""
        self.since_redraw = 0
        warming = False
        for feature, values in self.values.items():
            bounds = self.bounds.get(feature)
            if len(values) >= WARM_UP_ROWS:
                self.bounds[feature] = bounds_of(list(values), self.width)
            elif bounds is None or bounds.early:
                warming = True
                if len(values) >= EARLY_ROWS:
                    self.bounds[feature] = early_bounds_of(list(values), self.width)
        if not self.bounds:
            fewest = min(len(values) for values in self.values.values())
            self.redraw_at = max(EARLY_ROWS - fewest, 1)
        else:
            self.redraw_at = 1 if warming else REDRAW_ROWS

    def relearn(self, feature: str, values: list[float]) -> None:
        """After a shift: the fence of `feature` is drawn from the new world's values alone,
        and its window fills with the values let through from now on."""
        self.values[feature] = deque(maxlen=WINDOW_ROWS)
        self.bounds[feature] = bounds_of(values, self.width)

    def median(self, feature: str) -> float | None:
        bounds = self.bounds.get(feature)
        return None if bounds is None else bounds.median

    def configure(self, width: float) -> None:
        """The width this run asks for; the fence is drawn again with it."""
        if width != self.width:
            self.width = width
            self.redraw()
