"""The response schemas describe the shapes the learner commits, field for field."""

import pytest

from api.learning.committed import SERVED_FIELDS
from api.schemas import ClassificationLatest, RegressionLatest


@pytest.mark.parametrize("schema", [ClassificationLatest, RegressionLatest])
def test_each_latest_schema_has_exactly_the_fields_of_the_served_record(schema):
    assert set(schema.model_fields) == set(SERVED_FIELDS)


@pytest.mark.parametrize("schema", [ClassificationLatest, RegressionLatest])
def test_each_latest_schema_validates_its_example_of_every_field(schema):
    (example,) = schema.model_config["json_schema_extra"]["examples"]
    assert set(example) == set(SERVED_FIELDS)
    assert schema.model_validate(example).task == example["task"]
