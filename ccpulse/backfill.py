"""`ccpulse backfill`: re-pull a window of history from the vendors and recompute it exactly.

A backfill works in two phases, each in steps small enough to hold the writer lease briefly:

1. *Extract*, one day at a time: every chosen vendor is asked again for the records that changed
   that day, through pipelines of its own (`ccpulse_backfill_<vendor>`, with an end date, which
   dlt treats as a bounded window that neither reads nor moves a cursor), so the regular runs'
   incremental cursors are untouched. The loads are transformed as any other: what changed goes
   through the change streams, what was lost from the unified model comes back.
2. *Recompute*, one month at a time: every aggregate of the window is rebuilt from the unified
   facts and swapped in partition by partition (`ccpulse.recompute`), which also repairs
   aggregates that drifted from the facts.

Each finished step is recorded in `ccpulse.backfill_steps`; running the same backfill again after a
crash continues with the steps not done. Between steps the writer lease is released, so a regular
run that is waiting gets its turn and the two never interleave. Memory is bounded by a day of one
vendor's records and a month of one aggregate, not by the window.

`--recompute-only` skips the extraction (after a definition change, or to repair drift).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ccpulse.errors import CcpulseError
from ccpulse.progress import Progress
from ccpulse.recompute import RecomputeResult, months_between, recompute_window
from ccpulse.run import DEFAULT_PIPELINES_DIR, configured_vendors, run_sources
from ccpulse.transform import transform_vendors
from ccpulse.warehouse import Warehouse
from ccpulse.writer import writer_lease
from connectors.common import HttpOptions
from connectors.vendors import vendor

__all__ = [
    "BACKFILL_PIPELINE_PREFIX",
    "BackfillError",
    "BackfillResult",
    "backfill",
    "recompute_window",
]

logger = logging.getLogger(__name__)

BACKFILL_PIPELINE_PREFIX = "ccpulse_backfill"
BACKFILLS = "`ccpulse`.`backfills`"
STEPS = "`ccpulse`.`backfill_steps`"
_DDL = (
    f"CREATE TABLE IF NOT EXISTS {BACKFILLS} (\n"
    "    backfill_id String,\n"
    "    window String,\n"
    "    finished UInt8,\n"
    "    recorded_at DateTime64(6, 'UTC') DEFAULT now64(6)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(recorded_at)\n"
    "ORDER BY backfill_id",
    f"CREATE TABLE IF NOT EXISTS {STEPS} (\n"
    "    backfill_id String,\n"
    "    step String,\n"
    "    records UInt64,\n"
    "    recorded_at DateTime64(6, 'UTC') DEFAULT now64(6)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(recorded_at)\n"
    "ORDER BY (backfill_id, step)",
)


class BackfillError(CcpulseError):
    """A backfill could not finish; the steps done are kept and a rerun continues from them."""


@dataclass
class BackfillResult:
    """What one backfill command did."""

    start: dt.date
    end: dt.date
    vendors: tuple[str, ...]
    resumed_steps: int = 0
    days_extracted: int = 0
    records: int = 0
    changed_rows: int = 0
    rejected: int = 0
    recomputed: list[RecomputeResult] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """The one summary line of the backfill."""
        sources = ", ".join(self.vendors) if self.vendors else "no re-extraction"
        resumed = f", {self.resumed_steps} steps done before" if self.resumed_steps else ""
        drifted = sorted({d.day for r in self.recomputed for d in r.drift})
        return (
            f"backfill {self.start} to {self.end} ({sources}): {self.days_extracted} days "
            f"re-extracted, {self.records:,} records, {self.changed_rows:,} signed change rows, "
            f"{self.rejected:,} rejected, {len(self.recomputed)} months recomputed "
            f"({len(drifted)} days had drifted){resumed}, {self.seconds:.1f} s"
        )


def backfill(
    warehouse: Warehouse,
    start: dt.date,
    end: dt.date,
    sources: Sequence[str] | None = None,
    *,
    recompute_only: bool = False,
    progress: Progress | None = None,
    wait_seconds: float = 3600.0,
    pipelines_dir: Path | str = DEFAULT_PIPELINES_DIR,
    http: HttpOptions | None = None,
) -> BackfillResult:
    """Re-extract the days from `start` to `end` (inclusive) from `sources` (vendor names or
    kinds; every configured vendor by default) and recompute every aggregate of the window.

    Continues an unfinished backfill of the same window and sources. Raises `BackfillError` when
    a vendor fails (the days done are kept) and `ValueError` for a window or source that is wrong.
    """
    started = time.perf_counter()
    if end < start:
        raise ValueError(f"the window ends ({end}) before it starts ({start})")
    vendors: tuple[str, ...] = ()
    if not recompute_only:
        vendors = _vendors(sources)
    for statement in _DDL:
        warehouse.command(statement)
    window = _window_key(start, end, vendors)
    backfill_id = _unfinished(warehouse, window) or _begin(warehouse, window)
    done = _steps_done(warehouse, backfill_id)
    result = BackfillResult(start, end, vendors, resumed_steps=len(done))
    if done:
        logger.warning(
            "continuing the unfinished backfill %s: %d steps were done before", window, len(done)
        )
    run = _Backfill(warehouse, backfill_id, done, result, wait_seconds, Path(pipelines_dir), http)
    display = progress or Progress(enabled=False)
    if vendors:
        days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        extraction = display.task("backfill: re-extract", total=len(days), unit="days")
        for day in days:
            before = result.records
            run.extract_day(day)
            extraction.advance(1, records=result.records - before)
        extraction.finish()
    months = months_between(start, end)
    recomputing = display.task("backfill: recompute", total=len(months), unit="months")
    for month in months:
        run.recompute_month(month)
        recomputing.advance(1)
    recomputing.finish()
    _finish(warehouse, backfill_id, window)
    result.seconds = time.perf_counter() - started
    logger.info("%s", result.line())
    return result


@dataclass
class _Backfill:
    """One backfill's steps, each under the writer lease and recorded once done."""

    warehouse: Warehouse
    backfill_id: str
    done: set[str]
    result: BackfillResult
    wait_seconds: float
    pipelines_dir: Path
    http: HttpOptions | None

    def extract_day(self, day: dt.date) -> None:
        """Re-extract one day from the vendors that have not done it yet, and transform it."""
        pending = [name for name in self.result.vendors if self._step(name, day) not in self.done]
        if not pending:
            return
        window = {"start_date": _instant(day), "end_date": _instant(day + dt.timedelta(days=1))}
        with writer_lease(self.warehouse, f"backfill of {day}", self.wait_seconds):
            summaries = run_sources(
                pending,
                pipelines_dir=self.pipelines_dir,
                pipeline_prefix=BACKFILL_PIPELINE_PREFIX,
                source_options={name: window for name in pending},
                http=self.http,
            )
            succeeded = [summary for summary in summaries if summary.ok]
            transforms = transform_vendors(self.warehouse, [s.source for s in succeeded])
            for summary in succeeded:
                self._record(self._step(summary.source, day), summary.records)
        self.result.days_extracted += 1
        self.result.records += sum(summary.records for summary in succeeded)
        self.result.changed_rows += sum(summary.changed_rows for summary in transforms)
        self.result.rejected += sum(summary.rejected for summary in transforms)
        failed = [summary for summary in summaries if not summary.ok]
        if failed:
            reasons = "; ".join(f"{summary.source}: {summary.error}" for summary in failed)
            raise BackfillError(
                f"the backfill stopped at {day}: {reasons}. The days done are kept; run the "
                "same backfill again to continue from there"
            )

    def recompute_month(self, month: int) -> None:
        """Recompute the window's part of one month (YYYYMM) and swap it in."""
        step = f"recompute:{month}"
        if step in self.done:
            return
        first, last = _month_slice(month, self.result.start, self.result.end)
        with writer_lease(self.warehouse, f"backfill recompute of {month}", self.wait_seconds):
            self.result.recomputed.append(recompute_window(self.warehouse, first, last))
            self._record(step, 0)

    @staticmethod
    def _step(vendor_name: str, day: dt.date) -> str:
        return f"extract:{vendor_name}:{day}"

    def _record(self, step: str, records: int) -> None:
        self.warehouse.command(
            f"INSERT INTO {STEPS} (backfill_id, step, records) "
            "VALUES ({id:String}, {step:String}, {records:UInt64})",
            parameters={"id": self.backfill_id, "step": step, "records": records},
        )


def _vendors(sources: Sequence[str] | None) -> tuple[str, ...]:
    names = [vendor(name).name for name in sources] if sources else configured_vendors()
    if not names:
        raise ValueError(
            "no vendor is configured to re-extract from: set sources.<vendor>.* (see README), "
            "name --sources, or use --recompute-only"
        )
    return tuple(dict.fromkeys(names))


def _window_key(start: dt.date, end: dt.date, vendors: Sequence[str]) -> str:
    sources = ",".join(sorted(vendors)) or "recompute-only"
    return f"{start}..{end} {sources}"


def _instant(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _month_slice(month: int, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(month // 100, month % 100, 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return max(first, start), min(following - dt.timedelta(days=1), end)


def _unfinished(warehouse: Warehouse, window: str) -> str | None:
    rows = warehouse.rows(
        f"SELECT backfill_id FROM {BACKFILLS} FINAL "
        "WHERE window = {window:String} AND finished = 0 ORDER BY recorded_at DESC LIMIT 1",
        {"window": window},
    )
    return str(rows[0][0]) if rows else None


def _begin(warehouse: Warehouse, window: str) -> str:
    backfill_id = uuid.uuid4().hex
    warehouse.command(
        f"INSERT INTO {BACKFILLS} (backfill_id, window, finished) "
        "VALUES ({id:String}, {window:String}, 0)",
        parameters={"id": backfill_id, "window": window},
    )
    return backfill_id


def _finish(warehouse: Warehouse, backfill_id: str, window: str) -> None:
    warehouse.command(
        f"INSERT INTO {BACKFILLS} (backfill_id, window, finished) "
        "VALUES ({id:String}, {window:String}, 1)",
        parameters={"id": backfill_id, "window": window},
    )


def _steps_done(warehouse: Warehouse, backfill_id: str) -> set[str]:
    rows = warehouse.rows(
        f"SELECT step FROM {STEPS} FINAL WHERE backfill_id = {{id:String}}", {"id": backfill_id}
    )
    return {str(step) for (step,) in rows}
