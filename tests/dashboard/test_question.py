"""The question lives in the URL: what the controls ask is written there, and a URL read
back asks the same; the question callback run as Dash runs it, triggered by one input."""

from contextvars import copy_context

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate
from hypothesis import given
from hypothesis import strategies as st

from dashboard import ids
from dashboard.ask_callbacks import ask_question
from dashboard.question import DEFAULT, from_search, settled, to_search

EXAMPLE = "?competence=0.71&network_ability=0.37&promoted=true"
OURS = [
    {"competence": 0.23, "network_ability": 0.91, "promoted": False},
    {"competence": 1.0, "network_ability": 0.0, "promoted": True},
    {"competence": 0.0505, "network_ability": 0.5, "promoted": False},
]


def run_triggered_by(trigger: str | None, **values):
    """`ask_question` as Dash calls it when `trigger` (a component id; None: the page's
    first load) changed, with these values of its inputs and state."""
    inputs = {"search": "", "asked": None, **values}
    inputs.setdefault("competence", DEFAULT["competence"])
    inputs.setdefault("network_ability", DEFAULT["network_ability"])
    inputs.setdefault("promoted", DEFAULT["promoted"])
    triggered = [] if trigger is None else [{"prop_id": f"{trigger}.value", "value": None}]

    def run():
        context_value.set(AttributeDict(triggered_inputs=triggered))
        return ask_question(**inputs)

    return copy_context().run(run)


def test_the_example_url_asks_about_that_person():
    assert from_search(EXAMPLE) == {"competence": 0.71, "network_ability": 0.37, "promoted": True}


@pytest.mark.parametrize("question", OURS)
def test_a_question_written_into_the_url_reads_back_the_same(question):
    assert from_search(to_search(question)) == question


@given(
    competence=st.floats(0, 1),
    network_ability=st.floats(0, 1),
    promoted=st.booleans(),
)
def test_any_question_the_sliders_can_ask_round_trips_through_the_url(
    competence, network_ability, promoted
):
    question = settled(competence, network_ability, promoted)
    assert from_search(to_search(question)) == question
    assert to_search(from_search(to_search(question))) == to_search(question)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", DEFAULT),
        (None, DEFAULT),
        ("?competence=abc&network_ability=nan&promoted=maybe", DEFAULT),
        (
            "?competence=7&network_ability=-2",
            {**DEFAULT, "competence": 1.0, "network_ability": 0.0},
        ),
        (
            "?promoted=FALSE&competence=0.333333",
            {**DEFAULT, "competence": 0.3333, "promoted": False},
        ),
        ("?network_ability=inf", DEFAULT),
    ],
)
def test_a_url_that_asks_nothing_valid_asks_the_default_within_range(search, expected):
    assert from_search(search) == expected


def test_moving_a_slider_writes_the_question_it_shows_into_the_url():
    """The dashboard writes the question it shows: the URL it writes reads back as the
    question, and as what each control shows."""
    before = {"competence": 0.71, "network_ability": 0.37, "promoted": True}
    moved = run_triggered_by(
        ids.ASK_COMPETENCE, search=EXAMPLE, competence=0.42, network_ability=0.37, asked=before
    )
    assert moved["search"] == "?competence=0.42&network_ability=0.37&promoted=true"
    assert from_search(moved["search"]) == moved["question"]
    assert moved["question"] == {**before, "competence": 0.42}
    # The controls show it already: nothing is sent back to them.
    assert [moved[name] for name in ("competence", "network_ability", "promoted")] == [
        no_update
    ] * 3


@pytest.mark.parametrize("question", OURS)
def test_a_url_the_dashboard_wrote_opens_it_asking_the_same_question(question):
    """Round trip: controls -> URL -> a new page's controls."""
    written = run_triggered_by(ids.ASK_PROMOTED, asked=DEFAULT, **question)["search"]
    opened = run_triggered_by(None, search=written)
    assert opened["question"] == question
    for name, value in question.items():
        assert opened[name] == (no_update if value == DEFAULT[name] else value)
    # A question read from the URL is never written back.
    assert opened["search"] is no_update


def test_the_back_button_sets_the_controls_and_leaves_the_url_alone():
    shown = {"competence": 0.42, "network_ability": 0.37, "promoted": True}
    back = run_triggered_by(ids.URL, search=EXAMPLE, asked=shown, **shown)
    assert back["competence"] == 0.71
    assert back["network_ability"] is no_update and back["promoted"] is no_update
    assert back["search"] is no_update
    assert back["question"] == from_search(EXAMPLE)


def test_a_typed_value_is_brought_within_range_and_shown_so():
    typed = run_triggered_by(ids.ASK_NETWORK_ABILITY, network_ability=0.123456, asked=DEFAULT)
    assert typed["network_ability"] == 0.1235
    assert typed["question"]["network_ability"] == 0.1235
    assert typed["search"] == "?competence=0.7&network_ability=0.1235&promoted=true"


def test_an_emptied_number_entry_keeps_the_value_asked_before():
    asked = {"competence": 0.33, "network_ability": 0.8, "promoted": False}
    emptied = run_triggered_by(
        ids.ASK_COMPETENCE, competence=None, network_ability=0.9, promoted=False, asked=asked
    )
    assert emptied["competence"] == 0.33
    assert emptied["question"] == {**asked, "network_ability": 0.9}


def test_the_question_already_asked_changes_nothing():
    with pytest.raises(PreventUpdate):
        run_triggered_by(ids.ASK_COMPETENCE, asked=DEFAULT)
    with pytest.raises(PreventUpdate):
        run_triggered_by(ids.URL, search=to_search(DEFAULT), asked=DEFAULT)
