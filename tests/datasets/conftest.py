"""Fixtures of the public data-set tests: a warehouse per data set, and batches of commands.

Each data set gets an embedded warehouse of its own, in a child process (chDB allows one
warehouse per process, and the test process has one already). Creating a warehouse applies
thousands of BI views, so the session does it once into a template folder and every data set
starts from a copy. A data set's commands (converter output loads, KPI queries, reloads) then run
in one child process through `tests.datasets.cli_batch`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccpulse.settings import WAREHOUSE_ENV
from tests.conftest import run_ccpulse
from tests.datasets.reference import Parts, value_of
from tests.shared import shared_dir

REPO = Path(__file__).resolve().parents[2]
CONVERTERS = REPO / "datasets"
PUBLISHED = Path(os.environ.get("CCPULSE_DATASETS", shared_dir() / "datasets"))
RELATIVE_TOLERANCE = 1e-9


def published(name: str) -> Path:
    path = PUBLISHED / name
    if not path.exists():
        pytest.skip(f"public data set `{path}` is not here (set CCPULSE_DATASETS)")
    return path


def convert(script: str, *args: Path | str) -> str:
    """Run `datasets/<script>.py` on the published file(s); return what it printed."""
    done = subprocess.run(
        [sys.executable, str(CONVERTERS / f"{script}.py"), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def mapping(name: str) -> str:
    return str(CONVERTERS / f"{name}.toml")


def kpi_command(
    kpi_id: str, by: Sequence[str] = (), grain: str = "all", days: tuple[str, str] | None = None
) -> list[str]:
    """`ccpulse kpi` as JSON; `days` limits it to a first and last day (inclusive)."""
    command = ["kpi", kpi_id, "--grain", grain, "--format", "json"]
    if by:
        command += ["--by", ",".join(by)]
    if days:
        command += ["--from", days[0], "--to", days[1]]
    return command


def load_command(path: Path, table: str, mapping_file: str) -> list[str]:
    return ["load-files", str(path), "--table", table, "--mapping", mapping_file]


@dataclass(frozen=True)
class Workspace:
    """A folder with its own warehouse, where a data set's commands run."""

    folder: Path

    def run(self, commands: Sequence[Sequence[str]]) -> list[str]:
        """Run `ccpulse` commands in order in one child process; return their outputs."""
        script = self.folder / "commands.json"
        script.write_text(json.dumps([list(command) for command in commands]), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "tests.datasets.cli_batch", str(script)],
            env={
                **os.environ,
                WAREHOUSE_ENV: f"chdb://{self.folder / 'warehouse'}",
                "PYTHONPATH": str(REPO),
            },
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        results = json.loads(done.stdout)
        failed = [r for r in results if r["status"] != 0]
        assert not failed, (failed, done.stderr[-3000:])
        assert len(results) == len(commands)
        return [str(result["stdout"]) for result in results]


SCHEMA_PACKAGES = ("ccpulse", "transforms", "kpi_views")


@pytest.fixture(scope="session")
def template_warehouse(request: pytest.FixtureRequest) -> Path:
    """A warehouse with ccpulse's schema and views applied, to copy from.

    Applying the views takes from 20 s to minutes on a busy machine, so the template is kept in
    pytest's cache, keyed by every source file of the packages that shape the schema (ccpulse
    refuses a warehouse whose applied migrations differ from the shipped ones).
    """
    sources = sorted(path for name in SCHEMA_PACKAGES for path in (REPO / name).rglob("*.py"))
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources))
    folder = request.config.cache.mkdir(f"ccpulse-template-{digest.hexdigest()[:16]}")
    warehouse = folder / "warehouse"
    if not (folder / "complete").exists():
        for stale in folder.parent.glob("ccpulse-template-*"):
            if stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(warehouse, ignore_errors=True)
        env = {WAREHOUSE_ENV: f"chdb://{warehouse}", "PYTHONPATH": str(REPO)}
        done = run_ccpulse("views", "apply", env=env, cwd=folder)
        assert done.returncode == 0, done.stderr
        (warehouse / "ccpulse.lock").unlink(missing_ok=True)
        (folder / "complete").touch()
    return warehouse


def new_workspace(template: Path, folder: Path) -> Workspace:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template, folder / "warehouse", symlinks=True)
    return Workspace(folder)


def kpi_rows(output: str, by: Sequence[str]) -> Parts:
    """`ccpulse kpi --format json` output as {(period, *breakdown): (numerator, denominator)}."""
    rows = json.loads(output)
    parts: Parts = {}
    for row in rows:
        period = row["period"][:10] if row["period"] else None
        key = (period, *(row[name] for name in by))
        parts[key] = (row.get("numerator", row["value"]), row.get("denominator"))
    return parts


def kpi_values(output: str, by: Sequence[str]) -> dict[tuple[str | None, ...], float]:
    rows = json.loads(output)
    return {
        (row["period"][:10] if row["period"] else None, *(row[name] for name in by)): row["value"]
        for row in rows
    }


def assert_same_kpi(kpi_id: str, output: str, by: Sequence[str], expected: Parts) -> None:
    """ccpulse's figures equal the reference: same groups, parts and values to 1e-9."""
    actual = kpi_rows(output, by)
    values = kpi_values(output, by)
    assert set(actual) == set(expected), (
        f"{kpi_id}: groups only in ccpulse {sorted(set(actual) - set(expected), key=str)[:5]}, "
        f"only in the reference {sorted(set(expected) - set(actual), key=str)[:5]}"
    )
    for key, (numerator, denominator) in expected.items():
        got_numerator, got_denominator = actual[key]
        assert math.isclose(got_numerator, numerator, rel_tol=RELATIVE_TOLERANCE), (kpi_id, key)
        if denominator is not None:
            assert got_denominator == denominator, (kpi_id, key)
        want = value_of(kpi_id, numerator, denominator)
        assert math.isclose(values[key], want, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0), (
            kpi_id,
            key,
            values[key],
            want,
        )
