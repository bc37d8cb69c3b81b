"""`ccpulse.progress`: drawn when asked or on a terminal, silent otherwise, counting either way."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from ccpulse.progress import Progress, RecordCollector


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_tasks(progress: Progress) -> None:
    with progress:
        vendor = progress.task("zendesk")
        vendor.advance(120, requests=3)
        vendor.advance(30, requests=2)
        vendor.finish()
        days = progress.task("backfill", total=10, unit="days")
        days.advance(4)


def test_disabled_writes_nothing_but_still_counts() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=False, stream=stream)

    _run_tasks(progress)

    assert stream.getvalue() == ""
    vendor, days = progress.tasks
    assert (vendor.completed, vendor.counters, vendor.total) == (150, {"requests": 5}, 150)
    assert (days.completed, days.total) == (4, 10)


def test_enabled_shows_description_count_and_counters() -> None:
    stream = io.StringIO()

    _run_tasks(Progress(enabled=True, stream=stream))

    lines = stream.getvalue().splitlines()
    vendor = next(line for line in lines if "zendesk" in line)
    assert "150 records" in vendor
    assert "requests 5" in vendor
    days = next(line for line in lines if "backfill" in line)
    assert "4/10 days" in days


@pytest.mark.parametrize(
    ("stream", "drawn"),
    [(io.StringIO(), False), (_Terminal(), True)],
    ids=["pipe", "terminal"],
)
def test_enabled_by_default_only_on_a_terminal(stream: io.StringIO, drawn: bool) -> None:
    progress = Progress(stream=stream)

    _run_tasks(progress)

    assert progress.enabled is drawn
    assert ("zendesk" in stream.getvalue()) is drawn


@pytest.mark.parametrize("made_while_drawing", [False, True], ids=["made-before", "made-during"])
def test_log_lines_go_above_the_drawn_lines_and_back_after(
    monkeypatch: pytest.MonkeyPatch, made_while_drawing: bool
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    # dlt makes its logger's handler on first use, on whatever `sys.stderr` is then
    library = logging.getLogger(f"library_{made_while_drawing}")
    handler = None if made_while_drawing else logging.StreamHandler()
    if handler:
        library.addHandler(handler)
    try:
        with Progress() as progress:
            progress.task("genesys").advance(7)
            if handler is None:
                handler = logging.StreamHandler()
                library.addHandler(handler)
            assert handler.stream is not terminal
            library.warning("genesys: slow down asked")
        assert handler.stream is terminal
    finally:
        library.handlers.clear()
    assert "genesys: slow down asked" in terminal.getvalue()


def test_collector_counts_extracted_records_and_names_the_stage() -> None:
    task = Progress(enabled=False).task("hubspot")
    collector = RecordCollector(task)

    with collector("Extract hubspot"):
        collector.update("Resources", 0, total=3)
        collector.update("contacts", 40)
        collector.update("_dlt_pipeline_state", 1)
        collector.update("deals", 5)
        collector.update("Resources", 1)
        assert task.stage == "extract 1/3 resources"
    with collector("Load"):
        collector.update("Jobs", inc=0, inc_total=2)
        collector.update("Jobs")

    assert task.completed == 45
    assert task.stage == "load 1/2 files"
