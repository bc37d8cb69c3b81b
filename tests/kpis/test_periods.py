"""Period KPIs (retention, churn, lifetime value, CLV:CAC, attrition) on hand-made records.

The records live in March 2012, before any other test's, and every query is limited to
2-6 March 2012, so that the levels read here are those of this module's records only. Every
expected figure is worked out by hand below. 5 March 2012 is a Monday.

Customers (acquisition channel):

    c1  acquired 2012-01-10            never churned           paid_search
    c2  acquired 2012-02-01            churned 03-05 12:00     paid_search
    c3  acquired 2012-03-02 08:00      churned 03-04 00:00     referral
    c4  acquired 2012-02-15            churned 03-03 00:00     referral
    c5  acquired 2012-03-03 00:00      never churned           paid_search
    c6  acquired 2012-03-05 09:00      never churned           paid_search

    day (start)  active at start      still active at the next midnight
    03-02        c1 c2 c4             c1 c2         (c4 churns at the next midnight)
    03-03        c1 c2 c3 c5          c1 c2 c5      (a customer acquired at the midnight counts)
    03-04        c1 c2 c5             c1 c2 c5
    03-05        c1 c2 c5             c1 c5
    03-06        c1 c5 c6             c1 c5 c6

Handled contacts (channel, agent, answered at) that put customers in per-channel cohorts (90
days back): c1 voice a1 03-01 10:00; c2 chat a3 01-20 09:00; c2 voice a2 03-02 23:30;
c5 voice a1 03-03 15:00. Left out: c4 voice 2011-11-01 (over 90 days before), an abandoned email
of c1, and a voice contact of a customer the CRM does not know.

Employees (skill group, channel):

    e1  hired 2011-01-01                                       G1 voice
    e2  hired 2011-06-01, terminated 2012-03-03 00:00          G1 voice
    e3  hired 2012-03-04 00:00                                 G2 chat
    e4  hired 2011-02-01, terminated 2012-03-05 14:00          G1 voice

    headcount 03-02: 3 (e1 e2 e4), 03-03: 3 (e2 still on the day it leaves), 03-04: 3 (e1 e3 e4),
    03-05: 3, 03-06: 2; separations: e2 on 03-03, e4 on 03-05

Payments: c1 100 at 0.8 margin on 03-02 and 03-05; c2 50 at 0.6 on 03-02; c4 30 with no known
margin on 03-02. Acquisition spend, by marketing channel: 300 referral on 03-02 (c3 acquired),
200 paid search on 03-03 (c5), 120 paid search on 03-05 (c6).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query
from tests.kpis.records import to_arrow

FIRST, LAST = dt.date(2012, 3, 2), dt.date(2012, 3, 6)
VERSION = dt.datetime(2012, 4, 1, tzinfo=dt.UTC)


def _t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _versioned(**fields: Any) -> dict[str, Any]:
    return {"source": "test", "updated_at": VERSION, **fields}


def _customer(key: str, acquired: str, churned: str | None, channel: str) -> dict[str, Any]:
    return _versioned(
        customer_id=f"p12{key}",
        acquired_at=_t(acquired),
        acquisition_channel=channel,
        churned_at=_t(churned) if churned else None,
        segment=None,
    )


CUSTOMERS = [
    _customer("c1", "2012-01-10", None, "paid_search"),
    _customer("c2", "2012-02-01", "2012-03-05 12:00", "paid_search"),
    _customer("c3", "2012-03-02 08:00", "2012-03-04", "referral"),
    _customer("c4", "2012-02-15", "2012-03-03", "referral"),
    _customer("c5", "2012-03-03", None, "paid_search"),
    _customer("c6", "2012-03-05 09:00", None, "paid_search"),
]


def _contact(
    key: str, customer: str, channel: str, agent: str | None, answered: str | None
) -> dict[str, Any]:
    offered = _t(answered or "2012-03-01 08:00") - dt.timedelta(seconds=20)
    return _versioned(
        contact_id=f"p12{key}",
        leg=1,
        channel=channel,
        direction="inbound",
        customer_id=f"p12{customer}",
        agent_id=None if agent is None else f"p12{agent}",
        skill="billing",
        skill_group="tier1",
        reason=None,
        offered_at=offered,
        answered_at=_t(answered) if answered else None,
        ended_at=offered + dt.timedelta(minutes=5),
        wait_s=20.0,
        talk_s=100.0,
        hold_s=0.0,
        acw_s=0.0,
        abandoned=int(answered is None),
        transferred=0,
        escalated=0,
        resolved_first_contact=None,
    )


CONTACTS = [
    _contact("k1", "c1", "voice", "a1", "2012-03-01 10:00"),
    _contact("k2", "c2", "chat", "a3", "2012-01-20 09:00"),
    _contact("k3", "c4", "voice", "a1", "2011-11-01 10:00"),
    _contact("k4", "c5", "voice", "a1", "2012-03-03 15:00"),
    _contact("k5", "c2", "voice", "a2", "2012-03-02 23:30"),
    _contact("k6", "c1", "email", None, None),
    _contact("k7", "stranger", "voice", "a1", "2012-03-01 11:00"),
]


def _employee(
    key: str, hired: str, terminated: str | None, group: str, channel: str
) -> dict[str, Any]:
    return _versioned(
        agent_id=f"p12{key}",
        employee_id=None,
        email=None,
        hired_at=_t(hired),
        terminated_at=_t(terminated) if terminated else None,
        termination_voluntary=1 if terminated else None,
        skill_group=group,
        primary_channel=channel,
        hourly_cost=None,
    )


EMPLOYEES = [
    _employee("e1", "2011-01-01", None, "G1", "voice"),
    _employee("e2", "2011-06-01", "2012-03-03", "G1", "voice"),
    _employee("e3", "2012-03-04", None, "G2", "chat"),
    _employee("e4", "2011-02-01", "2012-03-05 14:00", "G1", "voice"),
]


def _payment(customer: str, at: str, amount: float, margin: float | None) -> dict[str, Any]:
    return _versioned(
        customer_id=f"p12{customer}", occurred_at=_t(at), amount=amount, gross_margin=margin
    )


REVENUE = [
    _payment("c1", "2012-03-02 10:00", 100.0, 0.8),
    _payment("c1", "2012-03-05 10:00", 100.0, 0.8),
    _payment("c2", "2012-03-02 12:00", 50.0, 0.6),
    _payment("c4", "2012-03-02 15:00", 30.0, None),
]


def _spend(day: str, channel: str, amount: float) -> dict[str, Any]:
    return _versioned(
        period_start=_t(day),
        period_end=_t(day) + dt.timedelta(days=1),
        scope="acquisition",
        channel=channel,
        amount=amount,
    )


COSTS = [
    _spend("2012-03-02", "referral", 300.0),
    _spend("2012-03-03", "paid_search", 200.0),
    _spend("2012-03-05", "paid_search", 120.0),
]

RECORDS = {
    "customers": CUSTOMERS,
    "contacts": CONTACTS,
    "employees": EMPLOYEES,
    "revenue": REVENUE,
    "costs": COSTS,
}


def _remove(warehouse: Warehouse, table: str, records: list[dict[str, Any]]) -> None:
    later = dt.datetime(2012, 5, 1, tzinfo=dt.UTC)
    tombstones = [{**record, "updated_at": later} for record in records]
    apply_batch(warehouse, table, to_arrow(table, []), to_arrow(table, tombstones))


@pytest.fixture(scope="module")
def loaded(embedded_settings: WarehouseSettings) -> Iterator[Warehouse]:
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    for table, records in RECORDS.items():
        apply_batch(warehouse, table, to_arrow(table, records))
    yield warehouse
    # Levels read every current record: leave none behind for other tests' periods.
    for table, records in RECORDS.items():
        _remove(warehouse, table, records)


def _figures(
    warehouse: Warehouse, kpi_id: str, by: tuple[str, ...], grain: str, first: dt.date = FIRST
) -> dict[tuple[Any, ...], tuple[float, float, float]]:
    """(period as ISO text, breakdown values...) -> (numerator, denominator, value)."""
    query = kpi_query(CATALOG[kpi_id], by, grain, first, LAST)
    result = warehouse.query(query.sql())
    figures = {}
    for row in result.result_rows:
        record = dict(zip(result.column_names, row, strict=True))
        period = record["period"]
        key = (None if period is None else period.isoformat()[:16], *(record[d] for d in by))
        figures[key] = (record["numerator"], record["denominator"], record["value"])
    return figures


def _expect(
    rows: dict[tuple[Any, ...], tuple[float, float]], scale: float
) -> dict[tuple[Any, ...], tuple[float, float, float]]:
    return {key: (n, d, scale * n / d) for key, (n, d) in rows.items()}


def _assert_figures(got: dict, expected: dict) -> None:
    assert got.keys() == expected.keys()
    for key, figures in expected.items():
        for have, want in zip(got[key], figures, strict=True):
            assert math.isclose(have, want, rel_tol=1e-12, abs_tol=1e-12), (key, have, want)


RETAINED_BY_DAY = {
    ("2012-03-02T00:00",): (2, 3),
    ("2012-03-03T00:00",): (3, 4),
    ("2012-03-04T00:00",): (3, 3),
    ("2012-03-05T00:00",): (2, 3),
    ("2012-03-06T00:00",): (3, 3),
}

# Voice cohorts: 03-02 {c1}; 03-03 {c1 c2}; 03-04 and 03-05 {c1 c2 c5}; 03-06 {c1 c5}.
# Chat: {c2} until c2 churns. By agent on 03-04: a1 {c1 c5}, a2 {c2}, a3 {c2}.
RETAINED_BY_CHANNEL = {
    ("2012-03-02T00:00", "chat"): (1, 1),
    ("2012-03-02T00:00", "voice"): (1, 1),
    ("2012-03-03T00:00", "chat"): (1, 1),
    ("2012-03-03T00:00", "voice"): (2, 2),
    ("2012-03-04T00:00", "chat"): (1, 1),
    ("2012-03-04T00:00", "voice"): (3, 3),
    ("2012-03-05T00:00", "chat"): (0, 1),
    ("2012-03-05T00:00", "voice"): (2, 3),
    ("2012-03-06T00:00", "voice"): (2, 2),
}

RETENTION_CASES = [
    pytest.param("day", (), RETAINED_BY_DAY, id="day"),
    # The week of 27 Feb starts, for this range, on 2 March and ends at the Monday.
    pytest.param(
        "week",
        (),
        {("2012-02-27T00:00",): (2, 3), ("2012-03-05T00:00",): (2, 3)},
        id="week",
    ),
    pytest.param("month", (), {("2012-03-01T00:00",): (1, 3)}, id="month"),
    pytest.param("all", (), {(None,): (1, 3)}, id="all"),
    pytest.param("day", ("channel",), RETAINED_BY_CHANNEL, id="day-by-channel"),
]


def _churned(rows: dict[tuple[Any, ...], tuple[float, float]]) -> dict:
    return {key: (denominator - kept, denominator) for key, (kept, denominator) in rows.items()}


@pytest.mark.parametrize(("grain", "by", "retained"), RETENTION_CASES)
def test_retention_and_churn(
    loaded: Warehouse, grain: str, by: tuple[str, ...], retained: dict
) -> None:
    got = _figures(loaded, "customer_retention_rate", by, grain)
    _assert_figures(got, _expect(retained, 100.0))
    got = _figures(loaded, "customer_churn_rate", by, grain)
    _assert_figures(got, _expect(_churned(retained), 100.0))


def test_retention_by_agent_counts_each_agent_who_handled_the_customer(loaded: Warehouse) -> None:
    got = _figures(loaded, "customer_retention_rate", ("agent",), "day", dt.date(2012, 3, 4))
    on_fourth = {key[1:]: figures for key, figures in got.items() if key[0] == "2012-03-04T00:00"}
    assert on_fourth == {("p12a1",): (2, 2, 100.0), ("p12a2",): (1, 1, 100.0)} | {
        ("p12a3",): (1, 1, 100.0)
    }


def test_retention_by_hour_compares_each_hour_start_with_its_end(loaded: Warehouse) -> None:
    got = _figures(loaded, "customer_retention_rate", (), "hour", dt.date(2012, 3, 5))
    # 5 March: c1, c2, c5 from midnight, c6 from 09:00; c2 churns at 12:00, so the 11:00 hour
    # loses it and from 12:00 on (a churn at the start instant) it is out of the cohort.
    assert got[("2012-03-05T08:00",)] == (3, 3, 100.0)
    assert got[("2012-03-05T10:00",)] == (4, 4, 100.0)
    assert got[("2012-03-05T11:00",)] == (3, 4, 75.0)
    assert got[("2012-03-05T12:00",)] == (3, 3, 100.0)
    assert len([key for key in got if key[0].startswith("2012-03-05")]) == 24


ATTRITION_CASES = [
    pytest.param(
        "day",
        (),
        {
            ("2012-03-02T00:00",): (0, 3),
            ("2012-03-03T00:00",): (1, 3),
            ("2012-03-04T00:00",): (0, 3),
            ("2012-03-05T00:00",): (1, 3),
            ("2012-03-06T00:00",): (0, 2),
        },
        id="day",
    ),
    # Week of 27 Feb clipped to 2-4 March: (3 + 3 + 3) / 3 heads; 5-6 March: (3 + 2) / 2.
    pytest.param(
        "week",
        (),
        {("2012-02-27T00:00",): (1, 3), ("2012-03-05T00:00",): (1, 2.5)},
        id="week",
    ),
    pytest.param("month", (), {("2012-03-01T00:00",): (2, 14 / 5)}, id="month"),
    pytest.param("all", (), {(None,): (2, 14 / 5)}, id="all"),
    pytest.param(
        "day",
        ("skill_group",),
        {
            ("2012-03-02T00:00", "G1"): (0, 3),
            ("2012-03-03T00:00", "G1"): (1, 3),
            ("2012-03-04T00:00", "G1"): (0, 2),
            ("2012-03-04T00:00", "G2"): (0, 1),
            ("2012-03-05T00:00", "G1"): (1, 2),
            ("2012-03-05T00:00", "G2"): (0, 1),
            ("2012-03-06T00:00", "G1"): (0, 1),
            ("2012-03-06T00:00", "G2"): (0, 1),
        },
        id="day-by-skill-group",
    ),
]


@pytest.mark.parametrize(("grain", "by", "expected"), ATTRITION_CASES)
def test_attrition(loaded: Warehouse, grain: str, by: tuple[str, ...], expected: dict) -> None:
    got = _figures(loaded, "employee_attrition_rate", by, grain)
    _assert_figures(got, _expect(expected, 100.0))


def test_attrition_by_hour_has_the_day_headcount_and_the_hour_separation(
    loaded: Warehouse,
) -> None:
    got = _figures(loaded, "employee_attrition_rate", (), "hour", dt.date(2012, 3, 5))
    assert got[("2012-03-05T14:00",)] == (1, 3, pytest.approx(100 / 3))
    assert got[("2012-03-05T13:00",)] == (0, 3, 0.0)
    assert got[("2012-03-06T00:00",)] == (0, 2, 0.0)


# 2 March: revenue 180 from 3 paying customers; margin 110 of the 150 with a known margin; churn
# 1/3 (c4) -> 60 x 110/150 = 44 per customer, / (1/3) = 132. 5 March: 100 at 0.8 from c1 = 80,
# churn 1/3 (c2) -> 240. Other days have no revenue.
LIFETIME_CASES = [
    pytest.param(
        (),
        {("2012-03-02T00:00",): (44.0, 1 / 3), ("2012-03-05T00:00",): (80.0, 1 / 3)},
        id="total",
    ),
    # Paid search on 2 March: no churn among c1 c2, so no value; referral (c4) has no margin.
    pytest.param(
        ("channel",), {("2012-03-05T00:00", "paid_search"): (80.0, 1 / 3)}, id="by-channel"
    ),
]


@pytest.mark.parametrize(("by", "expected"), LIFETIME_CASES)
def test_lifetime_value(loaded: Warehouse, by: tuple[str, ...], expected: dict) -> None:
    got = _figures(loaded, "customer_lifetime_value", by, "day")
    _assert_figures(got, _expect(expected, 1.0))


CLV_TO_CAC_CASES = [
    # 2 March: CLV 132 over 300 spent for one customer; 5 March: CLV 240 over 120 for one.
    pytest.param(
        (),
        {("2012-03-02T00:00",): (132.0, 300.0), ("2012-03-05T00:00",): (240.0, 120.0)},
        id="total",
    ),
    # Referral has no lifetime value on 2 March (no known margin); paid search on 5 March does.
    pytest.param(("channel",), {("2012-03-05T00:00", "paid_search"): (240.0, 120.0)}, id="channel"),
]


@pytest.mark.parametrize(("by", "expected"), CLV_TO_CAC_CASES)
def test_lifetime_value_to_acquisition_cost(
    loaded: Warehouse, by: tuple[str, ...], expected: dict
) -> None:
    got = _figures(loaded, "clv_to_cac_ratio", by, "day")
    _assert_figures(got, _expect(expected, 1.0))


def test_period_kpis_follow_updates_and_deletes(loaded: Warehouse) -> None:
    """A churn date withdrawn, a customer deleted, a redelivery, a termination withdrawn and an
    employee deleted: the KPIs read the records as they now stand. Restored afterwards."""
    warehouse = loaded
    later = dt.datetime(2012, 4, 2, tzinfo=dt.UTC)
    c1, c2, _, c4, _, _ = CUSTOMERS
    _, e2, _, e4 = EMPLOYEES
    try:
        apply_batch(
            warehouse,
            "customers",
            to_arrow("customers", [c1, {**c2, "churned_at": None, "updated_at": later}]),
            to_arrow("customers", [{**c4, "updated_at": later}]),
        )
        apply_batch(
            warehouse,
            "employees",
            to_arrow("employees", [{**e4, "terminated_at": None, "updated_at": later}]),
            to_arrow("employees", [{**e2, "updated_at": later}]),
        )
        # Now active: c1 and c2 throughout, c3 2 March 08:00 to 4 March, c5 from 3 March, c6
        # from 5 March 09:00.
        retained = _figures(warehouse, "customer_retention_rate", (), "day")
        assert retained[("2012-03-02T00:00",)][:2] == (2, 2)
        assert retained[("2012-03-03T00:00",)][:2] == (3, 4)
        assert retained[("2012-03-05T00:00",)][:2] == (3, 3)
        # Heads: e1 and e4 throughout, e3 from 4 March; nobody leaves.
        attrition = _figures(warehouse, "employee_attrition_rate", (), "day")
        assert {key: figures[:2] for key, figures in attrition.items()} == {
            ("2012-03-02T00:00",): (0, 2),
            ("2012-03-03T00:00",): (0, 2),
            ("2012-03-04T00:00",): (0, 3),
            ("2012-03-05T00:00",): (0, 3),
            ("2012-03-06T00:00",): (0, 3),
        }
        # Without churn on either day, lifetime value has no figure left.
        assert _figures(warehouse, "customer_lifetime_value", (), "day") == {}
    finally:
        restored = dt.datetime(2012, 4, 3, tzinfo=dt.UTC)
        for table, records in (("customers", CUSTOMERS), ("employees", EMPLOYEES)):
            again = [{**record, "updated_at": restored} for record in records]
            apply_batch(warehouse, table, to_arrow(table, again))
    _assert_figures(
        _figures(warehouse, "customer_retention_rate", (), "day"), _expect(RETAINED_BY_DAY, 100.0)
    )
