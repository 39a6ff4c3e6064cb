"""Dashboard settings, read from the environment and `.env`."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    API_URL: str = "http://127.0.0.1:8000"
    DASHBOARD_HOST: str = "0.0.0.0"
    DASHBOARD_PORT: int = 8085
    # Each viewer's poll holds a thread while it waits on the API.
    DASHBOARD_THREADS: int = Field(default=16, ge=1, le=256)
    # Short, so one slow API answer never stalls every viewer's next poll.
    API_TIMEOUT_SECONDS: float = 2.0
    HISTORY_LIMIT: int = 300


settings = Settings()
