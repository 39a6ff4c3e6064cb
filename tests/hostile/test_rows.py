"""Whatever JSON the source serves, row validation answers a clean row or BadRow."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from api.learning.rows import FEATURE_LIMIT, BadRow, StreamRow, parse_row, source_id
from tests.support.strategies import json_values

FIELDS = ("id", "competence", "network_ability", "promoted")

# Rows shaped like the real ones, each field present or not, with any JSON value.
row_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers(min_value=-(2**70), max_value=2**70) | json_values,
        "competence": st.floats() | json_values,
        "network_ability": st.floats() | json_values,
        "promoted": st.booleans() | json_values,
    },
)


def check(raw) -> None:
    try:
        row = parse_row(raw)
    except BadRow as reason:
        assert 0 < len(str(reason)) <= 200, "a quarantine reason stays short"
        return
    assert isinstance(row, StreamRow)
    assert type(row.id) is int and row.id == source_id(raw)
    for value in (row.competence, row.network_ability):
        assert math.isfinite(value) and abs(value) <= FEATURE_LIMIT
    assert type(row.promoted) is bool
    # What is learned is also storable: the id fits the tables' integer columns.
    assert -(2**31) <= row.id < 2**31


def verdict(raw) -> StreamRow | str:
    """The clean row, or the quarantine reason."""
    try:
        return parse_row(raw)
    except BadRow as reason:
        return str(reason)


@settings(max_examples=300)
@given(json_values)
def test_any_json_value_is_a_clean_row_or_a_bad_row(raw):
    check(raw)


@settings(max_examples=500)
@given(row_like)
def test_any_row_shaped_object_is_a_clean_row_or_a_bad_row(raw):
    check(raw)


@settings(max_examples=200)
@given(row_like)
def test_a_row_survives_a_json_round_trip_unchanged_in_verdict(raw):
    """What the source's JSON decoder hands over gets the same verdict."""
    try:
        text = json.dumps(raw)
    except (ValueError, OverflowError):
        return
    decoded = json.loads(text)
    check(decoded)
    assert verdict(decoded) == verdict(raw)
