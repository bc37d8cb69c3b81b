"""`run_sources` with a `Progress`: each vendor's line ends with what its summary reports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ccpulse.progress import Progress
from ccpulse.run import run_sources
from ccpulse.warehouse import Warehouse
from sandbox import credentials
from tests.connectors.harness import WORLD_START, new_world, sandbox_for
from tests.connectors.sandbox_mount import Sandbox, mounted

VENDORS = ("zendesk", "delighted")


def _options(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    found = {}
    for name in VENDORS:
        values: dict[str, Any] = dict(credentials(80)[name])
        values.update(base_url=sandbox.base_url(name), start_date=WORLD_START)
        found[name] = values
    return found


def test_progress_counts_what_the_summaries_report(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    sandbox = sandbox_for(new_world())
    stream = io.StringIO()

    with mounted(sandbox), Progress(enabled=True, stream=stream) as progress:
        summaries = run_sources(
            list(VENDORS),
            pipelines_dir=tmp_path,
            pipeline_prefix=unique_name,
            dataset_prefix=unique_name,
            source_options=_options(sandbox),
            http=sandbox.http(),
            progress=progress,
        )

    tasks = {task.description: task for task in progress.tasks}
    assert list(tasks) == list(VENDORS)
    drawn = stream.getvalue()
    for summary in summaries:
        assert summary.ok, summary.error
        assert summary.records > 0
        task = tasks[summary.source]
        assert task.completed == summary.records
        assert task.counters["requests"] == summary.requests
        line = next(line for line in drawn.splitlines() if summary.source in line)
        assert f"{summary.records:,} records" in line
        assert f"requests {summary.requests:,}" in line
