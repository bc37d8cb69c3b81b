"""Extraction from the sandbox, in this process: throughput, and how much of a rate limit is used.

The sandbox's WSGI app answers every request to `http://sandbox.test/` through
`sandbox.adapter.WSGIAdapter`, mounted for the length of a measurement on every `requests`
session (the connectors build their sessions themselves, so the mount is made where `requests`
picks an adapter). Requests still pass through the connectors' whole HTTP layer: rate limiter,
retries, logging and secret masking.

- `extraction_throughput`: every vendor's source through dlt's extract and normalize into
  Parquet, vendor by vendor, each followed by the same records as plain dicts through the same
  two dlt steps (what dlt alone costs). Rate limits are lifted on both sides: this measures work.
- `rate_limit_use`: one vendor (Genesys Cloud) whose sandbox allows N requests per window, with
  the connector configured to the same limit, on the real clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dlt
import requests

from bench.scales import Scale
from ccpulse.destination import warehouse as warehouse_destination
from connectors.common import HttpOptions
from connectors.http import Clock, RateLimit, RetryPolicy, VendorRegistry, VendorState
from connectors.vendors import VENDORS, Vendor
from sandbox import RateLimit as SandboxRateLimit
from sandbox import World, credentials, make_app
from sandbox.adapter import WSGIAdapter
from sandbox.vendors import all_vendors

__all__ = ["extraction_throughput", "rate_limit_use"]

logger = logging.getLogger(__name__)

ROOT = "http://sandbox.test"
WORLD_START = "2026-01-05T00:00:00Z"
_UNLIMITED = 1_000_000_000
_RATE_LIMITED_VENDOR = "genesys"


class _RecordingAdapter(WSGIAdapter):
    """The in-process adapter, noting when each request was answered and with what status, and
    how long the sandbox took to answer (time a real vendor spends on its own servers)."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.answers: list[tuple[float, int]] = []
        self.sandbox_s = 0.0

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        started = time.perf_counter()
        response = super().send(request, *args, **kwargs)
        self.sandbox_s += time.perf_counter() - started
        self.answers.append((time.monotonic(), response.status_code))
        return response


class _UnlimitedRegistry(VendorRegistry):
    """Vendor states without a client-side limit, endpoint families' limits included."""

    def vendor(self, name: str, rate_limit: RateLimit | None, clock: Clock) -> VendorState:
        return super().vendor(name, RateLimit(_UNLIMITED, 1.0), clock)


@contextmanager
def _mounted(adapter: WSGIAdapter) -> Iterator[None]:
    """Route every session's requests to `ROOT` through `adapter`."""
    original: Callable[[requests.Session, str], Any] = requests.Session.get_adapter

    def get_adapter(session: requests.Session, url: str) -> Any:
        return adapter if url.startswith(ROOT) else original(session, url)

    setattr(requests.Session, "get_adapter", get_adapter)  # noqa: B010
    try:
        yield
    finally:
        setattr(requests.Session, "get_adapter", original)  # noqa: B010


def _world_clock(world: World) -> Clock:
    """Real time, with the wall clock on the simulated world's "now" (its data ends there)."""
    started = time.monotonic()
    return Clock(wall=lambda: world.now_ms / 1000 + time.monotonic() - started)


def _settings(item: Vendor) -> dict[str, Any]:
    prefix = item.name.replace("_", "-")
    values: dict[str, Any] = dict(credentials(80)[prefix])
    values.update(base_url=f"{ROOT}/{prefix}", start_date=WORLD_START)
    return values


def _pipeline(name: str, workdir: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=name,
        destination=warehouse_destination(),
        dataset_name=name,
        pipelines_dir=str(workdir / "pipelines"),
    )


def _extract_and_normalize(pipeline: dlt.Pipeline, data: Any) -> dict[str, int]:
    pipeline.extract(data, loader_file_format="parquet")
    info = pipeline.normalize()
    return {
        table: count for table, count in info.row_counts.items() if not table.startswith("_dlt")
    }


def _capture(source: Any, captured: dict[str, list[Any]]) -> None:
    """Keep every item each resource yields, for the plain-dict run."""
    for name, resource in source.resources.items():
        resource.add_map(_keeper(captured.setdefault(name, [])))


def _keeper(items: list[Any]) -> Callable[[Any], Any]:
    def keep(item: Any) -> Any:
        if isinstance(item, list):
            items.extend(item)
        else:
            items.append(item)
        return item

    return keep


def extraction_throughput(scale: Scale, workdir: Path) -> dict[str, Any]:
    """Records per second, every vendor, through the connectors vs as plain dicts."""
    world = World(
        seed=1, days=scale.extraction_days, contacts_per_day=scale.extraction_contacts_per_day
    )
    limits = {
        bucket: SandboxRateLimit(_UNLIMITED, 1.0)
        for vendor in all_vendors(world)
        for bucket in vendor.default_limits
    }
    adapter = _RecordingAdapter(make_app(world, rate_limits=limits))
    http = HttpOptions(
        clock=_world_clock(world), registry=_UnlimitedRegistry(), retry=RetryPolicy(max_attempts=3)
    )

    per_vendor: dict[str, dict[str, float]] = {}
    with _mounted(adapter):
        for item in VENDORS.values():
            captured: dict[str, list[Any]] = {}
            source = item.source(http=http, **_settings(item))
            _capture(source, captured)
            sandbox_before = adapter.sandbox_s
            started = time.perf_counter()
            rows = _extract_and_normalize(_pipeline(f"bench_{item.name}", workdir), source)
            connector_s = time.perf_counter() - started
            sandbox_s = adapter.sandbox_s - sandbox_before

            plain = [
                dlt.resource(items, name=name, table_name=name)
                for name, items in captured.items()
                if items
            ]
            started = time.perf_counter()
            plain_rows = (
                _extract_and_normalize(_pipeline(f"plain_{item.name}", workdir), plain)
                if plain
                else {}
            )
            plain_s = time.perf_counter() - started
            per_vendor[item.name] = {
                "records": sum(rows.values()),
                "seconds": round(connector_s, 3),
                "sandbox_seconds": round(sandbox_s, 3),
                "plain_records": sum(plain_rows.values()),
                "plain_seconds": round(plain_s, 3),
            }
            logger.info("extraction of %s: %s", item.name, per_vendor[item.name])

    records = sum(int(v["records"]) for v in per_vendor.values())
    seconds = sum(v["seconds"] for v in per_vendor.values())
    sandbox_seconds = sum(v["sandbox_seconds"] for v in per_vendor.values())
    plain_records = sum(int(v["plain_records"]) for v in per_vendor.values())
    plain_seconds = sum(v["plain_seconds"] for v in per_vendor.values())
    return {
        "records": records,
        "seconds": seconds,
        "records_per_s": records / seconds if seconds else None,
        "sandbox_seconds": sandbox_seconds,
        "records_per_s_without_sandbox": (
            records / (seconds - sandbox_seconds) if seconds > sandbox_seconds else None
        ),
        "plain_records": plain_records,
        "plain_seconds": plain_seconds,
        "plain_records_per_s": plain_records / plain_seconds if plain_seconds else None,
        "requests": len(adapter.answers),
        "per_vendor": per_vendor,
        "world": {
            "days": scale.extraction_days,
            "contacts_per_day": scale.extraction_contacts_per_day,
        },
    }


def rate_limit_use(scale: Scale, workdir: Path) -> dict[str, Any]:
    """Share of the allowed requests one vendor's extraction used, over whole windows."""
    allowed = scale.rate_limit_requests
    window_s = scale.rate_limit_window_s
    world = World(seed=2, days=1, contacts_per_day=60)
    # A query window costs about two requests (conversations, then user states): enough of
    # them to outlast the measured windows by one.
    query_windows = (scale.rate_limit_windows + 1) * allowed // 2
    query_window_hours = 24 / query_windows
    app = make_app(world, rate_limits={_RATE_LIMITED_VENDOR: SandboxRateLimit(allowed, window_s)})
    adapter = _RecordingAdapter(app)
    registry = VendorRegistry()
    clock = _world_clock(world)
    registry.vendor(_RATE_LIMITED_VENDOR, RateLimit(allowed, window_s), clock)
    http = HttpOptions(clock=clock, registry=registry)
    item = VENDORS[_RATE_LIMITED_VENDOR]

    error: str | None = None
    with _mounted(adapter):
        source = item.source(http=http, query_window_hours=query_window_hours, **_settings(item))
        try:
            _pipeline("bench_rate_limit", workdir).extract(source)
        except Exception as exc:
            # a failed run is what this measurement reports, not a crash of the benchmark
            error = f"{type(exc).__name__}: {exc}"[:300]
    return {
        **_window_use(adapter.answers, allowed, window_s),
        "allowed_per_window": allowed,
        "window_s": window_s,
        "failed_runs": 0 if error is None else 1,
        "run_error": error,
    }


def _window_use(answers: list[tuple[float, int]], allowed: int, window_s: float) -> dict[str, Any]:
    """Requests answered within the whole windows the run spanned, as a share of the allowed."""
    if not answers:
        return {"requests": 0, "windows": 0, "used_pct": None, "refused": 0}
    first = answers[0][0]
    windows = int((answers[-1][0] - first) // window_s)
    refused = sum(1 for _, status in answers if status == 429)
    if windows == 0:
        return {"requests": len(answers), "windows": 0, "used_pct": None, "refused": refused}
    inside = [status for at, status in answers if at - first < windows * window_s]
    served = sum(1 for status in inside if status != 429)
    return {
        "requests": len(answers),
        "windows": windows,
        "served_in_windows": served,
        "used_pct": 100 * served / (windows * allowed),
        "refused": refused,
    }
