"""Keeping the rollups of a swapped partition in step with its aggregate.

Views keep the rollups of a fact's aggregate current as batches arrive (`kpi_views.rollups`). A
partition swapped into an aggregate with `REPLACE PARTITION` (a daily aggregate's recomputed day,
a backfilled month) reaches no view, so its rollups are rebuilt from the aggregate and swapped in
the same way. `swapping` records the partitions in `ccpulse.rollups_pending` before the aggregate
is swapped, and clears the record once the rollups are rebuilt; a crash in between leaves the
record, and `rebuild_pending` (run before every batch, as unfinished batches are finished) picks
it up. Rebuilding is safe to repeat: a rollup is a function of its aggregate.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ccpulse.warehouse import Warehouse
from kpi_views.facts import SOURCES, AggregateSource, Fact
from kpi_views.rollups import (
    ROLLUPS,
    rebuild_scratch_ddl,
    rebuild_scratch_name,
    rebuild_sql,
    swap_partition_sql,
)
from transforms.unified_model import DATABASE

__all__ = [
    "PENDING",
    "PENDING_DDL",
    "day_partition",
    "month_partition",
    "partition_of",
    "rebuild_pending",
    "rebuild_rollups",
    "swapping",
]

logger = logging.getLogger(__name__)

PENDING = "`ccpulse`.`rollups_pending`"
PENDING_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PENDING} (\n"
    "    source LowCardinality(String),\n"
    "    partition String,\n"
    "    pending UInt8,\n"
    "    recorded_at DateTime64(6, 'UTC') DEFAULT now64(6)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(recorded_at)\n"
    "ORDER BY (source, partition)\n"
    "COMMENT 'aggregate partitions swapped in whose rollups are still to be rebuilt'"
)
# One INSERT may write at most `max_partitions_per_insert_block` (100 by default) partitions.
_PARTITIONS_PER_INSERT = 50


def month_partition(month: int) -> str:
    """The partition id of a fact's month (YYYYMM)."""
    return f"{month:d}"


def day_partition(day: dt.date) -> str:
    """The partition id of a daily aggregate's day."""
    return day.strftime("%Y%m%d")


def partition_of(source: AggregateSource, day: dt.date) -> str:
    """The partition id that holds `day` in `source`'s aggregate and rollups."""
    if isinstance(source, Fact):
        return month_partition(day.year * 100 + day.month)
    return day_partition(day)


@contextmanager
def swapping(
    warehouse: Warehouse, source: AggregateSource, partitions: Iterable[str]
) -> Iterator[None]:
    """Around swapping `partitions` into `source`'s aggregate: record them, and rebuild their
    rollups afterwards (an exception leaves them recorded, for `rebuild_pending`)."""
    chosen = sorted(set(partitions))
    if not chosen:
        yield
        return
    _record(warehouse, source.name, chosen, pending=True)
    yield
    rebuild_rollups(warehouse, source, chosen)


def rebuild_rollups(warehouse: Warehouse, source: AggregateSource, partitions: list[str]) -> None:
    """Rebuild every rollup of `source` for `partitions` from its aggregate, and swap them in.

    A rollup not built yet (a warehouse whose generated objects `ccpulse views apply` has still
    to create) is left alone: it is built whole, from the aggregate, when it is created.
    """
    existing = {
        row[0]
        for row in warehouse.rows(
            "SELECT name FROM system.tables WHERE database = {database:String}",
            {"database": DATABASE},
        )
    }
    for rollup in ROLLUPS[source.name]:
        if f"agg_{rollup.name}" not in existing:
            continue
        scratch = rebuild_scratch_name(rollup)
        warehouse.command(rebuild_scratch_ddl(rollup))
        for first in range(0, len(partitions), _PARTITIONS_PER_INSERT):
            chunk = partitions[first : first + _PARTITIONS_PER_INSERT]
            # The scratch table may hold an earlier, interrupted attempt: start it afresh.
            warehouse.command(f"TRUNCATE TABLE {scratch}")
            warehouse.command(rebuild_sql(rollup), parameters={"partitions": chunk})
            rebuilt = {
                row[0] for row in warehouse.rows(f"SELECT DISTINCT _partition_id FROM {scratch}")
            }
            for partition in chunk:
                warehouse.command(swap_partition_sql(rollup, partition, partition in rebuilt))
        warehouse.command(f"TRUNCATE TABLE {scratch}")
    _record(warehouse, source.name, partitions, pending=False)


def rebuild_pending(warehouse: Warehouse) -> int:
    """Rebuild the rollups of every partition a crash left recorded; return how many."""
    rows = warehouse.rows(
        f"SELECT source, partition FROM {PENDING} FINAL\n"
        "WHERE pending = 1\n"
        "ORDER BY source, partition"
    )
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, partition in rows:
        by_source[source].append(partition)
    for name, partitions in by_source.items():
        logger.warning(
            "rebuilding the rollups of %d partitions of cc.agg_%s left by an earlier run",
            len(partitions),
            name,
        )
        rebuild_rollups(warehouse, SOURCES[name], partitions)
    return len(rows)


def _record(warehouse: Warehouse, source: str, partitions: list[str], *, pending: bool) -> None:
    warehouse.command(
        f"INSERT INTO {PENDING} (source, partition, pending)\n"
        "SELECT {source:String}, arrayJoin({partitions:Array(String)}), {pending:UInt8}",
        parameters={"source": source, "partitions": partitions, "pending": int(pending)},
    )
