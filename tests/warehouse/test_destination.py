"""The dlt destination loads into the warehouse exactly as dlt's ClickHouse destination would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import dlt
import numpy as np
import pyarrow as pa
import pytest
from dlt.destinations.exceptions import (
    DatabaseTerminalException,
    DatabaseTransientException,
    DatabaseUndefinedRelation,
)

from ccpulse.destination import RAW_DATABASE, WarehouseSqlClient, warehouse
from ccpulse.loading import run_pipeline
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse

CALLS = [
    {"contact_id": "c1", "talk_s": 60.0, "queue": "billing"},
    {"contact_id": "c2", "talk_s": 30.5, "queue": "sales"},
]


def make_pipeline(settings: WarehouseSettings, dataset: str, pipelines_dir: Path) -> dlt.Pipeline:
    url = f"chdb://{settings.path}" if settings.kind == "chdb" else _server_url(settings)
    return dlt.pipeline(
        pipeline_name=dataset,
        destination=warehouse(credentials=url),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir),
    )


def _server_url(settings: WarehouseSettings) -> str:
    scheme = "clickhouses" if settings.secure else "clickhouse"
    return (
        f"{scheme}://{settings.username}:{settings.password}@{settings.host}:{settings.port}/"
        f"{settings.database}"
    )


def table_rows(
    warehouse: Warehouse, dataset: str, table: str, columns: str
) -> list[tuple[Any, ...]]:
    return warehouse.rows(
        f"SELECT {columns} FROM {RAW_DATABASE}.{dataset}___{table} ORDER BY {columns}"
    )


@pytest.fixture
def pipeline(
    warehouse_settings: WarehouseSettings, unique_name: str, tmp_path: Path
) -> dlt.Pipeline:
    return make_pipeline(warehouse_settings, f"raw_{unique_name}", tmp_path)


@pytest.mark.parametrize(
    ("disposition", "expected_rows"),
    [
        pytest.param("append", 4, id="append-keeps-both-runs"),
        pytest.param("replace", 2, id="replace-keeps-the-last-run"),
        pytest.param("merge", 2, id="merge-leaves-no-duplicate"),
    ],
)
def test_write_dispositions_run_twice(
    warehouse: Warehouse, pipeline: dlt.Pipeline, disposition: str, expected_rows: int
) -> None:
    for _ in range(2):
        run_pipeline(
            pipeline,
            CALLS,
            table_name="calls",
            write_disposition=disposition,
            primary_key="contact_id",
        )

    rows = table_rows(warehouse, pipeline.dataset_name, "calls", "contact_id, talk_s")
    assert len(rows) == expected_rows
    assert set(rows) == {("c1", 60.0), ("c2", 30.5)}


def test_merge_applies_updates_and_hard_deletes(
    warehouse: Warehouse, pipeline: dlt.Pipeline
) -> None:
    columns = {"deleted": {"hard_delete": True, "data_type": "bool"}}
    run_pipeline(
        pipeline,
        CALLS,
        table_name="calls",
        write_disposition="merge",
        primary_key="contact_id",
        columns=columns,
    )
    changes = [
        {"contact_id": "c1", "talk_s": 75.0, "queue": "billing", "deleted": False},
        {"contact_id": "c2", "talk_s": 30.5, "queue": "sales", "deleted": True},
    ]

    run_pipeline(
        pipeline,
        changes,
        table_name="calls",
        write_disposition="merge",
        primary_key="contact_id",
        columns=columns,
    )

    assert table_rows(warehouse, pipeline.dataset_name, "calls", "contact_id, talk_s") == [
        ("c1", 75.0)
    ]


def test_a_column_appearing_in_a_later_load_is_added(
    warehouse: Warehouse, pipeline: dlt.Pipeline
) -> None:
    run_pipeline(pipeline, CALLS, table_name="calls", write_disposition="append")
    later = [{"contact_id": "c3", "talk_s": 12.0, "queue": "sales", "wrap_up_code": "resolved"}]

    run_pipeline(pipeline, later, table_name="calls", write_disposition="append")

    rows = table_rows(warehouse, pipeline.dataset_name, "calls", "contact_id, wrap_up_code")
    assert rows == [("c1", None), ("c2", None), ("c3", "resolved")]


def test_nested_lists_land_in_child_tables(warehouse: Warehouse, pipeline: dlt.Pipeline) -> None:
    conversation = {
        "id": "conv-1",
        "parts": [
            {"author": "customer", "body": "my card was declined"},
            {"author": "agent", "body": "let me check", "tags": ["billing", "card"]},
        ],
    }

    run_pipeline(pipeline, [conversation], table_name="conversations")

    dataset = pipeline.dataset_name
    parts = warehouse.rows(
        f"SELECT p.author, p.body FROM {RAW_DATABASE}.{dataset}___conversations AS c "
        f"JOIN {RAW_DATABASE}.{dataset}___conversations__parts AS p "
        "ON p._dlt_parent_id = c._dlt_id "
        "ORDER BY p._dlt_list_idx"
    )
    tags = table_rows(warehouse, dataset, "conversations__parts__tags", "value")
    assert parts == [("customer", "my card was declined"), ("agent", "let me check")]
    assert tags == [("billing",), ("card",)]


EVERY_TYPE: dict[str, tuple[str, Any]] = {
    "text": ("text", "héllo, wörld"),
    "double": ("double", 1.25),
    "bool": ("bool", True),
    "timestamp": ("timestamp", dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)),
    "date": ("date", dt.date(2026, 1, 2)),
    "time": ("time", dt.time(12, 30, 15)),
    "bigint": ("bigint", 2**62),
    "binary": ("binary", b"\x00\x01\xff"),
    "decimal": ("decimal", Decimal("12.345000000")),
    "json": ("json", {"skills": ["billing"], "level": 2}),
    "wei": ("wei", Decimal(2**70)),
}


@pytest.mark.parametrize("loader_file_format", ["parquet", "jsonl"])
def test_every_dlt_data_type_round_trips(
    warehouse: Warehouse, pipeline: dlt.Pipeline, loader_file_format: str
) -> None:
    @dlt.resource(
        table_name="types",
        columns={name: {"data_type": data_type} for name, (data_type, _) in EVERY_TYPE.items()},
    )
    def every_type() -> Any:
        yield {name: value for name, (_, value) in EVERY_TYPE.items()}

    run_pipeline(pipeline, every_type(), loader_file_format=loader_file_format)

    names = list(EVERY_TYPE)
    selected = ", ".join(f"`{name}`" for name in names if name != "binary")
    table = f"{RAW_DATABASE}.{pipeline.dataset_name}___types"
    row = dict(
        zip(
            [n for n in names if n != "binary"],
            warehouse.rows(f"SELECT {selected} FROM {table}")[0],
            strict=True,
        )
    )
    assert row["text"] == "héllo, wörld"
    assert row["double"] == 1.25
    assert row["bool"] is True
    assert row["timestamp"].replace(tzinfo=dt.UTC) == EVERY_TYPE["timestamp"][1]
    assert row["date"] == dt.date(2026, 1, 2)
    assert dt.time.fromisoformat(row["time"]) == dt.time(12, 30, 15)
    assert row["bigint"] == 2**62
    assert row["decimal"] == Decimal("12.345")
    assert __import__("json").loads(row["json"]) == {"skills": ["billing"], "level": 2}
    assert row["wei"] == Decimal(2**70)
    binary = warehouse.scalar(f"SELECT `binary` FROM {table}")
    # Parquet carries bytes as they are; dlt writes them base64-encoded into JSON lines.
    expected_binary = "0001ff" if loader_file_format == "parquet" else "AAH/"
    assert binary == expected_binary


def test_dlt_state_and_load_tables_are_kept(warehouse: Warehouse, pipeline: dlt.Pipeline) -> None:
    @dlt.resource(table_name="tickets")
    def tickets(
        updated_at: Any = dlt.sources.incremental("updated_at", initial_value=0),
    ) -> Any:
        yield [{"id": 1, "updated_at": 10}, {"id": 2, "updated_at": 20}]

    run_pipeline(pipeline, tickets())
    restored = dlt.pipeline(
        pipeline_name=pipeline.pipeline_name,
        destination=pipeline.destination,
        dataset_name=pipeline.dataset_name,
        pipelines_dir=str(Path(pipeline.pipelines_dir) / "fresh"),
    )
    restored.sync_destination()

    loads = table_rows(warehouse, pipeline.dataset_name, "_dlt_loads", "status")
    assert loads == [(0,)]
    state = restored.state["sources"][pipeline.pipeline_name]["resources"]["tickets"]
    assert state["incremental"]["updated_at"]["last_value"] == 20


@pytest.mark.slow
def test_a_million_row_merge(warehouse: Warehouse, pipeline: dlt.Pipeline) -> None:
    contacts = 1_000_000
    ids = np.arange(contacts)
    batch = pa.table(
        {
            "contact_id": pa.array(np.char.add("c", ids.astype(str))),
            "talk_s": pa.array(ids % 600, type=pa.float64()),
        }
    )

    first = run_pipeline(
        pipeline, batch, table_name="contacts", write_disposition="merge", primary_key="contact_id"
    )
    second = run_pipeline(
        pipeline, batch, table_name="contacts", write_disposition="merge", primary_key="contact_id"
    )

    print(f"\n{first.line()}\n{second.line()}")
    table = f"{RAW_DATABASE}.{pipeline.dataset_name}___contacts"
    assert warehouse.scalar(f"SELECT count() FROM {table}") == contacts
    assert warehouse.scalar(f"SELECT uniqExact(contact_id) FROM {table}") == contacts
    assert second.rows == contacts


def _clickhouse_error(message: str, code: int | None = None) -> Exception:
    from clickhouse_connect.driver.exceptions import DatabaseError

    error = DatabaseError(message)
    error.code = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(
            _clickhouse_error("Code: 60. Unknown table", 60),
            DatabaseUndefinedRelation,
            id="unknown-table",
        ),
        pytest.param(
            _clickhouse_error("Code: 62. Syntax error", 62),
            DatabaseTerminalException,
            id="syntax-error",
        ),
        pytest.param(
            _clickhouse_error("Code: 241. Memory limit exceeded"),
            DatabaseTerminalException,
            id="code-from-message",
        ),
        pytest.param(
            _clickhouse_error("Code: 159. Timeout exceeded", 159),
            DatabaseTransientException,
            id="timeout",
        ),
    ],
)
def test_engine_errors_map_to_dlt_terminal_and_transient(
    error: Exception, expected: type[Exception]
) -> None:
    assert isinstance(WarehouseSqlClient._make_database_exception(error), expected)
