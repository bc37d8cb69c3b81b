"""Recomputing a window of aggregates from the unified facts, and finding where they drifted.

Real warehouse (the session's chDB): contacts are applied through their change stream in a month
of their own (June 2031, far from other tests' data), then aggregates are corrupted behind the
change stream's back, as a bug or a manual edit would, and the recomputation must find exactly
the days that drifted and put the figures back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.cli import ensure_schema
from ccpulse.recompute import months_between, recompute_fact, recompute_window
from ccpulse.warehouse import Warehouse
from kpi_views.catalog import CATALOG
from kpi_views.facts import DAILY_AGGREGATES, FACTS
from kpi_views.generator import aggregate_name, kpi_query
from kpi_views.rollups import ROLLUPS, rollup_name
from tests.kpis.records import to_arrow

FIRST = dt.date(2031, 5, 30)
SECOND = dt.date(2031, 6, 2)
THIRD = dt.date(2031, 6, 3)


def _contact(contact_id: str, day: dt.date, agent: str, talk_s: float) -> dict[str, Any]:
    offered = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)
    return {
        "contact_id": contact_id,
        "leg": 1,
        "channel": "voice",
        "direction": "inbound",
        "customer_id": f"{contact_id[:4]}-customer",
        "agent_id": agent,
        "skill": "billing",
        "skill_group": "tier1",
        "reason": None,
        "offered_at": offered,
        "answered_at": offered + dt.timedelta(seconds=20),
        "ended_at": offered + dt.timedelta(seconds=20 + talk_s),
        "wait_s": 20.0,
        "talk_s": talk_s,
        "hold_s": 0.0,
        "acw_s": 30.0,
        "abandoned": 0,
        "transferred": 0,
        "escalated": 0,
        "resolved_first_contact": None,
        "source": "test",
        "updated_at": dt.datetime(2031, 7, 1, tzinfo=dt.UTC),
    }


def _figures(
    warehouse: Warehouse, kpi_id: str, by: tuple[str, ...] = (), rollups: bool = True
) -> dict:
    """The KPI by day, from its rollups (as BI views read it) or from the aggregates alone."""
    query = kpi_query(CATALOG[kpi_id], by, "day", FIRST, THIRD, rollups=rollups)
    result = warehouse.query(query.sql())
    return {row[:-2]: row[-1] for row in result.result_rows}


@pytest.fixture(scope="module")
def loaded(embedded_settings: Any) -> Warehouse:
    from ccpulse.warehouse import open_warehouse

    warehouse = open_warehouse(embedded_settings)
    ensure_schema(warehouse)
    rows = [
        _contact("rcmp-1", FIRST, "rcmp-a1", 100.0),
        _contact("rcmp-2", SECOND, "rcmp-a1", 200.0),
        _contact("rcmp-3", SECOND, "rcmp-a2", 300.0),
        _contact("rcmp-4", THIRD, "rcmp-a2", 50.0),
    ]
    apply_batch(warehouse, "contacts", to_arrow("contacts", rows))
    recompute_window(warehouse, FIRST, THIRD)
    return warehouse


def _double_one_group(warehouse: Warehouse, table: str, day: dt.date) -> None:
    warehouse.command(
        f"INSERT INTO {table} SELECT * FROM {table} "
        "WHERE toDate(hour) = {day:Date} ORDER BY hour LIMIT 1",
        parameters={"day": day},
    )


def test_months_between_spans_year_ends() -> None:
    assert months_between(dt.date(2030, 11, 30), dt.date(2031, 2, 1)) == [
        203011,
        203012,
        203101,
        203102,
    ]


def test_a_window_without_drift_swaps_nothing(loaded: Warehouse) -> None:
    result = recompute_window(loaded, FIRST, THIRD, repair_only=True)
    assert result.drift == ()
    assert result.partitions_swapped == 0


def test_repair_finds_exactly_the_days_that_drifted_and_restores_them(
    loaded: Warehouse,
) -> None:
    before = _figures(loaded, "contacts_handled", ("agent",))
    repeats = next(a for a in DAILY_AGGREGATES.values() if "contacts" in a.reads)
    _double_one_group(loaded, aggregate_name(FACTS["contacts"]), SECOND)
    _double_one_group(loaded, aggregate_name(repeats), FIRST)
    assert _figures(loaded, "contacts_handled", ("agent",), rollups=False) != before

    result = recompute_window(loaded, FIRST, THIRD, repair_only=True)

    drifted = {(item.aggregate, item.day) for item in result.drift}
    assert drifted == {("contacts", SECOND), (repeats.name, FIRST)}
    for rollups in (True, False):
        assert _figures(loaded, "contacts_handled", ("agent",), rollups) == before
    assert recompute_window(loaded, FIRST, THIRD, repair_only=True).drift == ()


def test_repair_rebuilds_a_rollup_that_drifted_from_its_aggregate(loaded: Warehouse) -> None:
    before = _figures(loaded, "contacts_handled")
    rollup = next(r for r in ROLLUPS["contacts"] if r.name == "contacts_day_without_agent")
    loaded.command(
        f"INSERT INTO {rollup_name(rollup)} (day, channel, skill, skill_group, handled) "
        "VALUES ({day:DateTime}, 'voice', 'billing', 'tier1', 5)",
        parameters={"day": dt.datetime.combine(THIRD, dt.time())},
    )
    assert _figures(loaded, "contacts_handled") != before

    result = recompute_window(loaded, FIRST, THIRD, repair_only=True)

    assert {(item.aggregate, item.day) for item in result.drift} == {(rollup.name, THIRD)}
    assert _figures(loaded, "contacts_handled") == before
    assert recompute_window(loaded, FIRST, THIRD, repair_only=True).drift == ()


def test_a_lost_month_is_rebuilt_from_the_unified_facts(loaded: Warehouse) -> None:
    before = {kpi: _figures(loaded, kpi) for kpi in ("contacts_handled", "average_handle_time")}
    for table in [aggregate_name(FACTS["contacts"]), *map(rollup_name, ROLLUPS["contacts"])]:
        loaded.command(f"ALTER TABLE {table} DROP PARTITION ID '203106'")
    for rollups in (True, False):
        assert _figures(loaded, "contacts_handled", rollups=rollups) != before["contacts_handled"]

    # A window of one day rebuilds its whole month, from the same facts.
    recompute_window(loaded, THIRD, THIRD)

    for rollups in (True, False):
        after = {kpi: _figures(loaded, kpi, rollups=rollups) for kpi in before}
        assert after == before
        assert after["contacts_handled"][(dt.datetime(2031, 6, 2),)] == 2


def test_one_fact_is_recomputed_month_by_month_with_its_rollups(loaded: Warehouse) -> None:
    before = {kpi: _figures(loaded, kpi) for kpi in ("contacts_handled", "average_handle_time")}
    for table in [aggregate_name(FACTS["contacts"]), *map(rollup_name, ROLLUPS["contacts"])]:
        loaded.command(f"TRUNCATE TABLE {table}")
    assert _figures(loaded, "contacts_handled") == {}

    # the window spans May and June: both months are swapped in, with their rollups
    assert recompute_fact(loaded, FACTS["contacts"], FIRST, THIRD) == 2

    for rollups in (True, False):
        assert {kpi: _figures(loaded, kpi, rollups=rollups) for kpi in before} == before
    assert recompute_window(loaded, FIRST, THIRD, repair_only=True).drift == ()


def test_a_window_that_ends_before_it_starts_is_refused(loaded: Warehouse) -> None:
    with pytest.raises(ValueError, match="ends"):
        recompute_window(loaded, THIRD, FIRST)
    with pytest.raises(ValueError, match="ends"):
        recompute_fact(loaded, FACTS["contacts"], THIRD, FIRST)
