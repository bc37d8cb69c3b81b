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
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_ccpulse

VENDORS = (
    "genesys",
    "intercom",
    "zendesk",
    "delighted",
    "hubspot",
    "bamboohr",
    "assembled",
    "zendesk_qa",
)
# Systems of record keep their history before the sandbox's first day.
HISTORY_VENDORS = ("hubspot", "bamboohr")
WORLD = ["--seed", "3", "--days", "2", "--contacts-per-day", "100"]
SLOW_ANSWER_S = 2.0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def sandbox_port() -> Iterator[int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), *WORLD],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(lambda: _get(port, "/_sandbox/health") is not None, "sandbox to start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(port: int, path: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]
    except OSError:
        return None


def _post(port: int, path: str, body: dict) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


def _wait_until(condition: object, what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _environment(port: int, warehouse: Path) -> dict[str, str]:
    lines = subprocess.run(
        [sys.executable, "-m", "sandbox", "credentials", "--port", str(port)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    env = dict(line.split("=", 1) for line in lines if "=" in line)
    for vendor in VENDORS:
        if vendor not in HISTORY_VENDORS:
            env[f"SOURCES__{vendor.upper()}__START_DATE"] = "2026-01-05T00:00:00Z"
    env["SOURCES__GENESYS__QUERY_WINDOW_HOURS"] = "168"
    env["CCPULSE_WAREHOUSE"] = f"chdb://{warehouse}"
    return env


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
    whole_env = _environment(sandbox_port, whole_dir / "wh")
    killed_env = _environment(sandbox_port, killed_dir / "wh")

    uninterrupted = run_ccpulse("run", "--sources", vendor, env=whole_env, cwd=whole_dir)
    assert uninterrupted.returncode == 0, uninterrupted.stderr

    # Slow every answer so that the run is surely still extracting when it is killed.
    prefix = vendor.replace("_", "-")
    slow = {"slow": 1.0, "slow_seconds": SLOW_ANSWER_S}
    _post(sandbox_port, "/_sandbox/faults", {prefix: slow})
    try:
        victim = subprocess.Popen(
            [sys.executable, "-m", "ccpulse.cli", "run", "--sources", vendor],
            env={**os.environ, **killed_env},
            cwd=killed_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pipelines = killed_dir / ".ccpulse" / "pipelines"
        _wait_until(lambda: any(pipelines.rglob("*.json")), "the run to start extracting")
        time.sleep(1.0)
        assert victim.poll() is None, "the run finished before it could be killed"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        _post(sandbox_port, "/_sandbox/faults", {prefix: {}})

    rerun = run_ccpulse("run", "--sources", vendor, env=killed_env, cwd=killed_dir)

    assert rerun.returncode == 0, rerun.stderr
    expected = _raw_snapshot(vendor, whole_env, whole_dir)
    assert expected, f"the uninterrupted {vendor} run loaded nothing"
    assert _raw_snapshot(vendor, killed_env, killed_dir) == expected
