"""Responses taken from the vendors' own API descriptions in `../shared/vendor-specs/`.

Where the description has `examples`, they are used as they are; where it has only a schema,
`from_schema()` builds a response holding every property the schema defines (a property's own
`example` where it has one), so a test can check that a connector loads every field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import dlt
import requests_mock
import yaml
from dlt.common.normalizers.naming.snake_case import NamingConvention

from ccpulse.destination import RAW_DATABASE
from ccpulse.warehouse import Warehouse
from tests.shared import shared_dir

SPECS = shared_dir() / "vendor-specs"
ROOT = "http://spec.test"
SAMPLE_TIME = "2026-01-06T10:00:00Z"
_TIME_HINTS = ("ISO", "At", "Date", "date", "updated", "created", "lastChanged", "latest")
_NAMING = NamingConvention()


@cache
def spec(name: str) -> dict[str, Any]:
    text = (SPECS / name).read_text()
    loaded: dict[str, Any] = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    return loaded


def documented_example(name: str, path: str, method: str, example: str) -> Any:
    """The `examples` entry of a 200 answer, as the description gives it."""
    answer = spec(name)["paths"][path][method]["responses"]["200"]
    return answer["content"]["application/json"]["examples"][example]["value"]


def answer_schema(name: str, path: str, method: str) -> dict[str, Any]:
    answer = spec(name)["paths"][path][method]["responses"]["200"]
    if "schema" in answer:
        return dict(answer["schema"])
    return dict(answer["content"]["application/json"]["schema"])


def from_schema(name: str, schema: dict[str, Any], field: str = "", depth: int = 0) -> Any:
    """A value with every property `schema` defines (refs followed, 6 levels deep at most)."""
    if "$ref" in schema:
        return from_schema(name, _resolve(name, schema["$ref"]), field, depth)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _combined(name, schema, combined, field, depth)
    if "example" in schema:
        return schema["example"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next(item for item in kind if item != "null")
    if kind == "object" or "properties" in schema:
        return _object(name, schema, depth)
    if kind == "array":
        return [] if depth > 6 else [from_schema(name, schema.get("items", {}), field, depth + 1)]
    return _scalar(kind, schema, field)


def _combined(name: str, schema: dict[str, Any], key: str, field: str, depth: int) -> Any:
    parts = [from_schema(name, part, field, depth) for part in schema[key]]
    if key == "allOf" and all(isinstance(part, dict) for part in parts):
        return {k: v for part in parts for k, v in part.items()}
    return parts[0]


def _object(name: str, schema: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth > 6:
        return {}
    found = {
        key: from_schema(name, value, key, depth + 1)
        for key, value in (schema.get("properties") or {}).items()
    }
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not found:
        found["123"] = from_schema(name, extra, "", depth + 1)
    return found


def _scalar(kind: str, schema: dict[str, Any], field: str) -> Any:
    if schema.get("enum"):
        return schema["enum"][0]
    if kind in ("integer", "number"):
        return 7 if kind == "integer" else 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time" or field.endswith(_TIME_HINTS):
        return SAMPLE_TIME
    if schema.get("format") == "date":
        return SAMPLE_TIME[:10]
    if schema.get("format") == "int64":
        return "4242"
    return f"{field or 'value'} text"


def _resolve(name: str, ref: str) -> dict[str, Any]:
    node: Any = spec(name)
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


@contextmanager
def serving() -> Iterator[requests_mock.Mocker]:
    """requests-mock answering under `http://spec.test`, nothing else."""
    with requests_mock.Mocker() as mocker:
        yield mocker


def column(field: str) -> str:
    return _NAMING.normalize_identifier(field)


def assert_loaded_whole(
    wh: Warehouse, dataset: str, table: str, key: str, records: list[dict[str, Any]]
) -> None:
    """Every non-null field of every record is in the raw table: nested values unchanged."""
    result = wh.query(f"SELECT * FROM {RAW_DATABASE}.`{dataset}___{table}`")
    columns = list(result.column_names)
    rows = {str(row[columns.index(column(key))]): row for row in result.result_rows}
    assert len(rows) == len({str(record[key]) for record in records})
    for record in records:
        row = rows[str(record[key])]
        for field, value in record.items():
            if value is None:
                continue
            assert column(field) in columns, f"`{table}` lost the field `{field}`"
            stored = row[columns.index(column(field))]
            if isinstance(value, dict | list):
                assert json.loads(stored) == value, f"`{table}.{field}` changed"
            else:
                assert stored is not None, f"`{table}.{field}` lost its value"


def pipeline(name: str, pipelines_dir: Path) -> dlt.Pipeline:
    from ccpulse.destination import warehouse

    return dlt.pipeline(
        pipeline_name=name,
        destination=warehouse(),
        dataset_name=name,
        pipelines_dir=str(pipelines_dir),
    )
