"""The replayed viewers who ask: a new question every refresh, from the slider's values."""

import itertools

import pytest

from benchmarks.recording import Recording, Template
from benchmarks.replay import ASKED, SLIDER_POSITIONS, TICK, Viewer
from dashboard import ids


def recording(*inputs: str) -> Recording:
    body = {
        "output": "question.data",
        "outputs": {"id": "question", "property": "data"},
        "inputs": [
            {"id": key.split(".")[0], "property": key.split(".")[1], "value": 0.7} for key in inputs
        ],
    }
    return Recording(
        templates=[Template("/_dash-update-component", body)],
        headers={},
        initial_values={ASKED: 0.7, TICK: None},
    )


def test_an_asking_viewer_moves_the_slider_to_a_new_value_every_refresh():
    viewer = Viewer(recording(ASKED, f"{ids.URL}.search"), asking=3)
    held = [viewer.values[ASKED]]
    for _refresh in range(50):
        assert viewer._ask_anew() == {ASKED}
        held.append(viewer.values[ASKED])
    assert all(new != old for old, new in itertools.pairwise(held))
    assert set(held[1:]) <= set(SLIDER_POSITIONS)
    assert len(set(held)) > 20


def test_a_watching_viewer_asks_nothing():
    viewer = Viewer(recording(ASKED))
    assert viewer._ask_anew() == set()
    assert viewer.values[ASKED] == 0.7


def test_asking_needs_a_recording_of_the_sliders_request():
    with pytest.raises(RuntimeError, match=ASKED):
        Viewer(recording(TICK), asking=0)
