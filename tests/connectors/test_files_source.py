"""The files source: CSV, Parquet and JSONL in the unified shape, checked before anything loads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.files import (
    ColumnMapping,
    FileValidationError,
    TableSpec,
    expand_path,
    files_resource,
    files_source,
    read_files,
)
from transforms.unified_model import table

LOADED_AT = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)

AGENT_STATES_HEADER = "agent_id,state,started_at,ended_at"
AGENT_STATE_ROWS = [
    {"agent_id": "a1", "state": "available", "started_at": "2026-02-01T09:00:00Z",
     "ended_at": "2026-02-01T09:30:00Z"},
    {"agent_id": "a1", "state": "on_contact", "started_at": "2026-02-01T09:30:00.250Z",
     "ended_at": None},
    {"agent_id": "a2", "state": "break", "started_at": "2026-02-01T10:00:00+02:00",
     "ended_at": "2026-02-01 08:15:00"},
]  # fmt: skip
_EXPECTED_AGENT_STATE_VALUES = [
    {
        "agent_id": "a1",
        "state": "available",
        "started_at": datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
        "ended_at": datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
        "source": "files",
        "updated_at": LOADED_AT,
    },
    {
        "agent_id": "a1",
        "state": "on_contact",
        "started_at": datetime(2026, 2, 1, 9, 30, 0, 250000, tzinfo=UTC),
        "ended_at": None,
        "source": "files",
        "updated_at": LOADED_AT,
    },
    {
        "agent_id": "a2",
        "state": "break",
        "started_at": datetime(2026, 2, 1, 8, 0, tzinfo=UTC),
        "ended_at": datetime(2026, 2, 1, 8, 15, tzinfo=UTC),
        "source": "files",
        "updated_at": LOADED_AT,
    },
]
# A file without the optional columns (the agent's skill group and channel) leaves them null.
EXPECTED_AGENT_STATES = [
    {**row, "skill_group": None, "channel": None} for row in _EXPECTED_AGENT_STATE_VALUES
]


def _csv_text(rows: list[dict[str, Any]], header: str = AGENT_STATES_HEADER) -> str:
    names = header.split(",")
    lines = [header]
    for row in rows:
        lines.append(",".join("" if row.get(name) is None else str(row[name]) for name in names))
    return "\n".join(lines) + "\n"


def write_csv(directory: Path, rows: list[dict[str, Any]], name: str = "states.csv") -> Path:
    path = directory / name
    path.write_text(_csv_text(rows))
    return path


def write_jsonl(directory: Path, rows: list[dict[str, Any]], name: str = "states.jsonl") -> Path:
    path = directory / name
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def write_parquet(
    directory: Path, rows: list[dict[str, Any]], name: str = "states.parquet"
) -> Path:
    path = directory / name
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


WRITERS: dict[str, Callable[[Path, list[dict[str, Any]]], Path]] = {
    "csv": write_csv,
    "jsonl": write_jsonl,
    "parquet": write_parquet,
}


def rows_of(
    path: Path | str, spec: TableSpec | None = None, **options: Any
) -> list[dict[str, Any]]:
    tables = read_files(path, spec or table("agent_states"), updated_at=LOADED_AT, **options)
    return [row for converted in tables for row in converted.to_pylist()]


def load_error(
    path: Path | str, spec: TableSpec | None = None, **options: Any
) -> FileValidationError:
    with pytest.raises(FileValidationError) as raised:
        rows_of(path, spec, **options)
    return raised.value


# --- happy paths --------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", WRITERS, ids=str)
def test_each_format_yields_the_unified_rows(tmp_path: Path, file_format: str) -> None:
    path = WRITERS[file_format](tmp_path, AGENT_STATE_ROWS)
    assert rows_of(path) == EXPECTED_AGENT_STATES


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "costs.parquet"
    pq.write_table(
        pa.table(
            {
                "period_start": pa.array([datetime(2026, 1, 1)], pa.timestamp("us")),
                "period_end": pa.array(
                    [datetime(2026, 2, 1, tzinfo=UTC)], pa.timestamp("s", "UTC")
                ),
                "scope": ["Service"],
                "channel": ["voice"],
                "amount": pa.array([1200], pa.int64()),
            }
        ),
        path,
    )

    [row] = rows_of(path, table("costs"))

    assert row["period_start"] == datetime(2026, 1, 1, tzinfo=UTC)
    assert row["period_end"] == datetime(2026, 2, 1, tzinfo=UTC)
    assert (row["scope"], row["amount"]) == ("service", 1200.0)


def test_the_arrow_schema_carries_types_and_nullability(tmp_path: Path) -> None:
    [converted] = read_files(write_csv(tmp_path, AGENT_STATE_ROWS), table("agent_states"))

    assert converted.schema.field("started_at").type == pa.timestamp("ms", "UTC")
    assert not converted.schema.field("started_at").nullable
    assert converted.schema.field("ended_at").nullable


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1", 1),
        ("0", 0),
        ("true", 1),
        ("FALSE", 0),
        (" yes ", 1),
        ("n", 0),
    ],
    ids=["one", "zero", "true", "false-upper", "yes-padded", "n"],
)
def test_flags_accept_common_spellings(tmp_path: Path, cell: str, expected: int) -> None:
    path = tmp_path / "responses.csv"
    path.write_text(
        "response_id,contact_id,channel,agent_id,customer_message_at,replied_at,response_s,"
        "is_first_response\n"
        f"r1,c1,chat,a1,2026-01-01T10:00:00Z,2026-01-01T10:01:00Z,60,{cell}\n"
    )
    [row] = rows_of(path, table("responses"))
    assert row["is_first_response"] == expected


def test_quoted_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "contact_id,leg,channel,direction,offered_at,wait_s,talk_s,hold_s,acw_s,abandoned,"
        "transferred,escalated,reason\n"
        'c1,1,email,inbound,2026-01-01T10:00:00Z,0,0,0,0,0,0,0,"refund\nplease"\n'
        "\n"
        "c2,1,voice,inbound,2026-01-01T11:00:00Z,5,60,0,10,0,0,0,\n"
    )

    rows = rows_of(path, table("contacts"))

    assert [row["reason"] for row in rows] == ["refund\nplease", None]
    assert [row["answered_at"] for row in rows] == [None, None]


# --- mapping and constants ------------------------------------------------------------------


def test_a_column_mapping_renames_skips_and_fills(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "user,status,from,to,note\nu7,AVAILABLE,2026-02-01T09:00:00Z,2026-02-01T09:05:00Z,ignored\n"
    )

    [row] = rows_of(
        path,
        column_map={
            "user": "agent_id",
            "status": "state",
            "from": "started_at",
            "to": "ended_at",
            "note": None,
        },
        source="wfm_export",
    )

    assert row["agent_id"] == "u7"
    assert row["state"] == "available"
    assert row["source"] == "wfm_export"


def test_constants_fill_a_column_for_every_row(tmp_path: Path) -> None:
    path = tmp_path / "schedules.jsonl"
    write_jsonl(
        tmp_path,
        [
            {"agent_id": "a1", "starts_at": "2026-02-01T09:00:00Z", "ends_at": "2026-02-01T17:00Z"},
            {"agent_id": "a2", "starts_at": "2026-02-01T10:00:00Z", "ends_at": "2026-02-01T18:00Z"},
        ],
        path.name,
    )

    rows = rows_of(path, table("schedules"), constants={"activity": "on_queue"})

    assert [row["activity"] for row in rows] == ["on_queue", "on_queue"]


def test_source_and_version_from_the_file_win(tmp_path: Path) -> None:
    path = tmp_path / "states.csv"
    path.write_text(
        f"{AGENT_STATES_HEADER},source,updated_at\n"
        "a1,available,2026-02-01T09:00:00Z,,genesys,2026-02-02T00:00:00Z\n"
    )

    [row] = rows_of(path)

    assert (row["source"], row["updated_at"]) == ("genesys", datetime(2026, 2, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"column_map": {"user": "agent"}}, "unknown columns"),
        ({"constants": {"mood": "happy"}}, "unknown column `mood`"),
        ({"constants": {"state": "asleep"}}, "`asleep` is not one of"),
        ({"constants": {"agent_id": None}}, "required"),
    ],
    ids=["map-to-unknown", "constant-unknown", "constant-outside-enum", "constant-null-required"],
)
def test_a_bad_mapping_is_refused_before_reading(
    tmp_path: Path, options: dict[str, Any], problem: str
) -> None:
    path = write_csv(tmp_path, AGENT_STATE_ROWS)
    with pytest.raises(ValueError, match=problem):
        read_files(path, table("agent_states"), **options)


# --- errors name file, line and column ------------------------------------------------------

BAD_CSV_CASES = [
    pytest.param(
        "agent_id,state,started_at,ended_at,mood\na1,available,2026-02-01T09:00:00Z,,ok\n",
        1,
        "mood",
        "unknown column",
        id="unknown-column",
    ),
    pytest.param(
        "agent_id,started_at\na1,2026-02-01T09:00:00Z\n",
        1,
        "state",
        "required column is missing",
        id="missing-column",
    ),
    pytest.param(
        "agent_id,state,state,started_at\na1,break,break,2026-02-01T09:00:00Z\n",
        1,
        "state",
        "twice",
        id="duplicate-column",
    ),
    pytest.param(
        f"{AGENT_STATES_HEADER}\na1,available,2026-02-01T09:00:00Z,\na1,available,yesterday,\n",
        3,
        "started_at",
        "`yesterday` is not an ISO 8601 time",
        id="bad-time",
    ),
    pytest.param(
        f"{AGENT_STATES_HEADER}\na1,available,2026-02-30T09:00:00Z,\n",
        2,
        "started_at",
        "is not an ISO 8601 time",
        id="impossible-date",
    ),
    pytest.param(
        f"{AGENT_STATES_HEADER}\na1,available,2026-02-01T09:00:00Z,\na1,asleep,"
        "2026-02-01T10:00:00Z,\n",
        3,
        "state",
        "`asleep` is not one of: available, on_contact",
        id="outside-enum",
    ),
    pytest.param(
        f"{AGENT_STATES_HEADER}\n,available,2026-02-01T09:00:00Z,\n",
        2,
        "agent_id",
        "a value is required",
        id="empty-required",
    ),
    pytest.param(
        f'{AGENT_STATES_HEADER}\na1,available,"2026-02-01T09:00:00Z",\n'
        '"a\n2",on_contact,2026-02-01T09:00:00Z,\n\n'
        "a3,break,2026-02-01T09:00:00Z,soon\n",
        6,
        "ended_at",
        "`soon`",
        id="line-after-quoted-break-and-blank-line",
    ),
    pytest.param(
        f"{AGENT_STATES_HEADER}\na1,available,2026-02-01T09:00:00Z\n",
        2,
        None,
        "expected 4 fields",
        id="ragged-row",
    ),
    pytest.param("", 1, None, "empty", id="empty-file"),
]


@pytest.mark.parametrize(("content", "line", "column", "problem"), BAD_CSV_CASES)
def test_a_bad_csv_names_file_line_and_column(
    tmp_path: Path, content: str, line: int, column: str | None, problem: str
) -> None:
    path = tmp_path / "states.csv"
    path.write_text(content)

    error = load_error(path)

    assert (error.file, error.line, error.column) == (str(path), line, column)
    assert problem in error.problem
    assert f"`{path}`, line {line}" in str(error)


@pytest.mark.parametrize(
    ("header_extra", "cell", "problem"),
    [
        ("wait_s", "abc", "`abc` is not a number"),
        ("wait_s", "-3", "`-3.0` is below 0"),
        ("wait_s", "nan", "not a finite number"),
        ("abandoned", "2", "`2` is not a flag"),
        ("leg", "1.5", "`1.5` is not a whole number"),
        ("leg", "0", "below 1"),
        ("leg", "70000", "range of uint16"),
    ],
    ids=["text-in-number", "negative-duration", "nan", "bad-flag", "fractional-leg", "leg-zero",
         "leg-overflow"],
)  # fmt: skip
def test_numeric_problems_in_contacts(
    tmp_path: Path, header_extra: str, cell: str, problem: str
) -> None:
    values = {
        "contact_id": "c1",
        "leg": "1",
        "channel": "voice",
        "direction": "inbound",
        "offered_at": "2026-01-01T10:00:00Z",
        "wait_s": "0",
        "talk_s": "0",
        "hold_s": "0",
        "acw_s": "0",
        "abandoned": "0",
        "transferred": "0",
        "escalated": "0",
    }
    good_row = ",".join(values.values())
    values[header_extra] = cell
    path = tmp_path / "contacts.csv"
    path.write_text(",".join(values) + "\n" + good_row + "\n" + ",".join(values.values()) + "\n")

    error = load_error(path, table("contacts"))

    assert (error.line, error.column) == (3, header_extra)
    assert problem in error.problem


def test_a_mapped_column_is_named_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("user,state,from\nu1,available,tomorrow\n")

    error = load_error(path, column_map={"user": "agent_id", "from": "started_at"})

    assert (error.line, error.column) == (2, "from")
    assert "column `from` (mapped to `started_at`)" in str(error)


@pytest.mark.parametrize(
    ("lines", "line", "column", "problem"),
    [
        (
            ['{"agent_id": "a1", "state": "break", "started_at": "2026-02-01T09:00:00Z"}',
             "",
             '{"agent_id": "a2", "state": "break", "started_at": "later"}'],
            3, "started_at", "`later`",
        ),
        (
            ['{"agent_id": "a1", "state": "break", "started_at": "2026-02-01T09:00:00Z"}',
             '{"agent_id": "a2", "state": "break", "started_at": "2026-02-01T09:00:00Z", '
             '"mood": "ok"}'],
            2, "mood", "unknown column",
        ),
        (
            ['{"agent_id": "a1", "state": "break", "started_at": "2026-02-01T09:00:00Z"}',
             '{"agent_id": "a2", "state": "break"'],
            2, None, "not valid JSON",
        ),
        (
            ['{"agent_id": 17, "state": "break", "started_at": "2026-02-01T09:00:00Z"}',
             '{"agent_id": "a2", "state": {"x": 1}, "started_at": "2026-02-01T09:00:00Z"}'],
            2, "state", "single value",
        ),
        (
            ['{"agent_id": "a1", "state": "break", "started_at": "2026-02-01T09:00:00Z"}',
             '["a2", "break"]'],
            2, None, "JSON object",
        ),
    ],
    ids=["bad-time-after-blank-line", "unknown-key", "broken-json", "nested-value", "not-object"],
)  # fmt: skip
def test_a_bad_jsonl_names_the_line(
    tmp_path: Path, lines: list[str], line: int, column: str | None, problem: str
) -> None:
    path = tmp_path / "states.jsonl"
    path.write_text("\n".join(lines) + "\n")

    error = load_error(path)

    assert (error.line, error.column) == (line, column)
    assert problem in error.problem


def test_jsonl_with_mixed_json_types_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "states.jsonl"
    path.write_text(
        '{"agent_id": 17, "state": "break", "started_at": "2026-02-01T09:00:00Z"}\n'
        '{"agent_id": "a2", "state": "acw", "started_at": "2026-02-01T09:00:00Z"}\n'
    )
    assert [row["agent_id"] for row in rows_of(path)] == ["17", "a2"]


@pytest.mark.parametrize(
    ("rows", "row", "column", "problem"),
    [
        (
            [{"agent_id": "a1", "state": "break", "started_at": "2026-02-01T09:00:00Z"},
             {"agent_id": "a2", "state": "lunch", "started_at": "2026-02-01T09:00:00Z"}],
            2, "state", "`lunch` is not one of",
        ),
        (
            [{"agent_id": "a1", "state": "break", "started_at": 1767261600}],
            1, "started_at", "ISO 8601",
        ),
    ],
    ids=["outside-enum", "epoch-number-as-time"],
)  # fmt: skip
def test_a_bad_parquet_names_the_row(
    tmp_path: Path, rows: list[dict[str, Any]], row: int, column: str, problem: str
) -> None:
    error = load_error(write_parquet(tmp_path, rows))

    assert (error.row, error.line, error.column) == (row, None, column)
    assert problem in error.problem
    assert f"row {row}, column `{column}`" in str(error)


def test_a_parquet_without_a_required_column(tmp_path: Path) -> None:
    error = load_error(write_parquet(tmp_path, [{"agent_id": "a1", "state": "break"}]))
    assert (error.row, error.line, error.column) == (None, None, "started_at")


def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "states.parquet"
    path.write_text("not parquet")
    assert "not readable as Parquet" in load_error(path).problem


# --- paths and all or nothing ---------------------------------------------------------------


def test_a_directory_loads_every_supported_file(tmp_path: Path) -> None:
    write_csv(tmp_path, AGENT_STATE_ROWS[:1], "a.csv")
    write_jsonl(tmp_path, AGENT_STATE_ROWS[1:2], "b.jsonl")
    write_parquet(tmp_path, AGENT_STATE_ROWS[2:], "c.parquet")
    (tmp_path / "notes.txt").write_text("not data")

    assert rows_of(tmp_path) == EXPECTED_AGENT_STATES


def test_a_glob_selects_files(tmp_path: Path) -> None:
    write_csv(tmp_path, AGENT_STATE_ROWS[:1], "2026-01.csv")
    write_csv(tmp_path, AGENT_STATE_ROWS[1:], "2026-02.csv")
    write_csv(tmp_path, [{"agent_id": "x"}], "other.csv")

    assert len(rows_of(tmp_path / "2026-*.csv")) == 3


@pytest.mark.parametrize("name", ["missing.csv", "*.csv"], ids=["missing-file", "empty-glob"])
def test_a_path_without_files_is_an_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(FileValidationError, match=r"no \.csv"):
        expand_path(tmp_path / name)


def test_an_unsupported_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "states.xlsx"
    path.write_text("")
    assert "unsupported file type" in load_error(path).problem


def test_nothing_is_yielded_when_a_later_file_is_bad(tmp_path: Path) -> None:
    write_csv(tmp_path, AGENT_STATE_ROWS, "a.csv")
    (tmp_path / "b.csv").write_text(f"{AGENT_STATES_HEADER}\na1,sleeping,2026-02-01T09:00:00Z,\n")
    yielded: list[pa.Table] = []

    with pytest.raises(FileValidationError, match=r"b\.csv`, line 2, column `state`"):
        yielded.extend(read_files(tmp_path, table("agent_states")))

    assert yielded == []


def test_a_bad_value_late_in_a_large_file_loads_nothing(tmp_path: Path) -> None:
    rows = [
        {"agent_id": f"a{index}", "state": "available", "started_at": "2026-02-01T09:00:00Z"}
        for index in range(50_000)
    ]
    rows[41_234]["started_at"] = "2026-02-01T25:00:00Z"
    path = write_csv(tmp_path, rows)

    error = load_error(path)

    assert (error.line, error.column) == (41_236, "started_at")


# --- dlt ------------------------------------------------------------------------------------


def test_the_dlt_resource_is_named_and_keyed_after_the_table(tmp_path: Path) -> None:
    resource = files_resource(write_csv(tmp_path, AGENT_STATE_ROWS), table("agent_states"))

    assert resource.name == "agent_states"
    assert resource.write_disposition == "merge"
    assert resource.compute_table_schema()["columns"]["agent_id"].get("primary_key")
    assert sum(converted.num_rows for converted in resource) == 3


def test_the_dlt_source_yields_arrow_tables(tmp_path: Path) -> None:
    source = files_source(write_jsonl(tmp_path, AGENT_STATE_ROWS), table("agent_states"))

    tables = list(source.resources["agent_states"])

    assert source.name == "files"
    assert all(isinstance(converted, pa.Table) for converted in tables)
    assert sum(converted.num_rows for converted in tables) == 3


def test_the_dlt_resource_raises_before_yielding(tmp_path: Path) -> None:
    path = tmp_path / "states.csv"
    path.write_text(f"{AGENT_STATES_HEADER}\na1,available,2026-02-01T09:00:00Z,\na2,x,y,\n")
    resource = files_resource(path, table("agent_states"))

    with pytest.raises(Exception, match="line 3, column `state`") as raised:
        list(resource)

    # dlt wraps what a resource raises; ours stays the cause
    cause: BaseException | None = raised.value
    while cause is not None and not isinstance(cause, FileValidationError):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, FileValidationError)


# --- mapping files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "mapping.toml",
            '[columns]\nuser = "agent_id"\nnote = ""\n[constants]\nstate = "training"\n',
        ),
        (
            "mapping.json",
            '{"columns": {"user": "agent_id", "note": null}, "constants": {"state": "training"}}',
        ),
    ],
    ids=["toml", "json"],
)
def test_a_mapping_file_drives_the_load(tmp_path: Path, name: str, content: str) -> None:
    mapping_path = tmp_path / name
    mapping_path.write_text(content)
    data_path = tmp_path / "export.csv"
    data_path.write_text("user,started_at,note\nu1,2026-02-01T09:00:00Z,lunch\n")

    mapping = ColumnMapping.from_file(mapping_path)
    [row] = rows_of(data_path, column_map=mapping.columns, constants=mapping.constants)

    assert mapping.columns == {"user": "agent_id", "note": None}
    assert (row["agent_id"], row["state"]) == ("u1", "training")


@pytest.mark.parametrize(
    "document",
    [[], {"rename": {}}, {"columns": {"a": 1}}, {"constants": ["x"]}],
    ids=["not-a-table", "unknown-table", "non-text-target", "constants-not-a-table"],
)
def test_a_malformed_mapping_is_refused(document: object) -> None:
    with pytest.raises(ValueError, match="`mapping`"):
        ColumnMapping.from_document(document)


def test_an_unreadable_mapping_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text("[columns\n")
    with pytest.raises(ValueError, match=r"mapping\.toml` cannot be read"):
        ColumnMapping.from_file(path)
