"""`ccpulse demo`: the whole product against the built-in sandbox, on this machine.

It serves a simulated contact centre on loopback (the sandbox speaks each vendor's API), points
every connector at it, runs extraction, loading and the transforms into the embedded warehouse,
moves the sandbox's clock on and runs again incrementally (late wrap-ups, reopened tickets and
edited surveys arrive as updates), then prints every KPI with its best and worst agent.

TODO: the HTML report and progress bars of the demo issue - when the report is built.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ccpulse.run import SourceRunSummary, run_sources
from ccpulse.transform import TransformSummary, transform_pending
from ccpulse.warehouse import Warehouse
from kpi_views.catalog import CATALOG, Kpi
from kpi_views.generator import kpi_query

__all__ = ["DemoRun", "run_demo"]

logger = logging.getLogger(__name__)

# Transform order matters: employees first (contacts take the agent's skill group from them),
# contacts before QA reviews (a review takes its contact's channel and skill).
VENDOR_ORDER = (
    "bamboohr",
    "hubspot",
    "genesys",
    "intercom",
    "zendesk",
    "delighted",
    "assembled",
    "zendesk_qa",
)
HISTORY_VENDORS = ("bamboohr", "hubspot")


@dataclass(frozen=True)
class DemoRun:
    """One incremental run of the demo: what each source loaded and each transform changed."""

    sources: list[SourceRunSummary]
    transforms: list[TransformSummary]


def run_demo(
    warehouse: Warehouse, days: int, contacts_per_day: int, seed: int, advance_hours: int = 24
) -> tuple[DemoRun, DemoRun]:
    """Run the sandbox world through ccpulse twice, with the clock moved on in between."""
    import sandbox

    world = sandbox.World(seed=seed, days=days, contacts_per_day=contacts_per_day)
    with _served(sandbox, world) as port:
        _point_connectors_at(sandbox, port, world)
        first = _run(warehouse)
        world.advance(hours=advance_hours)
        second = _run(warehouse)
    return first, second


@contextmanager
def _served(sandbox: Any, world: Any) -> Iterator[int]:
    server = sandbox.serve(sandbox.make_app(world), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, name="sandbox", daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _point_connectors_at(sandbox: Any, port: int, world: Any) -> None:
    for line in sandbox.env_lines(port):
        name, _, value = line.partition("=")
        os.environ[name] = value
    # The sandbox's calendar is its own; the connectors start from its first day, except the
    # systems of record (HR, CRM), whose history goes back further.
    first_day = f"{world.start.isoformat()}T00:00:00Z"
    for vendor in VENDOR_ORDER:
        if vendor not in HISTORY_VENDORS:
            os.environ[f"SOURCES__{vendor.upper()}__START_DATE"] = first_day
    os.environ["SOURCES__GENESYS__QUERY_WINDOW_HOURS"] = str(24 * 7)


def _run(warehouse: Warehouse) -> DemoRun:
    sources = run_sources(list(VENDOR_ORDER))
    transforms = [transform_pending(warehouse, vendor) for vendor in VENDOR_ORDER]
    return DemoRun(sources, transforms)


def kpi_summary(warehouse: Warehouse) -> list[tuple[str, str, str, str, str]]:
    """(KPI, overall value, unit, best, worst) for every KPI of the catalogue."""
    rows: list[tuple[str, str, str, str, str]] = []
    for kpi in CATALOG.values():
        overall = warehouse.rows(kpi_query(kpi, (), "all").sql())
        value = _figure(kpi, overall[0][-1]) if overall else "no data"
        best, worst = _extremes(warehouse, kpi)
        rows.append((kpi.id, value, kpi.unit, best, worst))
    return rows


def _extremes(warehouse: Warehouse, kpi: Kpi) -> tuple[str, str]:
    dimension = next((d for d in ("agent", "skill", "channel") if d in kpi.breakdowns), None)
    if dimension is None or kpi.direction == "neutral":
        return "", ""
    result = warehouse.query(kpi_query(kpi, (dimension,), "all").sql())
    if not result.result_rows:
        return "", ""
    records = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    ordered = sorted(records, key=lambda record: record["value"])
    if kpi.direction == "higher_is_better":
        ordered.reverse()
    best, worst = ordered[0], ordered[-1]
    return (
        f"{best[dimension]} ({_figure(kpi, best['value'])})",
        f"{worst[dimension]} ({_figure(kpi, worst['value'])})",
    )


def _figure(kpi: Kpi, value: Any) -> str:
    if value is None:
        return ""
    if kpi.unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"
