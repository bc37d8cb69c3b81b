"""Chat concurrency and survey response rate on hand-made records, every figure worked out below.

Cleo (Digital, primary channel chat) works on 9 July 2031, a day no other test uses:

    chat c1       10:00-10:30  1800 s  }
    chat c2       10:10-10:20   600 s  } one stretch 10:00-10:50: 3000 s, ending in hour 10
    messaging c3  10:25-10:50  1500 s  }
    chat c4       11:00-11:10   600 s    a stretch of its own: 600 s
    voice c5      12:00-12:10            not a chat: left out
    chat c6       23:50-00:20  1800 s  } one stretch 23:50-00:30: 2400 s, on 10 July (its end)
    chat c7  (10) 00:10-00:30  1200 s  }

9 July: handle 1800 + 600 + 1500 + 600 = 4500 s over 3600 s busy = 1.25; 10 July: 3000 s over
2400 s = 1.25. Her employee record arrives after her conversations, so the days they touch are
recomputed when it does. Three surveys are sent on 9 July; one is answered at once, one a day
later, one never.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query
from tests.kpis.records import to_arrow

DAY = dt.date(2031, 7, 9)
NEXT_DAY = dt.date(2031, 7, 10)
CLEO = "cleo.2031@example.test"
VERSION = dt.datetime(2031, 7, 12, tzinfo=dt.UTC)


def _at(clock: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=dt.UTC)


def _leg(contact_id: str, channel: str, answered: dt.datetime, ended: dt.datetime) -> dict:
    return {
        "contact_id": contact_id,
        "leg": 1,
        "channel": channel,
        "direction": "inbound",
        "customer_id": None,
        "agent_id": CLEO,
        "skill": "Chat Support",
        "skill_group": "Digital",
        "reason": None,
        "offered_at": answered - dt.timedelta(seconds=30),
        "answered_at": answered,
        "ended_at": ended,
        "wait_s": 30.0,
        "talk_s": (ended - answered).total_seconds(),
        "hold_s": 0.0,
        "acw_s": 0.0,
        "abandoned": 0,
        "transferred": 0,
        "escalated": 0,
        "resolved_first_contact": None,
        "source": "test",
        "updated_at": VERSION,
    }


def _invitation(
    invitation_id: str, sent: dt.datetime, responded: dt.datetime | None
) -> dict[str, Any]:
    return {
        "invitation_id": invitation_id,
        "kind": "csat",
        "contact_id": None,
        "customer_id": None,
        "agent_id": CLEO,
        "channel": "email",
        "skill": "Email Support",
        "skill_group": "Digital",
        "sent_at": sent,
        "responded_at": responded,
        "source": "test",
        "updated_at": VERSION,
    }


LEGS = [
    _leg("cc-c1", "chat", _at("10:00"), _at("10:30")),
    _leg("cc-c2", "chat", _at("10:10"), _at("10:20")),
    _leg("cc-c3", "messaging", _at("10:25"), _at("10:50")),
    _leg("cc-c4", "chat", _at("11:00"), _at("11:10")),
    _leg("cc-c5", "voice", _at("12:00"), _at("12:10")),
    _leg("cc-c6", "chat", _at("23:50"), _at("00:20", NEXT_DAY)),
    _leg("cc-c7", "chat", _at("00:10", NEXT_DAY), _at("00:30", NEXT_DAY)),
]


@pytest.fixture(scope="module")
def cleo_day(embedded_settings: WarehouseSettings) -> Warehouse:
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    apply_batch(warehouse, "contacts", to_arrow("contacts", LEGS))
    employee = {
        "agent_id": CLEO,
        "employee_id": None,
        "email": CLEO,
        "hired_at": _at("00:00") - dt.timedelta(days=300),
        "terminated_at": None,
        "termination_voluntary": None,
        "skill_group": "Digital",
        "primary_channel": "chat",
        "hourly_cost": None,
        "source": "test",
        "updated_at": VERSION,
    }
    apply_batch(warehouse, "employees", to_arrow("employees", [employee]))
    invitations = [
        _invitation("cc-s1", _at("09:00"), _at("09:20")),
        _invitation("cc-s2", _at("09:30"), None),
        _invitation("cc-s3", _at("14:00"), None),
    ]
    apply_batch(warehouse, "survey_invitations", to_arrow("survey_invitations", invitations))
    return warehouse


def _figures(
    warehouse: Warehouse, kpi_id: str, by: tuple[str, ...], grain: str = "day"
) -> dict[tuple[Any, ...], tuple[float, float, float]]:
    query = kpi_query(CATALOG[kpi_id], by, grain, DAY, NEXT_DAY)
    result = warehouse.query(query.sql())
    figures = {}
    for row in result.result_rows:
        record = dict(zip(result.column_names, row, strict=True))
        if by and record[by[-1]] not in (CLEO, "chat", "Digital"):
            continue
        key = (record["period"], *(record[name] for name in by))
        figures[key] = (record["value"], record["numerator"], record["denominator"])
    return figures


MIDNIGHT = dt.datetime(2031, 7, 9)
NEXT_MIDNIGHT = dt.datetime(2031, 7, 10)

CASES = [
    pytest.param(
        "day",
        ("agent",),
        {
            (MIDNIGHT, CLEO): (1.25, 4500, 3600),
            (NEXT_MIDNIGHT, CLEO): (1.25, 3000, 2400),
        },
        id="per-day-stretch-on-its-end-day",
    ),
    pytest.param(
        "hour",
        ("agent",),
        {
            (dt.datetime(2031, 7, 9, 10), CLEO): (3900 / 3000, 3900, 3000),
            (dt.datetime(2031, 7, 9, 11), CLEO): (1.0, 600, 600),
            (NEXT_MIDNIGHT, CLEO): (1.25, 3000, 2400),
        },
        id="per-hour",
    ),
    # A messaging conversation counts under the agent's own channel, as agent measures do.
    pytest.param(
        "all",
        ("channel", "skill_group"),
        {(None, "chat", "Digital"): (7500 / 6000, 7500, 6000)},
        id="agent-channel-and-group",
    ),
]


@pytest.mark.parametrize(("grain", "by", "expected"), CASES)
def test_chat_concurrency(
    cleo_day: Warehouse,
    grain: str,
    by: tuple[str, ...],
    expected: dict[tuple[Any, ...], tuple[float, float, float]],
) -> None:
    figures = _figures(cleo_day, "chat_concurrency", by, grain)
    assert figures.keys() == expected.keys()
    for key, values in expected.items():
        assert figures[key] == pytest.approx(values, rel=1e-12)


def test_survey_response_rate_follows_late_answers(cleo_day: Warehouse) -> None:
    by = ("agent",)
    assert _figures(cleo_day, "survey_response_rate", by) == {
        (MIDNIGHT, CLEO): pytest.approx((100 / 3, 1, 3))
    }
    late = _invitation("cc-s2", _at("09:30"), _at("08:00", NEXT_DAY))
    late["updated_at"] = VERSION + dt.timedelta(days=1)
    apply_batch(cleo_day, "survey_invitations", to_arrow("survey_invitations", [late]))
    # The answer counts at the hour the survey was sent, not when it arrived.
    assert _figures(cleo_day, "survey_response_rate", by) == {
        (MIDNIGHT, CLEO): pytest.approx((200 / 3, 2, 3))
    }
