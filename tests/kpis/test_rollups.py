"""Rollups: which one a KPI query reads, and that they follow their aggregates through swaps,
crashes and upgrades.

That rollups kept by views equal their aggregates under random changes, redeliveries, deletes and
crashes, and that every KPI read from them equals the KPI read from the aggregates, is the
property test's (`test_exactness.py`). Here, in a month of their own (August 2032) of the
session's warehouse: a backfill that dies between swapping a month in and rebuilding its rollups,
and a warehouse from before rollups.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ccpulse import rollups
from ccpulse.changes import apply_batch
from ccpulse.cli import ensure_schema
from ccpulse.recompute import recompute_window
from ccpulse.schema import apply_generated
from ccpulse.warehouse import Warehouse
from kpi_views.catalog import CATALOG
from kpi_views.facts import DAILY_AGGREGATES, FACTS, SOURCES
from kpi_views.generator import aggregate_name, kpi_query
from kpi_views.rollups import ROLLUPS, choose, rollup_name
from tests.kpis.records import to_arrow
from tests.kpis.test_recompute import _contact

FIRST, LAST = dt.date(2032, 8, 2), dt.date(2032, 8, 4)


@pytest.mark.parametrize(
    ("source", "grain", "by", "expected"),
    [
        ("contacts", "day", (), "contacts_day_without_agent"),
        ("contacts", "day", ("channel", "skill"), "contacts_day_without_agent"),
        ("contacts", "day", ("agent",), "contacts_day_without_skill"),
        ("contacts", "day", ("channel", "skill_group", "agent"), "contacts_day_without_skill"),
        ("contacts", "day", ("skill", "agent"), "contacts_day"),
        ("contacts", "hour", ("skill",), "contacts_hour_without_agent"),
        ("contacts", "hour", ("agent",), None),
        # Agent measures have no skill: by skill they are read without it.
        ("agent_states", "day", ("skill", "agent"), "agent_states_day"),
        ("agent_states", "day", ("skill",), "agent_states_day_without_agent"),
        ("costs", "day", ("channel",), "costs_day"),
        ("costs", "hour", (), None),
        ("resolutions", "day", ("channel",), "resolutions_day_without_agent"),
    ],
    ids=lambda part: ",".join(part) if isinstance(part, tuple) else str(part),
)
def test_a_query_reads_the_most_compact_rollup_that_answers_it(
    source: str, grain: str, by: tuple[str, ...], expected: str | None
) -> None:
    chosen = choose(SOURCES[source], grain, by)  # type: ignore[arg-type]
    assert (chosen.name if chosen else None) == expected


def test_a_kpi_over_two_sources_reads_a_rollup_of_each() -> None:
    sql = kpi_query(CATALOG["first_contact_resolution_rate"], ("agent",), "week").sql()
    assert "`cc`.`agg_contacts_day_without_skill`" in sql
    assert "`cc`.`agg_resolutions_day_without_skill`" in sql
    assert "`cc`.`agg_contacts`\n" not in sql


def _by_day(warehouse: Warehouse, kpi_id: str, rollups: bool) -> dict[Any, Any]:
    kpi = CATALOG[kpi_id]
    query = kpi_query(kpi, ("agent",), "day", FIRST, LAST, rollups=rollups)
    return {row[:2]: row[-1] for row in warehouse.query(query.sql()).result_rows}


@pytest.fixture(scope="module")
def loaded(embedded_settings: Any) -> Warehouse:
    from ccpulse.warehouse import open_warehouse

    warehouse = open_warehouse(embedded_settings)
    ensure_schema(warehouse)
    rows = [
        _contact("rlup-1", FIRST, "rlup-a1", 100.0),
        _contact("rlup-2", FIRST, "rlup-a2", 200.0),
        _contact("rlup-3", LAST, "rlup-a1", 300.0),
    ]
    apply_batch(warehouse, "contacts", to_arrow("contacts", rows))
    return warehouse


class Killed(Exception):
    pass


def test_a_backfill_killed_before_its_rollups_leaves_them_to_the_next_batch(
    loaded: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _by_day(loaded, "average_handle_time", rollups=True)
    assert before == _by_day(loaded, "average_handle_time", rollups=False)
    assert len(before) == 3
    # The month is lost from the aggregate and from its rollups; the backfill restores the
    # aggregate and dies before the rollups.
    for table in [aggregate_name(FACTS["contacts"]), *map(rollup_name, ROLLUPS["contacts"])]:
        loaded.command(f"ALTER TABLE {table} DROP PARTITION ID '203208'")

    def killed(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(rollups, "rebuild_rollups", killed)
        with pytest.raises(Killed):
            recompute_window(loaded, FIRST, LAST)

    assert _by_day(loaded, "average_handle_time", rollups=False) == before
    assert _by_day(loaded, "average_handle_time", rollups=True) == {}
    pending = loaded.rows(f"SELECT source, partition FROM {rollups.PENDING} FINAL WHERE pending")
    assert ("contacts", "203208") in pending

    # The next batch, of any table, finishes the work first.
    apply_batch(loaded, "costs", to_arrow("costs", []))

    assert _by_day(loaded, "average_handle_time", rollups=True) == before
    assert not loaded.scalar(f"SELECT count() FROM {rollups.PENDING} FINAL WHERE pending")


def test_a_warehouse_from_before_rollups_gets_them_filled_from_its_aggregates(
    loaded: Warehouse,
) -> None:
    before = _by_day(loaded, "average_handle_time", rollups=False)
    for rollup in (r for source in ROLLUPS.values() for r in source):
        loaded.command(f"DROP VIEW IF EXISTS `cc`.`agg_{rollup.name}_mv`")
        loaded.command(f"DROP TABLE IF EXISTS {rollup_name(rollup)}")
    loaded.command(
        "INSERT INTO `ccpulse`.`generated_objects` (name, checksum) "
        "SELECT concat('rollups:', arrayJoin({sources:Array(String)})), 'before rollups'",
        parameters={"sources": list(ROLLUPS)},
    )

    report = apply_generated(loaded)

    assert set(report.rebuilt_rollups) == {*FACTS, *DAILY_AGGREGATES}
    assert "rebuilt the rollups of contacts" in report.summary()
    assert _by_day(loaded, "average_handle_time", rollups=True) == before
    # and the views keep them current again
    apply_batch(
        loaded, "contacts", to_arrow("contacts", [_contact("rlup-4", LAST, "rlup-a2", 60.0)])
    )
    after = _by_day(loaded, "average_handle_time", rollups=True)
    assert after == _by_day(loaded, "average_handle_time", rollups=False)
    assert after != before
    assert apply_generated(loaded).rebuilt_rollups == ()
