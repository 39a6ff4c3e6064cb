"""The installed `qa-learner` command, run as a process."""

import os
import subprocess
import sys
from pathlib import Path

from harness.processes import PROJECT_ROOT, free_port

# `make` installs the project into the venv that runs the tests, console script included.
QA_LEARNER = Path(sys.executable).parent / "qa-learner"
ADMIN_TOKEN = "cli-admin-token"
STREAM_ROWS = 300


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`qa-learner ARGS` with neither API_URL nor ADMIN_TOKEN inherited from the caller."""
    environment = {k: v for k, v in os.environ.items() if k not in {"API_URL", "ADMIN_TOKEN"}}
    environment.update({"COLUMNS": "120", **(env or {})})
    return subprocess.run(
        [str(QA_LEARNER), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


def unused_url() -> str:
    """An address where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"
