"""Incremental == from scratch, for random sequences of changes, redeliveries, deletes, crashes.

Hypothesis drives operations through the real change-stream pipeline into chDB. After every step,
the current-state tables must hold exactly the records the test believes current, and every KPI
aggregate must equal one rebuilt from scratch over those records. The daily aggregates (schedule
adherence, labour cost) are recomputed after each step for the days the step touched only, as the
pipeline does, and must equal a recomputation of every day. Since every KPI at every grain
and breakdown is a sum over the hour-level aggregate, equal aggregates (by hour and every
dimension) mean equal KPIs; at the end of each example the KPIs themselves are also compared, for
every breakdown combination and grain. Retention, churn and attrition, read from the current
customers and employees rather than from aggregates, are compared with their definition worked
out in Python over those records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccpulse import changes, rollups
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from ccpulse.windowed import recompute_windowed
from kpi_views.catalog import CATALOG, GRAINS
from kpi_views.facts import DAILY_AGGREGATES, FACTS, SOURCES
from kpi_views.generator import (
    KpiQuery,
    aggregate_ddl,
    aggregate_name,
    daily_aggregate_ddl,
    kpi_query,
    recompute_sql,
)
from kpi_views.rollups import ROLLUPS, Rollup
from kpi_views.windowed import (
    CONTACTS_BY_DAY,
    CONTACTS_BY_DAY_COLUMNS,
    contact_days_touched,
    daily_recompute_sql,
    days_touched,
)
from tests.kpis.records import DAY, GENERATORS, PREFIXED_COLUMN, keys, to_arrow
from transforms.changes import change_sql
from transforms.unified_model import TABLES

SCRATCH = "scratch_recompute"
CLOCK_START = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)

OPERATIONS = (
    "upsert",
    "upsert",
    "redeliver",
    "delete",
    "stale",
    "crash_staged",
    "crash_diffed",
    "crash_applied",
    "crash_swapped",
)


class Crash(Exception):
    """The run dies here."""


@contextlib.contextmanager
def _rollups_die_once() -> Iterator[None]:
    """The run dies after a recomputed day is swapped into a daily aggregate, before its
    rollups are rebuilt."""
    rebuild = rollups.rebuild_rollups
    calls = itertools.count()

    def dying(*args: Any, **kwargs: Any) -> None:
        if next(calls) == 0:
            raise Crash("killed between the swap and the rollups")
        rebuild(*args, **kwargs)

    rollups.rebuild_rollups = dying
    try:
        yield
    finally:
        rollups.rebuild_rollups = rebuild


class Model:
    """What the test believes is current: key -> (record, updated_at), per table."""

    def __init__(self) -> None:
        self.current: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {t: {} for t in GENERATORS}
        self.clock = itertools.count(1)

    def now(self) -> dt.datetime:
        return CLOCK_START + dt.timedelta(seconds=next(self.clock))


def _key_of(table: str, record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(record[name] for name in TABLES[table].primary_key)


def _current_rows(warehouse: Warehouse, table: str, prefix: str) -> dict[tuple[Any, ...], dict]:
    spec = TABLES[table]
    names = spec.column_names
    prefixed = PREFIXED_COLUMN.get(table, spec.primary_key[0])
    rows = warehouse.rows(
        f"SELECT {', '.join(names)} FROM cc.{table} FINAL "
        f"WHERE startsWith({prefixed}, {{p:String}})",
        {"p": prefix},
    )
    records = [dict(zip(names, row, strict=True)) for row in rows]
    return {_key_of(table, r): r for r in records}


def _by_day_rows(warehouse: Warehouse, prefix: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The contacts the daily recomputations read (`cc.contacts_by_day`), as they must be: the
    current ones."""
    names = CONTACTS_BY_DAY_COLUMNS
    rows = warehouse.rows(
        f"SELECT {', '.join(names)} FROM {CONTACTS_BY_DAY} FINAL "
        "WHERE sign = 1 AND startsWith(contact_id, {p:String})",
        {"p": prefix},
    )
    records = [dict(zip(names, map(_plain, row), strict=True)) for row in rows]
    return {(r["contact_id"], r["leg"]): r for r in records}


def _plain(value: Any) -> Any:
    """A value as the warehouse returns it: naive UTC times, flags as integers."""
    if isinstance(value, dt.datetime) and value.tzinfo:
        return value.replace(tzinfo=None)
    if isinstance(value, bool):
        return int(value)
    return value


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {
        name: _plain(value)
        for name, value in record.items()
        if name not in ("source", "updated_at")
    }


def _aggregate_rows(warehouse: Warehouse, database: str, source_name: str) -> dict[tuple, tuple]:
    source = SOURCES[source_name]
    dims = ["hour", *source.dimensions]
    parts = [part.name for part in source.parts]
    rows = warehouse.rows(
        f"SELECT {', '.join(dims)}, {', '.join(f'sum({p})' for p in parts)} "
        f"FROM `{database}`.agg_{source_name} GROUP BY {', '.join(dims)}"
    )
    return {
        tuple(row[: len(dims)]): tuple(row[len(dims) :])
        for row in rows
        if any(abs(value) > 1e-6 for value in row[len(dims) :])
    }


def _rollup_rows(
    warehouse: Warehouse, rollup: Rollup, database: str = "cc", from_aggregate: bool = False
) -> dict[tuple, tuple]:
    """A rollup's rows as kept, or (`from_aggregate`) as summed from its aggregate in
    `database`: what they must be."""
    time = rollup.time_column
    if from_aggregate:
        table = f"`{database}`.agg_{rollup.source.name}"
        select_time = "hour" if time == "hour" else "toStartOfDay(hour)"
    else:
        table, select_time = f"`{database}`.agg_{rollup.name}", time
    dims = [*rollup.dimensions]
    parts = [part.name for part in rollup.parts]
    rows = warehouse.rows(
        f"SELECT {select_time} AS t, {', '.join(dims)}, "
        f"{', '.join(f'sum({p}) AS {p}_sum' for p in parts)} "
        f"FROM {table} GROUP BY {', '.join(['t', *dims])}"
    )
    width = 1 + len(dims)
    return {
        tuple(row[:width]): tuple(row[width:])
        for row in rows
        if any(abs(value) > 1e-6 for value in row[width:])
    }


def _rebuild_scratch(warehouse: Warehouse, table: str | None = None) -> list[str]:
    """Rebuild the aggregates that read `table` (all of them by default) from scratch, in the
    scratch database; return their names."""
    warehouse.command(f"CREATE DATABASE IF NOT EXISTS {SCRATCH}")
    rebuilt = []
    for fact in FACTS.values():
        if table in (None, fact.table):
            warehouse.command(f"DROP TABLE IF EXISTS {SCRATCH}.agg_{fact.name}")
            warehouse.command(aggregate_ddl(fact, SCRATCH))
            warehouse.command(recompute_sql(fact, SCRATCH))
            rebuilt.append(fact.name)
    every_day = [day for (day,) in warehouse.rows(_DAYS_WITH_DATA)]
    for aggregate in DAILY_AGGREGATES.values():
        if table is None or table in aggregate.reads:
            warehouse.command(f"DROP TABLE IF EXISTS {SCRATCH}.agg_{aggregate.name}")
            warehouse.command(daily_aggregate_ddl(aggregate, SCRATCH))
            into = aggregate_name(aggregate, SCRATCH)
            warehouse.command(daily_recompute_sql(aggregate, into), parameters={"days": every_day})
            rebuilt.append(aggregate.name)
    return rebuilt


# Chat concurrency counts a conversation on the day it ends, which may follow its offer day.
_DAYS_WITH_DATA = (
    "SELECT DISTINCT toDate(starts_at) FROM cc.schedules FINAL "
    "UNION DISTINCT SELECT DISTINCT toDate(offered_at) FROM cc.contacts FINAL "
    "UNION DISTINCT SELECT DISTINCT toDate(ended_at + toIntervalMillisecond(round(acw_s * 1000))) "
    "FROM cc.contacts FINAL WHERE ended_at IS NOT NULL"
)


def _assert_close(incremental: dict, scratch: dict) -> None:
    assert incremental.keys() == scratch.keys()
    for key, values in incremental.items():
        for got, expected in zip(values, scratch[key], strict=True):
            assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6), (key, got, expected)


def check_step(warehouse: Warehouse, model: Model, prefix: str, table: str) -> None:
    """After a step on `table`: its current state, and every aggregate that reads it."""
    stored = _current_rows(warehouse, table, prefix)
    assert _normalized(stored) == _normalized(model.current[table]), table
    if table == "contacts":
        assert _by_day_rows(warehouse, prefix) == {
            key: {name: record[name] for name in CONTACTS_BY_DAY_COLUMNS}
            for key, record in _normalized(stored).items()
        }
    for source in _rebuild_scratch(warehouse, table):
        _assert_close(
            _aggregate_rows(warehouse, "cc", source), _aggregate_rows(warehouse, SCRATCH, source)
        )
        for rollup in ROLLUPS[source]:
            _assert_close(
                _rollup_rows(warehouse, rollup),
                _rollup_rows(warehouse, rollup, SCRATCH, from_aggregate=True),
            )


def _normalized(records: dict[tuple[Any, ...], dict[str, Any]]) -> dict[tuple[Any, ...], dict]:
    return {tuple(map(_plain, key)): _comparable(record) for key, record in records.items()}


def check_every_kpi(warehouse: Warehouse, grain: str) -> None:
    """Every KPI by every breakdown combination at `grain` (each example draws one grain)."""
    _rebuild_scratch(warehouse)
    for kpi in CATALOG.values():
        for size in range(len(kpi.breakdowns) + 1):
            for by in itertools.combinations(kpi.breakdowns, size):
                live = _kpi_rows(warehouse, kpi_query(kpi, by, grain))
                recomputed = kpi_query(kpi, by, grain, database=SCRATCH, rollups=False)
                rebuilt = _kpi_rows(warehouse, recomputed)
                assert live.keys() == rebuilt.keys(), (kpi.id, by, grain)
                for key, figures in live.items():
                    for got, expected in zip(figures, rebuilt[key], strict=True):
                        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9), (
                            kpi.id,
                            by,
                            grain,
                            key,
                        )


# Levels at an instant are read from the current records, not from aggregates: they must equal
# the definition worked out here in Python over the current customers and employees.
PERIOD_FIRST, PERIOD_LAST = DAY.date() - dt.timedelta(days=35), DAY.date() + dt.timedelta(days=3)
_STEP = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1), "week": dt.timedelta(weeks=1)}


def _period_bounds(grain: str) -> list[tuple[dt.datetime | None, dt.datetime, dt.datetime]]:
    """(label, start, end) of each period of `grain` between PERIOD_FIRST and PERIOD_LAST."""
    first = dt.datetime.combine(PERIOD_FIRST, dt.time())
    after = dt.datetime.combine(PERIOD_LAST + dt.timedelta(days=1), dt.time())
    if grain == "all":
        return [(None, first, after)]
    label = {
        "hour": first,
        "day": first,
        "week": first - dt.timedelta(days=first.weekday()),
        "month": first.replace(day=1),
    }[grain]
    bounds = []
    while label < after:
        if grain == "month":
            following = (label + dt.timedelta(days=32)).replace(day=1)
        else:
            following = label + _STEP[grain]
        bounds.append((label, max(label, first), min(following, after)))
        label = following
    return bounds


def _active(record: dict[str, Any], at: dt.datetime) -> bool:
    acquired, churned = record["acquired_at"], record["churned_at"]
    return acquired is not None and acquired <= at and (churned is None or churned > at)


def _expected_retention(customers: list[dict], grain: str) -> dict[Any, tuple[float, float]]:
    expected = {}
    for label, start, end in _period_bounds(grain):
        cohort = [record for record in customers if _active(record, start)]
        if cohort:
            kept = sum(_active(record, end) for record in cohort)
            expected[label] = (kept, len(cohort))
    return expected


def _expected_attrition(employees: list[dict], grain: str) -> dict[Any, tuple[float, float]]:
    expected = {}
    for label, start, end in _period_bounds(grain):
        first_day = dt.datetime.combine(start.date(), dt.time())
        days = max(1, math.ceil((end - first_day) / dt.timedelta(days=1)))
        heads = 0
        for number in range(days):
            day = first_day + dt.timedelta(days=number)
            heads += sum(
                e["hired_at"] <= day and (e["terminated_at"] is None or e["terminated_at"] >= day)
                for e in employees
            )
        left = sum(
            e["terminated_at"] is not None and start <= e["terminated_at"] < end for e in employees
        )
        if heads:
            expected[label] = (left, heads / days)
    return expected


def _current(warehouse: Warehouse, table: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = warehouse.rows(f"SELECT {', '.join(columns)} FROM cc.{table} FINAL")
    return [dict(zip(columns, row, strict=True)) for row in rows]


def check_period_kpis(warehouse: Warehouse, grain: str) -> None:
    """Retention, churn and attrition (no breakdown) equal their definition over the current
    customers and employees, at `grain`."""
    customers = _current(warehouse, "customers", ("acquired_at", "churned_at"))
    employees = _current(warehouse, "employees", ("hired_at", "terminated_at"))
    retained = _expected_retention(customers, grain)
    expected = {
        "customer_retention_rate": retained,
        "customer_churn_rate": {key: (d - n, d) for key, (n, d) in retained.items()},
        "employee_attrition_rate": _expected_attrition(employees, grain),
    }
    for kpi_id, figures in expected.items():
        query = kpi_query(CATALOG[kpi_id], (), grain, PERIOD_FIRST, PERIOD_LAST)
        got = {
            period: (numerator, denominator)
            for period, numerator, denominator in warehouse.rows(
                f"SELECT period, numerator, denominator FROM ({query.sql()})"
            )
        }
        assert got.keys() == figures.keys(), (kpi_id, grain)
        for period, (numerator, denominator) in figures.items():
            assert got[period][0] == numerator, (kpi_id, grain, period)
            assert math.isclose(got[period][1], denominator, rel_tol=1e-12), (kpi_id, period)


def _kpi_rows(warehouse: Warehouse, query: KpiQuery) -> dict[tuple[Any, ...], tuple[float, ...]]:
    """period and breakdown values -> (value, numerator[, denominator])."""
    result = warehouse.query(query.sql())
    figures = [n for n in ("value", "numerator", "denominator") if n in result.column_names]
    rows = {}
    for row in result.result_rows:
        record = dict(zip(result.column_names, row, strict=True))
        key = tuple(record[n] for n in result.column_names if n not in figures)
        rows[key] = tuple(float(record[n]) for n in figures)
    return rows


def _run(
    warehouse: Warehouse, table: str, rows: list[dict], deleted: list[dict], stop_after: str | None
) -> None:
    records, removed = to_arrow(table, rows), to_arrow(table, deleted) if deleted else None
    if stop_after is None:
        changes.apply_batch(warehouse, table, records, removed)
        return
    if stop_after == "swapped":
        with _rollups_die_once(), contextlib.suppress(Crash):
            changes.apply_batch(warehouse, table, records, removed)
        changes.resume_batches(warehouse)
        assert not warehouse.scalar(f"SELECT count() FROM {rollups.PENDING} FINAL WHERE pending")
        return
    # A crash: the run stops after one step of the batch; the next run finishes it first.
    sql = change_sql(table)
    batch = changes._next_batch(warehouse)
    staged = changes._stage(warehouse, sql, batch, records, removed)
    changes._record(warehouse, batch, table, "staged", staged, 0)
    if stop_after in ("diffed", "applied"):
        changed = changes._diff(warehouse, sql, batch)
        changes._record(warehouse, batch, table, "diffed", staged, changed)
    if stop_after == "applied":
        # The change stream was written but the run died before recording it: the retry must
        # be deduplicated in every view target.
        warehouse.command(
            sql.apply(),
            parameters={"batch": batch},
            settings={
                **changes._APPLY_SETTINGS,
                "insert_deduplication_token": f"apply:{table}:{batch}",
            },
        )
    changes.resume_batches(warehouse)


def _days_touched(table: str, records: list[dict[str, Any]]) -> set[dt.date]:
    """The days whose daily aggregates a change to `records` (old and new versions) can move."""
    if table == "employees":
        # An hourly cost applies to every day the agent was scheduled.
        return {DAY.date() + dt.timedelta(days=n) for n in range(-1, 3)}
    if table == "contacts":
        return {day for r in records for day in contact_days_touched(r["offered_at"])}
    bounds = {"agent_states": ("started_at", "ended_at"), "schedules": ("starts_at", "ends_at")}
    if table not in bounds:
        return set()
    start, end = bounds[table]
    return {day for r in records for day in days_touched(r[start], r[end])}


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[str, str, int, Any]]:
    count = draw(st.integers(1, 8))
    result = []
    for _ in range(count):
        table = draw(st.sampled_from(tuple(GENERATORS)))
        operation = draw(st.sampled_from(OPERATIONS))
        key_index = draw(st.integers(0, len(keys(table, "")) - 1))
        result.append((table, operation, key_index, draw(st.randoms(use_true_random=False))))
    return result


@pytest.fixture(scope="module")
def prepared(embedded_settings: WarehouseSettings) -> Warehouse:
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    return warehouse


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps(), grain=st.sampled_from(GRAINS), data=st.data())
def test_incremental_equals_recomputation(
    prepared: Warehouse, plan: list, grain: str, data: st.DataObject
) -> None:
    warehouse = prepared
    prefix = f"x{uuid.uuid4().hex[:8]}"
    model = Model()
    for table, operation, key_index, _ in plan:
        key = keys(table, prefix)[key_index]
        current = model.current[table]
        generated = data.draw(GENERATORS[table](key))
        touched = [current[key]] if key in current else []
        if operation == "upsert" or operation.startswith("crash_"):
            record = {**generated, "source": "test", "updated_at": model.now()}
            stop = None if operation == "upsert" else operation.removeprefix("crash_")
            _run(warehouse, table, [record], [], stop)
            current[key] = record
        elif operation == "redeliver" and key in current:
            _run(warehouse, table, [dict(current[key])], [], None)
        elif operation == "delete" and key in current:
            tombstone = {**current[key], "updated_at": model.now()}
            _run(warehouse, table, [], [tombstone], None)
            del current[key]
        elif operation == "stale" and key in current:
            stale = {
                **generated,
                "source": "test",
                "updated_at": current[key]["updated_at"] - dt.timedelta(hours=1),
            }
            _run(warehouse, table, [stale], [], None)
        touched += [current[key]] if key in current else []
        recompute_windowed(warehouse, _days_touched(table, touched), [table])
        check_step(warehouse, model, prefix, table)
    check_every_kpi(warehouse, grain)
    check_period_kpis(warehouse, grain)
