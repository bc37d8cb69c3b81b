"""Agent-time and cost KPIs on one hand-made agent day, every figure worked out below.

Ann (Voice Tier 1, voice) is scheduled on 5 May 2031, a day no other test uses:

    on_queue 09:00-11:00 (7200 s)  break 11:00-11:15 (900 s)  on_queue 11:15-12:00 (2700 s)
    lunch 12:00-12:30 (1800 s, unpaid)  training 12:30-13:00 (1800 s)

    paid = 7200 + 900 + 2700 + 1800 = 12600 s (3.5 h); adherence counts all five = 14400 s

What she did (the last state is still open, so it counts nowhere yet):

    available 09:05-09:30  on_contact 09:30-10:00  acw 10:00-10:10  available 10:10-11:05
    break 11:05-11:25  on_contact 11:25-12:05  break 12:05-12:30  training 12:30-13:00
    available 13:00-

    available 1500 + 3300 = 4800 s, on_contact 1800 + 2400 = 4200 s, acw 600 s, training 1800 s

Adherent seconds per activity: first on_queue 1500 + 1800 + 600 + 3000 (available until 11:00)
= 6900; break 600 (11:05-11:15); second on_queue 2100 (on_contact 11:25-12:00); lunch 1500 (break
12:05-12:30); training 1800; total 12900 of 14400.

She handles two voice legs that day; her hourly cost is 24, and a service cost line of 100 is
booked on voice. Three customers are acquired (two by paid search, one by referral) for an
acquisition spend of 300.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from ccpulse.windowed import recompute_windowed
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query
from kpi_views.windowed import contact_days_touched, days_touched
from tests.kpis.records import to_arrow

DAY = dt.date(2031, 5, 5)
LATER_DAY = dt.date(2031, 5, 12)
VERSION = dt.datetime(2031, 5, 6, tzinfo=dt.UTC)


def _at(clock: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = map(int, clock.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=dt.UTC)


def _agent_row(agent: str, **fields: Any) -> dict[str, Any]:
    return {
        "agent_id": agent,
        "skill_group": "Voice Tier 1",
        "channel": "voice",
        "source": "test",
        "updated_at": VERSION,
        **fields,
    }


SCHEDULE = [
    ("on_queue", "09:00", "11:00"),
    ("break", "11:00", "11:15"),
    ("on_queue", "11:15", "12:00"),
    ("lunch", "12:00", "12:30"),
    ("training", "12:30", "13:00"),
]
STATES = [
    ("available", "09:05", "09:30"),
    ("on_contact", "09:30", "10:00"),
    ("acw", "10:00", "10:10"),
    ("available", "10:10", "11:05"),
    ("break", "11:05", "11:25"),
    ("on_contact", "11:25", "12:05"),
    ("break", "12:05", "12:30"),
    ("training", "12:30", "13:00"),
    ("available", "13:00", None),
]


def _schedules(agent: str, day: dt.date = DAY) -> list[dict[str, Any]]:
    return [
        _agent_row(agent, activity=activity, starts_at=_at(start, day), ends_at=_at(end, day))
        for activity, start, end in SCHEDULE
    ]


def _states(agent: str, day: dt.date = DAY) -> list[dict[str, Any]]:
    return [
        _agent_row(
            agent,
            state=state,
            started_at=_at(start, day),
            ended_at=_at(end, day) if end else None,
        )
        for state, start, end in STATES
    ]


def _employee(agent: str, hourly_cost: float) -> dict[str, Any]:
    return {
        "agent_id": agent,
        "employee_id": None,
        "email": None,
        "hired_at": _at("00:00") - dt.timedelta(days=400),
        "terminated_at": None,
        "termination_voluntary": None,
        "skill_group": "Voice Tier 1",
        "primary_channel": "voice",
        "hourly_cost": hourly_cost,
        "source": "test",
        "updated_at": VERSION,
    }


def _leg(agent: str, contact_id: str, answered: str, ended: str, acw_s: float) -> dict[str, Any]:
    return {
        "contact_id": contact_id,
        "leg": 1,
        "channel": "voice",
        "direction": "inbound",
        "customer_id": None,
        "agent_id": agent,
        "skill": "Voice Billing",
        "skill_group": "Voice Tier 1",
        "reason": None,
        "offered_at": _at(answered) - dt.timedelta(seconds=30),
        "answered_at": _at(answered),
        "ended_at": _at(ended),
        "wait_s": 30.0,
        "talk_s": 1000.0,
        "hold_s": 0.0,
        "acw_s": acw_s,
        "abandoned": 0,
        "transferred": 0,
        "escalated": 0,
        "resolved_first_contact": None,
        "source": "test",
        "updated_at": VERSION,
    }


def _cost(scope: str, channel: str, amount: float) -> dict[str, Any]:
    start = _at("00:00")
    return {
        "period_start": start,
        "period_end": start + dt.timedelta(days=1),
        "scope": scope,
        "channel": channel,
        "amount": amount,
        "source": "test",
        "updated_at": VERSION,
    }


def _customer(customer_id: str, channel: str) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "acquired_at": _at("14:00"),
        "acquisition_channel": channel,
        "churned_at": None,
        "segment": None,
        "source": "test",
        "updated_at": VERSION,
    }


def _load(warehouse: Warehouse, table: str, rows: list[dict[str, Any]]) -> None:
    apply_batch(warehouse, table, to_arrow(table, rows))


@pytest.fixture(scope="module")
def ann_day(embedded_settings: WarehouseSettings) -> tuple[Warehouse, str]:
    """The warehouse with Ann's day loaded and the daily aggregates recomputed; Ann's id."""
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    ann = "ann.2031@example.test"
    _load(warehouse, "schedules", _schedules(ann))
    _load(warehouse, "agent_states", _states(ann))
    _load(warehouse, "employees", [_employee(ann, 24.0)])
    _load(
        warehouse,
        "contacts",
        [_leg(ann, "hw-c1", "09:30", "10:00", 600.0), _leg(ann, "hw-c2", "11:25", "12:05", 0.0)],
    )
    _load(
        warehouse,
        "costs",
        [_cost("service", "voice", 100.0), _cost("acquisition", "all", 300.0)],
    )
    _load(
        warehouse,
        "customers",
        [
            _customer("hw-u1", "PAID_SEARCH"),
            _customer("hw-u2", "PAID_SEARCH"),
            _customer("hw-u3", "REFERRALS"),
        ],
    )
    recompute_windowed(warehouse, [DAY])
    return warehouse, ann


def _figures(
    warehouse: Warehouse,
    kpi_id: str,
    by: tuple[str, ...] = (),
    grain: str = "day",
    day: dt.date = DAY,
) -> dict[tuple[Any, ...], tuple[float, float, float]]:
    """(period, breakdown values) -> (value, numerator, denominator) on one day."""
    query = kpi_query(CATALOG[kpi_id], by, grain, day, day)
    result = warehouse.query(query.sql())
    figures = {}
    for row in result.result_rows:
        record = dict(zip(result.column_names, row, strict=True))
        key = (record["period"], *(record[name] for name in by))
        figures[key] = (record["value"], record["numerator"], record["denominator"])
    return figures


MIDNIGHT = dt.datetime(2031, 5, 5)

# kpi, breakdown, its values, (value, numerator, denominator) for the day
CASES = [
    pytest.param("occupancy_rate", (), (), (50.0, 4800, 9600), id="occupancy"),
    pytest.param(
        "agent_utilization_rate", (), (), (100 * 6600 / 12600, 6600, 12600), id="utilization"
    ),
    pytest.param("shrinkage", (), (), (100 * 3000 / 12600, 3000, 12600), id="shrinkage"),
    pytest.param(
        "schedule_adherence_rate", (), (), (100 * 12900 / 14400, 12900, 14400), id="adherence"
    ),
    # 3.5 paid hours x 24 = 84 of labour, plus the service cost line of 100, over two legs
    pytest.param("cost_per_contact", (), (), (92.0, 184, 2), id="cost-per-contact"),
    pytest.param(
        "cost_per_contact", ("channel",), ("voice",), (92.0, 184, 2), id="cost-per-contact-voice"
    ),
    pytest.param("cost_per_acquisition", (), (), (100.0, 300, 3), id="cost-per-acquisition"),
]


@pytest.mark.parametrize(("kpi_id", "by", "values", "expected"), CASES)
def test_the_day_of_ann(
    ann_day: tuple[Warehouse, str],
    kpi_id: str,
    by: tuple[str, ...],
    values: tuple[str, ...],
    expected: tuple[float, float, float],
) -> None:
    warehouse, _ = ann_day
    figures = _figures(warehouse, kpi_id, by)
    assert figures[(MIDNIGHT, *values)] == pytest.approx(expected, rel=1e-12)


def test_agent_breakdowns_are_the_agent_s_own(ann_day: tuple[Warehouse, str]) -> None:
    warehouse, ann = ann_day
    by_agent = _figures(warehouse, "cost_per_contact", ("agent",))
    # The service cost line has no agent: by agent only labour counts (3.5 h x 24 = 84).
    assert by_agent[(MIDNIGHT, ann)] == pytest.approx((42.0, 84.0, 2))
    by_group = _figures(warehouse, "occupancy_rate", ("skill_group", "agent"))
    assert by_group[(MIDNIGHT, "Voice Tier 1", ann)] == pytest.approx((50.0, 4800, 9600))


def test_an_interval_counts_whole_at_the_hour_it_starts(ann_day: tuple[Warehouse, str]) -> None:
    warehouse, _ = ann_day
    hours = _figures(warehouse, "occupancy_rate", (), "hour")
    # 10:00-10:10 acw and 10:10-11:05 available, the latter not split at 11:00.
    assert hours[(dt.datetime(2031, 5, 5, 10),)] == pytest.approx((100 * 600 / 3900, 600, 3900))
    # 11:05-11:25 is a break; 11:25-12:05 on_contact counts whole at 11:00.
    assert hours[(dt.datetime(2031, 5, 5, 11),)] == pytest.approx((100.0, 2400, 2400))


def test_a_late_change_is_picked_up_by_recomputing_its_day(
    ann_day: tuple[Warehouse, str], unique_name: str
) -> None:
    """A second agent's day: her pay changes and her training is dropped from the plan."""
    warehouse, _ = ann_day
    bea = f"{unique_name}@example.test"
    midnight = dt.datetime(2031, 5, 12)
    _load(warehouse, "schedules", _schedules(bea, LATER_DAY))
    _load(warehouse, "agent_states", _states(bea, LATER_DAY))
    _load(warehouse, "employees", [_employee(bea, 24.0)])
    recompute_windowed(warehouse, [LATER_DAY])
    adherence = _figures(warehouse, "schedule_adherence_rate", ("agent",), day=LATER_DAY)
    assert adherence[(midnight, bea)] == pytest.approx((100 * 12900 / 14400, 12900, 14400))

    later = VERSION + dt.timedelta(days=10)
    raised = {**_employee(bea, 30.0), "updated_at": later}
    training = {**_schedules(bea, LATER_DAY)[-1], "updated_at": later}
    apply_batch(warehouse, "employees", to_arrow("employees", [raised]))
    apply_batch(
        warehouse, "schedules", to_arrow("schedules", []), to_arrow("schedules", [training])
    )
    recompute_windowed(warehouse, [LATER_DAY])
    recompute_windowed(warehouse, [LATER_DAY])

    # Without training: 12600 scheduled, 11100 adherent; paid 10800 s = 3 h at 30.
    adherence = _figures(warehouse, "schedule_adherence_rate", ("agent",), day=LATER_DAY)
    assert adherence[(midnight, bea)] == pytest.approx((100 * 11100 / 12600, 11100, 12600))
    labour = warehouse.rows(
        "SELECT sum(labour_cost) FROM cc.agg_labour WHERE agent = {agent:String}",
        {"agent": bea},
    )
    assert math.isclose(labour[0][0], 90.0)


def test_a_day_left_without_activities_is_emptied(
    ann_day: tuple[Warehouse, str], unique_name: str
) -> None:
    warehouse, _ = ann_day
    day = dt.date(2031, 6, 2)
    agent = f"{unique_name}@example.test"
    start = dt.datetime(2031, 6, 2, 9, tzinfo=dt.UTC)
    block = _agent_row(
        agent, activity="on_queue", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    _load(warehouse, "schedules", [block])
    recompute_windowed(warehouse, [day])
    count = "SELECT count() FROM cc.agg_adherence WHERE toDate(hour) = {day:Date}"
    assert warehouse.scalar(count, {"day": day}) == 1

    gone = {**block, "updated_at": VERSION + dt.timedelta(days=30)}
    apply_batch(warehouse, "schedules", to_arrow("schedules", []), to_arrow("schedules", [gone]))
    recompute_windowed(warehouse, [day])
    assert warehouse.scalar(count, {"day": day}) == 0


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        pytest.param("2031-05-05 09:00", "2031-05-05 10:00", ["05-04", "05-05"], id="same-day"),
        pytest.param(
            "2031-05-05 23:30", "2031-05-06 00:30", ["05-04", "05-05", "05-06"], id="past-midnight"
        ),
        pytest.param("2031-05-06 00:10", None, ["05-05", "05-06"], id="open"),
    ],
)
def test_days_a_changed_interval_touches(start: str, end: str | None, days: list[str]) -> None:
    """An interval can overlap an activity that started the day before (a night shift's)."""
    touched = days_touched(
        dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end) if end else None
    )
    assert [day.strftime("%m-%d") for day in touched] == days


def _contact(customer: str, contact_id: str, offered: str, direction: str = "inbound") -> dict:
    at = dt.datetime.fromisoformat(offered).replace(tzinfo=dt.UTC)
    return {
        **_leg("", contact_id, "00:00", "00:00", 0.0),
        "customer_id": customer,
        "agent_id": None,
        "direction": direction,
        "offered_at": at,
        "answered_at": None,
        "ended_at": None,
        "abandoned": 1,
    }


def test_repeat_contacts_follow_late_arrivals(
    ann_day: tuple[Warehouse, str], unique_name: str
) -> None:
    """Customer K calls on 1, 3, 10 and 20 July (and is called on 15 July); L once on 3 July.

    K's call of 10 July is exactly seven days after the one of 3 July, so still a repeat; the
    one of 20 July has no inbound contact in the seven days before it. Then a call of K on
    28 June arrives late, and recomputing the days it touches makes 1 July a repeat too.
    """
    warehouse, _ = ann_day
    k, lee = f"{unique_name}-k", f"{unique_name}-l"
    calls = [
        _contact(k, f"{unique_name}-1", "2031-07-01 10:00"),
        _contact(k, f"{unique_name}-2", "2031-07-03 10:00"),
        _contact(lee, f"{unique_name}-3", "2031-07-03 11:00"),
        _contact(k, f"{unique_name}-4", "2031-07-10 10:00"),
        _contact(k, f"{unique_name}-5", "2031-07-15 10:00", direction="outbound"),
        _contact(k, f"{unique_name}-6", "2031-07-20 10:00"),
    ]
    _load(warehouse, "contacts", calls)
    recompute_windowed(
        warehouse, {day for c in calls for day in contact_days_touched(c["offered_at"])}
    )

    def daily() -> dict[dt.date, tuple[float, float, float]]:
        query = kpi_query(
            CATALOG["repeat_contact_rate"], (), "day", dt.date(2031, 6, 1), dt.date(2031, 7, 31)
        )
        return {row[0].date(): tuple(row[1:]) for row in warehouse.rows(query.sql())}

    assert daily() == {
        dt.date(2031, 7, 1): (0, 1, 0.0),
        dt.date(2031, 7, 3): (1, 2, 50.0),
        dt.date(2031, 7, 10): (1, 1, 100.0),
        dt.date(2031, 7, 20): (0, 1, 0.0),
    }

    late = _contact(k, f"{unique_name}-0", "2031-06-28 09:00")
    _load(warehouse, "contacts", [late])
    recompute_windowed(warehouse, contact_days_touched(late["offered_at"]), ["contacts"])
    figures = daily()
    assert figures[dt.date(2031, 6, 28)] == (0, 1, 0.0)
    assert figures[dt.date(2031, 7, 1)] == (1, 1, 100.0)
