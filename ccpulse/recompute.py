"""Recomputing the aggregates of a window of days from the unified facts.

`recompute_window` rebuilds every aggregate a KPI reads for the days from `start` to `end`: each
fact's aggregate month by month (its partitions), each daily aggregate day by day, each from the
current-state tables into a scratch table and then swapped in with `REPLACE PARTITION`, and the
rollups of what was swapped rebuilt from it (`ccpulse.rollups`). A BI query running meanwhile
sees a day either as it was or as recomputed, never a mix. Months are the
partitions of the fact aggregates, so a window that covers part of a month recomputes that whole
month (from the same current state, so the days outside the window keep their figures).

With `repair_only`, a partition is swapped in only where it differs from its recomputation, and
the drift found is reported per aggregate and day: that is `ccpulse reconcile`. It also compares
every rollup with the aggregate it sums, and rebuilds the partitions where they differ.

The caller holds the writer lease (`ccpulse.writer`): a batch applied while a month is being
recomputed would be lost when the month is swapped in.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ccpulse.rollups import month_partition, partition_of, rebuild_rollups, swapping
from ccpulse.warehouse import Warehouse
from ccpulse.windowed import RECOMPUTE_SETTINGS, Drift, recompute_windowed
from kpi_views.facts import FACTS, SOURCES, Fact
from kpi_views.generator import aggregate_name, recompute_partition_sql
from kpi_views.partitions import (
    drift_sql,
    partition_scratch_ddl,
    partition_scratch_name,
    rollup_drift_sql,
    swap_month_sql,
)
from kpi_views.rollups import every_rollup
from kpi_views.windowed import (
    CONTACTS_BY_DAY,
    contacts_by_day_rebuild_sql,
    contacts_by_day_scratch,
)

__all__ = ["RecomputeResult", "months_between", "recompute_fact", "recompute_window"]

logger = logging.getLogger(__name__)

_MONTH_CONDITION = (
    "toYYYYMM(hour) = {partition:UInt32} AND toDate(hour) BETWEEN {first:Date} AND {last:Date}"
)


@dataclass(frozen=True)
class RecomputeResult:
    """What a recomputation covered and changed."""

    start: dt.date
    end: dt.date
    months: tuple[int, ...]
    drift: tuple[Drift, ...]
    partitions_swapped: int
    seconds: float

    @property
    def drifted_days(self) -> tuple[dt.date, ...]:
        return tuple(sorted({item.day for item in self.drift}))

    def line(self) -> str:
        """One summary line."""
        days = (self.end - self.start).days + 1
        found = (
            f"drift on {len(self.drifted_days)} days ({sum(d.groups for d in self.drift):,} "
            f"groups), repaired"
            if self.drift
            else "no drift"
        )
        return (
            f"recomputed {days} days ({self.start} to {self.end}), "
            f"{self.partitions_swapped} partitions swapped in, {found}, {self.seconds:.1f} s"
        )


def months_between(start: dt.date, end: dt.date) -> list[int]:
    """The months (YYYYMM) that the days from `start` to `end` fall in."""
    months = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        months.append(month.year * 100 + month.month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _window_months(start: dt.date, end: dt.date) -> list[int]:
    """The months of the days from `start` to `end`, refusing a window that ends first."""
    if end < start:
        raise ValueError(f"the window ends ({end}) before it starts ({start})")
    return months_between(start, end)


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    for offset in range((end - start).days + 1):
        yield start + dt.timedelta(days=offset)


def recompute_window(
    warehouse: Warehouse, start: dt.date, end: dt.date, *, repair_only: bool = False
) -> RecomputeResult:
    """Recompute every aggregate of the days from `start` to `end` (inclusive) and swap it in
    (with `repair_only`, only where it drifted)."""
    months = _window_months(start, end)
    started = time.perf_counter()
    drift: list[Drift] = []
    swapped = 0
    for fact in FACTS.values():
        found, did_swap = _recompute_months(warehouse, fact, months, start, end, repair_only)
        drift += found
        swapped += did_swap
    _rebuild_contacts_by_day(warehouse, months)
    daily = recompute_windowed(warehouse, _days(start, end), repair_only=repair_only)
    drift += daily.drift
    swapped += (
        len({(d.aggregate, d.day) for d in daily.drift})
        if repair_only
        else len(daily.days) * len(daily.aggregates)
    )
    if repair_only:
        found, rebuilt = _repair_rollups(warehouse, start, end)
        drift += found
        swapped += rebuilt
    result = RecomputeResult(
        start, end, tuple(months), tuple(drift), swapped, time.perf_counter() - started
    )
    for item in drift:
        logger.warning(
            "aggregate %s drifted on %s: %d groups differed from the unified facts; repaired",
            item.aggregate,
            item.day,
            item.groups,
        )
    logger.info("%s", result.line())
    return result


def recompute_fact(warehouse: Warehouse, fact: Fact, start: dt.date, end: dt.date) -> int:
    """Recompute the aggregate of one fact (and its rollups) for the months the days from
    `start` to `end` fall in, as `recompute_window` does for every aggregate; return the number
    of months swapped in."""
    months = _window_months(start, end)
    _, swapped = _recompute_months(warehouse, fact, months, start, end, False)
    return swapped


def _recompute_months(
    warehouse: Warehouse,
    fact: Fact,
    months: list[int],
    start: dt.date,
    end: dt.date,
    repair_only: bool,
) -> tuple[list[Drift], int]:
    drift: list[Drift] = []
    swapped = 0
    for month in months:
        found, did_swap = _recompute_month(warehouse, fact, month, start, end, repair_only)
        drift += found
        swapped += did_swap
    return drift, swapped


def _rebuild_contacts_by_day(warehouse: Warehouse, months: list[int]) -> None:
    """Rebuild the months of `cc.contacts_by_day` (what the daily recomputations read) from the
    current contacts, each swapped in whole, so the recomputation reads the unified facts as
    they are even after an edit behind the change stream's back."""
    scratch, ddl = contacts_by_day_scratch()
    warehouse.command(ddl)
    for month in months:
        warehouse.command(f"TRUNCATE TABLE {scratch}")
        warehouse.command(contacts_by_day_rebuild_sql(), parameters={"month": month})
        if warehouse.scalar(f"SELECT count() > 0 FROM {scratch}"):
            change = f"REPLACE PARTITION ID '{month:d}' FROM {scratch}"
        else:
            change = f"DROP PARTITION ID '{month:d}'"
        warehouse.command(f"ALTER TABLE {CONTACTS_BY_DAY}\n{change}")
    warehouse.command(f"TRUNCATE TABLE {scratch}")


def _in_window(column: str) -> str:
    return f"toDate({column}) BETWEEN {{first:Date}} AND {{last:Date}}"


def _repair_rollups(warehouse: Warehouse, start: dt.date, end: dt.date) -> tuple[list[Drift], int]:
    """Find the rollups that differ from their aggregates (compared with the unified facts, and
    repaired, before) on the days from `start` to `end`, and rebuild them from those aggregates;
    return the drift and the number of partitions rebuilt."""
    drift: list[Drift] = []
    drifted: dict[str, set[str]] = defaultdict(set)
    for rollup in every_rollup():
        found = warehouse.rows(rollup_drift_sql(rollup, _in_window), {"first": start, "last": end})
        for day, groups in found:
            drift.append(Drift(rollup.name, day, int(groups)))
            drifted[rollup.source.name].add(partition_of(rollup.source, day))
    for name, partitions in drifted.items():
        rebuild_rollups(warehouse, SOURCES[name], sorted(partitions))
    return drift, sum(len(partitions) for partitions in drifted.values())


def _recompute_month(
    warehouse: Warehouse,
    fact: Fact,
    month: int,
    start: dt.date,
    end: dt.date,
    repair_only: bool,
) -> tuple[list[Drift], bool]:
    scratch = partition_scratch_name(fact)
    warehouse.command(partition_scratch_ddl(fact))
    # The scratch table may hold an earlier, interrupted attempt: start it afresh.
    warehouse.command(f"TRUNCATE TABLE {scratch}")
    warehouse.command(
        recompute_partition_sql(fact, scratch),
        parameters={"partition": month},
        settings=RECOMPUTE_SETTINGS,
    )
    drift = []
    if repair_only:
        found = warehouse.rows(
            drift_sql(fact, aggregate_name(fact), scratch, _MONTH_CONDITION),
            {"partition": month, "first": start, "last": end},
        )
        drift = [Drift(fact.name, day, int(groups)) for day, groups in found]
    swap = bool(drift) or not repair_only
    if swap:
        recomputed = bool(warehouse.scalar(f"SELECT count() > 0 FROM {scratch}"))
        with swapping(warehouse, fact, [month_partition(month)]):
            warehouse.command(swap_month_sql(fact, month, recomputed))
    warehouse.command(f"TRUNCATE TABLE {scratch}")
    return drift, swap
