"""Every HTTP call the dashboard makes to the API, through one long-lived client."""

from typing import Any

import httpx

# A JSON object as the API sends it, and as the dashboard hands it on.
Json = dict[str, Any]


class ApiUnavailable(Exception):
    """The API could not be reached, timed out, or answered with an error."""


class NothingLearnedYet(Exception):
    """The API answered 404 on a latest endpoint: no tick has been committed yet."""


class ApiClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        connections: int = 10,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        # One pool for the process: a client per call paid for a new connection and for
        # loading the TLS certificate store every time, although the API is plain http.
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=connections),
        )

    def read_status(self) -> Json:
        return self._json(self._get("/status"))

    def read_latest(self, task: str) -> Json:
        response = self._get(f"/{task}/latest")
        if response.status_code == 404:
            raise NothingLearnedYet(response.text)
        return self._json(response)

    def read_history(self, task: str, *, limit: int) -> Json:
        return self._json(self._get(f"/{task}/history", params={"limit": limit}))

    def read_drift(self, task: str) -> Json:
        """The task's drift events; none from an API that has no drift endpoint yet."""
        response = self._get(f"/{task}/drift")
        if response.status_code == 404:
            return {"task": task, "events": []}
        return self._json(response)

    def read_leaderboard(self, task: str) -> Json:
        return self._json(self._get(f"/{task}/leaderboard"))

    def read_leaderboard_history(self, task: str, *, limit: int) -> Json:
        return self._json(self._get(f"/{task}/leaderboard/history", params={"limit": limit}))

    def read_quarantine(self, *, limit: int) -> Json:
        """The newest quarantined rows and every one counted by reason; none from an API
        that has no quarantine endpoint yet."""
        response = self._get("/quarantine", params={"limit": limit})
        if response.status_code == 404:
            return {"rows": [], "reasons": {}}
        return self._json(response)

    def ask(self, task: str, person: Json) -> Json:
        """Every candidate's answer for `person`, in one request (`?all=true`)."""
        path = f"/{task}/predict"
        try:
            response = self._http.post(path, params={"all": "true"}, json=person)
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"{self.base_url}{path}: {error!r}") from error
        if response.status_code == 404:
            raise NothingLearnedYet(response.text)
        return self._json(response)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            return self._http.get(path, params=params)
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"{self.base_url}{path}: {error!r}") from error

    def _json(self, response: httpx.Response) -> Json:
        where = f"{self.base_url}{response.request.url.path}"
        if response.is_error:
            raise ApiUnavailable(f"{where} answered {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise ApiUnavailable(f"{where} answered invalid JSON") from error
