"""A batch says how many of its records were new, updated, deleted or unchanged.

Three surveys are loaded, then a second batch brings, per case, some mix of a new survey, an
edited score, the same survey again, a delete, an older copy and a second copy within the batch.
The counts come from the signed rows the diff wrote in the real warehouse; each case states what
a person reading the batch would count.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from ccpulse.changes import BatchResult, RecordChanges, apply_batch
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from tests.kpis.records import to_arrow

LOADED_AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
LATER = LOADED_AT + dt.timedelta(hours=2)


def _survey(response_id: str, score: float, updated_at: dt.datetime) -> dict[str, Any]:
    return {
        "response_id": response_id,
        "kind": "csat",
        "score": score,
        "scale_min": 1.0,
        "scale_max": 5.0,
        "agent_id": "agent-1",
        "channel": "chat",
        "skill": "billing",
        "responded_at": LOADED_AT,
        "source": "test",
        "updated_at": updated_at,
    }


# Each second batch: (records, deletes), from the three loaded surveys a, b and c (scored 4).
SECOND_BATCHES = {
    "one of each": (
        [("a", 2.0, LATER), ("b", 4.0, LOADED_AT), ("d", 5.0, LATER)],
        [("c", 4.0, LATER)],
        RecordChanges(new=1, updated=1, deleted=1, unchanged=1),
    ),
    "redelivered with a newer time stamp only": (
        [("a", 4.0, LATER), ("b", 4.0, LATER)],
        [],
        RecordChanges(unchanged=2),
    ),
    "an older copy never rolls back": (
        [("a", 1.0, LOADED_AT - dt.timedelta(hours=1))],
        [],
        RecordChanges(unchanged=1),
    ),
    "two copies of one edit in the batch": (
        [("a", 3.0, LATER), ("a", 3.0, LATER)],
        [],
        RecordChanges(updated=1, unchanged=1),
    ),
    "a delete of a survey never loaded": (
        [],
        [("x", 4.0, LATER)],
        RecordChanges(unchanged=1),
    ),
}


@pytest.fixture(scope="module")
def prepared(embedded_settings: WarehouseSettings) -> Warehouse:
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    return warehouse


def _apply(
    warehouse: Warehouse, prefix: str, records: list[tuple], deletes: list[tuple]
) -> BatchResult:
    def rows(items: list[tuple]) -> list[dict[str, Any]]:
        return [_survey(f"{prefix}{name}", score, at) for name, score, at in items]

    deleted = to_arrow("surveys", rows(deletes)) if deletes else None
    return apply_batch(warehouse, "surveys", to_arrow("surveys", rows(records)), deleted)


@pytest.mark.parametrize(
    ("records", "deletes", "expected"), SECOND_BATCHES.values(), ids=SECOND_BATCHES.keys()
)
def test_second_batch_counts(
    prepared: Warehouse, records: list[tuple], deletes: list[tuple], expected: RecordChanges
) -> None:
    prefix = f"rc{uuid.uuid4().hex[:8]}-"
    first = _apply(prepared, prefix, [(name, 4.0, LOADED_AT) for name in "abc"], [])
    assert first.records == RecordChanges(new=3)

    second = _apply(prepared, prefix, records, deletes)

    assert second.records == expected
    assert second.records.staged == second.staged_rows
    # every update writes two signed rows, every new record and delete one
    signed = 2 * expected.updated + expected.new + expected.deleted
    assert second.changed_rows == signed


def test_counts_add_up_across_batches() -> None:
    total = RecordChanges(1, 2, 3, 4) + RecordChanges(new=10, unchanged=1)
    assert total == RecordChanges(new=11, updated=2, deleted=3, unchanged=5)
    assert total.text() == "11 new, 2 changed, 3 deleted, 5 unchanged"
