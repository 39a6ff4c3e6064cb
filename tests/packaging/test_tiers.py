"""The tiers of tests/conftest.py, on a suite of its own: a test that starts a process is
e2e by its fixtures or its mark, and one that starts a process unmarked fails."""

import pytest

from harness.processes import PROJECT_ROOT

SUITE = """
import subprocess
import sys

import pytest


def test_that_starts_nothing():
    assert sum([1, 2]) == 3


def test_that_starts_a_process_unmarked():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.mark.e2e
def test_that_starts_a_process_marked():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.fixture
def uses_a_learner(learner):
    return learner


def test_that_uses_a_process_fixture_through_another(uses_a_learner):
    pass


@pytest.mark.postgres
def test_that_needs_postgresql():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """The project's tier hooks over SUITE; `learner` stands for the real fixture."""
    conftest = (PROJECT_ROOT / "tests" / "conftest.py").read_text()
    pytester.makeconftest(conftest + "\n\n@pytest.fixture\ndef learner():\n    return None\n")
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def test_the_fast_tier_is_every_test_that_starts_no_process(suite):
    result = suite.runpytest("--collect-only", "-q", "-m", "not e2e", "-p", "no:cacheprovider")
    collected = [line for line in result.outlines if "::" in line]
    assert collected == [
        "test_suite.py::test_that_starts_nothing",
        "test_suite.py::test_that_starts_a_process_unmarked",
    ]


@pytest.mark.e2e  # its marked test starts a process
def test_a_test_that_starts_a_process_unmarked_fails_and_names_the_fix(suite):
    result = suite.runpytest("-k", "starts_nothing or starts_a_process", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*ProcessInFastTier: test_suite.py::test_that_starts_a_process_unmarked starts a "
         "process but is not marked e2e*"]
    )  # fmt: skip
