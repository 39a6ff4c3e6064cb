"""Dashboard settings, read from the environment and `.env`."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    API_URL: str = "http://127.0.0.1:8000"
    DASHBOARD_HOST: str = "0.0.0.0"
    DASHBOARD_PORT: int = 8085
    # Only the thread that reads the API for everyone waits on it; the others answer at once.
    DASHBOARD_THREADS: int = Field(default=16, ge=1, le=256)
    # A browser keeps up to six connections open to the dashboard; waitress refuses new
    # ones past this (its default held too few viewers: see the README's Performance).
    DASHBOARD_CONNECTION_LIMIT: int = Field(default=2000, ge=10)
    # Short, so one slow API answer never stalls every viewer's next poll.
    API_TIMEOUT_SECONDS: float = 2.0
    HISTORY_LIMIT: int = 300
    # Every viewer of this process shares one read of /status this old at most: a model
    # version every tick would otherwise mean charts built for each viewer's own version.
    STATUS_MAX_AGE_SECONDS: float = Field(default=1.0, ge=0)
    # Model versions whose charts are kept; viewers ask for the newest few only.
    CHART_VERSIONS_KEPT: int = Field(default=16, ge=2)


settings = Settings()
