"""The whole trio as real processes, the dashboard driven in headless Chromium."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import PROJECT_ROOT, Service, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ADMIN_TOKEN = "browser-test-token"
# Counts the points a dcc.Graph's Plotly chart is drawing.
POINTS_DRAWN = """id => {
    const plot = document.querySelector(`#${id} .js-plotly-plot`);
    if (!plot || !plot.data) return 0;
    return plot.data.reduce((total, trace) => total + (trace.x ? trace.x.length : 0), 0);
}"""
CHARTS = (
    "classification-metrics",
    "confusion-matrix",
    "decision-boundary",
    "regression-metrics",
    "regression-coefficients",
    "predicted-vs-actual",
)


@pytest.fixture
def trio(tmp_path) -> Iterator[dict[str, Service]]:
    simulator = Service(
        "simulator",
        port_env="SIMULATOR_PORT",
        # The learner drains 5000 rows in seconds; the growing tail keeps the stream live.
        env={
            "SIMULATOR_DB": str(tmp_path / "sim.db"),
            "SIMULATOR_ROWS": "5000",
            "SIMULATOR_GROWTH_ROWS_PER_SECOND": "20",
        },
        log_dir=tmp_path,
        ready_path="/api/v1/data?page=0",
    )
    api_env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
        "CHALLENGE_API_URL": simulator.url,
        "POLL_INTERVAL_SECONDS": "0.5",
        "MAX_PAGES_PER_TICK": "2",
        "ADMIN_TOKEN": ADMIN_TOKEN,
    }
    api = Service("api", port_env="API_PORT", env=api_env, log_dir=tmp_path)
    dashboard = Service(
        "dashboard",
        port_env="DASHBOARD_PORT",
        env={"API_URL": api.url},
        log_dir=tmp_path,
        ready_path="/",
    )
    services = {"simulator": simulator, "api": api, "dashboard": dashboard}
    try:
        for service in services.values():
            service.start()
        # The API answers before its learner process has started and committed.
        wait_until(
            lambda: httpx.get(api.url + "/status", timeout=2).json()["rows_seen"] > 0,
            timeout=60, message="the learner's first commit",
        )  # fmt: skip
        yield services
    finally:
        for service in reversed(services.values()):
            service.stop()


@pytest.fixture
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_dashboard(browser, url: str):
    """A page in its own browser context (a separate viewer), refreshing every second."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url)
    page.get_by_label("1 s").check()
    return page


def rows_learned(page) -> int:
    text = page.locator("#rows-learned").inner_text().replace(",", "")
    return int(text) if text.isdigit() else 0


def wait_for_rows_beyond(page, rows: int) -> int:
    def grown() -> int:
        shown = rows_learned(page)
        return shown if shown > rows else 0

    # Long enough for a restarted API to start its learner process again.
    return wait_until(
        grown,
        timeout=30,
        message=f"rows learned to pass {rows}",
    )


def all_agree(pages, api_url: str) -> bool:
    """Every viewer shows the rows the API has learned, and the same newest batch."""
    api_rows = httpx.get(f"{api_url}/status", timeout=2).json()["rows_seen"]
    batches = {page.inner_text("#classification-batch") for page in pages}
    return all(rows_learned(page) == api_rows for page in pages) and len(batches) == 1


def assert_charts_show_data(page) -> None:
    for chart in CHARTS:
        page.wait_for_function(f"({POINTS_DRAWN})('{chart}') > 0", timeout=15_000)
    assert page.locator("#classification-batch tbody tr").count() > 0


def test_dashboard_follows_the_learner_and_survives_an_api_restart(trio, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    viewer = open_dashboard(browser, trio["dashboard"].url)

    assert_charts_show_data(viewer)
    first = wait_for_rows_beyond(viewer, 0)
    wait_for_rows_beyond(viewer, first)
    sync_api.expect(viewer.locator("#banner")).to_be_hidden()

    trio["api"].stop()
    banner = viewer.locator("#banner")
    sync_api.expect(banner).to_have_text(f"API at {trio['api'].url} unreachable, retrying")
    sync_api.expect(viewer.locator("#status-bar")).to_have_class("status-bar stale")
    viewer.screenshot(path=ARTIFACTS / "dashboard-api-down.png", full_page=True)
    before_restart = rows_learned(viewer)

    trio["api"] = Service(
        "api",
        port_env="API_PORT",
        env=trio["api"].env,
        log_dir=trio["api"].log_path.parent,
        port=trio["api"].port,
    ).start()
    sync_api.expect(banner).to_be_hidden(timeout=15_000)
    sync_api.expect(viewer.locator("#status-bar")).to_have_class("status-bar")
    wait_for_rows_beyond(viewer, before_restart)
    assert_charts_show_data(viewer)
    viewer.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    # Freeze the learner so two viewers polling at different moments must agree.
    httpx.post(
        f"{trio['api'].url}/learner/pause",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=5,
    ).raise_for_status()
    second_viewer = open_dashboard(browser, trio["dashboard"].url)
    assert_charts_show_data(second_viewer)
    wait_until(
        lambda: all_agree([viewer, second_viewer], trio["api"].url),
        timeout=15,
        message="both viewers showing the API's numbers",
    )
    sync_api.expect(second_viewer.locator("#learner-state")).to_have_text("paused")
