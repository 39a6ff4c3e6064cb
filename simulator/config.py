"""The simulator's settings, read from the environment and `.env`.

Besides where the rows come from and the request faults (`simulator.faults`), the settings
choose the world a consumer meets, each off by default:

- `SIMULATOR_DRIFT_AT_ROW` (0 = never) and `SIMULATOR_DRIFT_KIND`: from that row id on,
  generated rows follow a rule with one coefficient's sign flipped (`promotion`:
  competence's, `network`: network ability's) or come from another population
  (`competence`); see `simulator.synthetic`. Shapes only rows generated into a new file.
- `SIMULATOR_ABSURD_IDS` (row ids separated by commas), `SIMULATOR_ABSURD_FIELD`
  (`competence` or `network_ability`) and `SIMULATOR_ABSURD_FACTOR` (default 1e6): those
  rows are served with that feature multiplied by the factor, a finite absurd value.
- `SIMULATOR_SCALE_FROM_ROW` (0 = never), `SIMULATOR_SCALE_FIELD` and
  `SIMULATOR_SCALE_FACTOR` (default 100): every row from that id on is served with that
  feature multiplied by the factor, a unit change for good.

The last two change rows as they are served (`simulator.rescaling`), so they apply to a
challenge's `main.db` too, and the same file serves the clean world without them.
"""

import math
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, PositiveInt, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from simulator.rescaling import Feature
from simulator.synthetic import DriftKind


def _finite_and_non_zero(factor: float) -> float:
    if not math.isfinite(factor) or factor == 0:
        raise ValueError(f"a factor must be a finite number other than 0, not {factor}")
    return factor


Factor = Annotated[float, AfterValidator(_finite_and_non_zero)]


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
        description="How the world changes: `promotion` (competence's weight in the "
        "promotion rule turns, 12 -> -12), `network` (network ability's turns, 8 -> -8) or "
        "`competence` (competence drawn from Uniform(0.5, 1)); generated rows only.",
    )
    # NoDecode: ids come as "120,4500", which pydantic-settings would read as JSON.
    SIMULATOR_ABSURD_IDS: Annotated[frozenset[PositiveInt], NoDecode] = Field(
        default=frozenset(),
        description="Row ids (e.g. `120,4500`) served with `SIMULATOR_ABSURD_FIELD` "
        "multiplied by `SIMULATOR_ABSURD_FACTOR`: a finite, absurd value, as a unit mistake "
        "upstream makes it; applied as pages are served, so any file works.",
    )
    SIMULATOR_ABSURD_FIELD: Feature = Field(
        default="competence", description="`competence` or `network_ability`."
    )
    SIMULATOR_ABSURD_FACTOR: Factor = Field(
        default=1e6,
        description="Finite and non-zero: what the absurd rows' field is multiplied by.",
    )
    SIMULATOR_SCALE_FROM_ROW: int = Field(
        default=0,
        ge=0,
        description="From this row id on (`0`: never), every row is served with "
        "`SIMULATOR_SCALE_FIELD` multiplied by `SIMULATOR_SCALE_FACTOR`: a unit change for good.",
    )
    SIMULATOR_SCALE_FIELD: Feature = Field(
        default="competence", description="`competence` or `network_ability`."
    )
    SIMULATOR_SCALE_FACTOR: Factor = Field(
        default=100.0, description="Finite and non-zero: the scaled field's factor."
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

    @field_validator("SIMULATOR_ABSURD_IDS", mode="before")
    @classmethod
    def split_row_ids(cls, value: object) -> object:
        """Read "120, 4500" as {120, 4500}; an empty string chooses no row."""
        if not isinstance(value, str):
            return value
        ids = [item.strip() for item in value.split(",")] if value.strip() else []
        for item in ids:
            if not (item.isascii() and item.isdigit() and int(item) > 0):
                raise ValueError(
                    f"row ids are positive integers separated by commas (e.g. 120,4500), "
                    f"not {item!r}"
                )
        return frozenset(int(item) for item in ids)


settings = Settings()
