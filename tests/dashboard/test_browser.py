"""The whole trio as real processes, the dashboard driven in headless Chromium."""

import json
import re
from collections.abc import Iterator

import pytest

from api.learning.candidates import DEFAULTS
from dashboard import ids
from dashboard.ask import NO_POSTERIOR
from dashboard.components import drift_text
from harness import loopback
from harness.chromium import CHROMIUM, launch
from harness.processes import PROJECT_ROOT, Service, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

sync_api = pytest.importorskip("playwright.sync_api")

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ADMIN_TOKEN = "browser-test-token"
# Counts the points a dcc.Graph's Plotly chart is drawing: its full data holds what it
# plots, typed arrays decoded.
POINTS_DRAWN = """id => {
    const plot = document.querySelector(`#${id} .js-plotly-plot`);
    if (!plot || !plot._fullData) return 0;
    return plot._fullData.reduce((total, trace) => total + (trace.x ? trace.x.length : 0), 0);
}"""
DEFAULT_CANDIDATES = {task: len(names) for task, names in DEFAULTS.items()}
CHARTS = (
    ids.CLASSIFICATION_METRICS,
    ids.CLASSIFICATION_COEFFICIENTS,
    ids.CONFUSION_MATRIX,
    ids.DECISION_BOUNDARY,
    ids.REGRESSION_METRICS,
    ids.REGRESSION_COEFFICIENTS,
    ids.PREDICTED_VS_ACTUAL,
    ids.leaderboard_chart("classification"),
    ids.leaderboard_chart("regression"),
)
# The interval bands a coefficient chart has painted: filled areas with a drawn outline.
BANDS_PAINTED = """id => [...document.querySelectorAll(`#${id} path.js-fill`)]
    .filter(path => (path.getAttribute('d') || '').length > 1).length"""
# Where the metric chart's drift markers stand (rows seen), as Plotly laid them out.
DRIFT_MARKED_AT = """id => {
    const plot = document.querySelector(`#${id} .js-plotly-plot`);
    if (!plot || !plot._fullLayout) return [];
    return plot._fullLayout.shapes
        .filter(shape => (shape.name || '').startsWith('drift')).map(shape => shape.x0);
}"""
# Two weights and the intercept, in each task's model.
COEFFICIENTS = 3
# The promotion policy turns here; the classifier's detector fires a few dozen rows later.
DRIFT_AT_ROW = 1000
# Served with a competence a million times too large: quarantined as an outlier.
ABSURD_ID = 2500
# Seconds a request of these tests may take: they check what the pages show, not how fast
# the API answers, and beside the rest of the suite on 2 cores an answer can take seconds.
READ = 30


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
            "SIMULATOR_DRIFT_AT_ROW": str(DRIFT_AT_ROW),
            "SIMULATOR_ABSURD_IDS": str(ABSURD_ID),
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
            lambda: loopback.get(api.url + "/status", timeout=READ).json()["rows_seen"] > 0,
            timeout=60,
            message="the learner's first commit",
        )
        yield services
    finally:
        for service in reversed(services.values()):
            service.stop()


@pytest.fixture
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def open_dashboard(browser, url: str, refresh: str = "1 s"):
    """A page in its own browser context (a separate viewer), refreshing as chosen."""
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(url)
    page.get_by_label(refresh, exact=True).check()
    return page


def drawn_version(page) -> int:
    """The model version of the batch the classification section shows; 0 before any."""
    caption = page.locator(f"#{ids.CLASSIFICATION_BATCH} caption")
    if caption.count() == 0:
        return 0
    found = re.search(r"model version (\d+)", caption.inner_text())
    return int(found[1]) if found else 0


def set_learner(api_url: str, action: str) -> None:
    loopback.post(
        f"{api_url}/learner/{action}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=READ,
    ).raise_for_status()


def drift_events(api_url: str) -> list[dict]:
    return loopback.get(f"{api_url}/classification/drift", timeout=READ).json()["events"]


def api_version(api_url: str) -> int:
    return loopback.get(f"{api_url}/status", timeout=READ).json()["model_version"]


def rows_learned(page) -> int:
    text = page.locator(f"#{ids.ROWS_LEARNED}").inner_text().replace(",", "")
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
    api_rows = loopback.get(f"{api_url}/status", timeout=READ).json()["rows_seen"]
    batches = {page.inner_text(f"#{ids.CLASSIFICATION_BATCH}") for page in pages}
    return all(rows_learned(page) == api_rows for page in pages) and len(batches) == 1


def assert_charts_show_data(page) -> None:
    for chart in CHARTS:
        page.wait_for_function(f"({POINTS_DRAWN})('{chart}') > 0", timeout=15_000)
    assert page.locator(f"#{ids.CLASSIFICATION_BATCH} tbody tr").count() > 0
    for task in ("classification", "regression"):
        table = page.locator(f"#{ids.leaderboard_table(task)}")
        # Every default candidate in the table, one of them marked champion.
        sync_api.expect(table.locator("tbody tr")).to_have_count(DEFAULT_CANDIDATES[task])
        sync_api.expect(table.locator("tr.champion")).to_have_count(1)
        sync_api.expect(table.locator("caption")).to_contain_text("Champion: ")


def test_dashboard_follows_the_learner_and_survives_an_api_restart(trio, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    viewer = open_dashboard(browser, trio["dashboard"].url)

    assert_charts_show_data(viewer)
    first = wait_for_rows_beyond(viewer, 0)
    wait_for_rows_beyond(viewer, first)
    banner = viewer.locator(f"#{ids.BANNER}")
    sync_api.expect(banner).to_be_hidden()

    trio["api"].stop()
    sync_api.expect(banner).to_have_text(f"API at {trio['api'].url} unreachable, retrying")
    status_bar = viewer.locator(f"#{ids.STATUS_BAR}")
    sync_api.expect(status_bar).to_have_class("status-bar stale")
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
    sync_api.expect(status_bar).to_have_class("status-bar")
    wait_for_rows_beyond(viewer, before_restart)
    assert_charts_show_data(viewer)
    viewer.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)

    # Freeze the learner so two viewers polling at different moments must agree.
    set_learner(trio["api"].url, "pause")
    second_viewer = open_dashboard(browser, trio["dashboard"].url)
    assert_charts_show_data(second_viewer)
    wait_until(
        lambda: all_agree([viewer, second_viewer], trio["api"].url),
        timeout=15,
        message="both viewers showing the API's numbers",
    )
    sync_api.expect(second_viewer.locator(f"#{ids.LEARNER_STATE}")).to_have_text("paused")


def test_viewers_at_different_refresh_rates_both_see_a_new_model_version(trio, browser):
    api_url, dashboard_url = trio["api"].url, trio["dashboard"].url
    fast = open_dashboard(browser, dashboard_url, refresh="1 s")
    slow = open_dashboard(browser, dashboard_url, refresh="5 s")
    set_learner(api_url, "pause")
    wait_until(
        lambda: drawn_version(fast) == drawn_version(slow) == api_version(api_url),
        timeout=20,
        message="both viewers drawing the paused learner's model version",
    )
    paused_at = drawn_version(fast)

    set_learner(api_url, "resume")
    wait_until(lambda: api_version(api_url) > paused_at, timeout=15, message="a new version")
    wait_until(
        lambda: drawn_version(fast) > paused_at and drawn_version(slow) > paused_at,
        timeout=20,
        message=f"both viewers drawing a model version after {paused_at}",
    )
    for viewer in (fast, slow):
        assert_charts_show_data(viewer)


def test_a_viewer_sees_the_interval_bands_and_a_drift_marker_after_the_switch(trio, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    api_url = trio["api"].url
    viewer = open_dashboard(browser, trio["dashboard"].url)
    for chart in (ids.CLASSIFICATION_COEFFICIENTS, ids.REGRESSION_COEFFICIENTS):
        viewer.wait_for_function(f"({BANDS_PAINTED})('{chart}') === {COEFFICIENTS}", timeout=15_000)

    events = wait_until(
        lambda: drift_events(api_url),
        timeout=60,
        message="the learner to detect the switch",
    )
    detected_at = events[0]["rows_seen"]
    assert DRIFT_AT_ROW < detected_at <= DRIFT_AT_ROW + 2_000
    # The promotion rule turned: the loss rose (ADWIN) and a coefficient moved
    # (relationship), each told once; wait until the chart shows every event the API has.
    served = wait_until(
        lambda: (
            (events := drift_events(api_url))
            and {e["detector"] for e in events} == {"ADWIN", "relationship"}
            and events
        ),
        timeout=60,
        message="both detectors to fire",
    )
    expected = sorted(2 * [event["rows_seen"] for event in served])
    viewer.wait_for_function(
        f"JSON.stringify(({DRIFT_MARKED_AT})('{ids.CLASSIFICATION_METRICS}').sort((a, b) => a - b))"
        f" === '{json.dumps(expected, separators=(',', ':'))}'",
        timeout=15_000,
    )
    notice = viewer.locator(f"#{ids.drift_notice('classification')}")
    sync_api.expect(notice).to_be_visible()
    sync_api.expect(notice).to_contain_text(drift_text("classification", served[-1]))
    viewer.screenshot(path=ARTIFACTS / "dashboard-drift.png", full_page=True)


def test_a_viewer_sees_the_rows_not_learned_by_reason_and_the_newest_on_demand(trio, browser):
    viewer = open_dashboard(browser, trio["dashboard"].url)
    reasons = viewer.locator(f"#{ids.QUARANTINE_REASONS}")
    sync_api.expect(reasons).to_contain_text("outlier: competence", timeout=30_000)
    newest = viewer.locator(f"#{ids.QUARANTINE_NEWEST}")
    sync_api.expect(newest).to_be_hidden()
    viewer.get_by_text("The newest of them").click()
    sync_api.expect(newest).to_be_visible()
    served = loopback.get(f"{trio['api'].url}/quarantine?limit=20", timeout=READ).json()["rows"]
    sync_api.expect(newest.locator("tbody tr").first).to_contain_text(str(served[0]["id"]))
    sync_api.expect(newest).to_contain_text(f"{ABSURD_ID}")


# Each row of a task's answers table: the candidate, the answer and the interval to the
# last digit (the cells' titles), and whether it is starred.
ANSWERS_SHOWN = """id => [...document.querySelectorAll(`#${id} tbody tr`)].map(row => {
    const cells = row.querySelectorAll('td');
    return [cells[1].textContent, cells[2].title, cells[3].title, cells[0].textContent === '★'];
})"""
# Where the decision boundary chart draws the person asked about.
PERSON_DRAWN = f"""() => {{
    const plot = document.querySelector('#{ids.DECISION_BOUNDARY} .js-plotly-plot');
    const person = plot && plot.data && plot.data.find(t => t.name === 'the person asked about');
    return person ? [person.x, person.y] : null;
}}"""
VALUE = {"classification": "probability", "regression": "network_ability"}


def api_answers(api_url: str, person: dict) -> dict[str, list]:
    """Each task's answers for `person` as the API gives them, as the panel's rows."""
    bodies = {
        "classification": {k: person[k] for k in ("competence", "network_ability")},
        "regression": {k: person[k] for k in ("competence", "promoted")},
    }
    rows = {}
    for task, body in bodies.items():
        answer = loopback.post(
            f"{api_url}/{task}/predict", params={"all": "true"}, json=body, timeout=READ
        ).json()
        rows[task] = [
            [
                candidate["model"],
                repr(candidate[VALUE[task]]),
                NO_POSTERIOR
                if candidate["interval"] is None
                else f"[{candidate['interval'][0]!r}, {candidate['interval'][1]!r}]",
                candidate["model"] == answer["model"],
            ]
            for candidate in answer["candidates"]
        ]
    return rows


def panel_answers(page) -> dict[str, list]:
    return {task: page.evaluate(f"({ANSWERS_SHOWN})('{ids.answers(task)}')") for task in VALUE}


def wait_for_the_panel_to_answer(page, api_url: str, person: dict) -> dict[str, list]:
    expected = api_answers(api_url, person)
    wait_until(
        lambda: panel_answers(page) == expected,
        timeout=60,  # the first question has the API load the models it races
        message=f"the panel showing the API's answers for {person}",
    )
    return expected


def shows_in_the_address(page, question: str) -> None:
    """Wait for the page's address to end with `question`. Playwright's own wait: its sync
    API takes in the page's navigations only while a call of it waits, so `page.url`
    polled between sleeps can stay as it was."""
    page.wait_for_url(lambda url: url.endswith(question), timeout=10_000)


def person_drawn_at(page, competence: float, network_ability: float) -> None:
    expected = json.dumps([[competence], [network_ability]], separators=(",", ":"))
    page.wait_for_function(f"JSON.stringify(({PERSON_DRAWN})()) === '{expected}'")


def test_a_viewer_asks_about_a_person_from_the_url_and_the_answers_follow_a_slider(trio, browser):
    api_url = trio["api"].url
    url = f"{trio['dashboard'].url}/?competence=0.71&network_ability=0.37&promoted=true"
    example = {"competence": 0.71, "network_ability": 0.37, "promoted": True}

    # While the models learn, the person stays on each new decision boundary chart.
    watching = open_dashboard(browser, url)
    person_drawn_at(watching, 0.71, 0.37)
    drawn = drawn_version(watching)
    wait_until(lambda: drawn_version(watching) > drawn, timeout=20, message="a new chart")
    person_drawn_at(watching, 0.71, 0.37)

    # Frozen models (a paused learner commits nothing): the page and this test ask the same.
    set_learner(api_url, "pause")
    wait_until(
        lambda: loopback.get(f"{api_url}/status", timeout=READ).json()["state"] == "paused",
        timeout=15,
        message="the learner to pause",
    )
    viewer = open_dashboard(browser, url)
    shown = wait_for_the_panel_to_answer(viewer, api_url, example)
    assert [row[0] for row in shown["classification"]] == list(DEFAULTS["classification"])
    assert [row[0] for row in shown["regression"]] == list(DEFAULTS["regression"])
    assert sum(row[3] for row in shown["classification"]) == 1
    competence = viewer.locator(f"#{ids.ASK_COMPETENCE} input")
    network_ability = viewer.locator(f"#{ids.ASK_NETWORK_ABILITY} input")
    sync_api.expect(competence).to_have_value("0.71")
    sync_api.expect(network_ability).to_have_value("0.37")
    sync_api.expect(viewer.get_by_label("yes", exact=True)).to_be_checked()
    person_drawn_at(viewer, 0.71, 0.37)
    caption = viewer.locator(f"#{ids.answers('classification')} caption")
    sync_api.expect(caption).to_contain_text(f"model version {api_version(api_url)}")
    viewer.screenshot(path=ARTIFACTS / "dashboard-ask.png", full_page=True)

    # Three steps left on the competence slider, from the keyboard as a viewer may.
    viewer.locator(f"#{ids.ASK_COMPETENCE} [role=slider]").focus()
    for _step in range(3):
        viewer.keyboard.press("ArrowLeft")
    moved = {**example, "competence": 0.68}
    wait_for_the_panel_to_answer(viewer, api_url, moved)
    shows_in_the_address(viewer, "/?competence=0.68&network_ability=0.37&promoted=true")
    person_drawn_at(viewer, 0.68, 0.37)

    # A value typed into the number entry, and a promotion turned down.
    network_ability.fill("0.82")
    network_ability.press("Tab")
    # A question is a step of the history once the address shows it; a change made before
    # that (on a busy machine) would be asked with it, as one step.
    shows_in_the_address(viewer, "/?competence=0.68&network_ability=0.82&promoted=true")
    viewer.get_by_label("no", exact=True).check()
    typed = {"competence": 0.68, "network_ability": 0.82, "promoted": False}
    wait_for_the_panel_to_answer(viewer, api_url, typed)
    shows_in_the_address(viewer, "/?competence=0.68&network_ability=0.82&promoted=false")
    person_drawn_at(viewer, 0.68, 0.82)

    # The back button asks the question before.
    viewer.go_back()
    shows_in_the_address(viewer, "/?competence=0.68&network_ability=0.82&promoted=true")
    wait_for_the_panel_to_answer(viewer, api_url, {**typed, "promoted": True})
    sync_api.expect(viewer.get_by_label("yes", exact=True)).to_be_checked()

    # The API goes away: a question gets no answer. Once it is back and learning, the
    # next chart drawn has the panel ask again by itself.
    trio["api"].stop()
    viewer.get_by_label("no", exact=True).check()
    sync_api.expect(viewer.locator(f"#{ids.answers('regression')} caption")).to_have_text(
        "No answer yet: the API is unavailable."
    )
    trio["api"] = Service(
        "api",
        port_env="API_PORT",
        env=trio["api"].env,
        log_dir=trio["api"].log_path.parent,
        port=trio["api"].port,
    ).start()
    wait_until(
        lambda: (
            [row[0] for row in panel_answers(viewer)["regression"]] == list(DEFAULTS["regression"])
        ),
        timeout=60,
        message="the panel answering again by itself",
    )
    caption = viewer.locator(f"#{ids.answers('regression')} caption")
    sync_api.expect(caption).to_contain_text("competence 0.68, not promoted")
