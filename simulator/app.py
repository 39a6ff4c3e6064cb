"""Build the simulator's FastAPI app: the store, the fault knobs, the served world and the
growing tail."""

import asyncio
import contextlib
import logging
import sqlite3
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI

from simulator.config import Settings, settings
from simulator.faults import RequestFaults
from simulator.injection import FaultInjection
from simulator.rescaling import Rescaling
from simulator.routes import router
from simulator.store import RowStore
from simulator.synthetic import Drift

logger = logging.getLogger("simulator")


async def grow_stream(
    store: RowStore, *, rows_per_second: float, seed: int, drift: Drift, stopping: asyncio.Event
) -> None:
    """Append synthetic rows at `rows_per_second` on average until `stopping` is set.

    Stopped by an event rather than cancelled: a cancelled task would leave its append
    running in a thread that the process may not wait for, cut off mid-transaction.
    """
    started = time.monotonic()
    appended = 0
    interval = min(1.0, max(0.05, 1.0 / rows_per_second))
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval)
        if stopping.is_set():
            return
        due = int((time.monotonic() - started) * rows_per_second) - appended
        if due <= 0:
            continue
        try:
            await asyncio.to_thread(store.append_generated, count=due, seed=seed, drift=drift)
        except sqlite3.Error:
            # A locked or read-only file should not end the stream; retry on the next tick.
            logger.exception("could not append %d rows to %s", due, store.path)
            continue
        appended += due


@asynccontextmanager
async def lifespan(app: FastAPI):
    config: Settings = app.state.settings
    drift = Drift(at_row=config.SIMULATOR_DRIFT_AT_ROW, kind=config.SIMULATOR_DRIFT_KIND)
    store = await asyncio.to_thread(
        RowStore.open,
        path=config.SIMULATOR_DB,
        rows=config.SIMULATOR_ROWS,
        seed=config.SIMULATOR_SEED,
        drift=drift,
    )
    logger.info("serving %d rows from %s", store.row_count, store.path)
    app.state.store = store
    stopping = asyncio.Event()
    growth = None
    if config.SIMULATOR_GROWTH_ROWS_PER_SECOND > 0:
        growth = asyncio.create_task(
            grow_stream(
                store,
                rows_per_second=config.SIMULATOR_GROWTH_ROWS_PER_SECOND,
                seed=config.SIMULATOR_SEED,
                drift=drift,
                stopping=stopping,
            )
        )
    yield
    stopping.set()
    if growth is not None:
        await growth


def create_app(config: Settings) -> FastAPI:
    app = FastAPI(
        title="QA challenge simulator",
        version="1.0.0",
        description=(
            "A stand-in for the QA streaming challenge API: the same paginated endpoint "
            "over a SQLite file, with optional growth, fault injection and rescaled rows."
        ),
        lifespan=lifespan,
    )
    app.state.settings = config
    app.state.rescaling = Rescaling(
        absurd_ids=config.SIMULATOR_ABSURD_IDS,
        absurd_field=config.SIMULATOR_ABSURD_FIELD,
        absurd_factor=config.SIMULATOR_ABSURD_FACTOR,
        scale_from_row=config.SIMULATOR_SCALE_FROM_ROW,
        scale_field=config.SIMULATOR_SCALE_FIELD,
        scale_factor=config.SIMULATOR_SCALE_FACTOR,
    )
    faults = RequestFaults(
        error_rate=config.SIMULATOR_ERROR_RATE,
        latency_ms=config.SIMULATOR_LATENCY_MS,
        seed=config.SIMULATOR_SEED,
        html_rate=config.SIMULATOR_HTML_RATE,
        truncate_rate=config.SIMULATOR_TRUNCATE_RATE,
        slow_rate=config.SIMULATOR_SLOW_RATE,
        slow_ms=config.SIMULATOR_SLOW_MS,
    )
    app.add_middleware(FaultInjection, faults=faults)
    app.include_router(router)
    return app


app = create_app(settings)
