"""Builds the app: storage, the published records, and the learner process in the lifespan."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware

from api.core.config import Settings, settings
from api.core.db import make_engine, make_session_factory
from api.deps import Services
from api.errors import validation_error
from api.learning.names import TASKS
from api.migrate import upgrade_database
from api.observability import RequestTimer
from api.routes import operations, versions
from api.routes.leaderboard import leaderboard_router
from api.routes.predict import predict_router
from api.routes.records import records_router
from api.serving import Serving
from api.supervisor import LearnerSupervisor

logger = logging.getLogger(__name__)

# Predict bodies are a few dozen bytes; anything over this is refused with 413 unread.
MAX_BODY_BYTES = 64 * 1024

DESCRIPTION = """
Online learning on the QA streaming challenge. A learner, in a process of its own that
this API supervises, polls the stream, and for every row predicts, scores, then learns
(progressive validation), committing each tick exactly once. These endpoints serve what
has been committed.
"""


async def follow_database(services: Services, committed: asyncio.Event) -> None:
    """Serve what the learner (ours or another one) commits to the database.

    Our own learner says when it commits, and the new tick is served at once; a learner
    elsewhere is seen within half a poll interval, so within one interval of its commit.
    """
    key = services.settings.SECRET_KEY.get_secret_value()
    interval = min(services.settings.POLL_INTERVAL_SECONDS / 2, 1.0)
    while True:
        committed.clear()
        try:
            await asyncio.to_thread(
                services.serving.refresh, services.session_factory, secret_key=key
            )
        except Exception:
            logger.exception("could not refresh from the database; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(committed.wait(), interval)


def _log_crash(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("background task died", exc_info=task.exception())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    config: Settings = app.state.settings
    engine = make_engine(config.DATABASE_URL)
    await asyncio.to_thread(upgrade_database, engine)
    session_factory = make_session_factory(engine)
    serving = Serving()
    try:
        await asyncio.to_thread(
            serving.refresh, session_factory, secret_key=config.SECRET_KEY.get_secret_value()
        )
    except Exception:
        # Nothing in the database keeps the API from starting: it serves what it can read,
        # and follow_database tries again.
        logger.exception("could not read the committed records at start")
    committed = asyncio.Event()
    supervisor = (
        LearnerSupervisor(config, on_commit=committed.set) if config.LEARNER_ENABLED else None
    )
    services = Services(config, session_factory, serving, supervisor)
    app.state.services = services
    background = [asyncio.create_task(follow_database(services, committed))]
    if supervisor is not None:
        background.append(asyncio.create_task(supervisor.run()))
    for task in background:
        task.add_done_callback(_log_crash)
    # What exists now lives as long as the process. Frozen, it is left out of the
    # collector's full passes, each of which stalled every request in flight.
    gc.freeze()
    try:
        yield
    finally:
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if supervisor is not None:
            await supervisor.stop()
        engine.dispose()


def create_app(config: Settings = settings) -> FastAPI:
    app = FastAPI(
        title="QA online learning API",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.settings = config
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(RequestTimer)
    if config.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware, allow_origins=config.CORS_ORIGINS, allow_methods=["GET", "POST"]
        )
    for task_router in (records_router, leaderboard_router, predict_router):
        for task in TASKS:
            app.include_router(task_router(task))
    app.include_router(operations.router)
    app.include_router(versions.router)
    return app


app = create_app()
