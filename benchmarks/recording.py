"""Record what a real browser asks of the dashboard: one request per callback it fires.

Headless Chromium opens the page, waits until the charts are drawn, and keeps watching a
few refresh cycles. Each callback's newest request is its template (outputs, inputs and
state, with the headers the browser sent); the first value seen for each property is the
page as it loads. The replay then asks exactly what the browser asks, whatever the
callbacks of the code under test are.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Request, sync_playwright

from harness.chromium import launch

CALLBACK_PATH = "/_dash-update-component"
# The headers that change what the dashboard does or sends back.
KEPT_HEADERS = ("accept", "accept-encoding", "content-type")
WATCHED_CYCLES = 3
# Plotly's full data holds what it plots, typed arrays decoded.
CHART_DRAWN = """() => {
    const plot = document.querySelector('#classification-metrics .js-plotly-plot');
    return Boolean(plot && plot._fullData && plot._fullData.some(trace => trace._length));
}"""


@dataclass(frozen=True)
class Template:
    # Path and query: Dash adds a query of its own to the callback path.
    target: str
    body: dict[str, Any]

    def inputs(self) -> set[str]:
        return {prop_key(item) for item in self.body["inputs"]}

    def carried(self) -> set[str]:
        """The properties whose values this request sends: its inputs and its state."""
        return self.inputs() | {prop_key(item) for item in self.body.get("state", [])}

    def outputs(self) -> set[str]:
        outputs = self.body["outputs"]
        return {prop_key(item) for item in (outputs if isinstance(outputs, list) else [outputs])}


@dataclass(frozen=True)
class Recording:
    templates: list[Template]
    headers: dict[str, str]
    initial_values: dict[str, Any]


def prop_key(item: dict[str, Any]) -> str:
    return f"{item['id']}.{item['property']}"


def _target(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _initial_values(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for body in bodies:
        for item in [*body["inputs"], *body.get("state", [])]:
            values.setdefault(prop_key(item), item.get("value"))
    return values


def record_callbacks(dashboard_url: str, *, refresh_seconds: float) -> Recording:
    """The callback requests of a browser that loads the page and watches it refresh."""
    requests: list[Request] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.on(
            "request",
            lambda request: (
                requests.append(request)
                if request.method == "POST" and urlsplit(request.url).path == CALLBACK_PATH
                else None
            ),
        )
        page.goto(dashboard_url)
        page.wait_for_function(CHART_DRAWN, timeout=60_000)
        page.wait_for_timeout(WATCHED_CYCLES * refresh_seconds * 1000)
        if not requests:
            raise RuntimeError(f"the browser sent no callback request to {dashboard_url}")
        bodies: list[dict[str, Any]] = [request.post_data_json or {} for request in requests]
        targets = [_target(request.url) for request in requests]
        headers = requests[-1].all_headers()
        browser.close()
    newest = {
        body["output"]: Template(target, body) for target, body in zip(targets, bodies, strict=True)
    }
    return Recording(
        templates=list(newest.values()),
        headers={name: headers[name] for name in KEPT_HEADERS if name in headers},
        initial_values=_initial_values(bodies),
    )
