"""A real HTTP source in the test's own process, for what the simulator cannot do: a page
that fails on cue, or answers decided by the test as it goes."""

import contextlib
import functools
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from api.learner.source import SourceClient

# (status, body): a body that is not bytes is sent as JSON.
Answer = Callable[[int], tuple[int, Any]]


class FakeSource:
    """`GET /api/v1/data?page=N` answers `answer(N)`, on a free loopback port. It keeps
    connections alive, or with `keep_alive=False` drops each one after its answer without
    saying so, as a server does whose idle timeout is shorter than the client's pause.
    `paths` lists the paths asked for, `connections` counts the connections accepted."""

    def __init__(self, answer: Answer, *, keep_alive: bool = True):
        source = self
        self.paths: list[str] = []
        self.connections = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the learner's client expects

            def setup(self) -> None:
                super().setup()
                source.connections += 1

            def do_GET(self) -> None:
                source.paths.append(urlsplit(self.path).path)
                page = int(parse_qs(urlsplit(self.path).query)["page"][0])
                status, body = answer(page)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = not keep_alive

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # `shutdown` waits for the loop to look up, every poll interval (0.5 s by default).
        serve = functools.partial(self.server.serve_forever, poll_interval=0.01)
        threading.Thread(target=serve, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def source_clients() -> Iterator[Callable[..., SourceClient]]:
    """A builder of the learner's client, each on a FakeSource answering `answer(page)`;
    clients and sources are closed on the way out."""
    built: list[tuple[FakeSource, SourceClient]] = []

    def build(answer: Answer, *, concurrency: int = 4, timeout: float = 2) -> SourceClient:
        source = FakeSource(answer)
        client = SourceClient(source.url, timeout=timeout, concurrency=concurrency)
        built.append((source, client))
        return client

    try:
        yield build
    finally:
        for source, client in built:
            client.close()
            source.close()
