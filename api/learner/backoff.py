"""How long to wait after failures in a row: exponential, capped, with jitter."""

import random


def backoff_seconds(failures: int, *, base: float, ceiling: float, draw=random.uniform) -> float:
    """Uniform in [c/2, c] with c = min(ceiling, base * 2**(failures - 1)).

    The jitter keeps several learners (or a restarted one) from hammering a recovering
    source in step.

    >>> [backoff_seconds(n, base=2, ceiling=30, draw=max) for n in (1, 2, 3)]
    [2.0, 4.0, 8.0]
    >>> backoff_seconds(10, base=2, ceiling=30, draw=min)
    15.0
    """
    step = min(ceiling, base * 2 ** (max(failures, 1) - 1))
    return float(draw(step / 2, step))
