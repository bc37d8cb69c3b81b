"""The sandbox mounted in-process under `http://sandbox.test/`, on one fake clock.

requests-mock answers every request by calling the sandbox's WSGI app, so nothing leaves the
process. The connectors' HTTP layer, the sandbox's rate limiter and its slow/time-out faults all
read and move one `SandboxClock`: waiting costs no real time, and the connectors' "now" is the
simulated world's clock.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import requests_mock

from connectors.common import HttpOptions
from connectors.http import DEFAULT_TIMEOUT_S, Clock, RetryPolicy, VendorRegistry
from sandbox import FaultConfig, World, make_app

ROOT = "http://sandbox.test"
OVERRUN_S = 0.001


class SandboxClock:
    """Monotonic time that moves only by sleeping; wall time is the world's clock."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.now_s = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now_s

    def wall(self) -> float:
        with self._lock:
            return self.world.now_ms / 1000 + self.now_s

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            # a real sleep overruns a little; without it, a wait that ends exactly on a
            # window's edge meets the sandbox's limiter on the wrong side of a float rounding
            self.now_s += max(seconds, 0.0) + OVERRUN_S

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, wall=self.wall, sleep=self.sleep)


@dataclass
class Traffic:
    """What the connectors sent: one `(method, path)` per request, faults included."""

    requests: list[tuple[str, str]] = field(default_factory=list)
    # every answer: its status, or "timeout" where the client gave up waiting
    answers: list[int | str] = field(default_factory=list)
    crash_after: int | None = None
    # request number (from 1) -> a fault the mount answers instead of the sandbox: a status
    # (429 comes with Retry-After) or "timeout"
    script: dict[int, int | str] = field(default_factory=dict)

    def count(self, prefix: str = "") -> int:
        return sum(1 for _, path in self.requests if path.startswith(prefix))


class Crash(Exception):
    """Stands for the process dying in the middle of an extract."""


@dataclass
class Sandbox:
    """One world, its app and the fake clock, ready to mount."""

    world: World
    clock: SandboxClock
    faults: dict[str, FaultConfig] = field(default_factory=dict)
    traffic: Traffic = field(default_factory=Traffic)

    def __post_init__(self) -> None:
        self.app = make_app(
            self.world, faults=self.faults, clock=self.clock.monotonic, sleeper=self.clock.sleep
        )
        # one registry, as one process has: rate limits hold across runs
        self.registry = VendorRegistry()

    def http(self) -> HttpOptions:
        """HTTP options for a source: the fake clock, the sandbox's registry, no jitter."""
        return HttpOptions(
            clock=self.clock.clock(),
            registry=self.registry,
            retry=RetryPolicy(max_attempts=8),
            draw=lambda: 0.5,
        )

    def base_url(self, prefix: str) -> str:
        return f"{ROOT}/{prefix}"

    def answer(self, request: requests.PreparedRequest) -> requests.Response:
        """Call the WSGI app; a sandbox answer slower than our read time-out is a time-out."""
        parts = urlsplit(str(request.url))
        self.traffic.requests.append((str(request.method), parts.path))
        if self.traffic.crash_after is not None and len(self.traffic.requests) > (
            self.traffic.crash_after
        ):
            raise Crash(f"killed after {self.traffic.crash_after} requests")
        scripted = self.traffic.script.get(len(self.traffic.requests))
        if scripted is not None:
            return self._scripted(request, scripted)
        started = self.clock.monotonic()
        status, headers, body = _call_wsgi(self.app, request, parts.path, parts.query)
        if self.clock.monotonic() - started >= DEFAULT_TIMEOUT_S[1]:
            self.traffic.answers.append("timeout")
            raise requests.exceptions.ReadTimeout(f"read timed out on {parts.path}")
        self.traffic.answers.append(status)
        return requests_mock.create_response(
            request, status_code=status, headers=headers, content=body
        )

    def _scripted(self, request: requests.PreparedRequest, fault: int | str) -> requests.Response:
        self.traffic.answers.append(fault)
        if fault == "timeout":
            raise requests.exceptions.ReadTimeout(f"read timed out on {request.path_url}")
        headers = {"Retry-After": "7"} if fault == 429 else {}
        return requests_mock.create_response(
            request, status_code=int(fault), headers=headers, json={"message": "injected"}
        )


def _call_wsgi(
    app: Callable[..., Any], request: requests.PreparedRequest, path: str, query: str
) -> tuple[int, dict[str, str], bytes]:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    environ = {
        "REQUEST_METHOD": request.method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "sandbox.test",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    for name, value in request.headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    content = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], content


@contextmanager
def mounted(sandbox: Sandbox) -> Iterator[Sandbox]:
    """Answer every request to `http://sandbox.test/` from the sandbox; refuse anything else."""
    with requests_mock.Mocker() as mocker:
        mocker.add_matcher(
            lambda request: sandbox.answer(request) if str(request.url).startswith(ROOT) else None
        )
        yield sandbox
