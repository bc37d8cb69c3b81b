"""Steps of the backfill tests that need the warehouse from inside (chDB: one process per folder).

    python -m tests.backfill.driver snapshot
    python -m tests.backfill.driver corrupt --day 2026-01-06
    python -m tests.backfill.driver concurrent --from 2026-01-05 --to 2026-01-07
    python -m tests.backfill.driver contacts

Each prints one JSON document. The warehouse is CCPULSE_WAREHOUSE, the vendors the usual
SOURCES__* variables (pointing at a sandbox served by the test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import threading
import time
from typing import Any

from ccpulse.backfill import backfill
from ccpulse.cli import ensure_schema
from ccpulse.run import run_and_transform
from ccpulse.warehouse import Warehouse, open_warehouse
from ccpulse.writer import LEASES, WriterBusyError
from kpi_views.catalog import CATALOG
from kpi_views.facts import FACTS
from kpi_views.generator import aggregate_name, kpi_query
from transforms.unified_model import table_names


def snapshot(warehouse: Warehouse) -> dict[str, Any]:
    """Every KPI by every breakdown at the day grain, and the row count of every unified table."""
    figures: dict[str, dict[str, list[Any]]] = {}
    for kpi in CATALOG.values():
        figures[kpi.id] = {}
        for size in range(len(kpi.breakdowns) + 1):
            for by in itertools.combinations(kpi.breakdowns, size):
                result = warehouse.query(kpi_query(kpi, by, "day").sql())
                rows = [
                    [_plain(value) for value in row[: 1 + len(by)]] + [_number(row[-1])]
                    for row in result.result_rows
                ]
                figures[kpi.id][",".join(by)] = rows
    counts = {
        name: int(warehouse.scalar(f"SELECT count() FROM `cc`.`{name}` FINAL"))
        for name in table_names()
    }
    return {"kpis": figures, "counts": counts}


def corrupt(warehouse: Warehouse, day: dt.date) -> dict[str, Any]:
    """What a bug or a careless hand does: delete a day of contacts and agent states from the
    unified model and change another day's talk times, behind the change streams' back, and
    double a group of the contacts aggregate."""
    after = day + dt.timedelta(days=1)
    settings = {"mutations_sync": 2}
    parameters = {"day": day, "after": after}
    warehouse.command(
        "ALTER TABLE `cc`.`contacts` DELETE WHERE toDate(offered_at) = {day:Date}",
        parameters=parameters,
        settings=settings,
    )
    warehouse.command(
        "ALTER TABLE `cc`.`agent_states` DELETE WHERE toDate(started_at) = {day:Date}",
        parameters=parameters,
        settings=settings,
    )
    warehouse.command(
        "ALTER TABLE `cc`.`contacts` UPDATE talk_s = talk_s * 3 "
        "WHERE toDate(offered_at) = {after:Date}",
        parameters=parameters,
        settings=settings,
    )
    contacts = aggregate_name(FACTS["contacts"])
    warehouse.command(
        f"INSERT INTO {contacts} SELECT * FROM {contacts} "
        "WHERE toDate(hour) = {after:Date} ORDER BY ALL LIMIT 1",
        parameters=parameters,
    )
    return snapshot(warehouse)


def concurrent(warehouse: Warehouse, start: dt.date, end: dt.date) -> dict[str, Any]:
    """A regular run started while a backfill is working: told who is busy when it cannot wait,
    and served between two of the backfill's steps when it can."""
    outcome: dict[str, Any] = {}

    def run_backfill() -> None:
        try:
            outcome["backfill"] = backfill(warehouse, start, end, wait_seconds=600).line()
        except Exception as exc:
            outcome["backfill_error"] = repr(exc)

    thread = threading.Thread(target=run_backfill)
    thread.start()
    _wait_for_holder(warehouse, "backfill")
    try:
        run_and_transform(warehouse, wait_seconds=0)
        outcome["impatient_run"] = "ran while the backfill held the lease"
    except WriterBusyError as exc:
        outcome["impatient_run"] = str(exc)
    summaries, _ = run_and_transform(warehouse, wait_seconds=600)
    outcome["patient_run_ok"] = all(summary.ok for summary in summaries)
    thread.join()
    rows = warehouse.rows(
        f"SELECT holder, granted_at, released_at FROM {LEASES} FINAL "
        "WHERE granted_at IS NOT NULL ORDER BY granted_at"
    )
    outcome["leases"] = [
        [holder, str(granted), str(released)] for holder, granted, released in rows
    ]
    return outcome


def _wait_for_holder(warehouse: Warehouse, purpose: str) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        held = warehouse.rows(
            f"SELECT holder FROM {LEASES} FINAL WHERE granted_at IS NOT NULL "
            "AND released_at IS NULL AND startsWith(holder, {purpose:String})",
            {"purpose": purpose},
        )
        if held:
            return
        time.sleep(0.2)
    raise TimeoutError(f"no {purpose} took the writer lease")


def contacts(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Every contact's first leg: what a repeat-contact figure is computed from."""
    result = warehouse.query(
        "SELECT contact_id, customer_id, direction, channel, skill, skill_group, agent_id, "
        "offered_at FROM `cc`.`contacts` FINAL WHERE leg = 1 ORDER BY offered_at, contact_id"
    )
    return [
        {name: _plain(value) for name, value in zip(result.column_names, row, strict=True)}
        for row in result.result_rows
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=("snapshot", "corrupt", "concurrent", "contacts"))
    parser.add_argument("--day", type=dt.date.fromisoformat)
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)
    args = parser.parse_args()
    warehouse = open_warehouse()
    ensure_schema(warehouse)
    output: Any
    if args.step == "snapshot":
        output = snapshot(warehouse)
    elif args.step == "corrupt":
        output = corrupt(warehouse, args.day)
    elif args.step == "concurrent":
        output = concurrent(warehouse, args.start, args.end)
    else:
        output = contacts(warehouse)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
