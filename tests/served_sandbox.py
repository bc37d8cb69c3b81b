"""A sandbox served by a process of its own, for tests that run ccpulse in other processes.

`served_sandbox(world_options)` starts `python -m sandbox` on a free loopback port and stops it
afterwards; `connector_environment` gives the variables that point every connector at it (the
sandbox's credentials, start dates on the sandbox's calendar) and choose the warehouse folder.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
SANDBOX_FIRST_DAY = "2026-01-05T00:00:00Z"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_sandbox(world_options: Sequence[str]) -> Iterator[int]:
    """Serve a sandbox world (`--seed 3 --days 2 ...`) on loopback; yield its port."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port), *world_options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: get(port, "/_sandbox/health") is not None, "the sandbox to start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(port: int, path: str) -> Any:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return json.loads(answer.read())
    except OSError:
        return None


def post(port: int, path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


def wait_until(condition: Callable[[], object], what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def connector_environment(port: int, warehouse: Path) -> dict[str, str]:
    """Variables that point every connector at the sandbox and ccpulse at `warehouse`."""
    lines = subprocess.run(
        [sys.executable, "-m", "sandbox", "credentials", "--port", str(port)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    env = dict(line.split("=", 1) for line in lines if "=" in line)
    for vendor in VENDORS:
        if vendor not in HISTORY_VENDORS:
            env[f"SOURCES__{vendor.upper()}__START_DATE"] = SANDBOX_FIRST_DAY
    env["SOURCES__GENESYS__QUERY_WINDOW_HOURS"] = "168"
    env["CCPULSE_WAREHOUSE"] = f"chdb://{warehouse}"
    return env
