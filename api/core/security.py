"""Signed model blobs and the admin token check."""

import hashlib
import hmac
from typing import Any

from api.core import pickles


class TamperedBlobError(Exception):
    """A stored model blob whose signature does not match: it is never unpickled."""


def sign(blob: bytes, *, key: str) -> str:
    return hmac.new(key.encode(), blob, hashlib.sha256).hexdigest()


def dump_signed(obj: Any, *, key: str) -> tuple[bytes, str]:
    blob = pickles.dumps(obj)
    return blob, sign(blob, key=key)


def verify(blob: bytes, signature: str, *, key: str) -> None:
    if not hmac.compare_digest(sign(blob, key=key), signature or ""):
        raise TamperedBlobError(
            "model blob failed signature verification (tampered, or signed with another "
            "SECRET_KEY); refusing to load it"
        )


def load_signed(blob: bytes, signature: str, *, key: str) -> Any:
    """Unpickle `blob` only after its HMAC-SHA256 signature checks out."""
    verify(blob, signature, key=key)
    return pickles.loads(blob)


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
