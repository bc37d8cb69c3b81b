"""`ccpulse demo`: the whole product against the built-in sandbox, on this machine.

It serves a simulated contact centre on loopback (the sandbox speaks each vendor's API), points
every connector at it, runs extraction, loading and the transforms into the embedded warehouse,
moves the sandbox's clock on and runs again incrementally (late wrap-ups, reopened tickets and
edited surveys arrive as updates), then sums up: what each run loaded, how the second run's
records compared with what the warehouse held (new, changed, deleted, unchanged), and every KPI
overall with its best and worst agent, skill or channel.

The same wiring (`serve_sandbox`, `point_connectors_at`, `run_once`) drives the end-to-end tests.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ccpulse.changes import RecordChanges
from ccpulse.progress import Progress
from ccpulse.run import SourceRunSummary, run_sources
from ccpulse.transform import TRANSFORM_ORDER, TransformSummary, transform_pending
from ccpulse.warehouse import Warehouse
from ccpulse.writer import writer_lease
from kpi_views.catalog import CATALOG, Kpi
from kpi_views.generator import kpi_query

if TYPE_CHECKING:
    import sandbox

__all__ = [
    "VENDOR_ORDER",
    "DemoRun",
    "KpiLine",
    "kpi_summary",
    "point_connectors_at",
    "run_demo",
    "run_once",
    "serve_sandbox",
    "summary_json",
]

logger = logging.getLogger(__name__)

# Every vendor the sandbox serves, in the order their transforms must run.
VENDOR_ORDER = TRANSFORM_ORDER
HISTORY_VENDORS = ("bamboohr", "hubspot")
# The demo waits this long for another writer of the same warehouse (a run on a server).
WAIT_SECONDS = 900.0
# The systems of record (HR, CRM) are read from well before the sandbox's oldest customer (two
# years before its first day), so customer and employee KPIs see the whole history.
HISTORY_START = "2000-01-01T00:00:00Z"
# Where the best and worst of a KPI are looked for, in order of preference: the first breakdown
# that accounts for all of the KPI's records (an abandoned contact has no agent, so the
# abandonment rate goes by skill).
EXTREME_DIMENSIONS = ("agent", "skill", "channel", "skill_group")


@dataclass(frozen=True)
class DemoRun:
    """One incremental run of the demo: what each source loaded and each transform changed.

    `first_day` to `last_day` are the days the sandbox had lived through at the run: its KPIs
    are read over them, leaving out the schedules already published for the days ahead.
    """

    label: str
    sources: list[SourceRunSummary]
    transforms: list[TransformSummary]
    first_day: dt.date
    last_day: dt.date

    def records_by_table(self) -> dict[str, RecordChanges]:
        """New, changed, deleted and unchanged records per unified table, over every vendor."""
        totals: dict[str, RecordChanges] = {}
        for transform in self.transforms:
            for table, changes in transform.records_by_table.items():
                totals[table] = totals.get(table, RecordChanges()) + changes
        return totals


def run_demo(
    warehouse: Warehouse,
    days: int,
    contacts_per_day: int,
    seed: int,
    advance_hours: int = 24,
    live: bool | None = None,
) -> tuple[DemoRun, DemoRun]:
    """Run the sandbox world through ccpulse twice, with the clock moved on in between.

    `live` draws progress on stderr (None: when stderr is a terminal).
    """
    import sandbox

    world = sandbox.World(seed=seed, days=days, contacts_per_day=contacts_per_day)
    with serve_sandbox(world) as port:
        point_connectors_at(port, world, HISTORY_START)
        with Progress(enabled=live, title="first run") as progress:
            first = run_once(warehouse, "first run", world, progress)
        world.advance(hours=advance_hours)
        second_label = f"second run, clock moved on {advance_hours} h"
        with Progress(enabled=live, title=second_label) as progress:
            second = run_once(warehouse, second_label, world, progress)
    return first, second


@contextmanager
def serve_sandbox(world: sandbox.World) -> Iterator[int]:
    """Serve `world` on a free loopback port for the block; yield the port."""
    import sandbox

    server = sandbox.serve(sandbox.make_app(world), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, name="sandbox", daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def point_connectors_at(port: int, world: sandbox.World, history_start: str | None = None) -> None:
    """Set every vendor's settings (environment variables) to the sandbox served on `port`.

    Connectors start from the sandbox's first day, except the systems of record (HR, CRM),
    whose history goes back further: to `history_start` when given, else each connector's own
    default.
    """
    import sandbox

    for line in sandbox.env_lines(port):
        name, _, value = line.partition("=")
        os.environ[name] = value
    first_day = f"{world.start.isoformat()}T00:00:00Z"
    for vendor in VENDOR_ORDER:
        start = history_start if vendor in HISTORY_VENDORS else first_day
        if start is not None:
            os.environ[f"SOURCES__{vendor.upper()}__START_DATE"] = start
    # The sandbox's history is short: one query window covers it, so a run asks few pages.
    os.environ["SOURCES__GENESYS__QUERY_WINDOW_HOURS"] = str(24 * 7)


def run_once(
    warehouse: Warehouse, label: str, world: sandbox.World, progress: Progress | None = None
) -> DemoRun:
    """One incremental run of every vendor, then their transforms, in `VENDOR_ORDER`."""
    shown = progress or Progress(enabled=False)
    with writer_lease(warehouse, f"ccpulse demo, {label}", WAIT_SECONDS):
        sources = run_sources(list(VENDOR_ORDER), progress=shown)
        transforming = shown.task("transforms", total=len(VENDOR_ORDER), unit="vendors")
        transforms = []
        for vendor in VENDOR_ORDER:
            transforming.set_stage(vendor)
            transforms.append(transform_pending(warehouse, vendor))
            transforming.advance(1)
        transforming.set_stage("")
        transforming.finish()
    lived = world.visible_days()
    first_day, last_day = (world.start + dt.timedelta(days=day) for day in (lived[0], lived[-1]))
    return DemoRun(label, sources, transforms, first_day, last_day)


_Days = tuple[dt.date | None, dt.date | None]


@dataclass(frozen=True)
class KpiLine:
    """One KPI of the summary: its overall value and, where it has one, its best and worst
    value along `dimension` (agent, skill or channel)."""

    kpi: Kpi
    value: float | None
    dimension: str | None = None
    best: tuple[str, float] | None = None
    worst: tuple[str, float] | None = None

    def cells(self) -> tuple[str, str, str, str, str, str]:
        """kpi, value, unit, by, best, worst: as the summary table shows them."""
        value = "no data" if self.value is None else _figure(self.kpi, self.value)
        return (
            self.kpi.id,
            value,
            self.kpi.unit,
            self.dimension or "",
            self._extreme(self.best),
            self._extreme(self.worst),
        )

    def as_json(self) -> dict[str, Any]:
        def extreme(found: tuple[str, float] | None) -> dict[str, Any] | None:
            return None if found is None else {"name": found[0], "value": found[1]}

        return {
            "kpi": self.kpi.id,
            "value": self.value,
            "unit": self.kpi.unit,
            "by": self.dimension,
            "best": extreme(self.best),
            "worst": extreme(self.worst),
        }

    def _extreme(self, found: tuple[str, float] | None) -> str:
        return "" if found is None else f"{found[0]} ({_figure(self.kpi, found[1])})"


def kpi_summary(
    warehouse: Warehouse, first_day: dt.date | None = None, last_day: dt.date | None = None
) -> list[KpiLine]:
    """Every KPI of the catalogue overall, with its best and worst agent, skill or channel,
    over the days from `first_day` to `last_day` (inclusive; all time when not given)."""
    days = (first_day, last_day)
    lines = []
    for kpi in CATALOG.values():
        overall = _kpi_rows(warehouse, kpi, None, days)
        value = overall[0]["value"] if overall else None
        if value is None or kpi.direction == "neutral":
            lines.append(KpiLine(kpi, value))
            continue
        lines.append(_with_extremes(warehouse, kpi, value, _weight(kpi, overall[0]), days))
    return lines


def _with_extremes(
    warehouse: Warehouse, kpi: Kpi, value: float, weight: float, days: _Days
) -> KpiLine:
    best_cover, found = 0.0, KpiLine(kpi, value)
    for dimension in (d for d in EXTREME_DIMENSIONS if d in kpi.breakdowns):
        named = [row for row in _kpi_rows(warehouse, kpi, dimension, days) if row[dimension]]
        ranked = sorted(
            ((str(row[dimension]), row["value"]) for row in named if row["value"] is not None),
            key=lambda pair: pair[1],
            reverse=kpi.direction == "higher_is_better",
        )
        cover = sum(_weight(kpi, row) for row in named) / weight if weight else 1.0
        # with one named value, or all alike, there is nothing to be better or worse than
        if len({named_value for _, named_value in ranked}) > 1 and cover > best_cover:
            best_cover = cover
            found = KpiLine(kpi, value, dimension, ranked[0], ranked[-1])
        if cover >= 1 - 1e-9:
            break
    return found


def _kpi_rows(
    warehouse: Warehouse, kpi: Kpi, dimension: str | None, days: _Days
) -> list[dict[str, Any]]:
    """The KPI over the days, overall or by one dimension, with plain floats for figures."""
    by = () if dimension is None else (dimension,)
    result = warehouse.query(kpi_query(kpi, by, "all", *days).sql())
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    for row in rows:
        for figure in ("value", "numerator", "denominator"):
            if row.get(figure) is not None:
                row[figure] = float(row[figure])
    # a stable order, so that ties for best or worst always name the same one
    return sorted(rows, key=lambda row: str(row.get(dimension or "value")))


def _weight(kpi: Kpi, row: dict[str, Any]) -> float:
    """How many records stand behind a row: its denominator, or its count."""
    weight = row.get("denominator") if kpi.is_ratio else row.get("value")
    return float(weight or 0.0)


def _figure(kpi: Kpi, value: float) -> str:
    if kpi.unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def summary_json(first: DemoRun, second: DemoRun, kpis: list[KpiLine]) -> dict[str, Any]:
    """The demo's summary as plain data: both runs, the second run's records, every KPI."""
    return {
        "runs": [_run_json(run) for run in (first, second)],
        "kpi_days": [second.first_day.isoformat(), second.last_day.isoformat()],
        "second_run_records": {
            table: _changes_json(changes) for table, changes in second.records_by_table().items()
        },
        "kpis": [line.as_json() for line in kpis],
    }


def _run_json(run: DemoRun) -> dict[str, Any]:
    return {
        "label": run.label,
        "sources": [
            {
                "source": source.source,
                "ok": source.ok,
                "records": source.records,
                "requests": source.requests,
                "retries": source.retries,
                "seconds": round(source.seconds, 3),
                "error": source.error,
            }
            for source in run.sources
        ],
        "transforms": [
            {
                "vendor": transform.vendor,
                "loads": transform.loads,
                "rejected": transform.rejected,
                "signed_rows": transform.changed_rows,
                "records": {
                    table: _changes_json(changes)
                    for table, changes in transform.records_by_table.items()
                },
            }
            for transform in run.transforms
        ],
    }


def _changes_json(changes: RecordChanges) -> dict[str, int]:
    return dict(
        zip(("staged", "new", "changed", "deleted", "unchanged"), changes.row(), strict=True)
    )
