"""The files source: CSV, Parquet or JSONL files already shaped like one unified table.

`ccpulse load-files PATH --table T` calls `files_source(PATH, table(T))`. PATH is a file, a
directory (every `.csv`, `.parquet`/`.pq` and `.jsonl`/`.ndjson` file in it, sorted) or a glob.

Connectors import nothing of ours but the HTTP layer, so the caller passes the table description
(`transforms.unified_model.table(T)` fits): anything shaped like `TableSpec` below.

Every file is read and checked completely before the first row is yielded, and so is every other
file of PATH: a missing or unknown column, or a value that does not parse (a bad time, text in a
numeric column, a flag that is not 0/1, a value outside an enumeration, a negative duration)
raises `FileValidationError` naming the file, the line (1-based, the CSV header is line 1; the
row for Parquet) and the column, and nothing of PATH is loaded. pyarrow parses; Python only walks
a file again to find the exact line of an error.

Values: times are ISO 8601; without an offset they are taken as UTC. Flags are 0/1, true/false,
yes/no. An empty CSV cell is null. Enumerations ignore case and surrounding blanks. `source`
(default `files`) and `updated_at` (default: when the load started, so a corrected file
reloaded later wins) are added when the file has no such column. A column mapping renames file
columns and sets constant columns (`ColumnMapping`, also read from a TOML or JSON file).

Limits: UTF-8 only, comma-separated CSV only, no compressed files, column names match exactly.
"""

from __future__ import annotations

import csv
import glob
import json
import logging
import time
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from connectors.http import SourceError

__all__ = [
    "DEFAULT_SOURCE",
    "SUPPORTED_SUFFIXES",
    "ColumnMapping",
    "ColumnSpec",
    "FileValidationError",
    "TableSpec",
    "expand_path",
    "files_resource",
    "files_source",
    "read_files",
]

logger = logging.getLogger(__name__)

DEFAULT_SOURCE = "files"
SOURCE_COLUMN = "source"
VERSION_COLUMN = "updated_at"

_CSV_SUFFIXES = (".csv",)
_PARQUET_SUFFIXES = (".parquet", ".pq")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
SUPPORTED_SUFFIXES = (*_CSV_SUFFIXES, *_PARQUET_SUFFIXES, *_JSONL_SUFFIXES)

# Converted tables are kept between the check pass and the yield pass up to this size; files
# beyond it are parsed a second time rather than held in memory.
_CACHE_BUDGET_BYTES = 512 * 1024 * 1024
_SHOWN_VALUE_CHARS = 60
_TRUE_WORDS = ("1", "true", "t", "yes", "y")
_FALSE_WORDS = ("0", "false", "f", "no", "n")
_ZONE_SUFFIX = r"([zZ]|[+-]\d\d(:?\d\d)?)$"
_TIME_EXAMPLE = "an ISO 8601 time such as 2026-01-31T09:30:00Z"


class ColumnSpec(Protocol):
    """What the files source needs to know about a column (`unified_model.Column` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str:
        """ClickHouse base type: String, DateTime64(3, 'UTC'), Float64, UInt8 (a flag), ..."""
        ...

    @property
    def nullable(self) -> bool: ...

    @property
    def allowed_values(self) -> Sequence[str]: ...

    @property
    def minimum(self) -> float | None: ...

    @property
    def maximum(self) -> float | None: ...


class TableSpec(Protocol):
    """What the files source needs to know about a table (`unified_model.Table` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def columns(self) -> Sequence[ColumnSpec]: ...

    @property
    def primary_key(self) -> Sequence[str]: ...


class FileValidationError(SourceError):
    """A file does not fit the unified table; nothing of the load was yielded."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        mapped_to: str | None = None,
    ) -> None:
        where = [f"`{file}`"]
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            mapping = f" (mapped to `{mapped_to}`)" if mapped_to and mapped_to != column else ""
            where.append(f"column `{column}`{mapping}")
        super().__init__(f"{', '.join(where)}: {problem}", vendor=DEFAULT_SOURCE)
        self.file = file
        self.line = line
        self.row = row
        self.column = column
        self.mapped_to = mapped_to
        self.problem = problem


class _BadValue(Exception):
    """A value at `index` (0-based row of the file) that does not convert."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(problem)
        self.index = index
        self.problem = problem


class _BadColumn(Exception):
    """A problem with a column of one file.

    `index` is the 0-based data row of a bad value, `line` a physical line already known (a
    parse error); with neither, the problem is the header (or the Parquet schema).
    """

    def __init__(
        self,
        column: str | None,
        problem: str,
        *,
        index: int | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(problem)
        self.column = column
        self.problem = problem
        self.index = index
        self.line = line


# --- conversion of one column -----------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """One unified column with its Arrow type and the converter that produces it."""

    column: ColumnSpec
    arrow_type: pa.DataType
    convert: Callable[[pa.ChunkedArray, ColumnSpec], pa.ChunkedArray]

    def apply(self, values: pa.ChunkedArray) -> pa.ChunkedArray:
        """Convert file values, or raise `_BadValue` for the first one that does not fit."""
        if pa.types.is_dictionary(values.type):
            # pandas categoricals arrive dictionary-encoded in Parquet
            values = pc.cast(values, values.type.value_type)
        converted = self.convert(values, self.column)
        if not self.column.nullable:
            index = _first_true(pc.is_null(converted))
            if index is not None:
                raise _BadValue(index, "a value is required here, found none")
        return converted


def _shown(value: Any) -> str:
    text = str(value)
    if len(text) > _SHOWN_VALUE_CHARS:
        text = text[:_SHOWN_VALUE_CHARS] + "..."
    return f"`{text}`"


def _first_true(mask: pa.ChunkedArray) -> int | None:
    """Index of the first true value of a boolean column (nulls count as false)."""
    index = pc.index(pc.fill_null(mask, False), True).as_py()
    return None if index < 0 else int(index)


def _first_failing_row(
    values: pa.ChunkedArray, convert: Callable[[pa.ChunkedArray], object]
) -> int:
    """Find the first row on which `convert` raises, by bisection.

    Arrow's casts say what failed but not where; halving keeps the search vectorized (about
    twice the work of one cast) instead of converting row by row in Python.
    """
    low, high = 0, len(values)
    while high - low > 1:
        middle = (low + high) // 2
        try:
            convert(values.slice(low, middle - low))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            high = middle
        else:
            low = middle
    return low


def _cast_or_locate(
    values: pa.ChunkedArray, convert: Callable[[pa.ChunkedArray], pa.ChunkedArray], expected: str
) -> pa.ChunkedArray:
    try:
        return convert(values)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        index = _first_failing_row(values, convert)
        raise _BadValue(index, f"{_shown(values[index].as_py())} is not {expected}") from None


def _is_text(values: pa.ChunkedArray) -> bool:
    return bool(pa.types.is_string(values.type) or pa.types.is_large_string(values.type))


def _require_scalar(values: pa.ChunkedArray) -> None:
    if pa.types.is_nested(values.type) or pa.types.is_binary(values.type):
        index = _first_true(pc.is_valid(values))
        raise _BadValue(index or 0, f"expected a single value, got {values.type}")


def _blank_to_null(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text columns: an empty or blank cell means 'no value'."""
    if not _is_text(values):
        return values
    blank = pc.equal(pc.utf8_trim_whitespace(values), "")
    return pc.if_else(blank, pa.scalar(None, values.type), values)


def _to_string(values: pa.ChunkedArray, column: ColumnSpec) -> pa.ChunkedArray:
    _require_scalar(values)
    text = _blank_to_null(pc.cast(values, pa.string()))
    if not column.allowed_values:
        return text

    normalized = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    outside = pc.invert(pc.is_in(normalized, value_set=pa.array(list(column.allowed_values))))
    index = _first_true(pc.and_kleene(pc.is_valid(normalized), outside))
    if index is not None:
        allowed = ", ".join(column.allowed_values)
        raise _BadValue(index, f"{_shown(text[index].as_py())} is not one of: {allowed}")
    return normalized


def _parse_text_times(text: pa.ChunkedArray) -> pa.ChunkedArray:
    has_zone = pc.match_substring_regex(text, _ZONE_SUFFIX)
    no_text = pa.scalar(None, pa.string())
    zoned = pc.cast(pc.if_else(has_zone, text, no_text), pa.timestamp("ns", "UTC"))
    # without an offset, Arrow parses into a naive time; relabelling it as UTC keeps the digits
    naive = pc.cast(pc.if_else(has_zone, no_text, text), pa.timestamp("ns"))
    return pc.coalesce(zoned, pc.cast(naive, pa.timestamp("ns", "UTC")))


def _to_time(values: pa.ChunkedArray, column: ColumnSpec) -> pa.ChunkedArray:
    _require_scalar(values)
    target = pa.timestamp("ms", "UTC")
    if pa.types.is_timestamp(values.type):
        if values.type.tz is None:
            values = pc.cast(values, pa.timestamp(values.type.unit, "UTC"))
        return pc.cast(values, target, safe=False)
    if pa.types.is_date(values.type):
        return pc.cast(pc.cast(values, pa.timestamp("ms")), target)
    if not _is_text(values):
        index = _first_true(pc.is_valid(values)) or 0
        raise _BadValue(index, f"{_shown(values[index].as_py())} is not {_TIME_EXAMPLE}")

    text = pc.utf8_trim_whitespace(_blank_to_null(values))
    parsed = _cast_or_locate(text, _parse_text_times, _TIME_EXAMPLE)
    # sub-millisecond digits are dropped: the model keeps milliseconds
    return pc.cast(parsed, target, safe=False)


def _numeric_input(values: pa.ChunkedArray, expected: str) -> pa.ChunkedArray:
    """Text is trimmed and blank means null; booleans are not numbers."""
    _require_scalar(values)
    if pa.types.is_boolean(values.type):
        index = _first_true(pc.is_valid(values)) or 0
        raise _BadValue(index, f"{_shown(values[index].as_py())} is not {expected}")
    return pc.utf8_trim_whitespace(_blank_to_null(values)) if _is_text(values) else values


def _check_bounds(numbers: pa.ChunkedArray, column: ColumnSpec) -> None:
    for bound, outside, word in (
        (column.minimum, pc.less, "below"),
        (column.maximum, pc.greater, "above"),
    ):
        if bound is None:
            continue
        index = _first_true(outside(numbers, bound))
        if index is not None:
            raise _BadValue(index, f"{_shown(numbers[index].as_py())} is {word} {bound:g}")


def _to_float(values: pa.ChunkedArray, column: ColumnSpec) -> pa.ChunkedArray:
    expected = "a number"
    values = _numeric_input(values, expected)
    numbers = _cast_or_locate(values, lambda part: pc.cast(part, pa.float64()), expected)
    index = _first_true(pc.invert(pc.is_finite(numbers)))
    if index is not None:
        raise _BadValue(index, f"{_shown(values[index].as_py())} is not a finite number")
    _check_bounds(numbers, column)
    return numbers


def _to_integer(arrow_type: pa.DataType) -> Callable[[pa.ChunkedArray, ColumnSpec], Any]:
    def convert(values: pa.ChunkedArray, column: ColumnSpec) -> pa.ChunkedArray:
        expected = "a whole number"
        values = _numeric_input(values, expected)
        numbers = _cast_or_locate(values, lambda part: pc.cast(part, pa.int64()), expected)
        _check_bounds(numbers, column)
        return _cast_or_locate(
            numbers, lambda part: pc.cast(part, arrow_type), f"within the range of {arrow_type}"
        )

    return convert


def _to_flag(values: pa.ChunkedArray, column: ColumnSpec) -> pa.ChunkedArray:
    _require_scalar(values)
    if pa.types.is_boolean(values.type):
        return pc.cast(values, pa.uint8())
    words = pc.utf8_lower(pc.utf8_trim_whitespace(_blank_to_null(pc.cast(values, pa.string()))))
    is_true = pc.is_in(words, value_set=pa.array(_TRUE_WORDS))
    is_false = pc.is_in(words, value_set=pa.array(_FALSE_WORDS))
    index = _first_true(pc.and_kleene(pc.is_valid(words), pc.invert(pc.or_(is_true, is_false))))
    if index is not None:
        raise _BadValue(index, f"{_shown(values[index].as_py())} is not a flag (0/1, true/false)")
    return pc.if_else(pc.is_null(words), pa.scalar(None, pa.uint8()), pc.cast(is_true, pa.uint8()))


_INTEGER_TYPES = {
    "UInt16": pa.uint16(),
    "UInt32": pa.uint32(),
    "UInt64": pa.uint64(),
    "Int8": pa.int8(),
    "Int16": pa.int16(),
    "Int32": pa.int32(),
    "Int64": pa.int64(),
}


def _target(column: ColumnSpec) -> _Target:
    """Map a ClickHouse base type to its Arrow type and converter."""
    clickhouse_type = column.type
    if clickhouse_type == "String":
        return _Target(column, pa.string(), _to_string)
    if clickhouse_type.startswith(("DateTime64", "DateTime")):
        return _Target(column, pa.timestamp("ms", "UTC"), _to_time)
    if clickhouse_type in ("Float64", "Float32"):
        return _Target(column, pa.float64(), _to_float)
    # the unified model spells every flag UInt8
    if clickhouse_type == "UInt8":
        return _Target(column, pa.uint8(), _to_flag)
    if clickhouse_type in _INTEGER_TYPES:
        arrow_type = _INTEGER_TYPES[clickhouse_type]
        return _Target(column, arrow_type, _to_integer(arrow_type))
    raise ValueError(
        f"column `{column.name}`: the files source cannot read ClickHouse type `{clickhouse_type}`"
    )


# --- the plan: which file column feeds which unified column ---------------------------------


@dataclass(frozen=True)
class _Plan:
    """Everything about a load that does not depend on one file."""

    spec: TableSpec
    column_map: Mapping[str, str | None]
    constants: Mapping[str, pa.Scalar]
    targets: Mapping[str, _Target]
    schema: pa.Schema

    def unified_name(self, file_column: str) -> str | None:
        return self.column_map.get(file_column, file_column)


def _make_plan(
    spec: TableSpec,
    column_map: Mapping[str, str | None] | None,
    constants: Mapping[str, object] | None,
    source: str,
    updated_at: datetime,
) -> _Plan:
    targets = {column.name: _target(column) for column in spec.columns}
    column_map = dict(column_map or {})
    unknown = sorted(
        {target for target in column_map.values() if target is not None} - targets.keys()
    )
    if unknown:
        raise ValueError(f"column_map maps to unknown columns of `{spec.name}`: {unknown}")

    all_constants: dict[str, object] = {SOURCE_COLUMN: source, VERSION_COLUMN: updated_at}
    all_constants.update(constants or {})
    schema = pa.schema(
        [
            pa.field(column.name, targets[column.name].arrow_type, nullable=column.nullable)
            for column in spec.columns
        ]
    )
    return _Plan(spec, column_map, _convert_constants(targets, all_constants), targets, schema)


def _constant_text(value: object) -> object:
    """Constants go through the same parsing as file values, so they are checked the same way."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _convert_constants(
    targets: Mapping[str, _Target], constants: Mapping[str, object]
) -> dict[str, pa.Scalar]:
    converted = {}
    for name, value in constants.items():
        if name not in targets:
            raise ValueError(f"constant for unknown column `{name}`; columns: {', '.join(targets)}")
        values = pa.chunked_array([pa.array([_constant_text(value)])])
        try:
            converted[name] = targets[name].apply(values)[0]
        except _BadValue as exc:
            raise ValueError(f"constant for column `{name}`: {exc.problem}") from None
    return converted


def _rename(plan: _Plan, file_columns: Sequence[str]) -> dict[str, str]:
    """Map file column -> unified column, or raise `_BadColumn` for a header that does not fit."""
    renamed: dict[str, str] = {}
    for file_column in file_columns:
        unified = plan.unified_name(file_column)
        if unified is None:
            continue
        if unified not in plan.targets:
            raise _BadColumn(
                file_column,
                f"unknown column; `{plan.spec.name}` has: {', '.join(plan.targets)} "
                "(rename it with a column mapping, or map it to None to skip it)",
            )
        if unified in renamed.values():
            raise _BadColumn(file_column, f"a second column for `{unified}`")
        if unified in plan.constants and unified not in (SOURCE_COLUMN, VERSION_COLUMN):
            raise _BadColumn(
                file_column, f"`{unified}` is given both in the file and as a constant"
            )
        renamed[file_column] = unified
    return renamed


def _check_required(plan: _Plan, present: Collection[str]) -> None:
    missing = [
        column.name
        for column in plan.spec.columns
        if not column.nullable and column.name not in present and column.name not in plan.constants
    ]
    if missing:
        everything = ", ".join(f"`{name}`" for name in missing)
        raise _BadColumn(missing[0], f"required column is missing (missing: {everything})")


def _conform(plan: _Plan, table: pa.Table) -> pa.Table:
    """Rename, convert and complete one file's table, raising `_BadColumn`/`_BadValue`."""
    renamed = _rename(plan, table.column_names)
    _check_required(plan, renamed.values())
    by_unified = {unified: file_column for file_column, unified in renamed.items()}

    arrays = []
    for field in plan.schema:
        if field.name in by_unified:
            values = table.column(by_unified[field.name])
            try:
                arrays.append(plan.targets[field.name].apply(values))
            except _BadValue as exc:
                raise _BadColumn(by_unified[field.name], exc.problem, index=exc.index) from None
        elif field.name in plan.constants:
            arrays.append(pa.repeat(plan.constants[field.name], table.num_rows))
        else:
            arrays.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=plan.schema)


# --- reading each format --------------------------------------------------------------------


class _Format(Protocol):
    def read(self, path: Path, plan: _Plan) -> pa.Table:
        """Read the whole file; raise `_BadColumn` if it cannot be parsed at all."""
        ...

    def locate(self, path: Path, index: int) -> dict[str, int]:
        """Where data row `index` (0-based) is: `{"line": n}` or `{"row": n}`."""
        ...

    def locate_header(self, table: pa.Table, column: str | None) -> dict[str, int]:
        """Where a header problem with `column` is."""
        ...


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of each CSV record, the header included."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        previous_end = 0
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            yield start, record


def _read_csv_header(path: Path) -> list[str]:
    header = next((record for _line, record in _csv_records(path)), None)
    if not header:
        raise _BadColumn(None, "the file is empty; expected a header line", line=1)
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise _BadColumn(duplicates[0], "the header names this column twice", line=1)
    return header


class _Csv:
    """CSV with a header line; every cell is read as text and converted by the plan."""

    def read(self, path: Path, plan: _Plan) -> pa.Table:
        header = _read_csv_header(path)
        try:
            return pa_csv.read_csv(
                path,
                # quoted line breaks are legal CSV (an e-mail subject); slower, but right
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()),
                    strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise _csv_parse_error(path, len(header), exc) from exc

    def locate(self, path: Path, index: int) -> dict[str, int]:
        # pyarrow skips blank lines, so they are not data rows here either
        data_rows = (line for line, record in _csv_records(path) if record)
        next(data_rows)
        for row, line in enumerate(data_rows):
            if row == index:
                return {"line": line}
        return {}

    def locate_header(self, table: pa.Table, column: str | None) -> dict[str, int]:
        return {"line": 1}


def _csv_parse_error(path: Path, width: int, exc: pa.ArrowInvalid) -> _BadColumn:
    for line, record in _csv_records(path):
        if record and len(record) != width:
            problem = f"expected {width} fields like the header, found {len(record)}"
            return _BadColumn(None, problem, line=line)
    return _BadColumn(None, f"not readable as CSV: {exc}")


class _Parquet:
    """Parquet: typed already; rows are numbered from 1."""

    def read(self, path: Path, plan: _Plan) -> pa.Table:
        try:
            return pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise _BadColumn(None, f"not readable as Parquet: {exc}") from exc

    def locate(self, path: Path, index: int) -> dict[str, int]:
        return {"row": index + 1}

    def locate_header(self, table: pa.Table, column: str | None) -> dict[str, int]:
        return {}


class _Jsonl:
    """JSON Lines, one object per line; blank lines are skipped.

    pyarrow reads it; if it refuses (a column whose JSON type changes between lines, such as an
    id that is sometimes a number), Python reads it as text values instead.
    """

    def read(self, path: Path, plan: _Plan) -> pa.Table:
        as_text = pa.schema([pa.field(name, pa.string()) for name in _text_columns(plan)])
        try:
            table = pa_json.read_json(
                path, parse_options=pa_json.ParseOptions(explicit_schema=as_text)
            )
        except pa.ArrowInvalid:
            logger.debug("`%s`: pyarrow could not read it; reading it line by line", path)
            return self._read_slowly(path)
        # the explicit schema adds its columns even where no line has them: an all-null column
        # reads as absent, so defaults and the missing-column check apply as in CSV
        absent = [name for name in as_text.names if table.column(name).null_count == len(table)]
        return table.drop_columns(absent)

    def _read_slowly(self, path: Path) -> pa.Table:
        records = [_json_record(text, line) for line, text in _json_lines(path)]
        names = list(dict.fromkeys(name for record in records for name in record))
        return pa.table(
            {
                name: pa.array([record.get(name) for record in records], pa.string())
                for name in names
            }
        )

    def locate(self, path: Path, index: int) -> dict[str, int]:
        for row, (line, _text) in enumerate(_json_lines(path)):
            if row == index:
                return {"line": line}
        return {}

    def locate_header(self, table: pa.Table, column: str | None) -> dict[str, int]:
        # JSON Lines has no header: point at the first record that carries the column
        if column is None or column not in table.column_names:
            return {}
        index = _first_true(pc.is_valid(table.column(column)))
        return {} if index is None else {"record": index}


def _text_columns(plan: _Plan) -> list[str]:
    """File columns that become text or times: read as text, so pyarrow guesses no type."""
    textual = {
        name for name, target in plan.targets.items() if target.convert in (_to_string, _to_time)
    }
    mapped = [name for name, unified in plan.column_map.items() if unified in textual]
    unmapped = [name for name in textual if name not in plan.column_map.values()]
    return mapped + unmapped


def _json_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        for line, text in enumerate(handle, start=1):
            if text.strip():
                yield line, text


def _json_record(text: str, line: int) -> dict[str, str | None]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadColumn(None, f"not valid JSON: {exc.msg}", line=line) from exc
    if not isinstance(record, dict):
        raise _BadColumn(None, "expected a JSON object", line=line)
    texts: dict[str, str | None] = {}
    for name, value in record.items():
        if isinstance(value, dict | list):
            raise _BadColumn(name, "expected a single value, got an object or array", line=line)
        texts[name] = _json_text(value)
    return texts


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _format_of(path: Path) -> _Format:
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return _Csv()
    if suffix in _PARQUET_SUFFIXES:
        return _Parquet()
    if suffix in _JSONL_SUFFIXES:
        return _Jsonl()
    raise FileValidationError(
        str(path), f"unsupported file type; expected one of {', '.join(SUPPORTED_SUFFIXES)}"
    )


# --- mapping files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """File columns renamed to unified ones, and constant columns, as a CLI reads them.

    A mapping file is TOML or JSON with two optional tables: `columns` (file column = unified
    column; an empty name skips the column) and `constants` (unified column = value):

        [columns]
        user = "agent_id"
        note = ""
        [constants]
        channel = "voice"
    """

    columns: Mapping[str, str | None]
    constants: Mapping[str, object]

    @classmethod
    def from_file(cls, path: str | Path) -> ColumnMapping:
        """Read a `.toml` or `.json` mapping file."""
        mapping_path = Path(path)
        try:
            if mapping_path.suffix.lower() == ".toml":
                document = tomllib.loads(mapping_path.read_text(encoding="utf-8"))
            else:
                document = json.loads(mapping_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"mapping file `{mapping_path}` cannot be read: {exc}") from exc
        return cls.from_document(document, str(mapping_path))

    @classmethod
    def from_document(cls, document: object, origin: str = "mapping") -> ColumnMapping:
        """Build a mapping from parsed TOML/JSON, saying what is wrong with a bad one."""
        if not isinstance(document, dict) or set(document) - {"columns", "constants"}:
            raise ValueError(f"`{origin}`: expected only the tables `columns` and `constants`")
        columns = document.get("columns", {})
        constants = document.get("constants", {})
        if not isinstance(columns, dict) or not all(
            isinstance(target, str | None) for target in columns.values()
        ):
            raise ValueError(f"`{origin}`: `columns` maps file column names to unified names")
        if not isinstance(constants, dict):
            raise ValueError(f"`{origin}`: `constants` maps unified columns to values")
        renamed = {name: target or None for name, target in columns.items()}
        return cls(renamed, dict(constants))


# --- files, passes, dlt -----------------------------------------------------------------------


def expand_path(path: str | Path) -> list[Path]:
    """The files PATH names: itself, the supported files of a directory, or a glob's matches."""
    candidate = Path(path)
    if candidate.is_file():
        return [candidate]
    if candidate.is_dir():
        files = sorted(
            child
            for child in candidate.iterdir()
            if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES
        )
    else:
        files = sorted(Path(match) for match in glob.glob(str(path), recursive=True))
        files = [match for match in files if match.is_file()]
    if not files:
        raise FileValidationError(
            str(path), f"no {', '.join(SUPPORTED_SUFFIXES)} file found at this path"
        )
    return files


def _load_file(path: Path, plan: _Plan) -> pa.Table:
    """Read and convert one file, or raise `FileValidationError` with file, line and column."""
    file_format = _format_of(path)
    raw: pa.Table | None = None
    try:
        raw = file_format.read(path, plan)
        return _conform(plan, raw)
    except _BadColumn as exc:
        raise _file_error(path, plan, file_format, raw, exc) from None


def _file_error(
    path: Path, plan: _Plan, file_format: _Format, raw: pa.Table | None, exc: _BadColumn
) -> FileValidationError:
    if exc.line is not None:
        where = {"line": exc.line}
    elif exc.index is not None:
        where = file_format.locate(path, exc.index)
    elif raw is not None:
        where = file_format.locate_header(raw, exc.column)
    else:
        where = {}
    if "record" in where:
        where = file_format.locate(path, where["record"])
    mapped_to = plan.unified_name(exc.column) if exc.column else None
    return FileValidationError(
        str(path), exc.problem, column=exc.column, mapped_to=mapped_to, **where
    )


def _checked_tables(files: Sequence[Path], plan: _Plan) -> Iterator[pa.Table]:
    """Check every file first (all or nothing), then hand out their tables one by one."""
    cached: dict[Path, pa.Table] = {}
    cached_bytes = 0
    for path in files:
        started = time.monotonic()
        converted = _load_file(path, plan)
        logger.info(
            "`%s`: %d rows fit `%s` (%.2f s)",
            path,
            converted.num_rows,
            plan.spec.name,
            time.monotonic() - started,
        )
        if cached_bytes + converted.nbytes <= _CACHE_BUDGET_BYTES:
            cached[path] = converted
            cached_bytes += converted.nbytes

    for path in files:
        yield cached.pop(path) if path in cached else _load_file(path, plan)


def read_files(
    path: str | Path,
    table_spec: TableSpec,
    *,
    column_map: Mapping[str, str | None] | None = None,
    constants: Mapping[str, object] | None = None,
    source: str = DEFAULT_SOURCE,
    updated_at: datetime | None = None,
) -> Iterator[pa.Table]:
    """Yield one Arrow table per file of `path`, in the unified shape of `table_spec`.

    `column_map` renames file columns (file name -> unified name; None skips the column).
    `constants` gives a unified column one value for every row (`{"channel": "voice"}`).
    Nothing is yielded until every file has been checked. PATH, the mapping and the constants
    are checked at once; the files when the iterator is first advanced.
    """
    files = expand_path(path)
    plan = _make_plan(table_spec, column_map, constants, source, updated_at or datetime.now(UTC))
    return _yield_tables(files, plan)


def _yield_tables(files: Sequence[Path], plan: _Plan) -> Iterator[pa.Table]:
    started = time.monotonic()
    rows = 0
    for converted in _checked_tables(files, plan):
        rows += converted.num_rows
        yield converted

    elapsed_s = time.monotonic() - started
    logger.info(
        "files into `%s`: %d files, %d rows in %.2f s (%.0f rows/s)",
        plan.spec.name,
        len(files),
        rows,
        elapsed_s,
        rows / elapsed_s if elapsed_s > 0 else 0.0,
    )


def files_resource(
    path: str | Path,
    table_spec: TableSpec,
    *,
    column_map: Mapping[str, str | None] | None = None,
    constants: Mapping[str, object] | None = None,
    source: str = DEFAULT_SOURCE,
    updated_at: datetime | None = None,
) -> DltResource:
    """A dlt resource named after the table, merging on its primary key."""
    rows = read_files(
        path,
        table_spec,
        column_map=column_map,
        constants=constants,
        source=source,
        updated_at=updated_at,
    )
    return dlt.resource(
        rows,
        name=table_spec.name,
        write_disposition="merge",
        primary_key=list(table_spec.primary_key),
    )


def files_source(
    path: str | Path,
    table_spec: TableSpec,
    *,
    column_map: Mapping[str, str | None] | None = None,
    constants: Mapping[str, object] | None = None,
    source: str = DEFAULT_SOURCE,
    updated_at: datetime | None = None,
) -> DltSource:
    """The dlt source `files` with one resource: the table `table_spec` read from `path`."""
    resource = files_resource(
        path,
        table_spec,
        column_map=column_map,
        constants=constants,
        source=source,
        updated_at=updated_at,
    )
    return _files(resource)


@dlt.source(name=DEFAULT_SOURCE)
def _files(resource: DltResource) -> DltResource:
    return resource
