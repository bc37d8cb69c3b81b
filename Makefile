# ccpulse make targets. Every target installs the virtual environment first, so a fresh clone
# with only python3 on the machine needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint format demo run up down clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: install
	$(BIN)/ccpulse demo

run: install
	$(BIN)/ccpulse run $(if $(SOURCES),--sources $(SOURCES))

up:
	@command -v docker >/dev/null || { echo "make up needs Docker with the compose plugin"; exit 2; }
	docker compose up -d --wait
	@echo "ClickHouse is up: export CCPULSE_WAREHOUSE=clickhouse://ccpulse:ccpulse-dev@localhost:8123/default"

down:
	docker compose down

clean:
	rm -rf $(VENV) .ccpulse .pytest_cache .mypy_cache .ruff_cache
