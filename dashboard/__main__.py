"""`python -m dashboard`: serve the dashboard on DASHBOARD_HOST:DASHBOARD_PORT."""

import logging

from dashboard.app import app
from dashboard.config import settings


def main() -> None:
    # Every viewer polls several times a second; one access-log line per request drowns the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.run(host=settings.DASHBOARD_HOST, port=settings.DASHBOARD_PORT, debug=False)


if __name__ == "__main__":
    main()
