"""`python -m bench`: run every measurement, write the results file and print the table.

Each measurement runs in a process of its own (`bench.worker`) on a fresh chDB folder in a
temporary directory; `load`, `backfill_memory` and `freshness` share one folder, in that
order. The rate-limit measurement mostly waits on the limiter, so it runs beside the others.
The exit status is non-zero only when a measurement crashed: a missed goal is a result.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.measurements import build_measurements
from bench.results import Measurement, format_table, load_results, write_results
from bench.scales import SCALE_ENV, Scale, scale_from_env

__all__ = ["main", "results_path"]

BENCH_DIR = Path(__file__).resolve().parent
# minutes a measurement may take before it counts as crashed
_TIMEOUT_S = {"smoke": 300, "default": 3600}


@dataclass(frozen=True)
class Outcome:
    """What one worker process gave back: its figures, or why it gave none."""

    case: str
    figures: dict[str, Any] | None
    error: str | None
    seconds: float


def results_path(scale: Scale) -> Path:
    """`bench/results.json` for the default scale; other scales keep their own file, so a smoke
    run never overwrites the published figures."""
    name = "results.json" if scale.name == "default" else f"results-{scale.name}.json"
    return BENCH_DIR / name


def _run_worker(case: str, warehouse: Path, root: Path, scale: Scale) -> Outcome:
    import json

    out = root / f"{case}.json"
    log = root / f"{case}.log"
    env = {
        **os.environ,
        "CCPULSE_WAREHOUSE": f"chdb://{warehouse}",
        SCALE_ENV: scale.name,
        "TZ": "UTC",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(BENCH_DIR.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    command = [sys.executable, "-m", "bench.worker", case, str(root / f"{case}-work"), str(out)]
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as stderr:
        try:
            finished = subprocess.run(  # noqa: S603 - our own interpreter and module
                command,
                env=env,
                stdout=stderr,
                stderr=subprocess.STDOUT,
                timeout=_TIMEOUT_S.get(scale.name, 3600),
                check=False,
            )
            code: int | None = finished.returncode
        except subprocess.TimeoutExpired:
            code = None
    seconds = time.perf_counter() - started
    if code == 0 and out.exists():
        return Outcome(case, json.loads(out.read_text(encoding="utf-8")), None, seconds)
    tail = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()][-3:]
    reason = "timed out" if code is None else f"exited with status {code}"
    return Outcome(case, None, f"{case} {reason}: {' | '.join(tail)}"[:600], seconds)


def _chain(cases: Sequence[str], warehouse: Path, root: Path, scale: Scale) -> list[Outcome]:
    """Run `cases` one after another on one warehouse folder; after a crash, the rest of the
    chain cannot run on what it left."""
    outcomes: list[Outcome] = []
    for case in cases:
        if outcomes and outcomes[-1].error is not None:
            outcomes.append(Outcome(case, None, f"{case} not run: {outcomes[-1].case} crashed", 0))
            continue
        print(f"bench: {case} ...", flush=True)
        outcomes.append(_run_worker(case, warehouse, root, scale))
        print(f"bench: {case} done in {outcomes[-1].seconds:.0f} s", flush=True)
    return outcomes


def _machine() -> dict[str, Any]:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), ""
            )
    except OSError:
        pass
    memory_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    versions: dict[str, str | None] = {}
    for package in ("chdb", "chdb-core", "clickhouse-connect", "dlt", "duckdb", "pyarrow"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "system": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
    }


_CHAINS = (
    ("load", "backfill_memory", "freshness"),
    ("query_latency",),
    ("exactness",),
    ("extraction_throughput",),
)
_BESIDE = "rate_limit_use"
_STANDALONE = ("query_latency", "exactness", "extraction_throughput", _BESIDE)


def _parse(argv: Sequence[str]) -> set[str] | None:
    """`--only CASE[,CASE]`: measure those again and keep the other figures of the results file.

    A case that shares its warehouse with others (`load,backfill_memory,freshness`) is measured
    again only with all of them."""
    if not argv:
        return None
    if len(argv) == 2 and argv[0] == "--only":
        cases = set(argv[1].split(","))
        whole = {case for chain in _CHAINS if set(chain) <= cases for case in chain}
        if cases <= whole | set(_STANDALONE):
            return cases
    choices = [",".join(chain) for chain in _CHAINS if len(chain) > 1] + list(_STANDALONE)
    raise SystemExit(
        f"usage: python -m bench [--only CASE[,CASE]] where CASE is one of {', '.join(choices)}"
    )


def _run_all(scale: Scale, root: Path, only: set[str] | None) -> list[Outcome]:
    chains = [
        (list(cases), root / f"{cases[0]}-warehouse")
        for cases in _CHAINS
        if only is None or set(cases) <= only
    ]
    with ThreadPoolExecutor(max_workers=scale.parallel + 1) as pool:
        # waits on the limiter almost all the time, so it runs beside the others
        rate = (
            pool.submit(_chain, [_BESIDE], root / "rate-warehouse", root, scale)
            if only is None or _BESIDE in only
            else None
        )
        if scale.parallel > 1:
            futures = [pool.submit(_chain, cases, folder, root, scale) for cases, folder in chains]
            outcomes = [outcome for future in futures for outcome in future.result()]
        else:
            outcomes = [o for cases, folder in chains for o in _chain(cases, folder, root, scale)]
        if rate is not None:
            outcomes += rate.result()
    return outcomes


def main(argv: Sequence[str] = ()) -> int:
    only = _parse(argv)
    scale = scale_from_env()
    started_at = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    load_before = os.getloadavg()
    path = results_path(scale)
    print(f"bench: scale {scale.name}, results to {path}", flush=True)

    with tempfile.TemporaryDirectory(prefix="ccpulse-bench-") as tmp:
        outcomes = _run_all(scale, Path(tmp), only)

    figures = {o.case: o.figures for o in outcomes}
    errors = {o.case: o.error for o in outcomes if o.error}
    measurements = build_measurements(figures, errors, only)
    run = {
        "scale": scale.as_dict(),
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": _machine(),
        "load_average": {"start": list(load_before), "end": list(os.getloadavg())},
        "worker_seconds": {o.case: round(o.seconds, 1) for o in outcomes},
    }
    if only is not None:
        run, measurements = _merge(path, run, measurements)
    write_results(path, run, measurements)
    _report(measurements, run, path)
    return 1 if errors else 0


def _merge(
    path: Path, rerun: dict[str, Any], measured: Sequence[Measurement]
) -> tuple[dict[str, Any], list[Measurement]]:
    """The results file with the measurements of a partial run put in place of the old ones;
    the partial run's own facts are kept under `reruns`."""
    if not path.exists():
        raise SystemExit(f"--only needs the results of a whole run in {path}: run `make bench`")
    previous = load_results(path)
    fresh = {m.key: m for m in measured}
    measurements = [
        fresh.pop(item["key"]) if item["key"] in fresh else Measurement.from_dict(item)
        for item in previous.pop("measurements")
    ]
    measurements += fresh.values()
    previous.setdefault("reruns", []).append(rerun)
    previous["worker_seconds"] = {**previous.get("worker_seconds", {}), **rerun["worker_seconds"]}
    return previous, measurements


def _report(measurements: Sequence[Measurement], run: dict[str, Any], path: Path) -> None:
    print()
    print(format_table(measurements))
    print()
    for measurement in measurements:
        for note in measurement.notes:
            print(f"- {measurement.title}: {note}")
        if measurement.error:
            print(f"- {measurement.title}: CRASHED: {measurement.error}")
    load = run["load_average"]
    print(
        f"\n{run['machine']['cores']} cores, load average {load['start'][0]:.1f} at the start and "
        f"{load['end'][0]:.1f} at the end; {run['seconds']:.0f} s in all; written to {path}"
    )
    for rerun in run.get("reruns", []):
        print(
            f"measured again on {rerun['started_at']}: {', '.join(rerun['worker_seconds'])} "
            f"(load average {rerun['load_average']['start'][0]:.1f})"
        )
