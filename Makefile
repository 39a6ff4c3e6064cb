# `make run` starts the trio, `make test` runs every check CI runs. Only python3 is needed.
PYTHON ?= python3
SERVICES ?=
VENV := .venv
BIN := $(VENV)/bin
# Stamps make pip run again only when a requirements file changes.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint format soak bench leaderboard compose-smoke clean

# `make run SERVICES="api dashboard"` starts only those. The services read .env themselves,
# under the environment; honcho would put .env over it, so it reads none.
run: $(RUNTIME_STAMP)
	mkdir -p data
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --env /dev/null $(SERVICES)

test: lint
	$(BIN)/python -m pytest -m "not soak"

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile.*

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

soak: $(DEV_STAMP)
	$(BIN)/python -m pytest -m soak

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks

# The default candidates' progressive scores on the simulator and a challenge-shaped main.db.
leaderboard: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.leaderboard

# Starts every docker compose path the README shows and checks it; needs root (see README).
compose-smoke: $(DEV_STAMP)
	.ci/compose-smoke

# Keeps ./data: it holds the learned models and the stream cursor.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis test-artifacts *.egg-info
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
