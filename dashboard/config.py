"""Dashboard settings, read from the environment and `.env`."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    API_URL: str = Field(
        default="http://127.0.0.1:8000", description="Where the dashboard reads the API."
    )
    DASHBOARD_HOST: str = Field(
        default="0.0.0.0", description="Interface the dashboard listens on."
    )
    DASHBOARD_PORT: int = Field(default=8085, description="Port of the dashboard.")
    # Only the thread that reads the API for everyone waits on it; the others answer at once.
    DASHBOARD_THREADS: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Threads of the dashboard's WSGI server (waitress) serving viewers.",
    )
    # A browser keeps up to six connections open to the dashboard; waitress refuses new
    # ones past this (its default of 100 held about 33 viewers).
    DASHBOARD_CONNECTION_LIMIT: int = Field(
        default=2000,
        ge=10,
        description="Connections waitress accepts at once (a browser holds up to six).",
    )
    # Short, so one slow API answer never stalls every viewer's next poll.
    API_TIMEOUT_SECONDS: float = Field(
        default=2.0, description="Seconds the dashboard waits for an answer of the API."
    )
    HISTORY_LIMIT: int = Field(
        default=300, description="Most points per chart, spread over the whole history."
    )
    # A model version every tick would otherwise mean charts built for each viewer's own
    # version.
    STATUS_MAX_AGE_SECONDS: float = Field(
        default=1.0,
        ge=0,
        description="Every viewer of the process shares one read of the API's `/status` "
        "this old at most (seconds).",
    )
    QUARANTINE_ROWS_SHOWN: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Quarantined rows the dashboard lists, the newest first.",
    )
    CHART_VERSIONS_KEPT: int = Field(
        default=16,
        ge=2,
        description="Model versions whose charts the process keeps built, shared by every "
        "viewer; viewers ask for the newest few only.",
    )


settings = Settings()
