"""`cc.contacts_by_day`, what the daily recomputations read: always the current contacts.

In the session's warehouse, in a month of its own (October 2032): one contact's life through its
change stream (a new record, a change, a move to another day, a redelivery, a delete), and an edit
made behind the change stream's back, which a recomputation of the month puts right.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.cli import ensure_schema
from ccpulse.recompute import recompute_window
from ccpulse.warehouse import Warehouse
from kpi_views.windowed import CONTACTS_BY_DAY, CONTACTS_BY_DAY_COLUMNS
from tests.kpis.records import to_arrow
from tests.kpis.test_recompute import _contact

DAY = dt.date(2032, 10, 5)
PREFIX = "byday-"


def _by_day(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return warehouse.rows(
        f"SELECT {', '.join(CONTACTS_BY_DAY_COLUMNS)} FROM {CONTACTS_BY_DAY} FINAL "
        "WHERE sign = 1 AND startsWith(contact_id, {prefix:String}) ORDER BY contact_id, leg",
        {"prefix": PREFIX},
    )


def _current(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    return warehouse.rows(
        f"SELECT {', '.join(CONTACTS_BY_DAY_COLUMNS)} FROM `cc`.`contacts` FINAL "
        "WHERE startsWith(contact_id, {prefix:String}) ORDER BY contact_id, leg",
        {"prefix": PREFIX},
    )


@pytest.fixture(scope="module")
def warehouse(embedded_settings: Any) -> Warehouse:
    from ccpulse.warehouse import open_warehouse

    opened = open_warehouse(embedded_settings)
    ensure_schema(opened)
    return opened


def _version(contact: dict[str, Any], hours: int, **changes: Any) -> dict[str, Any]:
    updated = contact["updated_at"] + dt.timedelta(hours=hours)
    return {**contact, **changes, "updated_at": updated}


def test_a_contacts_life_keeps_the_by_day_copy_current(warehouse: Warehouse) -> None:
    first = _contact(f"{PREFIX}1", DAY, "byday-a1", 100.0)
    other = _contact(f"{PREFIX}2", DAY, "byday-a2", 50.0)
    moved_at = dt.datetime.combine(DAY + dt.timedelta(days=2), dt.time(9), tzinfo=dt.UTC)
    steps: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = [
        ("new", [first, other], []),
        ("changed on its day", [_version(first, 1, talk_s=150.0, resolved_first_contact=1)], []),
        ("moved to another day", [_version(first, 2, offered_at=moved_at)], []),
        ("redelivered", [_version(first, 2, offered_at=moved_at)], []),
        ("deleted", [], [_version(first, 3, offered_at=moved_at)]),
    ]
    for step, records, deleted in steps:
        removed = to_arrow("contacts", deleted) if deleted else None
        apply_batch(warehouse, "contacts", to_arrow("contacts", records), removed)
        assert _by_day(warehouse) == _current(warehouse), step
    assert [row[0] for row in _by_day(warehouse)] == [f"{PREFIX}2"]


def test_a_recomputed_month_puts_right_an_edit_behind_the_change_stream(
    warehouse: Warehouse,
) -> None:
    edited = _contact(f"{PREFIX}3", DAY, "byday-a1", 80.0)
    apply_batch(warehouse, "contacts", to_arrow("contacts", [edited]))
    warehouse.command(
        "ALTER TABLE `cc`.`contacts` UPDATE customer_id = 'someone else' "
        "WHERE contact_id = {id:String}",
        parameters={"id": edited["contact_id"]},
        settings={"mutations_sync": 2},
    )
    assert _by_day(warehouse) != _current(warehouse)

    recompute_window(warehouse, DAY, DAY)

    assert _by_day(warehouse) == _current(warehouse)
