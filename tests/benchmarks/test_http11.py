"""The replay's HTTP/1.1 client against a real server on loopback that answers as told:
kept connections, chunks, gzip, a close, a hang, a body cut halfway."""

import asyncio
import gzip
from collections.abc import Awaitable, Callable

import pytest

from benchmarks.http11 import REQUEST_FAILURES, Connections, HttpStatusError, decoded

# Given the request line and the connection's number, what to write back (None: nothing).
Script = Callable[[bytes, int], Awaitable[bytes | None]]


def answer(body: bytes, *, status: str = "200 OK", headers: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\ncontent-length: {len(body)}\r\n{headers}\r\n"
    return head.encode() + body


def run(
    script: Script,
    client_does: Callable[[Connections], Awaitable[object]],
    *,
    close_after_reply: bool = False,
    **options,
):
    """Serve `script` on a free port, run `client_does` against it; the result and how many
    connections the server accepted."""
    accepted = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        number = accepted
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                reply = await script(head.split(b"\r\n")[0], number)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if close_after_reply:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def main() -> object:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        settings = {"limit": 6, "timeout": 2.0, **options}
        try:
            async with Connections(f"http://127.0.0.1:{port}", {}, **settings) as client:
                return await client_does(client)
        finally:
            server.close()

    result = asyncio.run(main())
    return result, accepted


def test_answers_share_one_kept_connection():
    async def echo(line: bytes, _number: int) -> bytes:
        return answer(line)

    async def twice(client: Connections) -> list[bytes]:
        return [(await client.post(f"/{n}", b"{}")).body for n in (1, 2)]

    bodies, connections = run(echo, twice)
    assert bodies == [b"POST /1 HTTP/1.1", b"POST /2 HTTP/1.1"]
    assert connections == 1


def test_a_chunked_gzipped_answer_is_read_whole_and_decoded():
    body = gzip.compress(b'{"response": {"a": 1}}')
    chunks = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:7], body[7:])
    )

    async def chunked(_line: bytes, _number: int) -> bytes:
        head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-encoding: gzip\r\n\r\n"
        return head + chunks + b"0\r\n\r\n"

    async def once(client: Connections):
        return await client.post("/", b"{}")

    got, _ = run(chunked, once)
    assert decoded(got.body, got.encoding) == b'{"response": {"a": 1}}'


def test_a_connection_the_server_closes_is_not_used_again():
    async def closing(_line: bytes, number: int) -> bytes:
        return answer(str(number).encode(), headers="connection: close\r\n")

    async def twice(client: Connections) -> list[bytes]:
        return [(await client.post("/", b"{}")).body for _ in "ab"]

    assert run(closing, twice) == ([b"1", b"2"], 2)


def test_a_kept_connection_closed_while_idle_is_asked_again_on_a_new_one():
    answered: list[int] = []

    async def one_answer_a_connection(_line: bytes, number: int) -> bytes | None:
        # The first connection answers once, then closes without having said it would.
        if answered and number == 1:
            return None
        answered.append(number)
        return answer(str(number).encode())

    async def twice(client: Connections) -> list[bytes]:
        return [(await client.post("/", b"{}")).body for _ in "ab"]

    assert run(one_answer_a_connection, twice) == ([b"1", b"2"], 2)


def test_an_error_status_raises_with_the_status():
    async def failing(_line: bytes, _number: int) -> bytes:
        return answer(b"<html>oops</html>", status="500 Internal Server Error")

    async def once(client: Connections):
        return await client.post("/x", b"{}")

    with pytest.raises(HttpStatusError, match="POST /x answered 500"):
        run(failing, once)


def test_a_server_that_hangs_fails_the_request_at_the_time_limit():
    async def hanging(_line: bytes, _number: int) -> bytes:
        await asyncio.sleep(30)  # a server that hangs: under test
        return answer(b"late")

    async def once(client: Connections):
        return await client.post("/", b"{}")

    with pytest.raises(TimeoutError):
        run(hanging, once, timeout=0.2)
    assert issubclass(TimeoutError, REQUEST_FAILURES)


def test_a_body_cut_halfway_fails_the_request_and_is_not_asked_again():
    asked: list[bytes] = []

    async def cut(line: bytes, _number: int) -> bytes:
        asked.append(line)
        return b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhalf"

    async def once(client: Connections):
        return await client.post("/", b"{}")

    with pytest.raises(asyncio.IncompleteReadError) as failure:
        run(cut, once, close_after_reply=True)
    assert isinstance(failure.value, REQUEST_FAILURES)
    assert failure.value.partial == b"half"
    assert len(asked) == 1
