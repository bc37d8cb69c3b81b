"""One incremental run of the configured vendor connectors into the warehouse.

`run_sources()` runs one dlt pipeline per vendor (`ccpulse_<vendor>`, dataset `raw_<vendor>`,
state under `.ccpulse/pipelines`), the vendors in parallel threads. A vendor that fails (a
refused credential, a vendor down past every retry) stops alone: its summary carries the error,
whose message names the setting to fix, and the other vendors go on. Each vendor ends with one
summary line: records loaded, HTTP requests and retries, seconds. Given a `Progress`, each vendor
also has a live line: records as dlt extracts them, requests as the HTTP layer counts them.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dlt

from ccpulse.destination import warehouse as warehouse_destination
from ccpulse.progress import Progress, ProgressTask, RecordCollector
from ccpulse.warehouse import Warehouse, open_warehouse
from connectors.common import HttpOptions
from connectors.http import (
    SourceError,
    VendorRegistry,
    VendorStats,
    install_log_masking,
    setting_names,
)
from connectors.vendors import VENDORS, Vendor, vendor

__all__ = [
    "DEFAULT_PIPELINES_DIR",
    "SourceRunSummary",
    "configured_vendors",
    "find_source_error",
    "run_and_transform",
    "run_source",
    "run_sources",
]

if TYPE_CHECKING:
    from ccpulse.transform import TransformSummary

logger = logging.getLogger(__name__)

DEFAULT_PIPELINES_DIR = Path(".ccpulse") / "pipelines"
_LAZY_MODULES = ("pandas", "pyarrow", "dlt.common.libs.pandas", "dlt.common.libs.pyarrow")
# How often the live progress reads the request counters of the HTTP layer.
_REQUESTS_POLL_S = 0.5


@dataclass(frozen=True)
class SourceRunSummary:
    """What one vendor's run did; `error` is None when it succeeded."""

    source: str
    records: int = 0
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def line(self) -> str:
        """The one summary line of this vendor's run."""
        outcome = "ok" if self.ok else "FAILED"
        text = (
            f"{self.source}: {outcome}, {self.records:,} records, {self.requests:,} requests, "
            f"{self.retries:,} retries, {self.seconds:.1f} s"
        )
        return text if self.ok else f"{text}: {self.error}"


def find_source_error(exc: BaseException) -> SourceError | None:
    """The `SourceError` inside dlt's wrappers (PipelineStepFailed, ResourceExtractionError)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, SourceError):
            return current
        wrapped = getattr(current, "exception", None)
        pending.extend(
            [current.__context__, current.__cause__]
            + ([wrapped] if isinstance(wrapped, BaseException) else [])
        )
    return None


def configured_vendors() -> list[str]:
    """Names of the vendors whose required settings are all set."""
    return [item.name for item in VENDORS.values() if not _missing_settings(item)]


def _missing_settings(item: Vendor, given: Collection[str] = ()) -> list[str]:
    def is_set(setting: str) -> bool:
        key = f"sources.{item.name}.{setting}"
        return (
            setting in given or dlt.secrets.get(key) is not None or dlt.config.get(key) is not None
        )

    missing = [setting for setting in item.required if not is_set(setting)]
    if item.one_of and not any(is_set(setting) for setting in item.one_of):
        missing.append(" or ".join(item.one_of))
    return missing


def run_sources(
    names: Sequence[str] | None = None,
    *,
    pipelines_dir: Path | str = DEFAULT_PIPELINES_DIR,
    pipeline_prefix: str = "ccpulse",
    dataset_prefix: str = "raw",
    source_options: Mapping[str, Mapping[str, Any]] | None = None,
    http: HttpOptions | None = None,
    max_workers: int | None = None,
    progress: Progress | None = None,
) -> list[SourceRunSummary]:
    """Run the named vendors (names or kinds; all configured ones when None), in parallel.

    `source_options` passes extra arguments to a vendor's source function (by vendor name);
    `http` is handed to every source (tests inject a fake clock and registry); `progress` gets
    one task per vendor. Returns one summary per vendor, in the order asked; a failed vendor is
    reported in its summary, never raised. An unknown name raises ValueError before anything
    runs.
    """
    chosen = list(dict.fromkeys(vendor(name) for name in names)) if names else _configured()
    if not chosen:
        logger.warning("no vendor is configured: set sources.<vendor>.* (see .dlt/secrets.toml)")
        return []
    install_log_masking()
    open_warehouse()
    _import_lazy_modules()
    options = http or HttpOptions()
    shown = progress or Progress(enabled=False)
    tasks = {item.name: shown.task(item.name) for item in chosen}

    def run_one(item: Vendor) -> SourceRunSummary:
        summary = run_source(
            item,
            pipelines_dir=Path(pipelines_dir),
            pipeline_name=f"{pipeline_prefix}_{item.name}",
            dataset_name=f"{dataset_prefix}_{item.name}",
            source_options=(source_options or {}).get(item.name, {}),
            http=options,
            task=tasks[item.name],
        )
        _finish(tasks[item.name], summary)
        return summary

    with (
        _requests_polled(tasks, options.registry, live=shown.enabled),
        ThreadPoolExecutor(max_workers=max_workers or len(chosen)) as pool,
    ):
        summaries = list(pool.map(run_one, chosen))
    for summary in summaries:
        logger.log(logging.INFO if summary.ok else logging.ERROR, "%s", summary.line())
    return summaries


def _import_lazy_modules() -> None:
    """Import what dlt imports on first use, before the threads start.

    Two threads importing pandas at once make one of them see a half-imported module.
    """
    for module in _LAZY_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


@contextlib.contextmanager
def _requests_polled(
    tasks: Mapping[str, ProgressTask], registry: VendorRegistry, *, live: bool
) -> Iterator[None]:
    """Keep each task's `requests` counter current: polled while drawn live, and at the end."""
    before = registry.stats()
    stopped = threading.Event()

    def show() -> None:
        now = registry.stats()
        for name, task in tasks.items():
            if name in now:
                sent = now[name].requests - before.get(name, VendorStats(name)).requests
                task.update(requests=sent)

    def poll() -> None:
        while not stopped.wait(_REQUESTS_POLL_S):
            show()

    poller = threading.Thread(target=poll, name="progress-requests", daemon=True)
    if live:
        poller.start()
    try:
        yield
    finally:
        stopped.set()
        if live:
            poller.join()
        show()


def _finish(task: ProgressTask, summary: SourceRunSummary) -> None:
    task.set_stage("" if summary.ok else "failed")
    task.finish()


def _configured() -> list[Vendor]:
    return [VENDORS[name] for name in configured_vendors()]


def run_source(
    item: Vendor,
    *,
    pipelines_dir: Path,
    pipeline_name: str,
    dataset_name: str,
    source_options: Mapping[str, Any],
    http: HttpOptions,
    task: ProgressTask | None = None,
) -> SourceRunSummary:
    """Extract and load one vendor; any failure becomes the summary's `error`.

    `task`, when given, counts the records as dlt extracts them.
    """
    before = _stats(http, item.name)
    started = time.perf_counter()
    rows: dict[str, int] = {}
    error: str | None = None
    try:
        missing = _missing_settings(item, given=source_options.keys())
        if missing:
            raise SourceError(
                f"`{item.name}` is not configured: set {setting_names(item.name, missing)}",
                vendor=item.name,
            )
        collector = RecordCollector(task or Progress(enabled=False).task(item.name))
        rows = _load(
            item, pipelines_dir, pipeline_name, dataset_name, source_options, http, collector
        )
    except Exception as exc:
        # one vendor's failure must not stop the others: it is reported in its summary
        error = _describe(exc)
    after = _stats(http, item.name)
    return SourceRunSummary(
        source=item.name,
        records=sum(rows.values()),
        requests=after.requests - before.requests,
        retries=after.retries - before.retries,
        seconds=time.perf_counter() - started,
        rows_by_table=rows,
        error=error,
    )


def _load(
    item: Vendor,
    pipelines_dir: Path,
    pipeline_name: str,
    dataset_name: str,
    source_options: Mapping[str, Any],
    http: HttpOptions,
    collector: RecordCollector,
) -> dict[str, int]:
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=warehouse_destination(),
        dataset_name=dataset_name,
        pipelines_dir=str(pipelines_dir),
        progress=collector,
    )
    source = item.source(http=http, **source_options)
    pipeline.run(source)
    trace = pipeline.last_trace
    normalize_info = trace.last_normalize_info if trace else None
    counts = normalize_info.row_counts if normalize_info else {}
    return {table: count for table, count in counts.items() if not table.startswith("_dlt")}


def _describe(exc: Exception) -> str:
    found = find_source_error(exc)
    if found is not None:
        return str(found)
    return f"{type(exc).__name__}: {_first_lines(str(exc))}"


def _first_lines(text: str, limit: int = 3) -> str:
    lines: Iterator[str] = (line.strip() for line in text.splitlines() if line.strip())
    return " ".join(list(lines)[:limit])


def _stats(http: HttpOptions, name: str) -> VendorStats:
    return http.registry.stats().get(name, VendorStats(name))


def run_and_transform(
    warehouse: Warehouse,
    names: Sequence[str] | None = None,
    *,
    wait_seconds: float = 0.0,
    progress: Progress | None = None,
) -> tuple[list[SourceRunSummary], list[TransformSummary]]:
    """One regular run: extract and load the vendors, then transform what they loaded, holding
    the writer lease throughout (waiting up to `wait_seconds` for a backfill or repair)."""
    from ccpulse.transform import transform_vendors
    from ccpulse.writer import writer_lease

    with writer_lease(warehouse, "ccpulse run", wait_seconds):
        summaries = run_sources(names, progress=progress)
        transforms = transform_vendors(warehouse, [summary.source for summary in summaries])
    return summaries, transforms
