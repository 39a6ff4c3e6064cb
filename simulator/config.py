"""The simulator's settings, read from the environment and `.env`."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from simulator.synthetic import DriftKind


class Settings(BaseSettings):
    # The api's settings share the same `.env`, so names we do not know are ignored.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    SIMULATOR_HOST: str = "0.0.0.0"
    SIMULATOR_PORT: int = Field(default=5000, ge=0, le=65535)
    SIMULATOR_DB: Path = Path("data/simulator.db")
    SIMULATOR_ROWS: int = Field(default=100_000, ge=0)
    SIMULATOR_SEED: int = 42
    # From this row id on the generated world changes (0 = never); see simulator.synthetic.
    SIMULATOR_DRIFT_AT_ROW: int = Field(default=0, ge=0)
    SIMULATOR_DRIFT_KIND: DriftKind = "promotion"
    SIMULATOR_GROWTH_ROWS_PER_SECOND: float = Field(default=0.0, ge=0.0)
    SIMULATOR_ERROR_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_LATENCY_MS: int = Field(default=0, ge=0)
    SIMULATOR_MALFORMED_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_HTML_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_TRUNCATE_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_SLOW_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_SLOW_MS: int = Field(default=3000, ge=0)
    SIMULATOR_ACCESS_LOG: bool = False


settings = Settings()
