"""`python -m dashboard`: serve the dashboard on DASHBOARD_HOST:DASHBOARD_PORT."""

import logging
import resource

import waitress

from dashboard.app import server
from dashboard.config import settings

logger = logging.getLogger("dashboard")

# Descriptors the process holds besides its viewers' connections: files, its API client.
OTHER_DESCRIPTORS = 100


def allow_connections(limit: int) -> None:
    """Raise the soft limit of open files to what `limit` connections need, as far as the
    hard limit allows (a container's soft limit may be 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limit + OTHER_DESCRIPTORS
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    allowed = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (allowed, hard))
    if allowed < wanted:
        logger.warning(
            "open files are limited to %d: fewer than DASHBOARD_CONNECTION_LIMIT=%d "
            "connections will be taken in",
            allowed,
            limit,
        )


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    allow_connections(settings.DASHBOARD_CONNECTION_LIMIT)
    # A production WSGI server: Flask's own is for development, one viewer at a time.
    waitress.serve(
        server,
        host=settings.DASHBOARD_HOST,
        port=settings.DASHBOARD_PORT,
        threads=settings.DASHBOARD_THREADS,
        connection_limit=settings.DASHBOARD_CONNECTION_LIMIT,
        # select(), waitress's default, dies on a descriptor past 1023: two hundred
        # viewers' browsers hold more connections than that.
        asyncore_use_poll=True,
        ident="dashboard",
    )


if __name__ == "__main__":
    main()
