"""Generated SQL: reviewed golden files, and every statement executed in chDB.

Set CCPULSE_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change, then review
the diff like any other code change.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from ccpulse.recompute import recompute_window
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from ccpulse.windowed import recompute_windowed
from kpi_views.catalog import CATALOG
from kpi_views.facts import DAILY_AGGREGATES, FACTS
from kpi_views.generator import (
    aggregate_ddl,
    aggregate_name,
    aggregate_view_ddl,
    bi_view_ddl,
    bi_view_name,
    bi_views,
    daily_aggregate_ddl,
    kpi_query,
    recompute_partition_sql,
    recompute_sql,
)
from kpi_views.partitions import (
    drift_sql,
    partition_scratch_ddl,
    partition_scratch_name,
    rollup_drift_sql,
    swap_month_sql,
)
from kpi_views.rollups import (
    every_rollup,
    fill_sql,
    rebuild_scratch_ddl,
    rebuild_sql,
    rollup_ddl,
    rollup_view_ddl,
    swap_partition_sql,
)
from kpi_views.windowed import (
    contacts_by_day_rebuild_sql,
    contacts_by_day_scratch,
    contacts_by_day_statements,
    daily_recompute_sql,
    scratch_ddl,
    swap_day_sql,
)
from transforms.changes import change_sql, every_change_sql

GOLDEN = Path(__file__).parent / "golden"
SWAP_DAY = dt.date(2026, 3, 2)
UPDATE = os.environ.get("CCPULSE_UPDATE_GOLDEN") == "1"


def _generated() -> dict[str, str]:
    statements = {}
    for change in every_change_sql():
        for index, statement in enumerate(change.ddl()):
            statements[f"change_{change.name}_ddl_{index}"] = statement
        statements[f"change_{change.name}_diff"] = change.diff()
        statements[f"change_{change.name}_apply"] = change.apply()
    for fact in FACTS.values():
        statements[f"aggregate_{fact.name}"] = aggregate_ddl(fact)
        statements[f"aggregate_{fact.name}_view"] = aggregate_view_ddl(fact)
        statements[f"aggregate_{fact.name}_recompute"] = recompute_sql(fact)
        scratch = partition_scratch_name(fact)
        statements[f"partition_{fact.name}_scratch"] = partition_scratch_ddl(fact)
        statements[f"partition_{fact.name}_recompute"] = recompute_partition_sql(fact, scratch)
        statements[f"partition_{fact.name}_swap"] = swap_month_sql(fact, 202601, True)
        statements[f"partition_{fact.name}_drop"] = swap_month_sql(fact, 202601, False)
        statements[f"partition_{fact.name}_drift"] = drift_sql(
            fact, aggregate_name(fact), scratch, "toYYYYMM(hour) = {partition:UInt32}"
        )
    for table in ("agent_states", "schedules"):
        added = change_sql(table).add_columns(("skill_group", "channel"))
        for index, statement in enumerate(added):
            statements[f"change_{table}_add_columns_{index}"] = statement
    for aggregate in DAILY_AGGREGATES.values():
        statements[f"daily_{aggregate.name}"] = daily_aggregate_ddl(aggregate)
        statements[f"daily_{aggregate.name}_scratch"] = scratch_ddl(aggregate)
        statements[f"daily_{aggregate.name}_recompute"] = daily_recompute_sql(aggregate)
        statements[f"daily_{aggregate.name}_swap"] = swap_day_sql(aggregate, SWAP_DAY, True)
        statements[f"daily_{aggregate.name}_drop"] = swap_day_sql(aggregate, SWAP_DAY, False)
    for index, statement in enumerate(contacts_by_day_statements()):
        statements[f"daily_contacts_by_day_{index}"] = statement
    statements["daily_contacts_by_day_scratch"] = contacts_by_day_scratch()[1]
    statements["daily_contacts_by_day_rebuild"] = contacts_by_day_rebuild_sql()
    for rollup in every_rollup():
        statements[f"rollup_{rollup.name}"] = rollup_ddl(rollup)
        if rollup.source.name in FACTS:
            statements[f"rollup_{rollup.name}_view"] = rollup_view_ddl(rollup)
    for name in ("contacts_day_without_agent", "resolutions_day"):
        rollup = next(r for r in every_rollup() if r.name == name)
        statements[f"rollup_{name}_scratch"] = rebuild_scratch_ddl(rollup)
        statements[f"rollup_{name}_rebuild"] = rebuild_sql(rollup)
        statements[f"rollup_{name}_fill"] = fill_sql(rollup)
        statements[f"rollup_{name}_swap"] = swap_partition_sql(rollup, "20260302", True)
        statements[f"rollup_{name}_drop"] = swap_partition_sql(rollup, "20260302", False)
        statements[f"rollup_{name}_drift"] = rollup_drift_sql(
            rollup, lambda column: f"toDate({column}) BETWEEN {{first:Date}} AND {{last:Date}}"
        )
    samples = [
        ("service_level", ("channel", "skill"), "hour"),
        ("service_level", (), "hour"),
        ("average_speed_of_answer", ("agent",), "hour"),
        ("abandonment_rate", ("skill_group",), "day"),
        ("average_handle_time", ("channel", "skill", "agent"), "month"),
        ("average_handle_time", ("agent",), "day"),
        ("nps", (), "week"),
        ("employee_satisfaction_score", ("skill_group",), "month"),
        ("contacts_offered", (), "all"),
        ("occupancy_rate", ("skill_group",), "day"),
        ("shrinkage", ("agent",), "week"),
        ("schedule_adherence_rate", ("channel", "agent"), "hour"),
        ("cost_per_contact", ("channel",), "month"),
        ("cost_per_acquisition", (), "all"),
        ("repeat_contact_rate", ("skill",), "day"),
        ("customer_retention_rate", (), "day"),
        ("customer_churn_rate", ("channel", "agent"), "week"),
        ("customer_lifetime_value", ("channel",), "month"),
        ("clv_to_cac_ratio", (), "all"),
        ("employee_attrition_rate", ("skill_group",), "hour"),
    ]
    for kpi_id, by, grain in samples:
        kpi = CATALOG[kpi_id]
        statements[f"bi_{bi_view_name(kpi, by, grain)}"] = bi_view_ddl(kpi, by, grain)
    return statements


GENERATED = _generated()


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_sql_matches_its_golden_file(name: str) -> None:
    golden = GOLDEN / f"{name}.sql"
    statement = GENERATED[name] + "\n"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(statement)
    assert golden.exists(), f"no golden file {golden}: run with CCPULSE_UPDATE_GOLDEN=1"
    assert statement == golden.read_text()


def test_no_golden_file_is_left_over() -> None:
    expected = {f"{name}.sql" for name in GENERATED}
    assert {path.name for path in GOLDEN.glob("*.sql")} == expected


@pytest.fixture(scope="module")
def applied(embedded_settings: WarehouseSettings) -> Warehouse:
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    return warehouse


def test_every_bi_view_exists_and_answers(applied: Warehouse) -> None:
    views = dict(bi_views())
    existing = {
        name for (name,) in applied.rows("SELECT name FROM system.tables WHERE database = 'kpi'")
    }
    assert set(views) <= existing
    for name in views:
        applied.rows(f"SELECT * FROM kpi.`{name}` LIMIT 1")


@pytest.mark.parametrize("kpi_id", sorted(CATALOG))
def test_every_kpi_query_runs_with_a_date_range(applied: Warehouse, kpi_id: str) -> None:
    kpi = CATALOG[kpi_id]
    query = kpi_query(kpi, kpi.breakdowns, "day", dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    applied.rows(query.sql())
    columns = [row[0] for row in applied.rows(f"DESCRIBE TABLE ({query.sql()})")]
    assert columns[0] == "period"
    assert columns[1 : 1 + len(kpi.breakdowns)] == list(kpi.breakdowns)
    assert "value" in columns


def test_bi_views_read_like_a_table(applied: Warehouse) -> None:
    columns = applied.rows(
        "SELECT name, type FROM system.columns "
        "WHERE database = 'kpi' AND table = 'average_handle_time_by_agent_day' ORDER BY position"
    )
    names = [name for name, _ in columns]
    assert names == ["period", "agent", "numerator", "denominator", "value"]
    assert not any("AggregateFunction" in type_ for _, type_ in columns)


def test_every_daily_recomputation_runs(applied: Warehouse) -> None:
    """Recomputing days with no data runs every windowed statement and leaves nothing behind."""
    empty_days = [dt.date(2019, 1, 1), dt.date(2019, 1, 2)]
    result = recompute_windowed(applied, empty_days)
    assert result.aggregates == tuple(DAILY_AGGREGATES)
    for aggregate in DAILY_AGGREGATES.values():
        rows = applied.scalar(
            f"SELECT count() FROM cc.agg_{aggregate.name} WHERE toYear(hour) = 2019"
        )
        assert rows == 0


def test_every_partition_recomputation_runs(applied: Warehouse) -> None:
    """Recomputing and comparing empty months runs every partition statement, swaps nothing in
    and reports no drift."""
    day = dt.date(2019, 2, 1)
    result = recompute_window(applied, day, day, repair_only=True)
    assert result.months == (201902,)
    assert result.drift == ()
    assert result.partitions_swapped == 0
