"""The champion changes only with the stated hysteresis: a challenger must beat it by the
margin, on full windows, for the sustained number of rows."""

from dataclasses import replace

from river import metrics, utils

from api.learning.champion import Champion
from api.learning.options import DEFAULT_OPTIONS
from api.learning.tasks import new_tasks
from harness.streams import simulated
from simulator.synthetic import Drift

BOTH = {"reference", "tree"}


def observe(champion: Champion, losses: list[tuple[float, float]]) -> list[int]:
    """Feed (reference, tree) losses; the rows (from 1) on which the champion changed."""
    changes = []
    for row, (reference, tree) in enumerate(losses, start=1):
        if champion.observe({"reference": reference, "tree": tree}, full=BOTH):
            changes.append(row)
    return changes


def test_a_challenger_takes_over_on_the_row_its_lead_has_lasted_the_sustained_rows():
    champion = Champion("reference", margin=0.1, sustain=5)
    assert observe(champion, [(1.0, 0.85)] * 7) == [5]
    assert champion.name == "tree"


def test_a_lead_smaller_than_the_margin_never_takes_over():
    champion = Champion("reference", margin=0.1, sustain=5)
    assert observe(champion, [(1.0, 0.91)] * 1_000) == []
    assert champion.name == "reference"


def test_a_lead_that_lapses_for_one_row_starts_its_count_again():
    champion = Champion("reference", margin=0.1, sustain=5)
    lapsing = [(1.0, 0.8)] * 4 + [(1.0, 0.95)] + [(1.0, 0.8)] * 4
    assert observe(champion, lapsing) == []
    assert observe(champion, [(1.0, 0.8)]) == [1]


def test_no_one_is_judged_before_its_window_is_full():
    champion = Champion("reference", margin=0.1, sustain=2)
    losses = {"reference": 1.0, "tree": 0.1}
    for _ in range(10):
        assert champion.observe(losses, full={"reference"}) is None
    assert champion.observe(losses, full=BOTH) is None
    assert champion.observe(losses, full=BOTH) == ("reference", "tree")


def test_on_a_stream_whose_best_model_changes_the_champion_follows_with_hysteresis():
    """The simulator's promotion policy turns at row 3,000. Beside the race, the test
    scores every candidate's prediction with River's own rolling LogLoss and RMSE, and
    checks each row: the champion changes exactly on the rows where a challenger has
    beaten it by the margin for the sustained rows, never elsewhere, and it does change
    (the best model is not the same on both sides of the switch)."""
    window, sustain, margin = 200, 150, 0.05
    options = replace(DEFAULT_OPTIONS, champion_margin=margin, champion_sustain_rows=sustain)
    tasks = new_tasks(window, options)
    changed = {name: 0 for name in tasks}
    for name, task in tasks.items():
        metric = metrics.LogLoss if name == "classification" else metrics.RMSE
        rolling = {c: utils.Rolling(metric, window_size=window) for c in task.race.names()}
        champion, challenger, lead = task.champion, None, 0
        for seen, row in enumerate(simulated(6_000, drift=Drift(at_row=3_000)), start=1):
            for candidate, score in rolling.items():
                score.update(*truth_and_prediction(name, task, row, candidate))
            task.learn_one(row)
            full = seen >= window
            losses = {candidate: score.get() for candidate, score in rolling.items()}
            best = min((c for c in losses if c != champion), key=losses.__getitem__)
            if full and losses[best] < losses[champion] * (1 - margin):
                lead, challenger = (lead + 1 if best == challenger else 1), best
            else:
                lead, challenger = 0, None
            if lead == sustain:
                champion, challenger, lead = best, None, 0
                changed[name] += 1
            assert task.champion == champion, (name, seen)
    assert changed["classification"] >= 1
    assert changed["regression"] >= 1


def truth_and_prediction(task_name: str, task, row, candidate: str) -> tuple:
    if task_name == "classification":
        _, probability = task.predict(row.competence, row.network_ability, candidate)
        return row.promoted, probability
    return row.network_ability, task.predict(row.competence, row.promoted, candidate)
