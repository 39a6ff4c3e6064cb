"""The README fits a few screens, shows the two commands and links into the docs that
exist; CI runs the README's test command."""

import re
import subprocess

import pytest

from harness.processes import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()
# The targets of the README's relative links: [text](path) and ![alt](path).
LOCAL_LINK = re.compile(r"\]\((?!https?://)(?P<path>[^)#\s]+)(?:#[^)]*)?\)")
SCREENSHOT = PROJECT_ROOT / "docs" / "images" / "dashboard.png"


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


def test_readme_fits_in_300_lines():
    """Everything else lives in the docs site."""
    assert len(README.splitlines()) <= 300


def test_readme_links_only_to_files_that_exist():
    links = {match["path"] for match in LOCAL_LINK.finditer(README)}
    assert "docs/settings.md" in links
    missing = sorted(path for path in links if not (PROJECT_ROOT / path).is_file())
    assert not missing, f"README links to {missing}, which do not exist"


def test_readme_shows_the_dashboard_screenshot_small_enough_to_load_at_once():
    assert "](docs/images/dashboard.png)" in README
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert SCREENSHOT.stat().st_size < 300_000


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


def make_test_commands() -> list[str]:
    """The commands `make test` runs, its sub-make's included, in the order make prints them
    (`make -n` runs nothing but a recursive $(MAKE), which it runs with -n too)."""
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", "test"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in printed.splitlines() if line and "pip install" not in line]


@pytest.mark.e2e  # runs make
def test_make_test_builds_the_docs_strictly():
    """A broken link or a settings field without a description fails CI."""
    builds = [command for command in make_test_commands() if "mkdocs build" in command]
    assert len(builds) == 1 and builds[0].endswith("mkdocs build --strict"), builds
    assert "--quiet" not in builds[0]  # it hides the warnings --strict counts


def test_make_docs_serves_the_site():
    assert "$(MKDOCS) serve" in makefile_recipe("docs")


@pytest.mark.e2e  # runs make
def test_make_test_runs_ruff_mypy_and_every_test_but_the_soak_ones():
    commands = make_test_commands()
    for check in ("ruff check .", "ruff format --check .", "mypy", "hadolint Dockerfile.*"):
        assert any(command.endswith(check) for command in commands), check
    # Options after the selection (the slowest tests' report) select nothing.
    parallel = re.compile(r'-m pytest -n \d+ --dist loadfile -m "not soak and not serial"( |$)')
    serial = re.compile(r'-m pytest -m "serial and not soak"( |$)')
    runs = [command for command in commands if "-m pytest" in command]
    assert len(runs) == 2, runs
    assert parallel.search(runs[0]) and serial.search(runs[1]), runs
    assert commands[-1] == runs[1], "the serial tier runs last, alone"


def test_make_test_fast_runs_the_tests_that_start_no_process():
    recipe = makefile_recipe("test-fast")
    parallel = r'-m pytest -n auto -m "not e2e and not soak and not serial"\n'
    assert re.search(parallel + r'.*-m pytest -m "serial and not e2e and not soak"\n', recipe)
