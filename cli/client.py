"""Every HTTP call the command-line program makes, through one long-lived client."""

import json
from typing import Any

import httpx

Json = dict[str, Any]


class ApiUnreachable(Exception):
    """No answer: the connection was refused, dropped or timed out."""


class ApiRefused(Exception):
    """The API answered with an error status; `detail` is its own explanation."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail


class ApiClient:
    """The API at `base_url`; close it (or use it as a context manager) when done."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, headers=headers, transport=transport
        )

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, **params: Any) -> httpx.Response:
        """The answer to GET `path`; error statuses raise `ApiRefused`."""
        return self._checked(self._send("GET", path, params=params))

    def post(self, path: str, body: Json | None = None, **params: Any) -> httpx.Response:
        """The answer to POST `path`; error statuses raise `ApiRefused`."""
        # json.dumps writes NaN and Infinity where httpx's encoder raises: the API, not
        # this client, judges the input, so its own 422 reaches the user.
        content = json.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else None
        return self._checked(
            self._send("POST", path, content=content, headers=headers, params=params)
        )

    def get_optional(self, path: str, **params: Any) -> Json | None:
        """GET `path` as JSON, or None when this API has no such endpoint or record (404)."""
        try:
            return self.get(path, **params).json()
        except ApiRefused as refused:
            if refused.status_code == 404:
                return None
            raise

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = {name: value for name, value in kwargs.pop("params").items() if value is not None}
        try:
            return self._http.request(method, path, params=params, **kwargs)
        except httpx.HTTPError as error:
            raise ApiUnreachable(f"{self.base_url}{path}: {describe(error)}") from error

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        if response.is_error:
            raise ApiRefused(response.status_code, error_detail(response))
        return response


def describe(error: httpx.HTTPError) -> str:
    """A short reason for a transport error, e.g. 'connection refused'."""
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return "connection refused" if "refused" in str(error).lower() else "cannot connect"
    return str(error) or type(error).__name__


def error_detail(response: httpx.Response) -> str:
    """The API's `detail`, one line; a 422's field errors joined as 'field: message'."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text.strip() or response.reason_phrase
    if isinstance(detail, list):
        return "; ".join(_field_error(item) for item in detail)
    return str(detail) if detail is not None else response.reason_phrase


def _field_error(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc", []) if part != "body")
    message = str(item.get("msg", item))
    return f"{where}: {message}" if where else message
