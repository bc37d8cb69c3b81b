"""Applying a batch of unified records exactly: stage, diff, apply (see `transforms.changes`).

Each batch gets the next number from `ccpulse.batches`, and each step records its completion
there. `apply_batch` runs the three steps; `resume_batches` finishes any batch that a crash left
half-way, and is called before every new batch, so the warehouse never holds a partly applied
batch for longer than the next run takes to start.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ccpulse.rollups import rebuild_pending
from ccpulse.warehouse import Warehouse
from ccpulse.windowed import recompute_windowed
from kpi_views.windowed import contact_days_touched, days_touched
from transforms.changes import ChangeSql, change_sql
from transforms.unified_model import DATABASE

__all__ = ["BatchResult", "RecordChanges", "apply_batch", "apply_select", "resume_batches"]

logger = logging.getLogger(__name__)

BATCHES = "`ccpulse`.`batches`"
# Unified tables whose rows are intervals that daily aggregates read: (start, end) columns.
_INTERVALS = {"agent_states": ("started_at", "ended_at"), "schedules": ("starts_at", "ends_at")}
_STAGED, _DIFFED, _APPLIED = "staged", "diffed", "applied"
# The change stream is a Null table, so nothing is deduplicated there; the token, passed on to
# every view target by `deduplicate_blocks_in_dependent_materialized_views`, is what makes a
# retried apply write each target at most once (each target keeps a deduplication window).
_APPLY_SETTINGS = {
    "insert_deduplicate": 1,
    "deduplicate_blocks_in_dependent_materialized_views": 1,
}

BATCHES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {BATCHES} (\n"
    "    batch UInt64,\n"
    "    table LowCardinality(String),\n"
    "    state LowCardinality(String),\n"
    "    staged_rows UInt64,\n"
    "    changed_rows UInt64,\n"
    "    recorded_at DateTime64(6, 'UTC') DEFAULT now64(6)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(recorded_at)\n"
    "ORDER BY batch"
)


@dataclass(frozen=True)
class RecordChanges:
    """How the staged records of one or more batches compared with the current state.

    `unchanged` counts what changed nothing: a redelivery as it was, a second copy within the
    batch, a delivery older than the stored record, a delete of a record never stored.
    """

    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __add__(self, other: RecordChanges) -> RecordChanges:
        return RecordChanges(
            self.new + other.new,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.unchanged + other.unchanged,
        )

    @property
    def staged(self) -> int:
        return self.new + self.updated + self.deleted + self.unchanged

    def row(self) -> tuple[int, int, int, int, int]:
        """staged, new, updated, deleted, unchanged."""
        return (self.staged, self.new, self.updated, self.deleted, self.unchanged)

    def text(self) -> str:
        """`12 new, 3 changed, 0 deleted, 85 unchanged`."""
        return (
            f"{self.new:,} new, {self.updated:,} changed, {self.deleted:,} deleted, "
            f"{self.unchanged:,} unchanged"
        )


@dataclass(frozen=True)
class BatchResult:
    """What one batch changed: rows staged, signed rows written to the change stream, and the
    staged records as new, updated, deleted or unchanged."""

    table: str
    batch: int
    staged_rows: int
    changed_rows: int
    seconds: float
    records: RecordChanges = RecordChanges()


def apply_batch(
    warehouse: Warehouse, table: str, records: pa.Table, deleted: pa.Table | None = None
) -> BatchResult:
    """Apply `records` (new or changed rows of unified table `table`) and `deleted` (rows, or
    just keys plus `updated_at`, of deleted records) exactly once."""

    def stage(sql: ChangeSql, batch: int) -> int:
        return _stage(warehouse, sql, batch, records, deleted)

    return _run_batch(warehouse, table, stage)


def apply_select(warehouse: Warehouse, table: str, select: str) -> BatchResult:
    """Apply the rows of `select` (unified columns plus `is_deleted`, run in the warehouse)."""

    def stage(sql: ChangeSql, batch: int) -> int:
        columns = ", ".join(f"`{name}`" for name in sql.table.column_names)
        warehouse.command(
            f"INSERT INTO {sql.staging} ({columns}, is_deleted, _batch)\n"
            f"SELECT {columns}, is_deleted, {{batch:UInt64}} FROM ({select})",
            parameters={"batch": batch},
            settings={"insert_deduplication_token": f"stage:{sql.name}:{batch}"},
        )
        count = warehouse.scalar(
            f"SELECT count() FROM {sql.staging} WHERE _batch = {{batch:UInt64}}",
            {"batch": batch},
        )
        return int(count)

    return _run_batch(warehouse, table, stage)


def _run_batch(
    warehouse: Warehouse, table: str, stage: Callable[[ChangeSql, int], int]
) -> BatchResult:
    started = time.perf_counter()
    resume_batches(warehouse)
    sql = change_sql(table)
    batch = _next_batch(warehouse)

    staged = stage(sql, batch)
    _record(warehouse, batch, table, _STAGED, staged, 0)
    changed = _diff(warehouse, sql, batch)
    records = _record_changes(warehouse, sql, batch, staged)
    _record(warehouse, batch, table, _DIFFED, staged, changed)
    _apply(warehouse, sql, batch)
    _record(warehouse, batch, table, _APPLIED, staged, changed)

    seconds = time.perf_counter() - started
    result = BatchResult(table, batch, staged, changed, seconds, records)
    logger.info(
        "batch %d of %s.%s: %d rows staged, %d signed rows applied in %.2f s",
        batch,
        DATABASE,
        table,
        staged,
        changed,
        result.seconds,
    )
    return result


def resume_batches(warehouse: Warehouse) -> list[int]:
    """Finish every batch a crash left staged or diffed, and the rollups of any partition it
    left swapped in without them; return the batches' numbers."""
    rebuild_pending(warehouse)
    rows = warehouse.rows(
        f"SELECT batch, table, argMax(state, recorded_at), argMax(staged_rows, recorded_at) "
        f"FROM {BATCHES} GROUP BY batch, table "
        f"HAVING argMax(state, recorded_at) != '{_APPLIED}' ORDER BY batch"
    )
    for batch, table, state, staged in rows:
        sql = change_sql(table)
        logger.warning("finishing batch %d of %s left %s by an earlier run", batch, table, state)
        changed = (
            _diff(warehouse, sql, batch)
            if state == _STAGED
            else _pending_rows(warehouse, sql, batch)
        )
        _record(warehouse, batch, table, _DIFFED, staged, changed)
        _apply(warehouse, sql, batch)
        _record(warehouse, batch, table, _APPLIED, staged, changed)
    return [int(row[0]) for row in rows]


def _next_batch(warehouse: Warehouse) -> int:
    return int(warehouse.scalar(f"SELECT max(batch) FROM {BATCHES}") or 0) + 1


def _stage(
    warehouse: Warehouse, sql: ChangeSql, batch: int, records: pa.Table, deleted: pa.Table | None
) -> int:
    staged = 0
    for rows, is_deleted in ((records, 0), (deleted, 1)):
        if rows is None or rows.num_rows == 0:
            continue
        rows = rows.append_column("is_deleted", pa.array([is_deleted] * rows.num_rows, pa.uint8()))
        rows = rows.append_column("_batch", pa.array([batch] * rows.num_rows, pa.uint64()))
        warehouse.insert_arrow(
            DATABASE,
            f"{sql.name}_staging",
            rows,
            settings={"insert_deduplication_token": f"stage:{sql.name}:{batch}:{is_deleted}"},
        )
        staged += rows.num_rows
    return staged


def _diff(warehouse: Warehouse, sql: ChangeSql, batch: int) -> int:
    # A crash during an earlier diff may have left part of it: start the batch's diff afresh.
    warehouse.command(sql.clear_batch(sql.pending, batch))
    warehouse.command(sql.diff(), parameters={"batch": batch})
    return _pending_rows(warehouse, sql, batch)


def _pending_rows(warehouse: Warehouse, sql: ChangeSql, batch: int) -> int:
    count = warehouse.scalar(
        f"SELECT count() FROM {sql.pending} WHERE _batch = {{batch:UInt64}}", {"batch": batch}
    )
    return int(count)


def _record_changes(warehouse: Warehouse, sql: ChangeSql, batch: int, staged: int) -> RecordChanges:
    """Read the batch's signed rows by record: +1 alone is new, -1 with +1 an update, -1 with
    `is_deleted` a delete. Whatever else was staged changed nothing."""
    key = ", ".join(f"`{name}`" for name in sql.table.primary_key)
    new, updated, deleted = warehouse.rows(
        "SELECT countIf(added AND NOT removed), countIf(added AND removed), "
        "countIf(removed AND deleted)\n"
        "FROM (\n"
        "    SELECT max(sign = 1) AS added, max(sign = -1) AS removed, max(is_deleted) AS deleted\n"
        f"    FROM {sql.pending}\n"
        "    WHERE _batch = {batch:UInt64}\n"
        f"    GROUP BY {key}\n"
        ")",
        {"batch": batch},
    )[0]
    return RecordChanges(new, updated, deleted, staged - new - updated - deleted)


def _apply(warehouse: Warehouse, sql: ChangeSql, batch: int) -> None:
    settings: dict[str, Any] = {
        **_APPLY_SETTINGS,
        "insert_deduplication_token": f"apply:{sql.name}:{batch}",
    }
    warehouse.command(sql.apply(), parameters={"batch": batch}, settings=settings)
    # The daily aggregates (adherence, labour cost, repeat contacts) cannot be kept by views:
    # the days the batch touched are recomputed before the batch counts as applied, so a crash
    # here is finished by the next run (both steps are safe to repeat).
    days = _days_touched(warehouse, sql, batch)
    if days:
        recompute_windowed(warehouse, days, tables=[sql.name])
    warehouse.command(sql.clear_batch(sql.staging, batch))
    warehouse.command(sql.clear_batch(sql.pending, batch))


def _days_touched(warehouse: Warehouse, sql: ChangeSql, batch: int) -> list[dt.date]:
    """The days whose daily aggregates the batch's old and new rows can change."""
    pending = f"{sql.pending} WHERE _batch = {{batch:UInt64}}"
    parameters = {"batch": batch}
    days: set[dt.date] = set()
    if sql.name in _INTERVALS:
        start, end = _INTERVALS[sql.name]
        for first, last in warehouse.rows(f"SELECT {start}, {end} FROM {pending}", parameters):
            days.update(days_touched(first, last))
    elif sql.name == "contacts":
        for (offered,) in warehouse.rows(f"SELECT DISTINCT offered_at FROM {pending}", parameters):
            days.update(contact_days_touched(offered))
    elif sql.name == "employees":
        # A changed pay rate or group changes the labour cost of every day the agent worked;
        # a changed group or channel, the chat concurrency of every day the agent chatted.
        rows = warehouse.rows(
            "SELECT starts_at, ends_at FROM `cc`.`schedules` FINAL "
            f"WHERE agent_id IN (SELECT agent_id FROM {pending})\n"
            "UNION ALL\n"
            "SELECT answered_at, ended_at + toIntervalMillisecond(round(acw_s * 1000)) "
            "FROM `cc`.`contacts` FINAL "
            f"WHERE agent_id IN (SELECT agent_id FROM {pending}) "
            "AND answered_at IS NOT NULL AND channel IN ('chat', 'messaging')",
            parameters,
        )
        for first, last in rows:
            days.update(days_touched(first, last))
    return sorted(days)


def _record(
    warehouse: Warehouse, batch: int, table: str, state: str, staged: int, changed: int
) -> None:
    warehouse.command(
        f"INSERT INTO {BATCHES} (batch, table, state, staged_rows, changed_rows) VALUES "
        "({batch:UInt64}, {table:String}, {state:String}, {staged:UInt64}, {changed:UInt64})",
        parameters={
            "batch": batch,
            "table": table,
            "state": state,
            "staged": staged,
            "changed": changed,
        },
    )
