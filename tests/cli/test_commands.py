"""The one-shot commands, run as the installed program against a real API."""

import json
import subprocess
import sys

import pytest

from harness import loopback
from harness.processes import PROJECT_ROOT, wait_until
from tests.support.cli import ADMIN_TOKEN, STREAM_ROWS, run_cli, unused_url

pytestmark = pytest.mark.e2e

COMMANDS = [
    [],
    ["watch"],
    ["status"],
    ["latest"],
    ["history"],
    ["predict"],
    ["predict", "classification"],
    ["predict", "regression"],
    ["pause"],
    ["resume"],
    ["reset"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "qa-learner")
def test_every_command_has_help(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    assert "--api-url" in result.stdout or command in ([], ["predict"])


def test_python_dash_m_cli_is_the_same_program():
    result = subprocess.run(
        [sys.executable, "-m", "cli", "--help"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "watch" in result.stdout and "predict" in result.stdout


def test_watch_outside_a_terminal_says_what_scripts_can_use_and_exits_with_2():
    result = run_cli("watch", "--api-url", unused_url())
    assert result.returncode == 2
    assert "--json" in result.stderr
    assert result.stdout == ""


def test_status_shows_the_state_and_the_rows_learned(learned_api):
    result = run_cli("status", "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    assert "running" in result.stdout
    assert f"Rows learned      {STREAM_ROWS}" in result.stdout


def test_api_url_is_read_from_the_environment(learned_api):
    result = run_cli("status", "--json", env={"API_URL": learned_api.url})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows_seen"] == STREAM_ROWS


def test_latest_json_is_the_apis_body_unchanged(learned_api):
    body = loopback.get(f"{learned_api.url}/classification/latest").text
    result = run_cli("latest", "classification", "--json", "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == body + "\n"


def test_latest_shows_the_metrics_and_coefficients_the_api_serves(learned_api):
    record = loopback.get(f"{learned_api.url}/regression/latest").json()
    result = run_cli("latest", "regression", "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    rmse, rolling_rmse = record["metrics"]["rmse"], record["rolling_metrics"]["rmse"]
    assert f"rmse {rmse:>13.3f} {rolling_rmse:>8.3f}" in result.stdout
    for name, weight in record["coefficients"].items():
        assert f"{name}" in result.stdout and f"{weight:.3f}" in result.stdout


def test_history_limit_shows_that_many_points(learned_api):
    as_json = run_cli(
        "history", "classification", "--limit", "3", "--json", "--api-url", learned_api.url
    )
    points = json.loads(as_json.stdout)["points"]
    assert len(points) == 3
    result = run_cli("history", "classification", "--limit", "3", "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [row[1] for row in rows] == [f"{p['rows_seen']:,}" for p in points]


def test_predict_classification_gives_the_answer_and_the_model_version(learned_api):
    body = {"competence": 0.9, "network_ability": 0.8}
    answer = loopback.post(f"{learned_api.url}/classification/predict", json=body).json()
    command = ["predict", "classification", "--competence", "0.9", "--network-ability", "0.8"]
    result = run_cli(*command, "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    verdict = "promoted" if answer["promoted"] else "not promoted"
    assert result.stdout.startswith(f"{verdict}  probability {answer['probability']:.3f}")
    assert f"model version {answer['model_version']}" in result.stdout


def test_predict_regression_gives_the_network_ability(learned_api):
    body = {"competence": 0.3, "promoted": False}
    answer = loopback.post(f"{learned_api.url}/regression/predict", json=body).json()
    command = ["predict", "regression", "--competence", "0.3", "--not-promoted"]
    result = run_cli(*command, "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"network_ability {answer['network_ability']:.3f}")


def test_predict_classification_shows_the_interval_and_the_terms_of_the_logit(learned_api):
    body = {"competence": 0.64, "network_ability": 0.21}
    answer = loopback.post(f"{learned_api.url}/classification/predict", json=body).json()
    command = ["predict", "classification", "--competence", "0.64", "--network-ability", "0.21"]
    result = run_cli(*command, "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    low, high = answer["interval"]
    assert f"  95% interval [{low:.3f}, {high:.3f}]  (model version" in result.stdout
    lines = [line.split() for line in result.stdout.splitlines()[1:]]
    assert lines[0] == ["term", "in", "the", "logit"]
    terms = answer["contributions"]
    assert lines[1:4] == [[name, f"{terms[name]:.3f}"] for name in terms]
    assert lines[4] == ["sum:", "the", "logit", f"{sum(terms.values()):.3f}"]


def test_predict_regression_shows_the_terms_it_adds_up_from(learned_api):
    body = {"competence": 0.52, "promoted": True}
    answer = loopback.post(f"{learned_api.url}/regression/predict", json=body).json()
    command = ["predict", "regression", "--competence", "0.52", "--promoted"]
    result = run_cli(*command, "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()[2:]}
    terms = answer["contributions"]
    assert rows == {
        **{name: f"{term:.3f}" for name, term in terms.items()},
        "sum:": f"{answer['network_ability']:.3f}",
    }


def test_predict_a_model_without_terms_says_so(learned_api):
    command = ["predict", "classification", "--competence", "0.5", "--network-ability", "0.5"]
    result = run_cli(*command, "--model", "GaussianNB", "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    assert "model GaussianNB)" in result.stdout
    assert result.stdout.splitlines()[1] == "no terms: not a linear model"


@pytest.mark.parametrize(
    ("task", "flags", "body", "answer_key"),
    [
        (
            "classification",
            ["--competence", "0.71", "--network-ability", "0.37"],
            {"competence": 0.71, "network_ability": 0.37},
            "probability",
        ),
        (
            "regression",
            ["--competence", "0.29", "--not-promoted"],
            {"competence": 0.29, "promoted": False},
            "network_ability",
        ),
    ],
)
def test_predict_all_shows_every_candidate_and_stars_the_champion(
    learned_api, task, flags, body, answer_key
):
    url = f"{learned_api.url}/{task}/predict"
    answer = loopback.post(url, params={"all": "true"}, json=body).json()
    result = run_cli("predict", task, *flags, "--all", "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    assert f"{task}: every candidate (model version {answer['model_version']})" in result.stdout
    names = {candidate["model"] for candidate in answer["candidates"]}
    rows = {}  # candidate -> (starred, the row's other cells)
    for cells in (line.split() for line in result.stdout.splitlines()):
        starred = cells[:1] == ["★"]
        if cells[starred : starred + 1] and cells[starred] in names:
            rows[cells[starred]] = (starred, cells[starred + 1 :])
    assert list(rows) == [candidate["model"] for candidate in answer["candidates"]]
    for candidate in answer["candidates"]:
        starred, cells = rows[candidate["model"]]
        assert starred == (candidate["model"] == answer["model"])
        assert f"{candidate[answer_key]:.3f}" in cells
        terms = candidate["contributions"]
        expected = ["-"] if terms is None else [f"{term:.3f}" for term in terms.values()]
        assert cells[-len(expected) :] == expected


def test_predict_all_with_a_model_is_a_usage_error(learned_api):
    command = ["predict", "regression", "--competence", "0.5", "--promoted", "--all"]
    result = run_cli(*command, "--model", "MeanRegressor", "--api-url", learned_api.url)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == "--all asks every candidate already: leave out --model."


@pytest.mark.parametrize(
    ("competence", "message"),
    [("nan", "Input should be a finite number"), ("1e200", "Input should be less than")],
)
def test_bad_input_gets_the_apis_422_message_and_exit_code_1(learned_api, competence, message):
    command = ["predict", "regression", "--competence", competence, "--promoted"]
    result = run_cli(*command, "--api-url", learned_api.url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"The API refused the input (422): competence: {message}")
    assert "Traceback" not in result.stderr


def test_pause_and_resume_with_the_token_from_the_environment_or_the_option(learned_api):
    paused = run_cli("pause", "--api-url", learned_api.url, env={"ADMIN_TOKEN": ADMIN_TOKEN})
    assert paused.returncode == 0, paused.stderr
    assert "Learner paused." in paused.stdout
    assert "State             paused" in paused.stdout
    # A learner in a process of its own may show the pause a moment later.
    wait_until(
        lambda: loopback.get(f"{learned_api.url}/status").json()["state"] == "paused",
        timeout=10,
        message="/status to say paused",
    )
    resumed = run_cli("resume", "--token", ADMIN_TOKEN, "--json", "--api-url", learned_api.url)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["state"] == "running"


def test_a_wrong_token_is_one_clear_line_and_exit_code_1(learned_api):
    result = run_cli("reset", "regression", "--token", "wrong", "--api-url", learned_api.url)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Refused (401): ")
    assert "--token or ADMIN_TOKEN" in lines[0]


def test_reset_with_the_token_is_accepted(learned_api):
    result = run_cli("reset", "regression", "--token", ADMIN_TOKEN, "--api-url", learned_api.url)
    assert result.returncode == 0, result.stderr
    assert "fresh regression model" in result.stdout


def test_admin_commands_say_when_the_api_has_no_admin_token(idle_api):
    result = run_cli("pause", "--token", "anything", "--api-url", idle_api.url)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Refused (403): Admin endpoints are disabled: ADMIN_TOKEN is not set."
    )


def test_latest_before_the_first_tick_says_nothing_is_learned_yet(idle_api):
    result = run_cli("latest", "classification", "--api-url", idle_api.url)
    assert result.returncode == 1
    assert result.stderr.startswith("The API answered 404: Nothing has been learned yet")


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["latest", "regression"],
        ["history", "classification", "--json"],
        ["predict", "classification", "--competence", "1", "--network-ability", "1"],
        ["pause", "--token", ADMIN_TOKEN],
    ],
    ids=lambda c: c[0],
)
def test_api_down_is_one_line_and_exit_code_3(command):
    url = unused_url()
    result = run_cli(*command, "--api-url", url)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith(f"API unreachable: {url}/")
    assert result.stderr.strip().endswith("connection refused")
