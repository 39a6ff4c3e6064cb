"""`python -m api.learner`: the learner alone, beside read-only API replicas.

Run any number of these: the lease in the database lets one learn while the others
stand by, and a standby takes over within LEASE_SECONDS when the active one dies.
Prometheus metrics are served on LEARNER_METRICS_PORT.
"""

import asyncio
import contextlib
import logging
import signal

from prometheus_client import start_http_server

from api.core.config import Settings, settings
from api.core.db import make_engine, make_session_factory
from api.learning.learner import Learner
from api.migrate import upgrade_database
from api.observability import configure_logging
from api.serving import Serving

logger = logging.getLogger("api.learner")


async def run_learner(config: Settings) -> None:
    engine = make_engine(config.DATABASE_URL)
    await asyncio.to_thread(upgrade_database, engine)
    learner = Learner(config, make_session_factory(engine), Serving())
    task = asyncio.create_task(learner.run())
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, task.cancel)
    logger.info("learner %s started on %s", learner.holder, config.CHALLENGE_API_URL)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    engine.dispose()


if __name__ == "__main__":
    configure_logging(level=settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)
    start_http_server(settings.LEARNER_METRICS_PORT, addr=settings.API_HOST)
    asyncio.run(run_learner(settings))
