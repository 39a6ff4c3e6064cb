"""The replay's HTTP/1.1 client: keep-alive connections and nothing else.

The simulated viewers share the machine with the services they load, where real viewers'
browsers would not, so what they spend on their own side is spent lean: requests are
bytes written on an open connection, an answer is read whole and decoded only when the
replay needs its values. httpx spent about 3 ms of CPU a request here, on a par with
the dashboard answering it.
"""

import asyncio
import gzip
from dataclasses import dataclass
from urllib.parse import urlsplit

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpStatusError(Exception):
    """An answer with a 4xx or 5xx status."""


# What a failed request raises: the connection, the time limit, or the answer.
REQUEST_FAILURES = (OSError, EOFError, asyncio.LimitOverrunError, HttpStatusError, ValueError)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def encoding(self) -> str:
        return self.headers.get("content-encoding", "identity")


def decoded(body: bytes, encoding: str) -> bytes:
    """The body as the server meant it, its content encoding undone."""
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "identity":
        return body
    raise ValueError(f"an answer in {encoding!r}, which the replay does not decode")


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
    while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
        pass
    return b"".join(chunks)


class StaleConnection(Exception):
    """A kept connection the server had closed: it answered nothing at all."""


async def _read_head(reader: asyncio.StreamReader, *, reused: bool) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except (ConnectionError, asyncio.IncompleteReadError) as closed:
        if reused and not getattr(closed, "partial", b""):
            raise StaleConnection from closed
        raise


async def read_answer(reader: asyncio.StreamReader, *, reused: bool) -> tuple[Answer, bool]:
    """One answer, and whether the connection may carry another."""
    head = await _read_head(reader, reused=reused)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in filter(None, lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    elif status in (204, 304):
        body = b""
    else:
        body, keep = await reader.read(), False
    return Answer(status, headers, body), keep


class Connections:
    """Up to `limit` keep-alive connections to one server, as a browser holds them."""

    def __init__(self, base_url: str, headers: dict[str, str], *, limit: int, timeout: float):
        address = urlsplit(base_url)
        if address.scheme != "http" or address.hostname is None:
            raise ValueError(f"the replay speaks plain http to a host, not {base_url!r}")
        self._host, self._port = address.hostname, address.port or 80
        fields = {"host": address.netloc, **{k.lower(): v for k, v in headers.items()}}
        self._head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
        self._slots = asyncio.Semaphore(limit)
        self._timeout = timeout
        self._idle: list[Stream] = []

    async def __aenter__(self) -> "Connections":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()

    async def post(self, target: str, body: bytes) -> Answer:
        """POST `body` to `target`; an answer of 4xx or 5xx raises HttpStatusError."""
        request = (
            f"POST {target} HTTP/1.1\r\n{self._head}content-length: {len(body)}\r\n\r\n"
        ).encode("latin-1") + body
        async with self._slots:
            answer = await asyncio.wait_for(self._exchange(request), self._timeout)
        if answer.status >= 400:
            raise HttpStatusError(f"POST {target} answered {answer.status}")
        return answer

    async def _exchange(self, request: bytes) -> Answer:
        if self._idle:
            try:
                return await self._over(self._idle.pop(), request, reused=True)
            except StaleConnection:
                pass  # as a browser does, ask again on a new connection
        stream = await asyncio.open_connection(self._host, self._port)
        return await self._over(stream, request, reused=False)

    async def _over(self, stream: Stream, request: bytes, *, reused: bool) -> Answer:
        reader, writer = stream
        try:
            writer.write(request)
            answer, keep = await read_answer(reader, reused=reused)
        except BaseException:
            writer.close()
            raise
        if keep:
            self._idle.append(stream)
        else:
            writer.close()
        return answer
