"""First contact resolution derived from the repeat window, maturing as the record reaches on.

The contacts live in 2040 so that they are the newest of the session's warehouse: the newest
contact is the horizon a repeat window closes against. Customer `c1` chats on 3 March and again
on 6 March; customer `c2` calls on 4 March. The window is 7 days (the default).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from ccpulse.windowed import recompute_windowed
from kpi_views.catalog import CATALOG
from kpi_views.facts import REPEAT_WINDOW_DAYS
from kpi_views.generator import kpi_query
from kpi_views.windowed import closed_days
from tests.kpis.records import to_arrow

FIRST_DAY = dt.date(2040, 3, 3)
VERSION = dt.datetime(2040, 6, 1, tzinfo=dt.UTC)


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(FIRST_DAY, dt.time(hour), dt.UTC) + dt.timedelta(days=day)


def _contact(
    contact_id: str,
    customer: str,
    offered: dt.datetime,
    channel: str = "chat",
    leg: int = 1,
    stated: int | None = None,
    finished: bool = True,
) -> dict[str, Any]:
    answered = offered + dt.timedelta(seconds=20)
    return {
        "contact_id": contact_id,
        "leg": leg,
        "channel": channel,
        "direction": "inbound",
        "customer_id": customer,
        "agent_id": "fcr-agent@example.test",
        "skill": "FCR",
        "skill_group": "Tier 1",
        "reason": None,
        "offered_at": offered,
        "answered_at": answered,
        "ended_at": answered + dt.timedelta(seconds=300) if finished else None,
        "wait_s": 20.0,
        "talk_s": 300.0,
        "hold_s": 0.0,
        "acw_s": 0.0,
        "abandoned": 0,
        "transferred": 0,
        "escalated": 0,
        "resolved_first_contact": stated,
        "source": "test",
        "updated_at": VERSION,
    }


def _fcr_by_day(warehouse: Warehouse) -> dict[dt.date, tuple[float, float]]:
    last = FIRST_DAY + dt.timedelta(days=30)
    query = kpi_query(CATALOG["first_contact_resolution_rate"], (), "day", FIRST_DAY, last)
    rows = warehouse.rows(f"SELECT period, numerator, denominator FROM ({query.sql()})")
    return {
        period.date(): (float(numerator), float(denominator))
        for period, numerator, denominator in rows
        if denominator
    }


@pytest.fixture(scope="module")
def warehouse(embedded_settings: WarehouseSettings) -> Warehouse:
    found = open_warehouse(embedded_settings)
    apply_migrations(found)
    apply_generated(found)
    return found


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(None, None, [], id="no-contacts"),
        pytest.param(_at(9), _at(9), [], id="unchanged"),
        pytest.param(
            _at(9), _at(11), [FIRST_DAY + dt.timedelta(days=n) for n in (2, 3, 4)], id="moved-on"
        ),
        pytest.param(
            _at(11),
            _at(9),
            [FIRST_DAY + dt.timedelta(days=n) for n in (2, 3, 4)],
            id="moved-back-after-a-delete",
        ),
        pytest.param(None, _at(9), [FIRST_DAY + dt.timedelta(days=2)], id="first-contact"),
    ],
)
def test_days_whose_windows_close_when_the_horizon_moves(
    before: dt.datetime | None, after: dt.datetime | None, expected: list[dt.date]
) -> None:
    assert REPEAT_WINDOW_DAYS == 7
    assert closed_days(before, after) == expected


def test_resolution_matures_with_the_record(warehouse: Warehouse) -> None:
    run = uuid.uuid4().hex[:6]
    c1, c2, c3 = (f"{run}-{name}" for name in ("c1", "c2", "c3"))
    contacts = [
        _contact(f"{run}-chat-1", c1, _at(0)),
        _contact(f"{run}-call", c2, _at(1), channel="voice"),
        _contact(f"{run}-chat-2", c1, _at(3)),
        # Neither a stated outcome nor an e-mail ticket awaiting its outcome is derived.
        _contact(f"{run}-stated", c2, _at(0, 12), channel="voice", stated=1),
        _contact(f"{run}-ticket", c1, _at(1, 12), channel="email"),
    ]
    apply_batch(warehouse, "contacts", to_arrow("contacts", contacts))
    day = {n: FIRST_DAY + dt.timedelta(days=n) for n in range(12)}
    # chat-1 was repeated by chat-2 (not resolved) and the ticket (same customer, any channel);
    # the call's and chat-2's windows are still open; the stated call counts as the source said.
    assert _fcr_by_day(warehouse) == {day[0]: (1.0, 2.0)}

    # A contact on 12 March moves the horizon past the call's window (4 -> 11 March) but not
    # chat-2's (6 -> 13 March): the call matures as resolved although the new contact is too
    # late to touch its day.
    late = _contact(f"{run}-late", c3, _at(9))
    apply_batch(warehouse, "contacts", to_arrow("contacts", [late]))
    assert _fcr_by_day(warehouse) == {day[0]: (1.0, 2.0), day[1]: (1.0, 1.0)}

    # Deleting it reopens the window: the call's outcome is unknown again.
    apply_batch(warehouse, "contacts", to_arrow("contacts", []), to_arrow("contacts", [late]))
    assert _fcr_by_day(warehouse) == {day[0]: (1.0, 2.0)}

    # A second leg still being handled keeps a call's outcome unknown even after its window.
    transfer = _contact(f"{run}-call", c2, _at(1, 11), channel="voice", leg=2, finished=False)
    later = _contact(f"{run}-later", c3, _at(10))
    apply_batch(warehouse, "contacts", to_arrow("contacts", [transfer, later]))
    assert _fcr_by_day(warehouse) == {day[0]: (1.0, 2.0), day[3]: (1.0, 1.0)}

    # Recomputing every day from scratch changes nothing.
    before = _fcr_by_day(warehouse)
    recompute_windowed(warehouse, [day[n] for n in range(12)])
    assert _fcr_by_day(warehouse) == before
