"""Headless Chromium driven over the DevTools protocol, to look at a page as a person would.

`open_page` starts Debian's `chromium` with a DevTools port on loopback, loads one page at a
laptop's screen size, and records what the page did while it loaded: every network request it
made and every console error, uncaught exception or browser log error (a Content-Security-Policy
refusal shows up there).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import websocket

CHROMIUM = "chromium"
LAPTOP_SCREEN = (1366, 768)


class BrowserError(RuntimeError):
    """Chromium could not be started, or a DevTools command failed."""


@dataclass
class Page:
    """A page loaded in Chromium, with what it did while loading."""

    url: str
    connection: websocket.WebSocket
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result, recording events on the way."""
        command_id = next(self._ids)
        self.connection.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.connection.recv())
            if message.get("id") == command_id:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error']}")
                return dict(message.get("result", {}))
            self._record(message)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if it is a promise)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"`{expression[:80]}` threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout_s: float = 60.0) -> None:
        """Poll until a JavaScript expression is true in the page."""
        deadline = time.monotonic() + timeout_s
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise BrowserError(f"`{expression}` still false after {timeout_s} s")
            time.sleep(0.2)

    def _record(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        params = message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            self.errors.append(f"exception: {params['exceptionDetails']}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(arg.get("value", arg.get("description", ""))) for arg in params["args"]]
            self.errors.append(f"console.{params['type']}: {' '.join(texts)}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"log: {params['entry']['text']}")


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


@contextmanager
def open_page(path: Path, screen: tuple[int, int] = LAPTOP_SCREEN) -> Iterator[Page]:
    """Load a local file in headless Chromium at `screen` size; yield it once loaded."""
    if not chromium_available():
        raise BrowserError(f"`{CHROMIUM}` is not installed: apt-get install chromium")
    # Chromium's helper processes (crash handler, utilities) can outlive the browser for a
    # moment and still write into the profile: the whole group is stopped below, and a file
    # written in that moment must not fail the test that looked at the page.
    with tempfile.TemporaryDirectory(
        prefix="ccpulse-chromium-", ignore_cleanup_errors=True
    ) as profile:
        process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                # Root in a container has no user namespace for Chromium's sandbox.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            port = _devtools_port(Path(profile), process)
            connection = websocket.create_connection(
                _page_socket(port), timeout=60, suppress_origin=True
            )
            try:
                yield _load(Page(path.resolve().as_uri(), connection), screen)
            finally:
                connection.close()
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and every helper process it started (they share its session)."""
    group = process.pid  # a session leader: its process group has its id
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    process.wait()


def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """Chromium writes the port it chose into the profile folder once it listens."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserError(f"chromium exited with status {process.returncode} at start")
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().splitlines()[0])
        time.sleep(0.1)
    raise BrowserError("chromium did not open its DevTools port within 30 s")


def _page_socket(port: int) -> str:
    targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
    pages = [target for target in targets if target.get("type") == "page"]
    if not pages:
        raise BrowserError(f"chromium has no page target: {targets}")
    return str(pages[0]["webSocketDebuggerUrl"])


def _load(page: Page, screen: tuple[int, int]) -> Page:
    for domain in ("Network", "Runtime", "Log", "Page"):
        page.call(f"{domain}.enable")
    width, height = screen
    page.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=False,
    )
    page.call("Page.navigate", url=page.url)
    page.wait_until("document.readyState === 'complete'")
    return page
