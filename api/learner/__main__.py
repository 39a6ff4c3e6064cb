"""`python -m api.learner`: the learner process.

Alone, beside read-only API replicas: run any number of these; the lease in the database
lets one learn while the others stand by, and a standby takes over within LEASE_SECONDS
when the active one dies. Prometheus metrics are served on LEARNER_METRICS_PORT.

`--supervised` is how `python -m api` runs it as its child: status goes to stdout as one
JSON line per change (with the learner's Prometheus metrics), commands (`pause`,
`resume`) come on stdin, and the end of stdin (the API is gone, even SIGKILLed) stops it.
"""

import argparse
import json
import logging
import os
import signal
import sys
import threading
from typing import TextIO

from prometheus_client import start_http_server

from api import crud
from api.core.config import settings
from api.core.db import make_engine, make_session_factory
from api.learner.loop import Learner
from api.learner.metrics import (
    LEARNER_REGISTRY,
    learner_metrics_text,
    show_last_commit,
    show_status,
)
from api.learner.status import LearnerStatus
from api.migrate import upgrade_database
from api.observability import configure_logging

logger = logging.getLogger("api.learner")


class StatusChannel:
    """Writes each status to the supervisor; a vanished reader stops the learner."""

    def __init__(self, out: TextIO, learner_stop):
        self.out, self.learner_stop, self.lock = out, learner_stop, threading.Lock()

    def send(self, status: LearnerStatus) -> None:
        show_status(status)
        line = json.dumps(
            {"status": json.loads(status.to_json()), "metrics": learner_metrics_text()}
        )
        with self.lock:
            try:
                self.out.write(line + "\n")
                self.out.flush()
            except (BrokenPipeError, ValueError, OSError):
                self.learner_stop()


def follow_commands(stdin: TextIO, learner: Learner) -> None:
    """Apply `pause` and `resume` lines until stdin ends, then stop the learner."""
    for line in stdin:
        command = line.strip()
        if command in ("pause", "resume"):
            learner.set_paused(command == "pause")
        elif command:
            logger.warning("unknown command from the supervisor: %r", command)
    learner.stop()


def supervisor_pipes() -> tuple[TextIO, TextIO]:
    """The pipes from and to the API, moved off stdin and stdout onto descriptors that no
    child inherits (os.dup's); stdin and stdout become /dev/null. The race process inherits
    stdin and stdout: holding the status pipe, it kept the API from seeing this process
    die until the race process had ended too, seconds later on a busy machine."""
    commands = os.fdopen(os.dup(sys.stdin.fileno()), "r")
    status = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    nowhere = os.open(os.devnull, os.O_RDWR)
    for stdio in (sys.stdin.fileno(), sys.stdout.fileno()):
        os.dup2(nowhere, stdio)
    os.close(nowhere)
    return commands, status


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.learner", description=__doc__)
    parser.add_argument("--supervised", action="store_true", help="run as the API's child")
    parser.add_argument("--paused", action="store_true", help="start paused")
    parser.add_argument("--take-over", metavar="HOLDER", help="lease of a learner known dead")
    args = parser.parse_args(argv)
    configure_logging(level=settings.LOG_LEVEL, fmt=settings.LOG_FORMAT)
    if args.supervised:
        commands, status_pipe = supervisor_pipes()

    engine = make_engine(settings.DATABASE_URL)
    upgrade_database(engine)
    session_factory = make_session_factory(engine)
    with session_factory() as session:
        show_last_commit(crud.read_committed_at(session))
    learner = Learner(settings, session_factory, take_over=args.take_over)
    learner.paused = args.paused
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: learner.stop())
    if args.supervised:
        # stdout carries the status lines only; anything printed goes to the log instead.
        channel = StatusChannel(status_pipe, learner.stop)
        sys.stdout = sys.stderr
        learner.on_status = channel.send  # which shows the status in the metrics it sends
        threading.Thread(
            target=follow_commands, args=(commands, learner), daemon=True, name="commands"
        ).start()
    else:
        learner.on_status = show_status
        start_http_server(
            settings.LEARNER_METRICS_PORT, addr=settings.API_HOST, registry=LEARNER_REGISTRY
        )
    logger.info("learner %s started on %s", learner.lease.holder, settings.CHALLENGE_API_URL)
    try:
        learner.run()
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
