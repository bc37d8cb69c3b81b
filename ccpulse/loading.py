"""Running a dlt pipeline into the warehouse, with one summary line per load."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

__all__ = ["LoadSummary", "run_pipeline"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadSummary:
    """What one pipeline run loaded: rows per table, elapsed seconds and the dlt load info."""

    pipeline_name: str
    rows_by_table: dict[str, int]
    seconds: float
    load_info: LoadInfo

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"{self.pipeline_name}: loaded {self.rows:,} rows into "
            f"{len(self.rows_by_table)} tables in {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s)"
        )


def run_pipeline(pipeline: dlt.Pipeline, data: Any, **run_options: Any) -> LoadSummary:
    """Extract, normalize and load `data` with `pipeline`; log and return a summary."""
    started = time.perf_counter()
    load_info = pipeline.run(data, **run_options)
    seconds = time.perf_counter() - started

    trace = pipeline.last_trace
    normalize_info = trace.last_normalize_info if trace else None
    rows_by_table = {
        table: count
        for table, count in (normalize_info.row_counts if normalize_info else {}).items()
        if not table.startswith("_dlt")
    }
    summary = LoadSummary(pipeline.pipeline_name, rows_by_table, seconds, load_info)
    logger.info("%s", summary.line())
    return summary
