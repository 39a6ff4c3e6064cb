"""`python -m api` starts its learner process before it imports the API itself, so that
the two start side by side (the learner's imports take the longest) and the first commit
comes about a second sooner. The supervisor takes that process over once its event loop
runs (`take_started`), and starts any later one itself.

The child stops when its stdin ends, so a process that never gets taken over (the API
failed to start) does not outlive it.
"""

import asyncio
import subprocess
import sys
from typing import IO, Any

LEARNER_COMMAND = (sys.executable, "-m", "api.learner", "--supervised")

_started: subprocess.Popen[bytes] | None = None


def start_learner() -> None:
    global _started
    _started = subprocess.Popen(LEARNER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def take_started() -> subprocess.Popen[bytes] | None:
    """The learner process started early, once: the first caller takes it."""
    global _started
    started, _started = _started, None
    return started


class _Writer:
    """What the supervisor writes its commands to: the child's stdin, flushed off the
    event loop."""

    def __init__(self, pipe: IO[bytes]):
        self._pipe = pipe

    def write(self, data: bytes) -> None:
        self._pipe.write(data)

    async def drain(self) -> None:
        await asyncio.to_thread(self._pipe.flush)


class AdoptedProcess:
    """A child started before the event loop, followed as asyncio's own processes are."""

    def __init__(self, popen: subprocess.Popen[bytes], stdout: asyncio.StreamReader):
        self._popen = popen
        self.pid = popen.pid
        self.stdout = stdout
        assert popen.stdin is not None
        self.stdin: Any = _Writer(popen.stdin)

    @classmethod
    async def adopt(cls, popen: subprocess.Popen[bytes], *, limit: int) -> "AdoptedProcess":
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=limit, loop=loop)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), popen.stdout)
        return cls(popen, reader)

    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    async def wait(self) -> int:
        return await asyncio.to_thread(self._popen.wait)

    def terminate(self) -> None:
        self._popen.terminate()

    def kill(self) -> None:
        self._popen.kill()
