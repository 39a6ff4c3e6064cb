"""64 concurrent clients on the read and predict endpoints while the learner catches up."""

import asyncio
import random
import statistics
import time
from collections import Counter

import httpx
import pytest

from harness.processes import wait_until
from tests.support.api_reads import status_of, wait_for_rows
from tests.support.ledger import assert_learned_exactly_once
from tests.support.services import CHAOS_API_SETTINGS

# Its 64 clients are the load it measures; other tests beside them would add theirs.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]

CLIENTS, SECONDS = 64, 6.0


def a_request(rng: random.Random) -> tuple[str, str, dict]:
    """One of the endpoints a dashboard or a caller would hit, with a plausible input."""
    task = rng.choice(["classification", "regression"])
    match rng.choice(["latest", "history", "predict"]):
        case "latest":
            return "GET", f"/{task}/latest", {}
        case "history":
            return "GET", f"/{task}/history", {"params": {"limit": rng.randint(1, 300)}}
    competence = rng.uniform(-1, 2)
    body = (
        {"competence": competence, "network_ability": rng.uniform(-1, 2)}
        if task == "classification"
        else {"competence": competence, "promoted": rng.random() < 0.5}
    )
    return "POST", f"/{task}/predict", {"json": body}


async def hammer(base_url: str) -> tuple[Counter, list[float]]:
    """CLIENTS concurrent loops of requests for SECONDS; status counts and latencies."""
    outcomes: Counter = Counter()
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base_url, timeout=10, limits=limits) as client:
        deadline = time.monotonic() + SECONDS

        async def one_client(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < deadline:
                method, path, options = a_request(rng)
                started = time.monotonic()
                try:
                    response = await client.request(method, path, **options)
                    outcomes[(path.rsplit("/", 1)[1], response.status_code)] += 1
                except httpx.HTTPError as error:
                    outcomes[(path.rsplit("/", 1)[1], type(error).__name__)] += 1
                latencies.append(time.monotonic() - started)

        await asyncio.gather(*(one_client(n) for n in range(CLIENTS)))
    return outcomes, latencies


def test_sixty_four_clients_during_a_catch_up_get_no_5xx_and_no_row_is_lost(
    start_simulator, start_api, db_path, figures
):
    # Long enough to outlast the load: about 12,000 rows are learned by its end here.
    rows = 40_000
    simulator = start_simulator(SIMULATOR_ROWS=rows)
    api = start_api(
        database_url=f"sqlite:///{db_path}",
        source_url=simulator.url,
        MAX_PAGES_PER_TICK=10,
        **CHAOS_API_SETTINGS,
    )
    wait_until(lambda: status_of(api)["rows_seen"] > 0, timeout=30, message="a first commit")
    rows_before = status_of(api)["rows_seen"]
    outcomes, latencies = asyncio.run(hammer(api.url))
    rows_after = status_of(api)["rows_seen"]

    not_ok = {key: count for key, count in outcomes.items() if key[1] != 200}
    resets = sum(count for (_, code), count in not_ok.items() if not isinstance(code, int))
    assert all(not isinstance(code, int) for _, code in not_ok), not_ok
    # A connection the server drops under this load is the client's to retry; a few are
    # tolerated (and counted), an error answer never is.
    assert resets <= 0.05 * sum(outcomes.values()), not_ok
    assert rows_before < rows_after < rows, "the load must fall within the catch-up"
    wait_for_rows(api, rows, timeout=120)
    ledger = assert_learned_exactly_once(api, db_path, list(range(1, rows + 1)))
    quantiles = statistics.quantiles(latencies, n=100)
    figures.update(
        clients=CLIENTS,
        seconds=SECONDS,
        requests=sum(outcomes.values()),
        requests_per_second=round(sum(outcomes.values()) / SECONDS),
        p50_ms=round(quantiles[49] * 1000, 1),
        p99_ms=round(quantiles[98] * 1000, 1),
        max_ms=round(max(latencies) * 1000, 1),
        error_answers=0,
        connections_reset=resets,
        rows_learned_during_load=rows_after - rows_before,
        rows_lost=rows - len(set(ledger.learned_ids)),
        rows_duplicated=ledger.duplicated(),
    )
