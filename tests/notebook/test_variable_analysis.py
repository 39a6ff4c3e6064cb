"""variable_analysis.ipynb runs top to bottom, and its conclusion says what the data show.

The notebook is executed with nbclient in a kernel of this same environment, with a
temporary directory as its working directory so it never reads the real `./data/api.db`.
`ANALYSIS_SOURCE` (read by the notebook's first cell) picks where its rows come from.
An extra last cell prints the notebook's `conclusion` dict as JSON for the checks.
"""

import json
import os
import sqlite3
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from harness.processes import PROJECT_ROOT
from simulator.synthetic import generate_rows

NOTEBOOK = PROJECT_ROOT / "variable_analysis.ipynb"
REPORT_CELL = (
    "import json, sys\nprint(json.dumps({'conclusion': conclusion, 'prefix': sys.prefix}))"
)


def run_notebook(workdir: Path, **env: str) -> dict:
    """Execute the notebook in `workdir`; return its conclusion and the kernel's sys.prefix."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    kernel_env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"ANALYSIS_SOURCE", "DATABASE_URL"}
    }
    kernel_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
    )
    kernel_env.update(env)
    client = NotebookClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute(env=kernel_env)
    report = notebook.cells[-1].outputs[-1]["text"]
    return json.loads(report)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> dict:
    return run_notebook(tmp_path_factory.mktemp("analysis"), ANALYSIS_SOURCE="simulator")


@pytest.mark.e2e
def test_notebook_runs_in_this_environment_on_simulated_rows(simulated):
    """The kernel is this venv's python3, and the forced source is the one used."""
    assert simulated["prefix"] == sys.prefix
    assert simulated["conclusion"]["source"] == "simulator"
    assert simulated["conclusion"]["rows"] == 20_000


@pytest.mark.e2e
def test_competence_and_network_ability_are_uncorrelated_in_the_population(simulated):
    conclusion = simulated["conclusion"]
    assert abs(conclusion["r_population"]) < 0.05
    low, high = conclusion["simple_competence_ci"]
    assert low <= 0 <= high or abs(conclusion["simple_competence"]) < 0.02


@pytest.mark.e2e
def test_within_each_promotion_outcome_they_are_clearly_negatively_correlated(simulated):
    conclusion = simulated["conclusion"]
    assert conclusion["r_promoted"] < -0.2
    assert conclusion["r_not_promoted"] < -0.2


@pytest.mark.e2e
def test_adjusting_for_the_collider_gives_a_clearly_negative_competence_coefficient(simulated):
    conclusion = simulated["conclusion"]
    low, high = conclusion["collider_competence_ci"]
    assert conclusion["collider_competence"] < -0.2
    assert low < high < 0


@pytest.mark.e2e
def test_online_coefficients_match_the_batch_fit_on_the_same_rows(simulated):
    conclusion = simulated["conclusion"]
    for term in ("intercept", "competence", "promoted"):
        assert conclusion["online"][term] == pytest.approx(conclusion["batch"][term], abs=0.01)
    assert conclusion["online_max_difference"] < 0.01


@pytest.mark.e2e
def test_auto_source_reads_the_learned_rows_of_the_api_database(tmp_path):
    """With ./data/api.db holding enough learned rows, "auto" analyses those rows."""
    learned = list(generate_rows(start_id=1, count=1_000, seed=7))
    (tmp_path / "data").mkdir()
    with sqlite3.connect(tmp_path / "data" / "api.db") as connection:
        connection.execute(
            "CREATE TABLE learned_row (id INTEGER PRIMARY KEY, competence FLOAT,"
            " network_ability FLOAT, promoted BOOLEAN, predicted_promoted BOOLEAN)"
        )
        connection.executemany(
            "INSERT INTO learned_row VALUES (?, ?, ?, ?, ?)",
            [(*row, False) for row in learned],
        )
    connection.close()

    conclusion = run_notebook(tmp_path)["conclusion"]

    competence, ability = np.array([row[1:3] for row in learned]).T
    assert conclusion["source"] == "database"
    assert conclusion["rows"] == len(learned)
    assert conclusion["r_population"] == pytest.approx(np.corrcoef(competence, ability)[0, 1])
    assert conclusion["online_max_difference"] < 0.01


def test_committed_notebook_has_no_outputs():
    """Outputs and execution counts are stripped before committing."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], cell.id
        assert cell.execution_count is None, cell.id
