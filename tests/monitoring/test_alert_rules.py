"""The alert rules and the Prometheus configuration of monitoring/, checked and
unit-tested by promtool (Debian's `prometheus` package, which .ci/run installs)."""

import os
import re
import shutil
import subprocess

import pytest
import yaml
from prometheus_client import REGISTRY, CollectorRegistry

import api.observability  # noqa: F401  (registers the API's metrics)
from api.learner.metrics import LEARNER_REGISTRY
from harness.processes import PROJECT_ROOT

RULES = PROJECT_ROOT / "monitoring" / "alerts.yml"
CONFIG = PROJECT_ROOT / "monitoring" / "prometheus.yml"
UNIT_TESTS = PROJECT_ROOT / "tests" / "monitoring" / "alerts_test.yml"
SEVERITIES = {"critical", "warning", "info"}


def alert_rules() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing: .ci/run installs Debian's prometheus package")
        pytest.skip("no promtool (Debian: apt-get install prometheus)")
    return found


def run(promtool: str, *args: str) -> str:
    """promtool's output; the test fails with it when promtool fails."""
    result = subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_promtool_passes_every_unit_test_of_the_alert_rules(promtool):
    output = run(promtool, "test", "rules", str(UNIT_TESTS.relative_to(PROJECT_ROOT)))
    assert "SUCCESS" in output


def test_promtool_finds_every_rule_valid(promtool):
    output = run(promtool, "check", "rules", str(RULES.relative_to(PROJECT_ROOT)))
    assert f"SUCCESS: {len(alert_rules())} rules found" in output


def test_promtool_finds_the_prometheus_configuration_valid_with_its_rules(promtool):
    output = run(promtool, "check", "config", str(CONFIG.relative_to(PROJECT_ROOT)))
    assert "is valid prometheus config file syntax" in output
    assert f"SUCCESS: {len(alert_rules())} rules found" in output


def test_every_alert_is_unit_tested_both_firing_and_not_firing():
    """Each alert name has a promtool case that expects it firing and one that expects
    it silent."""
    cases = [
        case
        for test in yaml.safe_load(UNIT_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    for rule in alert_rules():
        expected = [case["exp_alerts"] for case in cases if case["alertname"] == rule["alert"]]
        assert any(expected), f"no case expects {rule['alert']} to fire"
        assert [] in expected, f"no case expects {rule['alert']} to stay silent"


def test_every_alert_has_a_severity_a_summary_and_a_description():
    for rule in alert_rules():
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        assert rule["annotations"]["summary"].strip(), rule["alert"]
        assert len(rule["annotations"]["description"].split()) >= 20, rule["alert"]


def exported_names(registry: CollectorRegistry) -> set[str]:
    """Every series name the registry writes, labelled series with no child yet included."""
    names = set()
    for family in registry.collect():
        names.add(family.name + ("_total" if family.type == "counter" else ""))
        names.update(sample.name for sample in family.samples)
    return names


def test_every_metric_the_rules_read_is_one_the_services_export():
    """A metric renamed in the code and not in the rules would silence its alert."""
    read = {
        name
        for rule in alert_rules()
        for name in re.findall(r"\b(?:learner|api)_[a-z_]+\b", rule["expr"])
    }
    exported = exported_names(LEARNER_REGISTRY) | exported_names(REGISTRY)
    assert read, "no metric found in the rules"
    assert read - exported == set()
