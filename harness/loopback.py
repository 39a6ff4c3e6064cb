"""Requests to the services on loopback: what the tests and benchmarks read them with.

`httpx.get` builds a client for every call, and each client an SSL context that loads the
CA bundle: about 26 ms of CPU for a context that plain HTTP on loopback never uses. A test
polling a service every 0.1 s spent a quarter of a core on it, and a benchmark polling
the service it times took that CPU from it. This one client is built once. It keeps no
connection alive, so each call opens its own as `httpx.get` did, and a service restarted
on the same port is never reached on a connection to the one before.
"""

from typing import Any

import httpx

_client = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


def get(url: str, **kwargs: Any) -> httpx.Response:
    return _client.get(url, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    return _client.post(url, **kwargs)
