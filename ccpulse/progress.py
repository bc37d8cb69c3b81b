"""Live progress of long runs on the terminal: one line per task, quiet when nobody watches.

`Progress` draws with `rich.progress` on stderr when stderr is a terminal, and draws nothing
otherwise (a pipe, a log file, CI), where the usual log and summary lines say what happened. Each
`ProgressTask` is one line: a spinner, its description, a bar (pulsing while its total is
unknown), the count and rate in its unit, named counters such as `requests 12`, the stage it is
in, the elapsed time and, once the total is known, the time left.

Tasks count whether or not they are drawn, so callers need no second code path, and
`RecordCollector` feeds a task from dlt's own progress callbacks (`dlt.pipeline(progress=...)`).
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import timedelta
from types import TracebackType
from typing import Any, TextIO

from dlt.common.runtime.collector_base import Collector
from rich.console import Console, OverflowMethod
from rich.file_proxy import FileProxy
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.progress import Progress as RichProgress
from rich.table import Column
from rich.text import Text

__all__ = ["Progress", "ProgressTask", "RecordCollector"]

# A redraw costs CPU that the extraction threads need on a small machine; four a second is
# smooth enough for counts that move by pages.
_REFRESHES_PER_S = 4


class ProgressTask:
    """One line of progress: a count towards an optional total, plus named counters.

    Thread-safe: the extraction threads advance it while a poller updates its counters.
    """

    def __init__(
        self,
        description: str,
        *,
        total: float | None,
        unit: str,
        display: RichProgress | None,
    ) -> None:
        self.description = description
        self.unit = unit
        self.total = total
        self.completed = 0.0
        self.counters: dict[str, int] = {}
        self.stage = ""
        self.finished = False
        self._lock = threading.Lock()
        self._display = display
        self._id = (
            display.add_task(description, total=total, unit=unit, extras="")
            if display is not None
            else None
        )

    def advance(self, amount: float = 1, **counters: int) -> None:
        """Add `amount` to the count and each counter to its running sum."""
        with self._lock:
            self.completed += amount
            for name, value in counters.items():
                self.counters[name] = self.counters.get(name, 0) + value
            self._show()

    def update(
        self, *, total: float | None = None, completed: float | None = None, **counters: int
    ) -> None:
        """Set the total, the count or counters (each to the value given, not added)."""
        with self._lock:
            if total is not None:
                self.total = total
            if completed is not None:
                self.completed = completed
            self.counters.update(counters)
            self._show()

    def set_stage(self, stage: str) -> None:
        """Say what the task is doing now, for example `load 2/3 files` or `failed`."""
        with self._lock:
            self.stage = stage
            self._show()

    def finish(self) -> None:
        """Stop the clock and fill the bar: the count so far becomes the total."""
        with self._lock:
            self.total = self.completed
            self.finished = True
            self._show()

    def counters_text(self) -> str:
        """The counters and the stage as shown beside the bar: `requests 12, extract 3/5`."""
        parts = [f"{name} {value:,}" for name, value in self.counters.items()]
        return ", ".join([*parts, self.stage] if self.stage else parts)

    def _show(self) -> None:
        if self._display is not None and self._id is not None:
            self._display.update(
                self._id, total=self.total, completed=self.completed, extras=self.counters_text()
            )


class Progress:
    """Progress lines for the tasks of one command, as a context manager.

    `enabled=None` draws only when `stream` (stderr by default) is a terminal. While drawing,
    log records written to the same stream are printed above the lines instead of through them.
    `title`, when drawing, is printed once above the lines.
    """

    def __init__(
        self,
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        title: str | None = None,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self._stream) if enabled is None else enabled
        self.title = title
        self._tasks: list[ProgressTask] = []
        self._display = _display(self._stream) if self.enabled else None

    @property
    def tasks(self) -> list[ProgressTask]:
        """The tasks created so far, in order."""
        return list(self._tasks)

    def task(
        self, description: str, *, total: float | None = None, unit: str = "records"
    ) -> ProgressTask:
        """Start a line: `total` in `unit` when known, otherwise a spinner and a count."""
        created = ProgressTask(description, total=total, unit=unit, display=self._display)
        self._tasks.append(created)
        return created

    def __enter__(self) -> Progress:
        if self._display is not None:
            if self.title:
                self._display.console.print(self.title)
            self._display.start()
            self._reroute_logging()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._display is not None:
            self._display.stop()
            self._restore_logging()

    def _reroute_logging(self) -> None:
        if self._display is None or not self._display.console.is_terminal:
            return
        # A log line written straight to the terminal would tear the lines being redrawn; the
        # proxy prints it above them. Handlers created while drawing (dlt makes its own on first
        # use) take `sys.stderr`, which rich has replaced with such a proxy meanwhile.
        proxy = FileProxy(self._display.console, self._stream)
        for handler in _stream_handlers():
            if handler.stream is self._stream:
                handler.setStream(proxy)

    def _restore_logging(self) -> None:
        for handler in _stream_handlers():
            stream = handler.stream
            if isinstance(stream, FileProxy) and stream.rich_proxied_file is self._stream:
                handler.setStream(self._stream)


class RecordCollector(Collector):
    """dlt's progress callbacks forwarded to a `ProgressTask`.

    dlt reports rows per table while it extracts, resources finished out of all, and load jobs
    done out of all. Rows of dlt's own tables (`_dlt_*`) are not records and are not counted.
    """

    def __init__(self, task: ProgressTask) -> None:
        self.task = task
        self.step = ""
        self._done: dict[str, int] = {}
        self._totals: dict[str, int] = {}

    def update(
        self,
        name: str,
        inc: int = 1,
        total: int | None = None,
        inc_total: int | None = None,
        message: str | None = None,
        label: str | None = None,
    ) -> None:
        stage = self._stage()
        if stage == "extract" and name != "Resources":
            if not name.startswith("_dlt"):
                self.task.advance(inc)
            return
        if label or (stage, name) not in (("extract", "Resources"), ("load", "Jobs")):
            return
        self._done[name] = self._done.get(name, 0) + inc
        if total is not None:
            self._totals[name] = total
        if inc_total:
            self._totals[name] = self._totals.get(name, 0) + inc_total
        what = "resources" if name == "Resources" else "files"
        self.task.set_stage(f"{stage} {self._done[name]}/{self._totals.get(name, '?')} {what}")

    def _stage(self) -> str:
        # dlt names its steps "Extract <source>", "Normalize" and "Load"
        return self.step.split(" ", 1)[0].lower() if self.step else ""

    def _start(self, step: str) -> None:
        self._done.clear()
        self._totals.clear()
        self.task.set_stage(self._stage())

    def _stop(self) -> None:
        pass


class _CountColumn(ProgressColumn):
    """`1,234 records`, or `1,234/5,000 records` once the total is known."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done = f"{task.completed:,.0f}"
        if task.total is not None and not task.finished:
            done = f"{done}/{task.total:,.0f}"
        return Text(f"{done} {unit}".rstrip())


class _RateColumn(ProgressColumn):
    """Recent rate per second, in the unit the count column names (rich keeps the samples)."""

    def render(self, task: Task) -> Text:
        seconds = task.finished_time if task.finished else task.elapsed
        speed = task.speed if not task.finished else (task.completed / seconds if seconds else None)
        if not speed:
            return Text("")
        return Text(f"{speed:,.0f}/s")


class _TimeColumn(ProgressColumn):
    """Elapsed time, and the time left when the total is known."""

    def render(self, task: Task) -> Text:
        seconds = task.finished_time if task.finished else task.elapsed
        text = str(timedelta(seconds=int(seconds or 0)))
        remaining = task.time_remaining
        if task.total is not None and not task.finished and remaining is not None:
            text += f", {timedelta(seconds=int(remaining))} left"
        return Text(text)


def _display(stream: TextIO) -> RichProgress:
    console = Console(file=stream, highlight=False, soft_wrap=False)
    return RichProgress(
        SpinnerColumn("line", finished_text="done"),
        TextColumn("{task.description}", table_column=_unwrapped()),
        BarColumn(bar_width=12),
        _CountColumn(table_column=_unwrapped()),
        _RateColumn(table_column=_unwrapped()),
        TextColumn("{task.fields[extras]}", table_column=_unwrapped(overflow="ellipsis")),
        _TimeColumn(table_column=_unwrapped()),
        console=console,
        refresh_per_second=_REFRESHES_PER_S,
        # stdout carries the command's output; only what goes to our own stream is redrawn
        redirect_stdout=False,
        redirect_stderr=stream is sys.stderr,
    )


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    """The stream handlers of the root logger and of loggers with their own (dlt has one)."""
    loggers = [logging.getLogger()] + [
        found
        for found in logging.Logger.manager.loggerDict.values()
        if isinstance(found, logging.Logger)
    ]
    return [
        handler
        for found in loggers
        for handler in found.handlers
        if isinstance(handler, logging.StreamHandler)
    ]


def _unwrapped(overflow: OverflowMethod = "fold") -> Column:
    return Column(no_wrap=True, overflow=overflow)


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
