"""The simulator's settings, read from the environment and `.env`."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from simulator.synthetic import DriftKind


class Settings(BaseSettings):
    # The api's settings share the same `.env`, so names we do not know are ignored.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    SIMULATOR_HOST: str = Field(
        default="0.0.0.0", description="Interface the simulator listens on."
    )
    SIMULATOR_PORT: int = Field(
        default=5000, ge=0, le=65535, description="Port of `GET /api/v1/data?page=N`."
    )
    SIMULATOR_DB: Path = Field(
        default=Path("data/simulator.db"),
        description="SQLite file with a table `data(id, competence, network_ability, "
        "promoted)`: served as it is when it exists (the challenge's `main.db` works), "
        "generated from the seed when it does not.",
    )
    SIMULATOR_ROWS: int = Field(
        default=100_000, ge=0, description="Rows generated into a missing `SIMULATOR_DB`."
    )
    SIMULATOR_SEED: int = Field(
        default=42, description="Seed of the generated rows and of the injected faults."
    )
    SIMULATOR_DRIFT_AT_ROW: int = Field(
        default=0,
        ge=0,
        description="From this row id on the generated world changes (`0`: never); see "
        "`simulator/synthetic.py`.",
    )
    SIMULATOR_DRIFT_KIND: DriftKind = Field(
        default="promotion",
        description="How the world changes: `promotion` (the promotion policy turns) or "
        "`competence` (competence drawn from Uniform(0.5, 1)); generated rows only.",
    )
    SIMULATOR_GROWTH_ROWS_PER_SECOND: float = Field(
        default=0.0,
        ge=0.0,
        description="Rows appended per second while it runs, so the stream grows (`0`: a "
        "fixed stream).",
    )
    SIMULATOR_ERROR_RATE: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Fault injection: share of requests answered 500 (an HTML page) or 503 (JSON).",
    )
    SIMULATOR_LATENCY_MS: int = Field(
        default=0,
        ge=0,
        description="Fault injection: delay added to every answer, in milliseconds.",
    )
    SIMULATOR_MALFORMED_RATE: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Fault injection: share of rows served malformed (a missing field, a "
        "wrong type, NaN).",
    )
    SIMULATOR_HTML_RATE: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Fault injection: share of requests answered 200 with an HTML page "
        "instead of JSON.",
    )
    SIMULATOR_TRUNCATE_RATE: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Fault injection: share of requests whose body is cut off halfway, the "
        "connection dropped.",
    )
    SIMULATOR_SLOW_RATE: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Fault injection: share of requests answered only after `SIMULATOR_SLOW_MS`.",
    )
    SIMULATOR_SLOW_MS: int = Field(
        default=3000, ge=0, description="Delay of a slow answer, in milliseconds."
    )
    SIMULATOR_ACCESS_LOG: bool = Field(
        default=False,
        description="`true` logs every request served, at some cost in throughput.",
    )


settings = Settings()
