"""`python -m api`: the API and its learner under uvicorn."""

import uvicorn

from api.core.config import settings

if __name__ == "__main__":
    uvicorn.run(
        "api.main:app",
        host=settings.API_HOST,
        port=settings.API_PORT,
        log_level=settings.LOG_LEVEL.lower(),
    )
