from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from ccpulse.errors import WarehouseError
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from tests.conftest import run_ccpulse

SECRET = "n0t-for-logs"


def test_runs_queries_commands_and_arrow_inserts(warehouse: Warehouse, unique_name: str) -> None:
    warehouse.command(f"CREATE DATABASE {unique_name}")
    warehouse.command(
        f"CREATE TABLE {unique_name}.calls (contact_id String, talk_s Float64) "
        "ENGINE = MergeTree ORDER BY contact_id"
    )
    calls = pa.table({"contact_id": ["c1", "c2"], "talk_s": [61.5, 120.0]})

    warehouse.insert_arrow(unique_name, "calls", calls)

    total = warehouse.scalar(
        f"SELECT sum(talk_s) FROM {unique_name}.calls WHERE contact_id != {{skip:String}}",
        {"skip": "none"},
    )
    assert total == pytest.approx(181.5)
    warehouse.command(f"DROP DATABASE {unique_name}")


def test_a_rejected_statement_names_the_statement_and_the_reason(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match=r"SELECT \* FROM no_such_db\.t.*UNKNOWN_DATABASE"):
        warehouse.query("SELECT * FROM no_such_db.t")


def test_the_same_settings_give_the_same_warehouse(embedded_settings: WarehouseSettings) -> None:
    assert open_warehouse(embedded_settings) is open_warehouse(embedded_settings)


def test_a_second_embedded_folder_in_one_process_is_refused(
    embedded_warehouse: Warehouse, tmp_path: Path
) -> None:
    other = WarehouseSettings.from_url(f"chdb://{tmp_path / 'other'}")
    with pytest.raises(WarehouseError, match="one folder per process"):
        open_warehouse(other)


def test_a_second_process_is_told_who_holds_the_embedded_warehouse(
    embedded_warehouse: Warehouse,
) -> None:
    opener = (
        "import sys\n"
        "from ccpulse.errors import WarehouseLockedError\n"
        "from ccpulse.warehouse import open_warehouse\n"
        "try:\n"
        "    open_warehouse()\n"
        "except WarehouseLockedError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", opener],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )

    assert result.returncode == 3, result.stderr
    assert f"in use by process {os.getpid()}" in result.stdout
    assert "CCPULSE_WAREHOUSE" in result.stdout


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("ftp://x", "CCPULSE_WAREHOUSE must start with", id="bad-scheme"),
        pytest.param(
            f"clickhouse://ccpulse:{SECRET}@127.0.0.1:9/default",
            "cannot reach ClickHouse at clickhouse://ccpulse:***@127.0.0.1:9/default",
            id="unreachable-server",
        ),
        pytest.param(
            f"clickhouse://ccpulse:{SECRET}@127.0.0.1:port/default",
            "port that is not a number",
            id="bad-port",
        ),
    ],
)
def test_bad_warehouse_setting_gives_one_clear_line(url: str, expected: str) -> None:
    result = run_ccpulse("sql", "SELECT 1", env={"CCPULSE_WAREHOUSE": url})

    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_an_unwritable_embedded_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    result = run_ccpulse("sql", "SELECT 1", env={"CCPULSE_WAREHOUSE": f"chdb://{blocker}/wh"})

    assert result.returncode == 2
    assert f"cannot create the embedded warehouse folder `{blocker}/wh`" in result.stderr
