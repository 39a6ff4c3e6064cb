"""`python -m benchmarks.screenshot`: retake the dashboard screenshot the README and the docs
show.

The trio runs as users start it, on free loopback ports and a temporary database: the
simulator serves a seeded stream whose promotion policy turns partway (so the charts show
a drift event), the learner takes it in small ticks (so the history has many points), and
Debian's Chromium photographs the dashboard once every chart has drawn the last row.
"""

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from dashboard import ids
from harness import loopback
from harness.chromium import launch
from harness.processes import PROJECT_ROOT, Service, wait_until

SCREENSHOT = PROJECT_ROOT / "docs" / "images" / "dashboard.png"
ROWS, DRIFT_AT_ROW = 6_000, 3_000
# The header, the status and the first row of charts.
VIEWPORT = {"width": 1280, "height": 830}
CHARTS_DRAWN = """ids => ids.every(id => {
    const plot = document.querySelector(`#${id} .js-plotly-plot`);
    return plot && plot._fullData && plot._fullData.some(trace => trace.x && trace.x.length);
})"""
CHARTS = [ids.CLASSIFICATION_METRICS, ids.CONFUSION_MATRIX, ids.DECISION_BOUNDARY]


def trio(workdir: Path) -> list[Service]:
    simulator = Service(
        "simulator",
        port_env="SIMULATOR_PORT",
        env={
            "SIMULATOR_HOST": "127.0.0.1",
            "SIMULATOR_DB": str(workdir / "simulator.db"),
            "SIMULATOR_ROWS": str(ROWS),
            "SIMULATOR_DRIFT_AT_ROW": str(DRIFT_AT_ROW),
        },
        log_dir=workdir,
        ready_path="/api/v1/data?page=0",
    )
    api = Service(
        "api",
        port_env="API_PORT",
        env={
            "API_HOST": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'api.db'}",
            "CHALLENGE_API_URL": simulator.url,
            "POLL_INTERVAL_SECONDS": "0.2",
            "MAX_PAGES_PER_TICK": "10",
        },
        log_dir=workdir,
    )
    dashboard = Service(
        "dashboard",
        port_env="DASHBOARD_PORT",
        env={"API_URL": api.url, "DASHBOARD_HOST": "127.0.0.1"},
        log_dir=workdir,
        ready_path="/",
    )
    return [simulator, api, dashboard]


def every_row_raced(api_url: str) -> bool:
    """The learner has learned the whole stream and the candidates have raced it too."""
    boards = [
        loopback.get(f"{api_url}/{task}/leaderboard", timeout=2)
        for task in ("classification", "regression")
    ]
    return all(board.status_code == 200 and board.json()["rows_raced"] >= ROWS for board in boards)


def take(output: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="screenshot-") as directory:
        services = trio(Path(directory))
        try:
            for service in services:
                service.start()
            api, dashboard = services[1], services[2]
            wait_until(lambda: every_row_raced(api.url), timeout=180, message="every row raced")
            with sync_playwright() as playwright:
                browser = launch(playwright)
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(dashboard.url)
                page.wait_for_function(CHARTS_DRAWN, arg=CHARTS, timeout=30_000)
                page.wait_for_timeout(1_000)  # Plotly's transitions settle
                output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(output))
                browser.close()
        finally:
            for service in reversed(services):
                service.stop()
    print(f"written to {output} ({output.stat().st_size / 1e3:.0f} kB)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screenshot", description=__doc__)
    parser.add_argument("--output", type=Path, default=SCREENSHOT)
    take(parser.parse_args().output)


if __name__ == "__main__":
    main()
