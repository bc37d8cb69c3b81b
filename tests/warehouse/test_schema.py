from __future__ import annotations

import pytest

from ccpulse.errors import WarehouseError
from ccpulse.schema import (
    MIGRATIONS,
    OWNED_DATABASES,
    Migration,
    _check_order,
    _check_unchanged,
    apply_migrations,
    schema_version,
)
from ccpulse.warehouse import Warehouse
from tests.conftest import run_ccpulse


def test_apply_creates_the_owned_databases_and_records_the_version(warehouse: Warehouse) -> None:
    report = apply_migrations(warehouse)

    databases = {row[0] for row in warehouse.rows("SELECT name FROM system.databases")}
    assert set(OWNED_DATABASES) <= databases
    assert report.version == MIGRATIONS[-1].version == schema_version(warehouse)


def test_applying_twice_changes_nothing(warehouse: Warehouse) -> None:
    apply_migrations(warehouse)
    recorded_before = warehouse.rows(
        "SELECT version, checksum FROM ccpulse.schema_migrations ORDER BY version"
    )

    report = apply_migrations(warehouse)

    assert report.applied == []
    assert "up to date" in report.summary()
    recorded_after = warehouse.rows(
        "SELECT version, checksum FROM ccpulse.schema_migrations ORDER BY version"
    )
    assert recorded_after == recorded_before


def test_an_edited_migration_is_refused() -> None:
    edited = Migration(1, "ccpulse databases", ["CREATE DATABASE IF NOT EXISTS other"])
    with pytest.raises(WarehouseError, match="must not be edited"):
        _check_unchanged([edited], {1: MIGRATIONS[0].checksum})


def test_a_warehouse_newer_than_this_ccpulse_is_refused() -> None:
    with pytest.raises(WarehouseError, match="upgrade ccpulse"):
        _check_unchanged(MIGRATIONS, {1: MIGRATIONS[0].checksum, 99: "abc"})


@pytest.mark.parametrize(
    "versions",
    [
        pytest.param([2, 1], id="descending"),
        pytest.param([1, 1], id="repeated"),
        pytest.param([0], id="zero"),
    ],
)
def test_migration_versions_must_ascend(versions: list[int]) -> None:
    with pytest.raises(ValueError, match="ascending"):
        _check_order([Migration(v, "step", []) for v in versions])


def test_views_apply_on_the_command_line_is_idempotent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"CCPULSE_WAREHOUSE": f"chdb://{tmp_path / 'wh'}"}

    first = run_ccpulse("views", "apply", env=env)
    second = run_ccpulse("views", "apply", env=env)

    assert first.returncode == 0, first.stderr
    assert "applied migrations 1 (ccpulse databases), 2 (unified model" in first.stdout
    assert "wrote" in first.stdout
    assert "KPI views" in first.stdout
    assert second.returncode == 0, second.stderr
    assert f"up to date at version {MIGRATIONS[-1].version}" in second.stdout
    assert "KPI aggregates and views are up to date" in second.stdout
