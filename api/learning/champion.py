"""Which candidate answers: the best rolling score, with hysteresis so it does not flap.

A challenger takes over only when its rolling loss is below the champion's by at least
`margin` (a fraction of the champion's loss) on `sustain` consecutive rows, each judged
on a full window of both. A lead that lapses for one row starts the count again, and so
does a different challenger taking the lead.

>>> from collections import deque
>>> champion = Champion("reference", margin=0.1, sustain=3)
>>> losses = deque([{"reference": 1.0, "tree": 0.95}] * 2 + [{"reference": 1.0, "tree": 0.8}] * 3)
>>> [champion.observe(losses.popleft(), full={"reference", "tree"}) for _ in range(5)]
[None, None, None, None, ('reference', 'tree')]
>>> champion.name
'tree'
"""

from dataclasses import dataclass


@dataclass
class Champion:
    name: str
    margin: float
    sustain: int
    challenger: str | None = None
    lead: int = 0  # consecutive rows the challenger has beaten the champion by the margin

    def observe(self, losses: dict[str, float], *, full: set[str]) -> tuple[str, str] | None:
        """One row's rolling losses; (previous, new) when the champion changes on it.
        Only candidates in `full` (their window filled) are judged."""
        if self.name not in full:
            self.challenger, self.lead = None, 0
            return None
        best = min(
            (name for name in full if name != self.name), key=losses.__getitem__, default=None
        )
        if best is None or losses[best] >= losses[self.name] * (1.0 - self.margin):
            self.challenger, self.lead = None, 0
            return None
        self.lead = self.lead + 1 if best == self.challenger else 1
        self.challenger = best
        if self.lead < self.sustain:
            return None
        previous, self.name = self.name, best
        self.challenger, self.lead = None, 0
        return previous, best
