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

    ENVIRONMENT: Literal["development", "production"] = Field(
        default="development",
        description="`production` refuses to start with the development `SECRET_KEY`.",
    )
    API_HOST: str = Field(default="0.0.0.0", description="Interface the API listens on.")
    API_PORT: int = Field(
        default=8000, ge=1, le=65535, description="Port of the API (Swagger UI at `/docs`)."
    )
    LOG_LEVEL: str = Field(
        default="info", description="Log level: `debug`, `info`, `warning` or `error`."
    )
    LOG_FORMAT: Literal["text", "json"] = Field(
        default="text", description="`json` writes each log line as one JSON object."
    )
    ACCESS_LOG: bool = Field(
        default=False,
        description="`true` logs every request served, at some cost in throughput.",
    )

    DATABASE_URL: str = Field(
        default="sqlite:///./data/api.db",
        description="SQLAlchemy URL of the database where rows, predictions, metrics, model "
        "snapshots and the stream cursor are committed (SQLite or PostgreSQL).",
    )
    CHALLENGE_API_URL: str = Field(
        default="http://127.0.0.1:5000",
        description="Base URL of the stream: the simulator, or the challenge's own API.",
    )
    POLL_INTERVAL_SECONDS: float = Field(
        default=2.0, gt=0, description="Seconds between two ticks of the learner."
    )
    MAX_PAGES_PER_TICK: int = Field(
        default=1000,
        ge=1,
        description="Most pages one tick reads; a tick also ends after half a poll interval, "
        "so a catch-up commits at least once a poll interval.",
    )
    SOURCE_CONCURRENCY: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Pages fetched at the same time during a catch-up (one a tick at the "
        "end of the stream).",
    )
    SOURCE_TIMEOUT_SECONDS: float = Field(
        default=5.0, gt=0, description="Seconds before a request to the stream fails."
    )
    BACKOFF_MAX_SECONDS: float = Field(
        default=30.0,
        gt=0,
        description="Longest wait between two tries while the stream fails (exponential "
        "backoff with jitter).",
    )
    LEARNER_ENABLED: bool = Field(
        default=True,
        description="`false` serves what is committed and starts no learner process: a "
        "read-only replica.",
    )
    LEASE_SECONDS: float = Field(
        default=10.0,
        gt=0,
        description="One learner at a time holds a lease in the database; a standby takes "
        "over this long after the holder stops renewing it. Must exceed "
        "`POLL_INTERVAL_SECONDS`.",
    )
    LEARNER_METRICS_PORT: int = Field(
        default=9100,
        ge=1,
        le=65535,
        description="Port of the Prometheus metrics of a learner run alone "
        "(`python -m api.learner`).",
    )

    ROLLING_WINDOW: int = Field(default=500, ge=1, description="Rows in the rolling metrics.")
    SNAPSHOT_RETENTION: int = Field(
        default=5, ge=1, description="Model snapshots kept per task; older ones are pruned."
    )
    LEARNED_ROWS_KEPT: int = Field(
        default=1_000_000,
        ge=10_000,
        description="Learned rows kept, the newest (about 70 MB a million); older ones are "
        "pruned, but never those a kept version's races would race again.",
    )
    QUARANTINED_ROWS_KEPT: int = Field(
        default=100_000,
        ge=1_000,
        description="Quarantined rows kept, the newest; `/status` counts every one.",
    )
    RECORDS_KEPT: int = Field(
        default=10_000,
        ge=100,
        description="Model versions whose records are all kept, the newest (about 11 kB a "
        "version); older versions are thinned to one in `OLDER_RECORDS_EVERY`.",
    )
    OLDER_RECORDS_EVERY: int = Field(
        default=1_000,
        ge=1,
        description="Of the versions older than `RECORDS_KEPT`, the records of one in this "
        "many are kept (what `history` draws of them); `1` keeps them all.",
    )
    LATEST_BATCH_ROWS: int = Field(
        default=100,
        ge=1,
        description="Rows of the newest tick returned in `batch` by `/{task}/latest`.",
    )
    DRIFT_ACTION: Literal["alert", "reset"] = Field(
        default="alert",
        description="On a drift event: `alert` records it; `reset` also starts that task's "
        "model afresh in the same tick.",
    )
    # Off only to measure what the intervals and the drift detectors cost (`make bench`).
    UNCERTAINTY_AND_DRIFT: bool = Field(
        default=True,
        description="`false` turns off the coefficient and predictive intervals and the "
        "drift detectors (their fields are null).",
    )
    # Off only to measure what the relationship detector costs (`make bench`).
    RELATIONSHIP_DETECTOR: bool = Field(
        default=True,
        description="`false` turns off the relationship detector, which tests each block of "
        "rows for a coefficient that moved.",
    )
    OUTLIER_FENCE: float | None = Field(
        default=DEFAULT_WIDTH,
        description="The outlier fence's width, in interquartile ranges beyond the quartiles "
        "of each feature's recent values: `on` (10), a number, or `off` to learn every "
        "finite row. A row beyond it is held back; rare ones are quarantined as outliers, "
        "a sustained share of them is a shift, learned with a `fence` drift event.",
    )
    CLASSIFICATION_CANDIDATES: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULTS["classification"],
        description="Comma-separated candidates raced beside the reference (which always "
        "races); an unknown name stops the start with the list of known ones.",
    )
    REGRESSION_CANDIDATES: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULTS["regression"],
        description="The same for the regression.",
    )
    CHAMPION_MARGIN: float = Field(
        default=0.02,
        ge=0,
        lt=1,
        description="A challenger takes over when its rolling score beats the champion's by "
        "this fraction of it on `CHAMPION_SUSTAIN_ROWS` rows in a row.",
    )
    CHAMPION_SUSTAIN_ROWS: int = Field(
        default=500,
        ge=1,
        description="Rows in a row on which a challenger must beat the champion by "
        "`CHAMPION_MARGIN` to take over.",
    )
    RACE_MAX_LAG_ROWS: int = Field(
        default=1_000_000,
        ge=0,
        description="How far the candidates' race may fall behind the reference before a "
        "tick waits for it (rows waiting cost 48 bytes each); `0` races them in step with "
        "every tick.",
    )

    SECRET_KEY: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET_KEY),
        description="Signs the pickled model blobs (HMAC); set your own outside development.",
    )
    ADMIN_TOKEN: SecretStr | None = Field(
        default=None,
        description="Bearer token of the admin endpoints (pause, resume, reset); unset "
        "refuses them all.",
    )
    CORS_ORIGINS: list[str] = Field(
        default=[],
        description="Origins allowed to call the API from a browser, as a JSON list: "
        '`["http://localhost:3000"]`.',
    )

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
