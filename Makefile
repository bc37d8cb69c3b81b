# ccpulse make targets. Every target installs the virtual environment first, so a fresh clone
# with only python3 on the machine needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint format demo run bench backfill reconcile up down clean chromium

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install lint chromium
	$(BIN)/python -m pytest

# The report tests open the HTML report in Debian's chromium: installed once (root or sudo).
chromium:
	@sh .ci/install-chromium

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

# make bench [BENCH_SCALE=smoke] [ONLY=query_latency,exactness]: smoke is what CI runs; ONLY
# measures those again and keeps the other figures of bench/results.json.
bench: install
	BENCH_SCALE=$(or $(BENCH_SCALE),default) $(BIN)/python -m bench $(if $(ONLY),--only $(ONLY))

# make backfill FROM=2026-01-01 TO=2026-03-31 [SOURCES=telephony,chat] [RECOMPUTE_ONLY=1]
backfill: install
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "make backfill needs FROM=YYYY-MM-DD TO=YYYY-MM-DD"; exit 2; }
	$(BIN)/ccpulse backfill --from $(FROM) --to $(TO) $(if $(SOURCES),--sources $(SOURCES)) \
		$(if $(RECOMPUTE_ONLY),--recompute-only)

# make reconcile [DAYS=7]
reconcile: install
	$(BIN)/ccpulse reconcile --days $(or $(DAYS),7)

up:
	@command -v docker >/dev/null || { echo "make up needs Docker with the compose plugin"; exit 2; }
	docker compose up -d --wait
	@echo "ClickHouse is up: export CCPULSE_WAREHOUSE=clickhouse://ccpulse:ccpulse-dev@localhost:8123/default"

down:
	docker compose down

clean:
	rm -rf $(VENV) .ccpulse .pytest_cache .mypy_cache .ruff_cache
