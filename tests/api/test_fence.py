"""The outlier fence and the held rows' fate, as plain values."""

import math
import random
from types import SimpleNamespace

import pytest

from api.learning import held
from api.learning.fence import EARLY_ROWS, WARM_UP_ROWS, OutlierFence, bounds_of
from api.learning.held import HeldRow
from api.learning.rows import StreamRow


def row(row_id: int, competence: float, network_ability: float = 0.5) -> StreamRow:
    return StreamRow(row_id, competence, network_ability, promoted=row_id % 2 == 0)


def fence_of(values: list[float], width: float = 10.0) -> OutlierFence:
    """A fence drawn from `values` (competence) and bell-shaped network abilities."""
    fence, rng = OutlierFence(width), random.Random(len(values))
    for i, value in enumerate(values):
        fence.learn(row(i, value, network_ability=rng.gauss(3.0, 0.4)))
    fence.redraw()
    return fence


def test_there_is_no_fence_for_the_first_rows_and_an_early_one_until_the_warm_up_ends():
    fence = OutlierFence()
    for i in range(EARLY_ROWS - 1):
        fence.learn(row(i, 0.3 + i / 100, network_ability=3.0))
    assert fence.admit(row(9, 1e12)) == []  # learned: no fence stands yet
    fence = OutlierFence()
    for i in range(EARLY_ROWS):
        fence.learn(row(i, 0.3 + i / 100, network_ability=3.0 + i / 10))
    (early,) = fence.beyond(row(10, 1e6))  # the values so far span 0.09: 10 of them
    assert early.high == pytest.approx(0.39 + 0.9) and early.reason().startswith(
        "outlier: competence 1e+06 is 1.11e+07 ranges of the first rows above the fence"
    )
    for i in range(EARLY_ROWS, WARM_UP_ROWS - 1):
        fence.learn(row(i, 0.3 + i / 100, network_ability=3.0 + i / 10))
    assert fence.bounds["competence"].high == pytest.approx(0.78 + 10 * 0.48)  # 10 ranges
    fence.learn(row(WARM_UP_ROWS - 1, 0.79, network_ability=7.9))
    (warm,) = fence.beyond(row(50, 1e6))
    assert warm.unit == "IQRs" and warm.high == pytest.approx(0.6675 + 10 * 0.245)


@pytest.mark.parametrize("draw", ["uniform", "normal", "beta", "exponential"])
def test_a_clean_stream_never_meets_the_fence(draw):
    """200,000 values of each shape drawn after a fence of the first thousand."""
    rng = random.Random(draw)
    draws = {
        "uniform": lambda: rng.uniform(0, 1),
        "normal": lambda: rng.gauss(50, 10),
        "beta": lambda: rng.betavariate(2, 5),
        "exponential": lambda: rng.expovariate(1.0),
    }[draw]
    fence = fence_of([draws() for _ in range(1_000)])
    assert not any(fence.beyond(row(i, draws())) for i in range(200_000))


@pytest.mark.parametrize("draw", ["uniform", "normal", "beta", "exponential", "three values"])
def test_the_first_rows_of_a_clean_stream_never_meet_the_early_fence(draw):
    """2,000 streams of each shape, their first WARM_UP_ROWS rows through the fence."""
    rng = random.Random(f"early {draw}")
    draws = {
        "uniform": lambda: rng.uniform(-3, 7),
        "normal": lambda: rng.gauss(-20, 4),
        "beta": lambda: rng.betavariate(5, 2),
        "exponential": lambda: rng.expovariate(0.5),
        "three values": lambda: rng.choice([0.0, 1.0, 2.0]),
    }[draw]
    for _ in range(2_000):
        fence = OutlierFence()
        for i in range(WARM_UP_ROWS):
            assert fence.admit(row(i, draws(), network_ability=draws())) == []


def test_the_fence_is_ten_interquartile_ranges_beyond_the_quartiles_by_default():
    bounds = bounds_of([float(i) for i in range(101)], width=10.0)  # q1 25, q3 75
    assert (bounds.low, bounds.high, bounds.spread, bounds.median) == (-475.0, 575.0, 50.0, 50.0)


def test_a_feature_without_spread_is_fenced_by_its_middle_range_or_its_size():
    assert bounds_of([1.0] * 80 + [2.0] * 20, width=10.0).spread == 1.0
    assert bounds_of([4.0] * 100, width=10.0).spread == 4.0
    assert bounds_of([0.0] * 100, width=10.0).spread == 1.0


def test_a_value_beyond_says_which_side_and_how_far():
    fence = fence_of([float(i) / 100 for i in range(101)])  # IQR 0.5: fence [-4.75, 5.75]
    (above,) = fence.beyond(row(1, 10.75))
    assert above.distance == pytest.approx(10.0)
    assert above.reason() == "outlier: competence 10.75 is 10 IQRs above the fence [-4.75, 5.75]"
    (below,) = fence.beyond(row(2, -9.75))
    assert below.reason().startswith("outlier: competence -9.75 is 10 IQRs below the fence")


def test_a_few_absurd_values_do_not_move_the_fence():
    rng = random.Random(7)
    values = [rng.random() for _ in range(1_000)]
    clean = fence_of(values)
    spoiled = fence_of([1e9 if i % 100 == 0 else value for i, value in enumerate(values)])
    assert spoiled.bounds["competence"].high == pytest.approx(
        clean.bounds["competence"].high, rel=0.05
    )


def test_a_feature_of_one_value_and_an_absurd_one_keeps_a_fence_its_size():
    fence = fence_of([0.25] * 199 + [1e9])
    assert fence.bounds["competence"].high == pytest.approx(0.25 + 10 * 0.25)


def test_relearning_draws_the_fence_of_one_feature_from_the_new_values_alone():
    fence = fence_of([float(i) / 100 for i in range(101)])
    network_before = fence.bounds["network_ability"]
    fence.relearn("competence", [float(i) for i in range(100, 131)])
    assert fence.beyond(row(1, 115.0)) == []
    assert fence.beyond(row(1, 0.5)) == []  # within 10 IQRs of the new world
    assert fence.median("competence") == 115.0
    assert fence.bounds["network_ability"] == network_before


def test_a_new_width_redraws_the_fence():
    fence = fence_of([float(i) / 100 for i in range(101)])
    fence.configure(2.0)
    assert fence.bounds["competence"].high == pytest.approx(0.75 + 2 * 0.5)


def held_row(taken: int, *features: str) -> HeldRow:
    return HeldRow(
        row(taken, 1e6),
        page=taken // 10,
        position=taken % 10,
        taken=taken,
        features=features or ("competence",),
        reason="outlier: competence ...",
    )


def test_a_held_row_is_given_up_once_give_up_rows_more_rows_are_taken():
    rows = [held_row(5), held_row(40)]
    assert held.given_up(rows, taken=5 + held.GIVE_UP_ROWS) == []
    assert [r.taken for r in held.given_up(rows, taken=6 + held.GIVE_UP_ROWS)] == [5]
    assert [r.taken for r in rows] == [40]


def test_shift_rows_held_at_once_are_a_shift_of_the_features_most_of_them_cross():
    rows = [held_row(i, "competence") for i in range(held.SHIFT_ROWS - 1)]
    assert held.shifted_features(rows) == []
    rows.append(held_row(99, "network_ability", "competence"))
    assert held.shifted_features(rows) == ["competence"]
    mixed = [held_row(i, "network_ability" if i % 3 else "competence") for i in range(30)]
    assert held.shifted_features(mixed) == ["network_ability"]


def test_a_held_row_is_stored_and_read_back_whole():
    original = held_row(12, "competence", "network_ability")
    back = HeldRow.from_stored(SimpleNamespace(**original.stored()))
    assert back == original
    assert math.isclose(back.row.competence, 1e6)
