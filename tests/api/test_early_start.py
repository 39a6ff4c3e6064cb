"""The learner process `python -m api` starts before its own imports is followed by the
supervisor as one it started itself: its lines read, its stdin written, its end seen."""

import asyncio
import subprocess
import sys

import pytest

from api.early_start import AdoptedProcess

pytestmark = pytest.mark.e2e

ECHO = "import sys\nfor line in sys.stdin:\n    print('got ' + line.strip(), flush=True)\n"


def test_an_adopted_process_is_read_written_and_waited_for():
    async def follow() -> tuple[list[bytes], int]:
        popen = subprocess.Popen(
            [sys.executable, "-c", ECHO], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        process = await AdoptedProcess.adopt(popen, limit=1 << 16)
        assert process.returncode is None and process.pid == popen.pid
        process.stdin.write(b"pause\n")
        await process.stdin.drain()
        first = await asyncio.wait_for(process.stdout.readline(), 10)
        process.terminate()
        code = await asyncio.wait_for(process.wait(), 10)
        return [first], code

    lines, code = asyncio.run(follow())
    assert lines == [b"got pause\n"]
    assert code < 0  # ended by SIGTERM
