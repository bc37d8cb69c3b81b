"""Run the whole product against a sandbox world in this process, and print every KPI as JSON.

Used by `test_sandbox_truth.py` in a subprocess (chDB allows one warehouse per process):

    python -m tests.e2e.pipeline_run --seed S --days D --contacts-per-day N --warehouse PATH

It serves the world on a loopback port, points every connector at it, runs `ccpulse run` (extract,
load, transform), and prints {kpi: {breakdown: [rows]}} for the day grain.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import threading
from typing import Any

import sandbox
from ccpulse.cli import ensure_schema
from ccpulse.run import run_sources
from ccpulse.settings import WarehouseSettings
from ccpulse.transform import transform_pending
from ccpulse.warehouse import open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query

ORDER = (
    "bamboohr",
    "hubspot",
    "genesys",
    "intercom",
    "zendesk",
    "delighted",
    "assembled",
    "zendesk_qa",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--contacts-per-day", type=int, default=150)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument(
        "--history-start", default="2024-01-01T00:00:00Z", help="first day for CRM and HR"
    )
    args = parser.parse_args()

    world = sandbox.World(seed=args.seed, days=args.days, contacts_per_day=args.contacts_per_day)
    server = sandbox.serve(sandbox.make_app(world), port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    for line in sandbox.env_lines(port):
        name, _, value = line.partition("=")
        os.environ[name] = value
    world_start = f"{world.start.isoformat()}T00:00:00Z"
    for vendor in ORDER:
        history = vendor in ("hubspot", "bamboohr")
        start = args.history_start if history else world_start
        os.environ[f"SOURCES__{vendor.upper()}__START_DATE"] = start
    os.environ["SOURCES__GENESYS__QUERY_WINDOW_HOURS"] = str(24 * 7)

    warehouse = open_warehouse(WarehouseSettings.from_url(f"chdb://{args.warehouse}"))
    os.environ["CCPULSE_WAREHOUSE"] = f"chdb://{args.warehouse}"
    ensure_schema(warehouse)
    summaries = run_sources(list(ORDER))
    failed = [summary.line() for summary in summaries if not summary.ok]
    for vendor in ORDER:
        transform_pending(warehouse, vendor)

    results: dict[str, Any] = {"failed_sources": failed, "kpis": {}}
    for kpi in CATALOG.values():
        by_breakdown = {}
        for size in range(len(kpi.breakdowns) + 1):
            for by in itertools.combinations(kpi.breakdowns, size):
                result = warehouse.query(kpi_query(kpi, by, "day").sql())
                rows = [
                    {
                        name: _plain(value)
                        for name, value in zip(result.column_names, row, strict=True)
                    }
                    for row in result.result_rows
                ]
                by_breakdown[",".join(by)] = rows
        results["kpis"][kpi.id] = by_breakdown
    print(json.dumps(results))
    server.shutdown()


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


if __name__ == "__main__":
    main()
