"""The README shows the two commands and every setting; CI runs the README's test command."""

import re

import pytest

from harness.processes import PROJECT_ROOT
from tests.support.project import COMPOSE_ONLY_SETTINGS, SERVICES, env_names, settings_class

README = (PROJECT_ROOT / "README.md").read_text()


def makefile_recipe(target: str) -> str:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"Makefile has no {target} target"
    return match[1]


def test_readme_shows_make_run_and_make_test_before_anything_else():
    first_block = README.split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block


@pytest.mark.parametrize(
    "url", ["http://localhost:8000/docs", "http://localhost:8085", "http://localhost:5000/docs"]
)
def test_readme_gives_the_service_urls(url: str):
    assert url in README


def test_readme_settings_table_lists_every_setting():
    names = set().union(*(env_names(settings_class(s)) for s in SERVICES)) | COMPOSE_ONLY_SETTINGS
    missing = {name for name in names if f"| `{name}` |" not in README}
    assert not missing, f"README's settings table lacks {sorted(missing)}"


def test_ci_runs_make_test_in_strict_bash():
    script = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    assert re.search(r"^make test$", script, re.MULTILINE)


def test_ci_runs_the_compose_smoke_test_after_the_test_suite():
    script = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert script.index("\nmake compose-smoke\n") > script.index("\nmake test\n")
    assert ".ci/compose-smoke" in makefile_recipe("compose-smoke")


def test_readme_tells_how_to_run_the_compose_smoke_test():
    assert "make compose-smoke" in README


def test_readme_states_the_compose_version_that_depends_on_required_needs():
    """`depends_on: required: false` in docker-compose.yml is refused before Compose 2.20."""
    assert "required: false" in (PROJECT_ROOT / "docker-compose.yml").read_text()
    assert "Docker Compose v2.20 or newer" in README


def test_make_lint_runs_hadolint_on_every_dockerfile():
    assert "hadolint Dockerfile.*" in makefile_recipe("lint")


def test_make_test_runs_ruff_mypy_and_every_test_but_the_soak_ones():
    recipe = makefile_recipe("test") + makefile_recipe("lint")
    assert "ruff check ." in recipe
    assert "ruff format --check ." in recipe
    assert "mypy" in recipe
    assert '-m pytest -m "not soak"' in recipe
