"""What the admin endpoints answer when the token is missing or wrong, or the API runs no
learner."""

from typing import Any

from api.schemas import Problem

ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or wrong admin token."},
    403: {"model": Problem, "description": "ADMIN_TOKEN is not set: admin endpoints are off."},
    409: {"model": Problem, "description": "This process runs no learner."},
}
