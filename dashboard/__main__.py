"""`python -m dashboard`: serve the dashboard on DASHBOARD_HOST:DASHBOARD_PORT."""

import logging

import waitress

from dashboard.app import server
from dashboard.config import settings


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
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
