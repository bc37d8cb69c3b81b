"""Recomputing the daily aggregates (adherence, labour cost, repeats, derived first contact
resolution) for the days a batch touched.

`recompute_windowed(warehouse, days)` rebuilds every daily aggregate for `days` from the
current-state tables: each is computed into its scratch table, then each day's partition is
swapped into the live aggregate (and its rollups rebuilt, `ccpulse.rollups`), so a reader sees a
day either as it was or as recomputed. A crash
part-way leaves some days recomputed and the others as they were; running it again for the same
days finishes the work, and running it twice changes nothing. One writer runs at a time (as for
batches), since the scratch tables are shared.

Derived first contact resolution also matures without any contact of its day changing: a repeat
window closes once the warehouse holds contacts past its end (`HORIZON_SQL`). The horizon each
recomputation used is kept in `ccpulse.windowed_horizons`; when it has moved, the days whose
windows closed (or reopened, after a delete) in between are recomputed too, and the new horizon is
recorded only once they are swapped in, so a crash leaves them to the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccpulse.rollups import day_partition, swapping
from ccpulse.warehouse import Warehouse
from kpi_views.facts import DailyAggregate
from kpi_views.generator import aggregate_name, daily_aggregate_ddl
from kpi_views.partitions import drift_sql
from kpi_views.windowed import (
    HORIZON_SQL,
    closed_days,
    recompute_days_sql,
    scratch_days_sql,
    scratch_ddl,
    scratch_name,
    swap_day_sql,
)

__all__ = ["HORIZONS", "HORIZONS_DDL", "Drift", "WindowedResult", "recompute_windowed"]

logger = logging.getLogger(__name__)

# One INSERT writes at most this many day partitions (ClickHouse refuses an insert block that
# touches more than `max_partitions_per_insert_block`, 100 by default).
DAYS_PER_INSERT = 50
# A recomputation reads days or months of facts at once: its grouping and sorting spill to disk
# past these sizes, so its memory stays bounded however busy the days are.
RECOMPUTE_SETTINGS = {
    "max_bytes_before_external_group_by": 256 * 1024 * 1024,
    "max_bytes_before_external_sort": 256 * 1024 * 1024,
}
DAYS_CONDITION = "toDate(hour) IN {days:Array(Date)}"

HORIZONS = "`ccpulse`.`windowed_horizons`"
HORIZONS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {HORIZONS} (\n"
    "    aggregate LowCardinality(String),\n"
    "    horizon Nullable(DateTime64(3, 'UTC')),\n"
    "    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(recorded_at)\n"
    "ORDER BY aggregate\n"
    "COMMENT 'the newest contact each windowed daily aggregate was last recomputed against'"
)
# Daily aggregates whose figures depend on how far the contact record reaches.
_MATURING = ("resolutions",)


@dataclass(frozen=True)
class Drift:
    """Groups (hour and breakdown) of one aggregate's day that differed from a recomputation."""

    aggregate: str
    day: dt.date
    groups: int


@dataclass(frozen=True)
class WindowedResult:
    """What one recomputation did: the days it covered, per aggregate, the drift it found, and
    how long it took."""

    days: tuple[dt.date, ...]
    aggregates: tuple[str, ...]
    seconds: float
    drift: tuple[Drift, ...] = ()


def recompute_windowed(
    warehouse: Warehouse,
    days: Iterable[dt.date],
    tables: Iterable[str] | None = None,
    *,
    repair_only: bool = False,
) -> WindowedResult:
    """Recompute the daily aggregates for `days` and swap each day in.

    `tables` limits the work to the aggregates that read one of those unified tables (those a
    batch changed); by default every daily aggregate is recomputed. With `repair_only`, only the
    days whose figures differ from the recomputation are swapped in; the drift is reported.
    """
    started = time.perf_counter()
    wanted = tuple(sorted(set(days)))
    changed = None if tables is None else set(tables)
    names = []
    drift: list[Drift] = []
    for aggregate, insert in recompute_days_sql():
        if changed is not None and not changed & set(aggregate.reads):
            continue
        _prepare(warehouse, aggregate)
        horizon = _horizon(warehouse) if aggregate.name in _MATURING else None
        chosen = wanted
        if aggregate.name in _MATURING:
            chosen = tuple(sorted({*wanted, *_matured_days(warehouse, aggregate, horizon)}))
        for first in range(0, len(chosen), DAYS_PER_INSERT):
            chunk = chosen[first : first + DAYS_PER_INSERT]
            drift += _recompute_chunk(warehouse, aggregate, insert, chunk, repair_only)
        if aggregate.name in _MATURING:
            _record_horizon(warehouse, aggregate)
        names.append(aggregate.name)

    result = WindowedResult(wanted, tuple(names), time.perf_counter() - started, tuple(drift))
    logger.info(
        "recomputed %s for %d days in %.2f s", ", ".join(names), len(wanted), result.seconds
    )
    return result


def _horizon(warehouse: Warehouse) -> dt.datetime | None:
    found = warehouse.rows(HORIZON_SQL)
    return found[0][0] if found else None


def _matured_days(
    warehouse: Warehouse, aggregate: DailyAggregate, horizon: dt.datetime | None
) -> list[dt.date]:
    """The days whose windows closed or reopened since the horizon last recorded; without a
    record (a new warehouse, or one from before derived resolution), every day up to now."""
    recorded = warehouse.rows(
        f"SELECT horizon FROM {HORIZONS} FINAL WHERE aggregate = {{name:String}}",
        {"name": aggregate.name},
    )
    if recorded:
        return closed_days(recorded[0][0], horizon)
    earliest = warehouse.rows(HORIZON_SQL.replace("maxOrNull(", "minOrNull(", 1))
    return closed_days(earliest[0][0] if earliest else None, horizon)


def _record_horizon(warehouse: Warehouse, aggregate: DailyAggregate) -> None:
    warehouse.command(
        f"INSERT INTO {HORIZONS} (aggregate, horizon)\nSELECT {{name:String}}, ({HORIZON_SQL})",
        parameters={"name": aggregate.name},
    )


def _prepare(warehouse: Warehouse, aggregate: DailyAggregate) -> None:
    warehouse.command(HORIZONS_DDL)
    warehouse.command(daily_aggregate_ddl(aggregate))
    warehouse.command(scratch_ddl(aggregate))


def _recompute_chunk(
    warehouse: Warehouse,
    aggregate: DailyAggregate,
    insert: str,
    days: Sequence[dt.date],
    repair_only: bool,
) -> list[Drift]:
    # The scratch table may hold an earlier, interrupted attempt: start it afresh.
    scratch = scratch_name(aggregate)
    warehouse.command(f"TRUNCATE TABLE {scratch}")
    warehouse.command(insert, parameters={"days": list(days)}, settings=RECOMPUTE_SETTINGS)
    recomputed = {row[0] for row in warehouse.rows(scratch_days_sql(aggregate))}
    drift = []
    if repair_only:
        found = warehouse.rows(
            drift_sql(aggregate, aggregate_name(aggregate), scratch, DAYS_CONDITION),
            {"days": list(days)},
        )
        drift = [Drift(aggregate.name, day, int(groups)) for day, groups in found]
    swapped = {item.day for item in drift} if repair_only else set(days)
    with swapping(warehouse, aggregate, (day_partition(day) for day in swapped)):
        for day in days:
            if day in swapped:
                warehouse.command(swap_day_sql(aggregate, day, day in recomputed))
    warehouse.command(f"TRUNCATE TABLE {scratch}")
    return drift
