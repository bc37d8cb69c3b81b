"""`ccpulse backfill` against the sandbox: history re-pulled and recomputed exactly.

Real processes throughout: a sandbox served on loopback, and ccpulse in processes of its own with
an embedded warehouse per test (copied from one loaded by a regular run, so each test starts from
the same state). The figures a backfill must restore are the regular run's own, which the
end-to-end test holds to the sandbox's oracle.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import shutil
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.served_sandbox import VENDORS, connector_environment, served_sandbox

WORLD = ["--seed", "4", "--days", "3", "--contacts-per-day", "40"]
FIRST, LAST = dt.date(2026, 1, 5), dt.date(2026, 1, 7)
CORRUPTED_DAY = dt.date(2026, 1, 6)
WINDOW = ["--from", FIRST.isoformat(), "--to", LAST.isoformat()]
TIMEOUT_S = 900
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Workspace:
    """A working folder (pipelines state and warehouse) and the environment that uses it."""

    folder: Path
    env: dict[str, str]

    def ccpulse(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        done = self._run([sys.executable, "-m", "ccpulse.cli", *args], extra_env)
        return done

    def driver(self, *args: str) -> Any:
        command = [sys.executable, "-m", "tests.backfill.driver", *args]
        return json.loads(self._run(command, {"PYTHONPATH": str(REPO)}))

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "ccpulse.cli", *args],
            env={**os.environ, **self.env},
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def cursors(self) -> dict[str, Any]:
        """The incremental state of every regular pipeline, as dlt keeps it on disk."""
        found = {}
        for vendor in VENDORS:
            state = self.folder / ".ccpulse" / "pipelines" / f"ccpulse_{vendor}" / "state.json"
            if state.exists():
                found[vendor] = json.loads(state.read_text()).get("sources")
        return found

    def _run(self, command: list[str], extra_env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            command,
            env={**os.environ, **self.env, **(extra_env or {})},
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, f"{command[2:]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout


def _workspace(folder: Path, port: int) -> Workspace:
    return Workspace(folder, connector_environment(port, folder / ".ccpulse" / "warehouse"))


@pytest.fixture(scope="module")
def sandbox_port() -> Iterator[int]:
    with served_sandbox(WORLD) as port:
        yield port


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, sandbox_port: int) -> tuple[Path, Any]:
    """A warehouse after one regular run of every vendor, and its figures."""
    folder = tmp_path_factory.mktemp("loaded")
    workspace = _workspace(folder, sandbox_port)
    workspace.ccpulse("run")
    return folder, workspace.driver("snapshot")


@pytest.fixture
def workspace(loaded: tuple[Path, Any], tmp_path: Path, sandbox_port: int) -> Workspace:
    shutil.copytree(loaded[0], tmp_path / "work", symlinks=True)
    return _workspace(tmp_path / "work", sandbox_port)


@pytest.fixture
def baseline(loaded: tuple[Path, Any]) -> Any:
    return loaded[1]


def _differences(got: Any, expected: Any) -> list[Any]:
    found: list[Any] = []
    if got["counts"] != expected["counts"]:
        found.append(("counts", got["counts"], expected["counts"]))
    for kpi, breakdowns in expected["kpis"].items():
        for by, rows in breakdowns.items():
            have = {tuple(row[:-1]): row[-1] for row in got["kpis"][kpi][by]}
            want = {tuple(row[:-1]): row[-1] for row in rows}
            for key in have.keys() | want.keys():
                a, b = have.get(key), want.get(key)
                if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                    found.append((kpi, by, key, a, b))
    return found


def test_a_backfill_restores_corrupted_facts_and_twice_changes_nothing(
    workspace: Workspace, baseline: Any
) -> None:
    cursors = workspace.cursors()
    assert cursors, "the regular run kept no incremental state"
    corrupted = workspace.driver("corrupt", "--day", CORRUPTED_DAY.isoformat())
    assert corrupted["counts"]["contacts"] < baseline["counts"]["contacts"]
    assert _differences(corrupted, baseline)

    first = workspace.ccpulse("backfill", *WINDOW)
    assert "3 days re-extracted" in first
    assert not _differences(workspace.driver("snapshot"), baseline)

    again = workspace.ccpulse("backfill", *WINDOW)
    assert "0 days had drifted" in again
    assert not _differences(workspace.driver("snapshot"), baseline)
    assert workspace.cursors() == cursors, "the backfill moved a regular pipeline's cursor"


def test_a_killed_backfill_continues_where_it_stopped(workspace: Workspace, baseline: Any) -> None:
    workspace.driver("corrupt", "--day", CORRUPTED_DAY.isoformat())
    process = workspace.popen("-v", "backfill", *WINDOW)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if f"writer lease released: backfill of {FIRST}" in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "".join(seen[-20:])

    rerun = workspace.ccpulse("backfill", *WINDOW)
    assert "steps done before" in rerun
    assert "2 days re-extracted" in rerun
    assert not _differences(workspace.driver("snapshot"), baseline)


def test_a_regular_run_during_a_backfill_waits_its_turn_or_says_who_is_busy(
    workspace: Workspace, baseline: Any
) -> None:
    outcome = workspace.driver("concurrent", *WINDOW)
    assert "backfill_error" not in outcome, outcome["backfill_error"]
    assert outcome["impatient_run"].startswith("the warehouse is busy: backfill")
    assert "--wait" in outcome["impatient_run"]
    assert outcome["patient_run_ok"]

    leases = [
        (holder, dt.datetime.fromisoformat(granted), dt.datetime.fromisoformat(released))
        for holder, granted, released in outcome["leases"]
    ]
    for (_, _, released), (holder, granted, _) in itertools.pairwise(leases):
        assert released <= granted, f"{holder} was granted the lease while another held it"
    holders = [holder for holder, _, _ in leases]
    # The last run is the one started during the backfill (the first loaded the warehouse).
    run = max(i for i, holder in enumerate(holders) if holder.startswith("ccpulse run"))
    assert any(h.startswith("backfill") for h in holders[:run]), holders
    assert any(h.startswith("backfill") for h in holders[run + 1 :]), (
        f"the regular run waited for the whole backfill instead of its current step: {holders}"
    )
    assert not _differences(workspace.driver("snapshot"), baseline)


def _repeat_rates(contacts: list[dict[str, Any]], window_days: int) -> dict[str, float]:
    """Repeat-contact rate per day, computed here from the contacts themselves."""
    inbound = [c for c in contacts if c["direction"] == "inbound"]
    by_customer: dict[str, list[dt.datetime]] = defaultdict(list)
    for contact in inbound:
        if contact["customer_id"] is not None:
            by_customer[contact["customer_id"]].append(
                dt.datetime.fromisoformat(contact["offered_at"])
            )
    offered: dict[str, int] = defaultdict(int)
    repeats: dict[str, int] = defaultdict(int)
    window = dt.timedelta(days=window_days)
    for contact in inbound:
        at = dt.datetime.fromisoformat(contact["offered_at"])
        day = dt.datetime.combine(at.date(), dt.time()).isoformat()
        offered[day] += 1
        earlier = by_customer.get(contact["customer_id"], [])
        repeats[day] += any(at - window <= other < at for other in earlier)
    return {day: 100 * repeats[day] / offered[day] for day in offered}


def test_a_changed_definition_and_recompute_only_give_the_new_figures_for_every_day(
    workspace: Workspace, baseline: Any
) -> None:
    contacts = workspace.driver("contacts")
    before = {row[0]: row[1] for row in baseline["kpis"]["repeat_contact_rate"][""]}
    assert before == pytest.approx(_repeat_rates(contacts, 7))

    workspace.ccpulse(
        "backfill", "--recompute-only", *WINDOW, extra_env={"CCPULSE_REPEAT_WINDOW_DAYS": "1"}
    )

    after = workspace.driver("snapshot")
    figures = {row[0]: row[1] for row in after["kpis"]["repeat_contact_rate"][""]}
    expected = _repeat_rates(contacts, 1)
    assert figures == pytest.approx(expected)
    assert figures != pytest.approx(before), "a one-day window changed no day's figure"
