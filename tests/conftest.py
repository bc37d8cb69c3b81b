"""Test-wide fixtures: one embedded warehouse per test process, and the opt-in server.

chDB allows one warehouse folder per process, so the whole session shares one folder and tests
isolate themselves by database or dataset name. Tests that need a folder of their own, or a second
process, run a subprocess (see `run_ccpulse`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccpulse.settings import WAREHOUSE_ENV, WarehouseSettings
from ccpulse.warehouse import Warehouse, close_warehouse, open_warehouse

SERVER_URL_ENV = "CLICKHOUSE_URL"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(SERVER_URL_ENV):
        return
    skip = pytest.mark.skip(reason=f"server test: set {SERVER_URL_ENV} to a ClickHouse server")
    for item in items:
        if "server" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def embedded_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseSettings]:
    """The session's embedded warehouse, also exported as CCPULSE_WAREHOUSE."""
    path = tmp_path_factory.mktemp("warehouse")
    previous = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = f"chdb://{path}"
    yield WarehouseSettings.from_url(f"chdb://{path}")
    close_warehouse()
    if previous is None:
        os.environ.pop(WAREHOUSE_ENV, None)
    else:
        os.environ[WAREHOUSE_ENV] = previous


@pytest.fixture(
    params=["embedded", pytest.param("server", marks=pytest.mark.server)],
)
def warehouse_settings(
    request: pytest.FixtureRequest, embedded_settings: WarehouseSettings
) -> WarehouseSettings:
    """Each warehouse kind a test should hold for: embedded always, the server when configured."""
    if request.param == "server":
        return WarehouseSettings.from_url(os.environ[SERVER_URL_ENV])
    return embedded_settings


@pytest.fixture
def warehouse(warehouse_settings: WarehouseSettings) -> Warehouse:
    return open_warehouse(warehouse_settings)


@pytest.fixture
def embedded_warehouse(embedded_settings: WarehouseSettings) -> Warehouse:
    return open_warehouse(embedded_settings)


@pytest.fixture
def unique_name() -> str:
    """A fresh name for a dataset or database, so tests sharing a warehouse never collide."""
    return f"t_{uuid.uuid4().hex[:10]}"


def run_ccpulse(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout_s: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the command line in a process of its own (it may open another warehouse)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ccpulse.cli", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
