"""Simulated viewers: each replays the recorded callback requests as its own browser would.

A viewer keeps the values of its page's properties. On every refresh it bumps the
interval's `n_intervals`, sends the callbacks that property triggers, stores what comes
back, and sends the callbacks those new values trigger in turn, until nothing more fires:
the chain the Dash renderer runs. A cycle lasts from its tick to its last answer.

A tenth of the viewers also ask about a new person every refresh: with the tick, they move
the competence slider of "Ask about a person" to a value it did not hold, so the chain
also asks the API for every candidate's answer for that person.
"""

import asyncio
import functools
import random
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from benchmarks.http11 import REQUEST_FAILURES, Connections, decoded
from benchmarks.recording import Recording, Template, prop_key
from dashboard import ids
from dashboard.question import HIGH, LOW, STEP

TICK = "poll.n_intervals"
ASKED = f"{ids.ASK_COMPETENCE}.value"
# One viewer in this many asks a new question every refresh.
ASKING_EVERY = 10
SLIDER_POSITIONS = [round(LOW + step * STEP, 2) for step in range(round((HIGH - LOW) / STEP) + 1)]
# A browser opens at most six connections to one host.
CONNECTIONS_PER_VIEWER = 6
REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass
class Cycle:
    started_at: float
    seconds: float
    error: str | None


@functools.lru_cache(maxsize=16)
def _json(body: bytes, encoding: str) -> Any:
    """An answer's JSON, decoded once for all the viewers of this process it reaches: the
    dashboard hands every viewer of a model version the same bytes. Nobody changes it."""
    return orjson.loads(decoded(body, encoding))


@dataclass
class Viewer:
    recording: Recording
    values: dict[str, Any] = field(default_factory=dict)
    # Seeds the questions of a viewer that asks; None: it only watches.
    asking: int | None = None

    def __post_init__(self) -> None:
        self.values = dict(self.recording.initial_values)
        self._carried = set().union(*(t.carried() for t in self.recording.templates))
        self._questions = random.Random(self.asking)
        if self.asking is not None and not any(
            ASKED in t.inputs() for t in self.recording.templates
        ):
            raise RuntimeError(f"the recording holds no request that {ASKED} triggers")

    def _triggered(self, changed: set[str]) -> list[Template]:
        return [t for t in self.recording.templates if changed & t.inputs()]

    def _with_values(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**item, "value": self.values.get(prop_key(item))} for item in items]

    def _body(self, template: Template, changed: set[str]) -> bytes:
        body = {
            **template.body,
            "inputs": self._with_values(template.body["inputs"]),
            "changedPropIds": sorted(template.inputs() & changed),
        }
        if "state" in body:
            body["state"] = self._with_values(body["state"])
        return orjson.dumps(body)

    async def _send(self, client: Connections, template: Template, changed: set[str]) -> set[str]:
        answer = await client.post(template.target, self._body(template, changed))
        if answer.status == 204:  # PreventUpdate: nothing changes
            return set()
        # The replay shares the machine with the service, where real viewers would not: an
        # answer that no later request carries is received whole but not decoded.
        if not template.outputs() & self._carried:
            return set()
        updated = set()
        for component, props in _json(answer.body, answer.encoding)["response"].items():
            for prop, value in props.items():
                self.values[f"{component}.{prop}"] = value
                updated.add(f"{component}.{prop}")
        return updated

    async def _run_chain(self, client: Connections, changed: set[str]) -> None:
        while due := self._triggered(changed):
            answers = await asyncio.gather(*(self._send(client, t, changed) for t in due))
            changed = set().union(*answers)

    async def load(self, client: Connections) -> None:
        """What a page load fires: every callback once, then the chain."""
        changed = set().union(*(t.inputs() for t in self.recording.templates))
        await self._run_chain(client, changed)

    def _ask_anew(self) -> set[str]:
        """Move the competence slider to a value it did not hold: the properties changed."""
        if self.asking is None:
            return set()
        held = self.values.get(ASKED)
        self.values[ASKED] = self._questions.choice([v for v in SLIDER_POSITIONS if v != held])
        return {ASKED}

    async def cycle(self, client: Connections) -> Cycle:
        started = time.monotonic()
        self.values[TICK] = (self.values.get(TICK) or 0) + 1
        error = None
        try:
            await self._run_chain(client, {TICK, *self._ask_anew()})
        except (*REQUEST_FAILURES, KeyError) as failure:
            error = repr(failure)
        return Cycle(started, time.monotonic() - started, error)


def viewer_client(base_url: str, headers: dict[str, str]) -> Connections:
    return Connections(
        base_url, headers, limit=CONNECTIONS_PER_VIEWER, timeout=REQUEST_TIMEOUT_SECONDS
    )


async def _watch(
    viewer: Viewer, base_url: str, *, joins_at: float, period: float, until: float
) -> list[Cycle]:
    cycles: list[Cycle] = []
    async with viewer_client(base_url, viewer.recording.headers) as client:
        await asyncio.sleep(max(0.0, joins_at - time.monotonic()))
        try:
            await viewer.load(client)
        except (*REQUEST_FAILURES, KeyError) as failure:
            cycles.append(Cycle(time.monotonic(), 0.0, repr(failure)))
        tick = time.monotonic()
        while tick < until:
            cycles.append(await viewer.cycle(client))
            # dcc.Interval keeps its beat; a late cycle delays the next, never bunches them.
            tick = max(tick + period, time.monotonic())
            await asyncio.sleep(tick - time.monotonic())
    return cycles


async def _watch_share(
    base_url: str,
    recording: Recording,
    viewers: range,
    *,
    count: int,
    period: float,
    begins: float,
    until: float,
) -> list[Cycle]:
    watches = [
        _watch(
            Viewer(recording, asking=index if index % ASKING_EVERY == 0 else None),
            base_url,
            joins_at=begins + index * period / count,
            period=period,
            until=until,
        )
        for index in viewers
    ]
    return [cycle for cycles in await asyncio.gather(*watches) for cycle in cycles]


def watch_share(
    base_url: str,
    recording: Recording,
    *,
    share: int,
    shares: int,
    count: int,
    period: float,
    begins: float,
    until: float,
) -> list[Cycle]:
    """Viewers number `share`, `share + shares`, ... of `count`, in this process: viewers
    join one after another over the first period from `begins` (a time.monotonic(), which
    every process shares) and each refreshes every `period` until `until`."""
    viewers = range(share, count, shares)
    watching = _watch_share(
        base_url, recording, viewers, count=count, period=period, begins=begins, until=until
    )
    return asyncio.run(watching)
