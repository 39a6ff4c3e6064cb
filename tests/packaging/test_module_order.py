"""The parallel tier's modules are handed out costliest first (tests/support/module_order.py),
and a run writes what each module cost when asked to."""

import json

import pytest

from tests.support import module_order

SUITE = {
    "test_cheap": "def test_one():\n    pass\n",
    "test_dear": "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n",
    "test_new_e2e": "import pytest\n\n\n@pytest.mark.e2e\ndef test_one():\n    pass\n",
    "test_new_unit": "def test_one():\n    pass\n",
}


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch, tmp_path) -> pytest.Pytester:
    costs = tmp_path / "module_costs.json"
    costs.write_text(json.dumps({"test_dear.py": 50.0, "test_cheap.py": 1.0}))
    monkeypatch.setattr(module_order, "COSTS", costs)
    pytester.makepyfile(**SUITE)
    return pytester


def test_the_costliest_module_comes_first_and_an_unmeasured_e2e_one_in_the_middle(suite):
    result = suite.runpytest("-p", "tests.support.module_order", "--collect-only", "-q")
    modules = list(dict.fromkeys(line.split("::")[0] for line in result.outlines if "::" in line))
    assert modules == ["test_dear.py", "test_new_e2e.py", "test_cheap.py", "test_new_unit.py"]


def test_a_passing_run_writes_each_modules_seconds(suite, tmp_path):
    written = tmp_path / "artifacts" / "costs.json"
    result = suite.runpytest("-p", "tests.support.module_order", f"--module-costs={written}")
    result.assert_outcomes(passed=5)
    costs = json.loads(written.read_text())
    assert sorted(costs) == sorted(f"{name}.py" for name in SUITE)
    assert all(seconds >= 0 for seconds in costs.values())


def test_a_failing_run_writes_nothing(suite, tmp_path):
    suite.makepyfile(test_failing="def test_one():\n    assert False\n")
    written = tmp_path / "costs.json"
    suite.runpytest("-p", "tests.support.module_order", f"--module-costs={written}")
    assert not written.exists()
