# One target per habit. `make run` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := check
.PHONY: install run test test-pg test-all lint fmt typecheck check migrate revision simulate bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install  ## the daemon on SQLite; with no MAVERA_API_KEY a demo against the local simulator
	$(BIN)/autojoin migrate
	$(BIN)/autojoin run

test: install  ## the whole suite; store tests on SQLite
	$(BIN)/pytest -q

test-pg: install  ## the store and integration tests again, on PostgreSQL
	TEST_DATABASES=postgresql TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -q tests/contract tests/integration tests/acceptance

test-all: test test-pg

lint: install  ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

check: lint test

migrate: install
	$(BIN)/autojoin migrate

revision: install  ## make revision m="what changed"
	AUTOJOIN_DATABASE_URL=sqlite+aiosqlite:///./.revision.db $(BIN)/autojoin migrate
	AUTOJOIN_DATABASE_URL=sqlite+aiosqlite:///./.revision.db $(BIN)/alembic revision --autogenerate -m "$(m)"
	rm -f .revision.db*
	@echo "new revision written: set SCHEMA_HEAD in service/adapters/sql/schema.py to it"

simulate: install
	$(BIN)/autojoin simulate --port 8099 --rpm 120

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

bench: install  ## every benchmark with its defaults (~1 h); JSON in bench/out/
	$(BIN)/python -m bench.peak
	$(BIN)/python -m bench.chaos
	$(BIN)/python -m bench.chaos --db postgresql
	$(BIN)/python -m bench.replicas
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.sync
