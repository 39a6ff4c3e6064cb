"""`python -m api`: the API and its learner under uvicorn.

The learner process starts first, so that it imports its models while the API imports
itself (`api.early_start`).
"""

from api.core.config import settings
from api.early_start import start_learner
from api.observability import configure_logging

if __name__ == "__main__":
    if settings.LEARNER_ENABLED:
        start_learner()
    import uvicorn

    configure_logging(level=settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)
    uvicorn.run(
        "api.main:app",
        log_config=None,
        host=settings.API_HOST,
        port=settings.API_PORT,
        log_level=settings.LOG_LEVEL.lower(),
        # Off by default: a log line per request is a large share of a trivial request.
        access_log=settings.ACCESS_LOG,
    )
