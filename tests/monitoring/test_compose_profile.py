"""The compose profile `monitoring`: Prometheus with monitoring/ mounted, scraping the
services docker-compose.yml runs, on the ports they serve. The compose smoke test
(.ci/compose-smoke) starts it for real."""

import yaml

from harness.processes import PROJECT_ROOT
from tests.support.project import compose

PROMETHEUS_CONFIG = yaml.safe_load((PROJECT_ROOT / "monitoring" / "prometheus.yml").read_text())


def scrape_job(name: str) -> dict:
    [job] = [job for job in PROMETHEUS_CONFIG["scrape_configs"] if job["job_name"] == name]
    return job


def test_prometheus_runs_in_the_monitoring_profile_on_port_9090():
    prometheus = compose()["services"]["prometheus"]
    assert prometheus["profiles"] == ["monitoring"]
    assert prometheus["ports"] == ["9090:9090"]
    assert prometheus["networks"] == ["challenge"]


def test_prometheus_reads_the_configuration_and_rules_of_monitoring():
    """The folder is mounted where the configuration flag points, and the configuration
    names the rule file beside it."""
    prometheus = compose()["services"]["prometheus"]
    assert "./monitoring:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert PROMETHEUS_CONFIG["rule_files"] == ["alerts.yml"]
    assert (PROJECT_ROOT / "monitoring" / "alerts.yml").is_file()


def test_prometheus_keeps_its_data_on_a_named_volume():
    prometheus = compose()["services"]["prometheus"]
    assert "--storage.tsdb.path=/prometheus" in prometheus["command"]
    assert "prometheus-data:/prometheus" in prometheus["volumes"]
    assert "prometheus-data" in compose()["volumes"]


def test_prometheus_reports_its_health_from_its_readiness_endpoint():
    test = compose()["services"]["prometheus"]["healthcheck"]["test"]
    assert test == ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/ready"]


def test_prometheus_scrapes_the_api_at_its_port():
    services = compose()["services"]
    port = services["learner-api"]["environment"]["API_PORT"]
    assert scrape_job("learner-api")["static_configs"] == [{"targets": [f"learner-api:{port}"]}]


def test_prometheus_finds_every_learner_worker_and_replica_by_its_service_name():
    """Each replica of a scaled service is a target of its own (DNS A records), on the
    port it serves its metrics."""
    services = compose()["services"]
    ports = {
        "learner": services["learner"]["environment"]["LEARNER_METRICS_PORT"],
        "api-replica": services["api-replica"]["environment"]["API_PORT"],
    }
    for name, port in ports.items():
        assert services[name]["deploy"]["replicas"] > 1
        assert scrape_job(name)["dns_sd_configs"] == [
            {"names": [name], "type": "A", "port": int(port)}
        ]
