"""`python -m simulator`: serve the challenge stand-in on SIMULATOR_HOST:SIMULATOR_PORT."""

import logging

import uvicorn

from simulator.app import app
from simulator.config import settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(
        app,
        host=settings.SIMULATOR_HOST,
        port=settings.SIMULATOR_PORT,
        # Off by default: a log line per page slowed a catch-up's every request.
        access_log=settings.SIMULATOR_ACCESS_LOG,
    )


if __name__ == "__main__":
    main()
