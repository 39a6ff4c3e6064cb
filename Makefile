# `make run` starts the trio, `make test` runs every check CI runs. Only python3 is needed.
PYTHON ?= python3
SERVICES ?=
TEST_WORKERS ?= 4
VENV := .venv
BIN := $(VENV)/bin
# Stamps make pip run again only when a requirements file changes.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# The theme prints a notice about its successor on every build; the build needs none of it.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs

.PHONY: run test test-parallel test-costs docs-build test-fast lint format docs soak bench leaderboard screenshot compose-smoke clean

# `make run SERVICES="api dashboard"` starts only those. The services read .env themselves,
# under the environment; honcho would put .env over it, so it reads none.
run: $(RUNTIME_STAMP)
	mkdir -p data
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --env /dev/null $(SERVICES)

# Everything CI checks. The lint and the docs build run beside the parallel tier, in the CPU
# its waits leave idle (their lines interleave: --output-sync would hold back the tier's
# progress until it ends); the tests that measure a duration against a bound run alone after.
# Each pytest run ends with its slowest tests.
test: $(DEV_STAMP)
	$(MAKE) --no-print-directory -j 3 lint docs-build test-parallel
	$(BIN)/python -m pytest -m "serial and not soak" --durations=10

# The tests side by side in TEST_WORKERS processes (docs/development.md), each test module
# on one of them, so that a fixture set up once for a module is set up once; the costliest
# modules first (tests/module_costs.json). A run that passes writes what each module cost.
test-parallel: $(DEV_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not soak and not serial" --durations=25 --module-costs=test-artifacts/module_costs.json

# After a `make test` that passed: the costs its modules took become the order to hand them out in.
test-costs:
	cp test-artifacts/module_costs.json tests/module_costs.json

# --strict: a broken link or anchor, a page left out of the nav, or a settings field without
# a description fails the build (not --quiet: it hides the warnings strict counts).
docs-build: $(DEV_STAMP)
	$(MKDOCS) build --strict

# The tests that start no process (not e2e), one worker a core, then the serial ones alone:
# the edit loop's.
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -n auto -m "not e2e and not soak and not serial"
	$(BIN)/python -m pytest -m "serial and not e2e and not soak"

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile.*

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The docs site at http://127.0.0.1:8010, rebuilt on every save.
docs: $(DEV_STAMP)
	$(MKDOCS) serve

soak: $(DEV_STAMP)
	$(BIN)/python -m pytest -m soak

# Every benchmark, about fifty minutes on a quiet machine; writes its table into
# docs/performance.md (`python -m benchmarks --help` for shorter runs).
bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks

# Every candidate's progressive scores on the simulator and a challenge-shaped main.db, and
# its cost; writes them into docs/performance.md.
leaderboard: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.leaderboard

# Retakes docs/images/dashboard.png from the trio running on a temporary database.
screenshot: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.screenshot

# Starts every docker compose path the docs show and checks it; needs root (see docs/compose.md).
compose-smoke: $(DEV_STAMP)
	.ci/compose-smoke

# Keeps ./data: it holds the learned models and the stream cursor.
clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache .mypy_cache .hypothesis test-artifacts *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `-e .` installs the project itself, which puts the `qa-learner` command in $(BIN).
$(RUNTIME_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(PIP) -r requirements.txt -e .
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(PIP) -r requirements-dev.txt -e .
	touch $@
