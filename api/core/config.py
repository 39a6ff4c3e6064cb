"""The API's settings, read from the environment and `.env`."""

import logging
import math
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.learning.candidates import DEFAULTS, parse_candidates
from api.learning.fence import DEFAULT_WIDTH

DEVELOPMENT_SECRET_KEY = "development-only-secret-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    ENVIRONMENT: Literal["development", "production"] = "development"
    API_HOST: str = "0.0.0.0"
    API_PORT: int = Field(default=8000, ge=1, le=65535)
    LOG_LEVEL: str = "info"
    LOG_FORMAT: Literal["text", "json"] = "text"
    ACCESS_LOG: bool = False

    DATABASE_URL: str = "sqlite:///./data/api.db"
    CHALLENGE_API_URL: str = "http://127.0.0.1:5000"
    POLL_INTERVAL_SECONDS: float = Field(default=2.0, gt=0)
    MAX_PAGES_PER_TICK: int = Field(default=1000, ge=1)
    SOURCE_CONCURRENCY: int = Field(default=8, ge=1, le=64)
    SOURCE_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0)
    BACKOFF_MAX_SECONDS: float = Field(default=30.0, gt=0)
    LEARNER_ENABLED: bool = True
    LEASE_SECONDS: float = Field(default=10.0, gt=0)
    LEARNER_METRICS_PORT: int = Field(default=9100, ge=1, le=65535)

    ROLLING_WINDOW: int = Field(default=500, ge=1)
    SNAPSHOT_RETENTION: int = Field(default=5, ge=1)
    LATEST_BATCH_ROWS: int = Field(default=100, ge=1)
    DRIFT_ACTION: Literal["alert", "reset"] = "alert"
    # Off only to measure what the intervals and the drift detectors cost (`make bench`).
    UNCERTAINTY_AND_DRIFT: bool = True
    # Off only to measure what the relationship detector costs (`make bench`).
    RELATIONSHIP_DETECTOR: bool = True
    # The outlier fence's width in interquartile ranges beyond the quartiles: `on` (the
    # default width), a number, or `off` to learn every finite row.
    OUTLIER_FENCE: float | None = DEFAULT_WIDTH
    # Comma-separated names from api.learning.candidates; the reference always races.
    CLASSIFICATION_CANDIDATES: Annotated[tuple[str, ...], NoDecode] = DEFAULTS["classification"]
    REGRESSION_CANDIDATES: Annotated[tuple[str, ...], NoDecode] = DEFAULTS["regression"]
    # A challenger takes over when its rolling score beats the champion's by this fraction
    # on this many rows in a row.
    CHAMPION_MARGIN: float = Field(default=0.02, ge=0, lt=1)
    CHAMPION_SUSTAIN_ROWS: int = Field(default=500, ge=1)
    # How far the candidates may fall behind the reference before a tick waits for them;
    # 0 races them in step with every tick. Rows waiting for the race cost 48 bytes each.
    RACE_MAX_LAG_ROWS: int = Field(default=1_000_000, ge=0)

    SECRET_KEY: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    ADMIN_TOKEN: SecretStr | None = None
    CORS_ORIGINS: list[str] = []

    @field_validator("CLASSIFICATION_CANDIDATES", "REGRESSION_CANDIDATES", mode="before")
    @classmethod
    def _known_candidates(cls, value: str | tuple[str, ...], info) -> tuple[str, ...]:
        return parse_candidates(value, info.field_name.split("_")[0].lower())

    @field_validator("OUTLIER_FENCE", mode="before")
    @classmethod
    def _fence_width(cls, value: object) -> float | None:
        word = str(value).strip().lower()
        if word in ("on", "true", "yes"):
            return DEFAULT_WIDTH
        if value is None or word in ("off", "false", "no", "none"):
            return None
        try:
            width = float(word)
        except ValueError:
            width = math.nan
        if not (math.isfinite(width) and width > 0):
            raise ValueError(f"OUTLIER_FENCE must be on, off or a width above 0, got {value!r}")
        return width

    @model_validator(mode="after")
    def _lease_outlives_a_poll(self) -> "Settings":
        if self.LEASE_SECONDS <= self.POLL_INTERVAL_SECONDS:
            raise ValueError("LEASE_SECONDS must be longer than POLL_INTERVAL_SECONDS")
        return self

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> "Settings":
        if self.SECRET_KEY.get_secret_value() == DEVELOPMENT_SECRET_KEY:
            if self.ENVIRONMENT == "production":
                raise ValueError("SECRET_KEY must be set to a real secret in production")
            logging.getLogger(__name__).warning(
                "SECRET_KEY is the development default; set it before deploying"
            )
        return self


settings = Settings()
