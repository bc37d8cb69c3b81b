"""Measurements, their goals, the ratios beside them, and how they are written and printed.

A measurement holds ccpulse's figure and the baseline's, taken in the same run. Its ratio says
how many times better ccpulse did than the baseline (above 1: better), whichever way "better"
points for the unit, so a column of ratios reads the same way throughout. A goal is a list of
bounds on the figure, the ratio or a detail; a measurement that crashed has no verdict, never a
pass.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Bound", "Measurement", "format_table", "load_results", "ratio", "write_results"]

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Bound:
    """One condition of a goal: `subject op limit`, where subject is `ccpulse`, `ratio` or the
    name of a detail."""

    subject: str
    op: str
    limit: float

    def holds(self, measurement: Measurement) -> bool | None:
        if self.subject == "ccpulse":
            value = measurement.ccpulse
        elif self.subject == "ratio":
            value = measurement.ratio
        else:
            value = measurement.details.get(self.subject)
        if value is None:
            return None
        return _OPERATORS[self.op](float(value), self.limit)


def ratio(ccpulse: float | None, baseline: float | None, higher_is_better: bool) -> float | None:
    """How many times better ccpulse did than the baseline; None without two positive figures."""
    if ccpulse is None or baseline is None or ccpulse <= 0 or baseline <= 0:
        return None
    return ccpulse / baseline if higher_is_better else baseline / ccpulse


@dataclass
class Measurement:
    """One row of the results: ccpulse's figure beside the baseline's, and the goal."""

    key: str
    title: str
    unit: str
    goal: str
    bounds: Sequence[Bound]
    higher_is_better: bool
    baseline_label: str = ""
    ccpulse: float | None = None
    baseline: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        return ratio(self.ccpulse, self.baseline, self.higher_is_better)

    @property
    def met(self) -> bool | None:
        """Whether every bound of the goal holds; None when the measurement crashed or a
        figure the goal needs is missing."""
        if self.error is not None:
            return None
        verdicts = [bound.holds(self) for bound in self.bounds]
        if any(verdict is None for verdict in verdicts):
            return None
        return all(verdicts)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Measurement:
        """A measurement as `as_dict` wrote it (its ratio and verdict are computed again)."""
        return cls(
            key=item["key"],
            title=item["title"],
            unit=item["unit"],
            goal=item["goal"],
            bounds=[Bound(**bound) for bound in item["bounds"]],
            higher_is_better=item["higher_is_better"],
            baseline_label=item["baseline_label"],
            ccpulse=item["ccpulse"],
            baseline=item["baseline"],
            details=dict(item["details"]),
            notes=list(item["notes"]),
            error=item["error"],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "ccpulse": self.ccpulse,
            "baseline": self.baseline,
            "baseline_label": self.baseline_label,
            "ratio": self.ratio,
            "higher_is_better": self.higher_is_better,
            "goal": self.goal,
            "bounds": [asdict(bound) for bound in self.bounds],
            "met": self.met,
            "details": self.details,
            "notes": self.notes,
            "error": self.error,
        }


def write_results(path: Path, run: dict[str, Any], measurements: Sequence[Measurement]) -> None:
    """Write the run's facts and every measurement to `path` as JSON."""
    document = {**run, "measurements": [m.as_dict() for m in measurements]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")


def load_results(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("rows/s", "records/s"):
        return f"{value:,.0f} {unit}"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if unit == "%":
        return f"{value:.1f} %"
    return f"{value:,.4g} {unit}"


def _verdict(measurement: Measurement) -> str:
    if measurement.error is not None:
        return "CRASHED"
    return {True: "yes", False: "NO", None: "-"}[measurement.met]


def format_table(measurements: Sequence[Measurement]) -> str:
    """One line per measurement: figures, ratio, goal, met."""
    header = ("measurement", "ccpulse", "baseline", "ratio", "goal", "met?")
    rows = [header]
    for m in measurements:
        ratio_text = "-" if m.ratio is None else f"{m.ratio:,.3g}x"
        baseline = _figure(m.baseline, m.unit)
        if m.baseline is not None and m.baseline_label:
            baseline = f"{baseline} ({m.baseline_label})"
        rows.append(
            (m.title, _figure(m.ccpulse, m.unit), baseline, ratio_text, m.goal, _verdict(m))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
