"""`ccpulse demo` end to end: its printed summary agrees with the sandbox's own KPI figures.

One subprocess (a warehouse folder of its own) runs the demo on a small world with `--json`. The
oracle computes every KPI straight from the simulated events for a world moved on as the demo
moves it (24 hours between its two runs), over the days that world has lived through. Overall
values must agree to 1e-9 relative, and each best and worst must be the highest and lowest the
oracle finds along the same breakdown.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import sandbox
from kpi_views.catalog import CATALOG
from tests.conftest import run_ccpulse
from tests.e2e.test_sandbox_truth import KNOWN_GAPS

SEED, DAYS, CONTACTS_PER_DAY = 3, 2, 40
HOURS_BETWEEN_RUNS = 24


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder: Path = tmp_path_factory.mktemp("demo")
    result = run_ccpulse(
        "demo",
        "--days",
        str(DAYS),
        "--contacts-per-day",
        str(CONTACTS_PER_DAY),
        "--seed",
        str(SEED),
        "--json",
        env={"CCPULSE_WAREHOUSE": f"chdb://{folder / 'warehouse'}"},
        cwd=folder,
        timeout_s=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    produced: dict[str, Any] = json.loads(result.stdout)
    return produced


@pytest.fixture(scope="module")
def world() -> sandbox.World:
    moved = sandbox.World(seed=SEED, days=DAYS, contacts_per_day=CONTACTS_PER_DAY)
    moved.advance(hours=HOURS_BETWEEN_RUNS)
    return moved


def _close(ours: float | None, truth: float | None) -> bool:
    if ours is None or truth is None:
        return ours is None and truth is None
    return math.isclose(ours, truth, rel_tol=1e-9, abs_tol=1e-9)


def _compared_kpis() -> list[str]:
    return sorted(kpi_id for kpi_id in CATALOG if kpi_id not in KNOWN_GAPS)


@pytest.mark.slow
def test_both_runs_load_every_vendor(summary: dict[str, Any], world: sandbox.World) -> None:
    first, second = summary["runs"]
    failed = [s["error"] for run in (first, second) for s in run["sources"] if not s["ok"]]
    assert not failed
    lived = [world.start + timedelta(days=day) for day in world.visible_days()]
    assert summary["kpi_days"] == [lived[0].isoformat(), lived[-1].isoformat()]
    # nothing was stored before the first run, so nothing in it can be an update or a delete
    for transform in first["transforms"]:
        for table, counts in transform["records"].items():
            assert (counts["changed"], counts["deleted"]) == (0, 0), (transform["vendor"], table)
    # the day that passed between the runs brought new contacts
    assert summary["second_run_records"]["contacts"]["new"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("kpi_id", _compared_kpis())
def test_kpi_overall_equals_the_sandbox_truth(
    summary: dict[str, Any], world: sandbox.World, kpi_id: str
) -> None:
    line = next(line for line in summary["kpis"] if line["kpi"] == kpi_id)
    truth = sandbox.truth(world, kpi=kpi_id, grain="all")

    expected = truth[0]["value"] if truth else None
    assert _close(line["value"], expected), f"{kpi_id}: ours {line['value']}, truth {expected}"

    if line["by"] is None:
        return
    by_dimension = sandbox.truth(world, kpi=kpi_id, by=(line["by"],), grain="all")
    values = [row["value"] for row in by_dimension if row["value"] is not None]
    higher_is_better = CATALOG[kpi_id].direction == "higher_is_better"
    best, worst = (max(values), min(values)) if higher_is_better else (min(values), max(values))
    assert _close(line["best"]["value"], best), f"{kpi_id} best by {line['by']}"
    assert _close(line["worst"]["value"], worst), f"{kpi_id} worst by {line['by']}"
