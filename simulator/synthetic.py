"""The seeded synthetic dataset served when no challenge database exists.

Generating process (the challenge's causal shape, a collider)::

    competence       ~ Uniform(0, 1)
    network_ability  ~ Uniform(0, 1)            independent of competence
    logit P(promoted) = COMPETENCE_WEIGHT * (competence - 0.5)
                      + NETWORK_WEIGHT * (network_ability - 0.5)
    promoted         ~ Bernoulli(sigmoid(logit))

    competence --> promoted <-- network_ability

So in the population `competence` and `network_ability` are uncorrelated, and the
least-squares slope of network_ability on competence is 0. `promoted` is a collider:
within promoted (or within not promoted) rows the two are clearly negatively
correlated (Berkson's paradox), so a regression of network_ability on competence
*and* promoted finds a negative competence coefficient that is not causal. About
half the rows are promoted, and the noise of the Bernoulli draw caps a logistic
model at roughly 88-90% accuracy.

Drift (`SIMULATOR_DRIFT_AT_ROW`, 0 = never): from that row id on, the world changes
in one of three ways (`SIMULATOR_DRIFT_KIND`):

- `promotion` (the default): the promotion policy turns on competence. Network ability
  counts as before, and competence now counts against promotion as much as it counted
  for it (COMPETENCE_WEIGHT 12 -> -12)::

      logit P(promoted) = -COMPETENCE_WEIGHT * (competence - 0.5)
                        + NETWORK_WEIGHT * (network_ability - 0.5)

  A classifier of the old world is wrong on about 40% of the new rows, and the
  regression's competence coefficient changes sign (the collider now links low
  competence with promotion).
- `network`: the policy turns on network ability instead. Competence counts as before,
  and network ability now counts against promotion (NETWORK_WEIGHT 8 -> -8)::

      logit P(promoted) = COMPETENCE_WEIGHT * (competence - 0.5)
                        - NETWORK_WEIGHT * (network_ability - 0.5)

  So a test chooses which of the classifier's coefficients flips its sign.
- `competence`: the population changes, the policy does not. Competence is drawn from
  Uniform(0.5, 1) instead of Uniform(0, 1) (a better-trained intake), so most rows
  fall where promotion is likely.

The same uniform draws feed both worlds, so a row is the same with or without drift up
to the switch, and the collider shape holds on each side of it.

Rows are drawn in blocks of `BLOCK_ROWS` from a generator seeded by (seed, block),
so row i is the same whether it was made at start-up or appended later by the
growing stream.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

COMPETENCE_WEIGHT = 12.0
NETWORK_WEIGHT = 8.0
BLOCK_ROWS = 1_000

Row = tuple[int, float, float, bool]
DriftKind = Literal["promotion", "network", "competence"]
# The promotion rule's weights of (competence, network_ability) in its logit.
Weights = tuple[float, float]

WEIGHTS: Weights = (COMPETENCE_WEIGHT, NETWORK_WEIGHT)
# After a drift of each kind: one weight's sign flips, or (competence) the rule holds.
DRIFTED_WEIGHTS: dict[DriftKind, Weights] = {
    "promotion": (-COMPETENCE_WEIGHT, NETWORK_WEIGHT),
    "network": (COMPETENCE_WEIGHT, -NETWORK_WEIGHT),
    "competence": WEIGHTS,
}


@dataclass(frozen=True)
class Drift:
    """Where the world changes (row id; 0 = never) and how."""

    at_row: int = 0
    kind: DriftKind = "promotion"


NO_DRIFT = Drift()


def promotion_probability(
    competence: np.ndarray, network_ability: np.ndarray, *, after: DriftKind | None = None
) -> np.ndarray:
    """The true P(promoted | competence, network_ability): under the first rule, or under
    the rule in force after a drift of kind `after`.

    >>> competence, network_ability = np.array([0.75]), np.array([1.0])
    >>> promotion_probability(competence, network_ability).round(4)  # logit 12/4 + 8/2
    array([0.9991])
    >>> promotion_probability(competence, network_ability, after="network").round(4)  # 12/4 - 8/2
    array([0.2689])
    """
    weights = WEIGHTS if after is None else DRIFTED_WEIGHTS[after]
    logit = weights[0] * (competence - 0.5) + weights[1] * (network_ability - 0.5)
    return 1.0 / (1.0 + np.exp(-logit))


def _block(seed: int, block: int, drift: Drift) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, block])
    competence = rng.uniform(0.0, 1.0, BLOCK_ROWS)
    network_ability = rng.uniform(0.0, 1.0, BLOCK_ROWS)
    draw = rng.random(BLOCK_ROWS)
    ids = np.arange(block * BLOCK_ROWS + 1, (block + 1) * BLOCK_ROWS + 1)
    drifted = ids >= drift.at_row if drift.at_row > 0 else np.zeros(BLOCK_ROWS, dtype=bool)
    if drift.kind == "competence":
        competence = np.where(drifted, 0.5 + competence / 2, competence)
    promoted = draw < np.where(
        drifted,
        promotion_probability(competence, network_ability, after=drift.kind),
        promotion_probability(competence, network_ability),
    )
    return competence, network_ability, promoted


def generate_rows(
    *, start_id: int, count: int, seed: int, drift: Drift = NO_DRIFT
) -> Iterator[Row]:
    """Rows with ids start_id .. start_id + count - 1 (ids start at 1), deterministic per seed.

    >>> rows = list(generate_rows(start_id=1, count=3, seed=7))
    >>> [row[0] for row in rows]
    [1, 2, 3]
    >>> rows[1] == next(generate_rows(start_id=2, count=1, seed=7))
    True
    """
    end_id = start_id + count
    row_id = start_id
    while row_id < end_id:
        block, offset = divmod(row_id - 1, BLOCK_ROWS)
        competence, network_ability, promoted = _block(seed, block, drift)
        stop = min(BLOCK_ROWS, offset + end_id - row_id)
        for i in range(offset, stop):
            yield (row_id, float(competence[i]), float(network_ability[i]), bool(promoted[i]))
            row_id += 1
