"""The simulator and the API as real processes on loopback, with the product's shipped
defaults: only the addresses, a fresh database and the source's latency are set."""

from pathlib import Path

import httpx

from harness.processes import Service, wait_until

SEED = 42


def simulator_service(*, rows: int, workdir: Path, latency_ms: int = 0) -> Service:
    """The simulator serving a seeded stream of `rows` rows (the same first rows at any size),
    each answer `latency_ms` late."""
    env = {
        "SIMULATOR_HOST": "127.0.0.1",
        "SIMULATOR_DB": str(workdir / f"simulator-{rows}.db"),
        "SIMULATOR_ROWS": str(rows),
        "SIMULATOR_SEED": str(SEED),
        "SIMULATOR_GROWTH_ROWS_PER_SECOND": "0",
        "SIMULATOR_ERROR_RATE": "0",
        "SIMULATOR_LATENCY_MS": str(latency_ms),
        "SIMULATOR_MALFORMED_RATE": "0",
    }
    return Service("simulator", port_env="SIMULATOR_PORT", env=env, log_dir=workdir)


def api_service(*, source_url: str, database: Path, workdir: Path, **settings: str) -> Service:
    """The API with its learner on a database file that must not exist yet; `settings`
    only to switch a feature off for comparison."""
    if database.exists():
        raise FileExistsError(f"{database} exists: the benchmark needs a fresh database")
    env = {
        "ENVIRONMENT": "development",
        "API_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "CHALLENGE_API_URL": source_url,
        "LEARNER_ENABLED": "true",
        "SECRET_KEY": "benchmark-secret-key",
        "ADMIN_TOKEN": "",
        **settings,
    }
    return Service("api", port_env="API_PORT", env=env, log_dir=workdir)


def rows_seen(client: httpx.Client) -> int:
    return client.get("/status").json()["rows_seen"]


def rows_raced(client: httpx.Client) -> int:
    """How far the slower of the two races has come."""
    boards = [client.get(f"/{task}/leaderboard") for task in ("classification", "regression")]
    return min(board.json()["rows_raced"] if board.status_code == 200 else 0 for board in boards)


def wait_for_learning(client: httpx.Client) -> None:
    wait_until(lambda: rows_seen(client) > 0, timeout=30, message="the first committed tick")


def dashboard_service(*, api_url: str, workdir: Path) -> Service:
    """The dashboard with its shipped defaults, listening on loopback only."""
    env = {"API_URL": api_url, "DASHBOARD_HOST": "127.0.0.1"}
    return Service("dashboard", port_env="DASHBOARD_PORT", env=env, log_dir=workdir, ready_path="/")
