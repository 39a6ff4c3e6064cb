"""Chart answers shared by every viewer of a model version, whole.

A chart callback's final answer depends on nothing but the callback and the model version
it is asked for; the version the viewer drew last only decides whether there is an
answer at all (a viewer that shows the version already, which the status callback seldom
asks to draw it again, gets the same charts again). Every viewer of a version asks that
same question, so the first answer, compressed and all, is kept under the callback and
its inputs, and the viewers after it are answered before Dash dispatches anything: no
callback call, no serialising of the figures, no compressing. Only answers their
callback marks as final are kept (`keep_answer`): charts built for the very version
asked, not the newest ones handed out while that version was still being read. The
cache is bounded and holds only what this process answered, so a second worker process
with its own answers alike.
"""

import hashlib
import threading
from collections import OrderedDict

import orjson
from flask import Flask, Response, g, has_request_context, request

CALLBACK_PATH = "/_dash-update-component"
# Both tasks' answers for the newest model versions, with and without gzip.
KEPT_ANSWERS = 32


def keep_answer() -> None:
    """Mark the answer the current callback gives as final for its inputs, whatever the
    state the request carries."""
    if has_request_context():
        g.keep_answer = True


class KeptAnswers:
    """Answers by request, least recently used out first."""

    def __init__(self, *, size: int):
        self._size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[bytes, str], tuple[bytes, dict[str, str]]] = OrderedDict()

    def get(self, key: tuple[bytes, str]) -> tuple[bytes, dict[str, str]] | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def keep(self, key: tuple[bytes, str], body: bytes, headers: dict[str, str]) -> None:
        with self._lock:
            self._kept[key] = (body, headers)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def _request_key() -> tuple[bytes, str] | None:
    """The callback and its inputs, and the encodings accepted; None for a body that is
    not a callback request (Dash answers that itself)."""
    try:
        body = orjson.loads(request.get_data(cache=True))
        question = orjson.dumps([body["output"], body["inputs"]])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    digest = hashlib.blake2b(question, digest_size=16).digest()
    return digest, request.headers.get("Accept-Encoding", "")


def share_answers(server: Flask, *, kept: int = KEPT_ANSWERS) -> KeptAnswers:
    """Answer a callback request that was answered finally before from what was sent then.

    Register it before anything that rewrites answers (compression): Flask runs the
    after-request functions last registered first, so this one sees the answer as sent."""
    answers = KeptAnswers(size=kept)

    @server.before_request
    def answer_from_kept() -> Response | None:
        if request.method != "POST" or request.path != CALLBACK_PATH:
            return None
        key = _request_key()
        kept_answer = None if key is None else answers.get(key)
        if kept_answer is None:
            return None
        body, headers = kept_answer
        return Response(body, status=200, headers=headers)

    @server.after_request
    def keep_final(response: Response) -> Response:
        key = _request_key() if g.get("keep_answer") else None
        if key is not None and response.status_code == 200:
            headers = {
                name: response.headers[name]
                for name in ("Content-Type", "Content-Encoding", "Vary")
                if name in response.headers
            }
            answers.keep(key, response.get_data(), headers)
        return response

    return answers
