"""Where the time of a measured step goes: every statement the warehouse ran, timed and grouped.

Statements that differ only in literals (a day, a batch number) fall in one group, so the profile
of a batch reads as its steps: stage, diff, feed the change stream, recompute daily aggregates.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ccpulse.warehouse import Warehouse

__all__ = ["StatementProfile", "profiled", "timed_calls"]

_LITERAL = re.compile(r"'[^']*'")
_NUMBER = re.compile(r"\b\d+\b")
_GROUP_WIDTH = 90


def statement_group(sql: str) -> str:
    """The statement's first words, with its literals blanked out."""
    text = " ".join(sql.split())
    text = _NUMBER.sub("N", _LITERAL.sub("'...'", text))
    return text[:_GROUP_WIDTH]


@dataclass
class StatementProfile:
    """Seconds and calls per statement group."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def add(self, sql: str, seconds: float) -> None:
        group = statement_group(sql)
        self.seconds[group] = self.seconds.get(group, 0.0) + seconds
        self.calls[group] = self.calls.get(group, 0) + 1

    @property
    def total_s(self) -> float:
        return sum(self.seconds.values())

    def top(self, count: int = 6) -> list[dict[str, Any]]:
        """The groups that took longest, with their share of the profiled time."""
        total = self.total_s or 1.0
        ranked = sorted(self.seconds.items(), key=lambda item: item[1], reverse=True)
        return [
            {
                "statement": group,
                "seconds": round(seconds, 3),
                "calls": self.calls[group],
                "share_pct": round(100 * seconds / total, 1),
            }
            for group, seconds in ranked[:count]
        ]


@contextmanager
def profiled(
    warehouse: Warehouse, profile: StatementProfile | None = None
) -> Iterator[StatementProfile]:
    """Time every statement `warehouse` runs inside the block (adding to `profile`)."""
    profile = profile if profile is not None else StatementProfile()
    originals = {name: getattr(warehouse, name) for name in ("command", "query")}

    def timed(method: Callable[..., Any]) -> Callable[..., Any]:
        def run(sql: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(sql, *args, **kwargs)
            finally:
                profile.add(sql, time.perf_counter() - started)

        return run

    for name, method in originals.items():
        setattr(warehouse, name, timed(method))
    try:
        yield profile
    finally:
        for name in originals:
            delattr(warehouse, name)


@contextmanager
def timed_calls(module: ModuleType, name: str) -> Iterator[list[float]]:
    """Seconds of every call of `module.name` inside the block, one entry a call.

    The function is replaced where it is looked up (the module that imported it), so a step the
    statement profile cannot tell apart by its SQL, such as all the work of one function, is
    timed as a whole.
    """
    original = getattr(module, name)
    seconds: list[float] = []

    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)

    setattr(module, name, run)
    try:
        yield seconds
    finally:
        setattr(module, name, original)
