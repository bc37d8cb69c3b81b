"""The sizes a benchmark run uses: `default` (the figures in the README) and `smoke` (CI).

`BENCH_SCALE` picks one by name. Every size is a field here, so a measurement never hides a
constant of its own; a figure in `bench/results.json` always comes with the scale that made it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["SCALES", "SCALE_ENV", "Scale", "scale_from_env"]

SCALE_ENV = "BENCH_SCALE"


@dataclass(frozen=True)
class Scale:
    """Sizes of one benchmark run."""

    name: str
    # measurements run at once (1: one after another, so none disturbs another's figures)
    parallel: int
    # days the generated contacts are offered over (the KPI queries read all of them)
    window_days: int
    # the warehouse the freshness batches meet and the backfill recomputes; its newest
    # `load_contacts` are loaded through the change stream (load path throughput)
    state_contacts: int
    load_contacts: int
    load_chunks: int
    # freshness: batches of new, updated and redelivered contacts
    freshness_batches: int
    batch_new: int
    batch_updated: int
    batch_redelivered: int
    # KPI query latency
    query_contacts: int
    query_repeats: int
    final_repeats: int
    duckdb_repeats: int
    # exactness under change
    exactness_contacts: int
    exactness_rounds: int
    # extraction from the sandbox
    extraction_days: int
    extraction_contacts_per_day: int
    # rate-limit use: requests allowed per window, and the window
    rate_limit_requests: int
    rate_limit_window_s: float
    rate_limit_windows: int

    @property
    def batch_contacts(self) -> int:
        return self.batch_new + self.batch_updated + self.batch_redelivered

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SCALES = {
    "default": Scale(
        name="default",
        parallel=1,
        window_days=90,
        state_contacts=10_000_000,
        load_contacts=2_000_000,
        load_chunks=4,
        freshness_batches=5,
        batch_new=4_000,
        batch_updated=4_000,
        batch_redelivered=2_000,
        query_contacts=50_000_000,
        query_repeats=5,
        final_repeats=1,
        duckdb_repeats=3,
        exactness_contacts=500_000,
        exactness_rounds=4,
        # the sandbox's customer base grows with contacts per day, and its Zendesk user
        # listing rebuilds the whole base for every page: more days, not busier ones
        extraction_days=4,
        extraction_contacts_per_day=300,
        # Genesys Cloud's published limit, which the sandbox enforces too
        rate_limit_requests=300,
        rate_limit_window_s=60.0,
        rate_limit_windows=2,
    ),
    "smoke": Scale(
        name="smoke",
        parallel=2,
        window_days=8,
        state_contacts=200_000,
        load_contacts=100_000,
        load_chunks=2,
        freshness_batches=2,
        batch_new=400,
        batch_updated=400,
        batch_redelivered=200,
        query_contacts=100_000,
        query_repeats=3,
        final_repeats=1,
        duckdb_repeats=1,
        exactness_contacts=5_000,
        exactness_rounds=2,
        extraction_days=1,
        extraction_contacts_per_day=100,
        rate_limit_requests=20,
        rate_limit_window_s=4.0,
        rate_limit_windows=2,
    ),
}


def scale_from_env() -> Scale:
    """The scale named by `BENCH_SCALE` (default: `default`)."""
    name = os.environ.get(SCALE_ENV, "").strip() or "default"
    try:
        return SCALES[name]
    except KeyError:
        valid = ", ".join(SCALES)
        raise SystemExit(f"{SCALE_ENV}={name!r} is not a benchmark scale; valid: {valid}") from None
