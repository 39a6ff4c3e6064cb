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

    SIMULATOR_HOST: str = "0.0.0.0"
    SIMULATOR_PORT: int = Field(default=5000, ge=0, le=65535)
    SIMULATOR_DB: Path = Path("data/simulator.db")
    SIMULATOR_ROWS: int = Field(default=100_000, ge=0)
    SIMULATOR_SEED: int = 42
    # From this row id on the generated world changes (0 = never); see simulator.synthetic.
    SIMULATOR_DRIFT_AT_ROW: int = Field(default=0, ge=0)
    SIMULATOR_DRIFT_KIND: DriftKind = "promotion"
    # NoDecode: ids come as "120,4500", which pydantic-settings would read as JSON.
    SIMULATOR_ABSURD_IDS: Annotated[frozenset[PositiveInt], NoDecode] = frozenset()
    SIMULATOR_ABSURD_FIELD: Feature = "competence"
    SIMULATOR_ABSURD_FACTOR: Factor = 1e6
    SIMULATOR_SCALE_FROM_ROW: int = Field(default=0, ge=0)
    SIMULATOR_SCALE_FIELD: Feature = "competence"
    SIMULATOR_SCALE_FACTOR: Factor = 100.0
    SIMULATOR_GROWTH_ROWS_PER_SECOND: float = Field(default=0.0, ge=0.0)
    SIMULATOR_ERROR_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_LATENCY_MS: int = Field(default=0, ge=0)
    SIMULATOR_MALFORMED_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_HTML_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_TRUNCATE_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_SLOW_RATE: float = Field(default=0.0, ge=0.0, le=1.0)
    SIMULATOR_SLOW_MS: int = Field(default=3000, ge=0)
    SIMULATOR_ACCESS_LOG: bool = False

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
