"""Run the whole product against a sandbox world in this process, and print every KPI as JSON.

Used by `test_sandbox_truth.py` in a subprocess (chDB allows one warehouse per process):

    python -m tests.e2e.pipeline_run --seed S --days D --contacts-per-day N --warehouse PATH

It serves the world on a loopback port, points every connector at it and runs every vendor once
(extract, load, transform), all as `ccpulse demo` does, and prints {kpi: {breakdown: [rows]}} for
the day grain.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
from typing import Any

import sandbox
from ccpulse.cli import ensure_schema
from ccpulse.demo import point_connectors_at, run_once, serve_sandbox
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query


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
    warehouse = open_warehouse(WarehouseSettings.from_url(f"chdb://{args.warehouse}"))
    os.environ["CCPULSE_WAREHOUSE"] = f"chdb://{args.warehouse}"
    ensure_schema(warehouse)
    with serve_sandbox(world) as port:
        point_connectors_at(port, world, args.history_start)
        run = run_once(warehouse, "end to end", world)
    failed = [summary.line() for summary in run.sources if not summary.ok]

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


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


if __name__ == "__main__":
    main()
