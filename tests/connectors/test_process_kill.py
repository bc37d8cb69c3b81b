"""For every vendor, a `ccpulse run` killed mid-extraction and run again ends with the same raw
tables as one that was never interrupted.

Real processes: a sandbox server on loopback (slowed down, so the kill lands mid-run), and
`ccpulse run` in its own process with its own embedded warehouse, killed with SIGKILL once the
sandbox has answered some of its requests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_ccpulse
from tests.served_sandbox import VENDORS, connector_environment, post, served_sandbox, wait_until

WORLD = ["--seed", "3", "--days", "2", "--contacts-per-day", "100"]
SLOW_ANSWER_S = 2.0


@pytest.fixture(scope="module")
def sandbox_port() -> Iterator[int]:
    with served_sandbox(WORLD) as port:
        yield port


def _sql(env: dict[str, str], cwd: Path, query: str) -> list[dict]:
    done = run_ccpulse("sql", query, "--format", "json", env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _raw_snapshot(vendor: str, env: dict[str, str], cwd: Path) -> dict[str, list]:
    """Every raw table of the vendor, rows sorted, without dlt's per-load bookkeeping."""
    names = _sql(
        env,
        cwd,
        "SELECT name FROM system.tables WHERE database = 'raw' "
        f"AND startsWith(name, 'raw_{vendor}___') AND NOT startsWith(name, 'raw_{vendor}____') "
        "AND NOT endsWith(name, 'dlt_sentinel_table')",
    )
    return {
        row["name"]: _sql(
            env,
            cwd,
            f"SELECT * EXCEPT (_dlt_load_id, _dlt_id) FROM raw.`{row['name']}` ORDER BY ALL",
        )
        for row in names
    }


@pytest.mark.slow
@pytest.mark.parametrize("vendor", VENDORS)
def test_a_killed_run_rerun_equals_an_uninterrupted_run(
    sandbox_port: int, tmp_path: Path, vendor: str
) -> None:
    whole_dir, killed_dir = tmp_path / "whole", tmp_path / "killed"
    whole_dir.mkdir()
    killed_dir.mkdir()
    whole_env = connector_environment(sandbox_port, whole_dir / "wh")
    killed_env = connector_environment(sandbox_port, killed_dir / "wh")

    uninterrupted = run_ccpulse("run", "--sources", vendor, env=whole_env, cwd=whole_dir)
    assert uninterrupted.returncode == 0, uninterrupted.stderr

    # Slow every answer so that the run is surely still extracting when it is killed.
    prefix = vendor.replace("_", "-")
    slow = {"slow": 1.0, "slow_seconds": SLOW_ANSWER_S}
    post(sandbox_port, "/_sandbox/faults", {prefix: slow})
    try:
        victim = subprocess.Popen(
            [sys.executable, "-m", "ccpulse.cli", "run", "--sources", vendor],
            env={**os.environ, **killed_env},
            cwd=killed_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pipelines = killed_dir / ".ccpulse" / "pipelines"
        wait_until(lambda: any(pipelines.rglob("*.json")), "the run to start extracting")
        time.sleep(1.0)
        assert victim.poll() is None, "the run finished before it could be killed"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        post(sandbox_port, "/_sandbox/faults", {prefix: {}})

    rerun = run_ccpulse("run", "--sources", vendor, env=killed_env, cwd=killed_dir)

    assert rerun.returncode == 0, rerun.stderr
    expected = _raw_snapshot(vendor, whole_env, whole_dir)
    assert expected, f"the uninterrupted {vendor} run loaded nothing"
    assert _raw_snapshot(vendor, killed_env, killed_dir) == expected
