"""Applies the drawn `RequestFault` to each data request, around the real endpoint.

A pure ASGI middleware: a truncated body has to be written below the framework, which
would otherwise complete every response it starts.
"""

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from simulator.faults import HTML_ERROR_PAGE, HTML_PORTAL_PAGE, RequestFault, RequestFaults

DATA_PATH = "/api/v1/data"
REASONS = {200: "OK", 500: "Internal Server Error", 503: "Service Unavailable"}


class FaultInjection:
    def __init__(self, app: ASGIApp, faults: RequestFaults):
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != DATA_PATH:
            await self.app(scope, receive, send)
            return
        fault = self.faults.draw()
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.status is not None:
            await _answer(send, fault)
        elif fault.truncate:
            await self.app(scope, receive, _cut_short(send))
        else:
            await self.app(scope, receive, send)


async def _answer(send: Send, fault: RequestFault) -> None:
    assert fault.status is not None
    reason = REASONS.get(fault.status, "Error")
    if fault.html:
        page = HTML_PORTAL_PAGE if fault.status == 200 else HTML_ERROR_PAGE
        body, kind = page.format(status=fault.status, reason=reason).encode(), b"text/html"
    else:
        body, kind = b'{"detail":"injected fault"}', b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": fault.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _cut_short(send: Send) -> Send:
    """Send the headers as they are (with the full Content-Length) and half the body, then
    return without finishing: the server drops the connection mid-body."""

    async def send_half(message: Message) -> None:
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            return
        await send(message)

    return send_half
