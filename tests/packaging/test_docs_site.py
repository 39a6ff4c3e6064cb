"""The docs site: its settings page is rendered from the services' Settings classes and
lists every setting the project reads, each with the code's own default."""

from pathlib import Path

import pytest
import yaml
from pydantic import Field
from pydantic_settings import BaseSettings

from harness.processes import PROJECT_ROOT
from mkdocs_hooks.settings_page import compose_table, on_page_markdown, settings_table
from tests.support.project import COMPOSE_ONLY_SETTINGS, SERVICES, env_names, settings_class

DOCS = PROJECT_ROOT / "docs"
SETTINGS_PAGE = on_page_markdown((DOCS / "settings.md").read_text())


def test_the_settings_page_lists_every_setting_of_every_service_and_of_compose():
    names = set().union(*(env_names(settings_class(s)) for s in SERVICES)) | COMPOSE_ONLY_SETTINGS
    missing = {name for name in names if f"| `{name}` |" not in SETTINGS_PAGE}
    assert not missing, f"the settings page lacks {sorted(missing)}"


def test_the_settings_page_keeps_no_marker_unrendered():
    assert "<!-- settings:" not in SETTINGS_PAGE


@pytest.mark.parametrize(
    "row",
    [
        "| `API_PORT` | integer, >= 1, <= 65535 | `8000` | Port of the API (Swagger UI at "
        "`/docs`). |",
        "| `LOG_FORMAT` | `text` or `json` | `text` | `json` writes each log line as one JSON "
        "object. |",
        "| `ACCESS_LOG` | `true` or `false` | `false` |",
        "| `CHAMPION_MARGIN` | number, >= 0, < 1 | `0.02` |",
        "| `REGRESSION_CANDIDATES` | comma-separated names | "
        "`reference,PARegressor,HoeffdingAdaptiveTreeRegressor,MeanRegressor,"
        "ForgettingBayesianLinearRegression` |",
        "| `SECRET_KEY` | secret | `development-only-secret-key` |",
        "| `ADMIN_TOKEN` | secret, optional | unset |",
        "| `CORS_ORIGINS` | JSON list | none |",
        "| `SIMULATOR_DB` | path | `data/simulator.db` |",
        "| `DASHBOARD_PORT` | integer | `8085` | Port of the dashboard. |",
        "| `POSTGRES_PASSWORD` | `learner` | The password of the scale-out profile's PostgreSQL "
        "(and of its services' DATABASE_URL). |",
    ],
)
def test_a_settings_row_shows_the_type_default_and_description_the_code_has(row: str):
    assert row in SETTINGS_PAGE


def test_a_settings_field_without_a_description_fails_the_build():
    class Settings(BaseSettings):
        DOCUMENTED: int = Field(default=1, description="Says what it does.")
        SILENT: int = 2

    with pytest.raises(ValueError, match=r"\.Settings\.SILENT has no description$"):
        settings_table(Settings)


def test_a_settings_table_has_one_row_a_field_in_the_classes_order():
    class Settings(BaseSettings):
        FIRST: float = Field(default=2.0, gt=0, description="Seconds | or not.")
        SECOND: str | None = Field(default=None, description="Text.")

    assert settings_table(Settings) == "\n".join([
        "| setting | type | default | meaning |",
        "|---|---|---|---|",
        "| `FIRST` | number, > 0 | `2.0` | Seconds \\| or not. |",
        "| `SECOND` | text, optional | unset | Text. |",
    ])  # fmt: skip


def test_compose_settings_take_their_default_and_the_comment_above_them_from_env():
    env_file = """# --- api ---
API_PORT=8000

# --- docker compose only (docker-compose.yml) ---
# The network, named after <that directory>_default, which
# `docker network ls` shows.
CHALLENGE_NETWORK=qa_default
# A password.
POSTGRES_PASSWORD=learner
"""
    assert compose_table(env_file) == "\n".join([
        "| setting | default | meaning |",
        "|---|---|---|",
        "| `CHALLENGE_NETWORK` | `qa_default` | The network, named after &lt;that directory&gt;"
        "_default, which `docker network ls` shows. |",
        "| `POSTGRES_PASSWORD` | `learner` | A password. |",
    ])  # fmt: skip


def test_an_env_file_without_the_compose_section_is_refused():
    with pytest.raises(ValueError, match="no section that begins with '# --- docker compose"):
        compose_table("API_PORT=8000\n")


def test_every_docs_page_is_in_the_nav_and_monitoring_under_operations():
    """The strict build refuses a page left out of the nav; monitoring.md's name is fixed,
    since its page is written elsewhere."""
    nav = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text())["nav"]
    pages = {Path(p).name for entry in nav for p in _pages(entry)}
    assert pages == {path.name for path in DOCS.glob("*.md")}
    operations = next(entry["Operations"] for entry in nav if "Operations" in entry)
    assert {"Monitoring": "monitoring.md"} in operations


def _pages(entry: dict) -> list[str]:
    (value,) = entry.values()
    return [value] if isinstance(value, str) else [p for e in value for p in _pages(e)]
