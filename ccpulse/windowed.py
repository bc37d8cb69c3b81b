"""Recomputing the daily aggregates (adherence, labour cost, repeats) for the days a batch touched.

`recompute_windowed(warehouse, days)` rebuilds every daily aggregate for `days` from the
current-state tables: each is computed into its scratch table, then each day's partition is
swapped into the live aggregate, so a reader sees a day either as it was or as recomputed. A crash
part-way leaves some days recomputed and the others as they were; running it again for the same
days finishes the work, and running it twice changes nothing. One writer runs at a time (as for
batches), since the scratch tables are shared.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccpulse.warehouse import Warehouse
from kpi_views.facts import DailyAggregate
from kpi_views.generator import aggregate_name, daily_aggregate_ddl
from kpi_views.partitions import drift_sql
from kpi_views.windowed import (
    recompute_days_sql,
    scratch_days_sql,
    scratch_ddl,
    scratch_name,
    swap_day_sql,
)

__all__ = ["Drift", "WindowedResult", "recompute_windowed"]

logger = logging.getLogger(__name__)

# One INSERT writes at most this many day partitions (ClickHouse refuses an insert block that
# touches more than `max_partitions_per_insert_block`, 100 by default).
DAYS_PER_INSERT = 50
DAYS_CONDITION = "toDate(hour) IN {days:Array(Date)}"


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
        for first in range(0, len(wanted), DAYS_PER_INSERT):
            chunk = wanted[first : first + DAYS_PER_INSERT]
            drift += _recompute_chunk(warehouse, aggregate, insert, chunk, repair_only)
        names.append(aggregate.name)

    result = WindowedResult(wanted, tuple(names), time.perf_counter() - started, tuple(drift))
    logger.info(
        "recomputed %s for %d days in %.2f s", ", ".join(names), len(wanted), result.seconds
    )
    return result


def _prepare(warehouse: Warehouse, aggregate: DailyAggregate) -> None:
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
    warehouse.command(insert, parameters={"days": list(days)})
    recomputed = {row[0] for row in warehouse.rows(scratch_days_sql(aggregate))}
    drift = []
    if repair_only:
        found = warehouse.rows(
            drift_sql(aggregate, aggregate_name(aggregate), scratch, DAYS_CONDITION),
            {"days": list(days)},
        )
        drift = [Drift(aggregate.name, day, int(groups)) for day, groups in found]
    swapped = {item.day for item in drift} if repair_only else set(days)
    for day in days:
        if day in swapped:
            warehouse.command(swap_day_sql(aggregate, day, day in recomputed))
    warehouse.command(f"TRUNCATE TABLE {scratch}")
    return drift
