"""The API's learner, in a process of its own: started with the API, restarted when it
dies, stopped with it.

Readers and the learner no longer share one GIL, so no number of readers starves it.
The child (`python -m api.learner --supervised`) writes a JSON line of status after
every change to its stdout and reads `pause`/`resume` from its stdin; when the API
dies, even by SIGKILL, the child's stdin ends and it stops, so it is never orphaned.
"""

import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
from collections.abc import Callable

from api.core.config import Settings
from api.learner.backoff import backoff_seconds
from api.learner.status import LearnerStatus
from api.observability import LEARNER_RESTARTS

logger = logging.getLogger(__name__)

# A child that ran this long before it died was healthy: restart it at once.
HEALTHY_RUN_SECONDS = 30.0
STOP_GRACE_SECONDS = 10.0
STATUS_LINE_LIMIT = 1 << 20


def describe_exit(code: int) -> str:
    """
    >>> describe_exit(-9), describe_exit(1)
    ('killed by SIGKILL', 'exited with code 1')
    """
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


class LearnerSupervisor:
    def __init__(self, settings: Settings, *, on_commit: Callable[[], None]):
        self.settings = settings
        self.on_commit = on_commit
        self.status: LearnerStatus | None = None  # the running child's newest word
        self.metrics_text = ""
        self.process: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self.last_exit: str | None = None
        self.paused = False

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def run(self) -> None:
        """Keep one learner child running until cancelled."""
        failures, take_over = 0, None
        while True:
            started = time.monotonic()
            self.process = await asyncio.create_subprocess_exec(
                *self._command(take_over),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=STATUS_LINE_LIMIT,
            )
            logger.info("learner process %d started", self.process.pid)
            await self._follow(self.process)
            code = await self.process.wait()
            # Known dead now: its lease can be taken at once instead of after it expires.
            take_over = self.status.holder if self.status else None
            self.status, self.metrics_text = None, ""
            self.last_exit = f"the learner process {describe_exit(code)}"
            self.restarts += 1
            LEARNER_RESTARTS.inc()
            healthy = time.monotonic() - started > HEALTHY_RUN_SECONDS
            failures = 0 if healthy else failures + 1
            delay = (
                backoff_seconds(failures, base=0.5, ceiling=self.settings.BACKOFF_MAX_SECONDS)
                if failures > 1
                else 0.0
            )
            logger.error("%s; restarting it in %.1fs", self.last_exit, delay)
            await asyncio.sleep(delay)

    def _command(self, take_over: str | None) -> list[str]:
        command = [sys.executable, "-m", "api.learner", "--supervised"]
        if self.paused:
            command.append("--paused")
        if take_over:
            command += ["--take-over", take_over]
        return command

    async def _follow(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            try:
                message = json.loads(line)
                status = LearnerStatus.from_json(json.dumps(message["status"]))
            except (ValueError, KeyError, TypeError):
                logger.warning("unreadable status line from the learner: %.200r", line)
                continue
            committed = self.status is None or (
                status.cursor.model_version != self.status.cursor.model_version
            )
            self.status, self.metrics_text = status, message.get("metrics", "")
            if committed:
                self.on_commit()

    async def _send(self, command: str) -> None:
        process = self.process
        if process is None or process.stdin is None or not self.alive:
            return  # a restarted child is told by its command line
        with contextlib.suppress(ConnectionError, RuntimeError):
            process.stdin.write(f"{command}\n".encode())
            await process.stdin.drain()

    async def set_paused(self, paused: bool) -> None:
        self.paused = paused
        await self._send("pause" if paused else "resume")

    async def stop(self) -> None:
        """Ask the child to finish its tick and hand over its lease; kill it if it does not."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            logger.error("the learner process did not stop in time; killing it")
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
