"""Gzip the dashboard's answers, each distinct answer compressed once.

Every viewer of a model version gets the very same callback answer, so compressing it
again for each of them would redo identical work; the compressed bytes are kept by the
digest of the answer, a bounded cache that depends on nothing but the bytes themselves.
"""

import gzip
import hashlib
import threading
from collections import OrderedDict

from flask import Flask, Response, request

COMPRESSED_TYPES = ("application/json", "text/html", "text/css", "application/javascript")
MINIMUM_BYTES = 1024
# Fast enough to matter little once per answer, and within a few percent of the best size.
LEVEL = 6
# A few answers for each of the newest model versions, and the page's own files.
KEPT_ANSWERS = 64


class CompressedAnswers:
    def __init__(self, *, size: int):
        self._size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[bytes, bytes] = OrderedDict()

    def gzip(self, body: bytes) -> bytes:
        digest = hashlib.blake2b(body, digest_size=16).digest()
        with self._lock:
            kept = self._kept.get(digest)
            if kept is not None:
                self._kept.move_to_end(digest)
                return kept
        compressed = gzip.compress(body, compresslevel=LEVEL, mtime=0)
        with self._lock:
            self._kept[digest] = compressed
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return compressed


def _wants_gzip() -> bool:
    accepted = request.headers.get("Accept-Encoding", "")
    return any(part.split(";")[0].strip() == "gzip" for part in accepted.split(","))


def compress_answers(server: Flask, *, kept: int = KEPT_ANSWERS) -> None:
    """Gzip every sizeable text answer of `server` for clients that accept it."""
    answers = CompressedAnswers(size=kept)

    @server.after_request
    def compress(response: Response) -> Response:
        response.vary.add("Accept-Encoding")
        if (
            response.direct_passthrough
            or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSED_TYPES
            or not _wants_gzip()
        ):
            return response
        body = response.get_data()
        if len(body) < MINIMUM_BYTES:
            return response
        response.set_data(answers.gzip(body))
        response.headers["Content-Encoding"] = "gzip"
        return response
