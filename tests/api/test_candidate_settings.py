"""The candidate settings: names from the registry, refused at start when unknown."""

import os
import subprocess
import sys

import pytest

from api.learning.candidates import DEFAULTS, known_names
from harness.processes import PROJECT_ROOT, free_port
from tests.support.learners import make_settings
from tests.support.services import FAST_API_ENV


def test_the_defaults_race_the_reference_and_others_beside_it():
    settings = make_settings("sqlite://")
    assert DEFAULTS["classification"] == settings.CLASSIFICATION_CANDIDATES
    assert {"reference", "GaussianNB"} <= set(settings.CLASSIFICATION_CANDIDATES)
    assert {"reference", "PARegressor"} <= set(settings.REGRESSION_CANDIDATES)


def test_a_comma_separated_list_always_races_the_reference_first_and_each_name_once():
    settings = make_settings("sqlite://", REGRESSION_CANDIDATES=" PARegressor,, PARegressor ")
    assert settings.REGRESSION_CANDIDATES == ("reference", "PARegressor")


@pytest.mark.e2e  # starts the service
@pytest.mark.parametrize("module", ["api", "api.learner"])
def test_an_unknown_candidate_fails_the_start_naming_it_and_the_known_ones(tmp_path, module):
    env = {
        **os.environ, **FAST_API_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
        "API_PORT": str(free_port()), "LEARNER_METRICS_PORT": str(free_port()),
        "CLASSIFICATION_CANDIDATES": "reference,GaussianNB,DeepForest",
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", module], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CLASSIFICATION_CANDIDATES" in result.stderr
    known = ", ".join(known_names("classification"))
    assert f"unknown classification candidate 'DeepForest'; known: {known}" in result.stderr
    assert not (tmp_path / "api.db").exists(), "refused before touching the database"
