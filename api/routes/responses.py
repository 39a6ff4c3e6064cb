"""What the routes share: bodies serialised once, ETags, the history limit, the answers
to a body that cannot be read."""

from typing import Annotated, Any

from fastapi import Query, Request, Response, status

from api.schemas import Problem
from api.serving import PublishedRecord, to_json

PUBLISHED_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Unchanged since the ETag sent in If-None-Match."},
    404: {"model": Problem, "description": "Nothing learned yet."},
}

# What any route with a JSON body may answer before the route runs.
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON text."},
    413: {"description": "The body is over 64 KiB: refused unread."},
}

HistoryLimit = Annotated[int, Query(ge=1, le=2000, description="Most points returned.")]


def _etag_matches(request: Request, etag: str) -> bool:
    candidates = request.headers.get("if-none-match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in candidates.split(",")) or (
        candidates.strip() == "*"
    )


def published_response(request: Request, published: PublishedRecord) -> Response:
    """A published body, or 304 when the client holds its ETag already."""
    headers = {"ETag": published.etag, "Cache-Control": "no-cache"}
    if _etag_matches(request, published.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(published.body, media_type="application/json", headers=headers)


def json_response(body: Any) -> Response:
    """`body` as JSON, without the validation and encoding a response model costs."""
    return Response(to_json(body), media_type="application/json")
