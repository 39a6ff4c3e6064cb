"""What a running API or learner process answers: its status, its latest records, the
samples of its Prometheus metrics."""

from harness import loopback
from harness.processes import Service, wait_until


def status_of(api: Service) -> dict:
    return loopback.get(api.url + "/status", timeout=5).json()


def latest_of(api: Service, task: str) -> dict:
    response = loopback.get(f"{api.url}/{task}/latest", timeout=5)
    response.raise_for_status()
    return response.json()


def wait_for_rows(api: Service, rows: int, *, timeout: float = 60) -> dict:
    """The learner's status once it has learned exactly `rows` rows."""
    return wait_until(
        lambda: (status := status_of(api))["rows_seen"] == rows and status,
        timeout=timeout,
        interval=0.2,
        message=f"{rows} rows learned",
    )


def sample(service: Service, name: str) -> float:
    """One sample of the service's /metrics, `name` with its labels as Prometheus writes
    them (`learner_ticks_total{outcome="failed"}`); 0 while nothing was counted."""
    for line in loopback.get(service.url + "/metrics", timeout=5).text.splitlines():
        sample_name, _, value = line.rpartition(" ")
        if sample_name == name:
            return float(value)
    return 0.0


def source_errors_counted(api: Service) -> int:
    return int(sample(api, "learner_source_errors_total"))
