"""Fault injection and rate limiting, per vendor, deterministic given the seed.

Every decision comes from a random stream keyed by (seed, vendor, request number), so the same
sequence of requests meets the same faults. Time is injectable: the limiter reads a `Clock`,
and slow answers and time-outs call a `sleeper`, so tests never wait for real.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from sandbox.rand import derive_seed

logger = logging.getLogger(__name__)

MALFORMATIONS = ("missing_id", "bad_timestamp", "score_out_of_scale", "negative_duration")


class Clock(Protocol):
    """Seconds from an arbitrary origin (time.monotonic's contract)."""

    def __call__(self) -> float: ...


@dataclass
class FakeClock:
    """A clock that moves only when told: for tests of rate limits."""

    now_s: float = 0.0

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests per `window_s` seconds (fixed window)."""

    limit: int
    window_s: float


@dataclass
class FaultConfig:
    """Probabilities (0-1) of each fault for one vendor; all off by default.

    `malformed_kinds` restricts which malformations are used (all of MALFORMATIONS by default).
    """

    rate_limit_burst: float = 0.0
    burst_length: int = 3
    server_error: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 3.0
    timeout: float = 0.0
    timeout_seconds: float = 65.0
    duplicate: float = 0.0
    out_of_order: float = 0.0
    malformed: float = 0.0
    malformed_kinds: tuple[str, ...] = MALFORMATIONS
    expired_token: float = 0.0

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FaultConfig:
        """Build from a JSON object, refusing unknown names."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown fault `{unknown[0]}`; known: {', '.join(sorted(known))}")
        config = cls(**values)
        config.malformed_kinds = tuple(config.malformed_kinds)
        return config


@dataclass
class Decision:
    """What the fault injector decided for one request."""

    status: int = 0
    delay_s: float = 0.0
    timeout: bool = False
    duplicate: bool = False
    out_of_order: bool = False
    malformed: str = ""
    expired_token: bool = False
    stream: random.Random = field(default_factory=random.Random)


class RateLimiter:
    """Fixed-window counters per (vendor, bucket), on an injectable clock."""

    def __init__(self, limits: dict[str, RateLimit], clock: Clock = time.monotonic) -> None:
        self.limits = dict(limits)
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def check(self, bucket: str) -> tuple[bool, int, int, float]:
        """Count a request. Returns (allowed, limit, remaining, seconds until the window resets)."""
        limit = self.limits.get(bucket)
        if limit is None:
            return True, 0, 0, 0.0
        now = self.clock()
        with self._lock:
            started, used = self._windows.get(bucket, (now, 0))
            if now - started >= limit.window_s:
                started, used = now, 0
            reset_s = limit.window_s - (now - started)
            if used >= limit.limit:
                self._windows[bucket] = (started, used)
                return False, limit.limit, 0, reset_s
            self._windows[bucket] = (started, used + 1)
            return True, limit.limit, limit.limit - used - 1, reset_s


class Faults:
    """Decides, per request, which faults strike a vendor's answer."""

    def __init__(
        self,
        seed: int = 0,
        configs: dict[str, FaultConfig] | None = None,
        sleeper: Callable[[float], None] = time.sleep,
    ) -> None:
        self.seed = seed
        self.configs = dict(configs or {})
        self.sleeper = sleeper
        self._counters: dict[str, int] = {}
        self._bursts: dict[str, int] = {}
        self._lock = threading.Lock()

    def configure(self, vendor: str, config: FaultConfig) -> None:
        with self._lock:
            self.configs[vendor] = config
            self._bursts.pop(vendor, None)

    def decide(self, vendor: str) -> Decision:
        """Draw this request's faults from the vendor's stream."""
        with self._lock:
            number = self._counters.get(vendor, 0)
            self._counters[vendor] = number + 1
            config = self.configs.get(vendor)
            stream = random.Random(derive_seed(self.seed, "faults", vendor, number))
            decision = Decision(stream=stream)
            if config is None:
                return decision
            self._draw(vendor, config, stream, decision)
        if decision.malformed or decision.status:
            logger.info(
                "fault for `%s` request %d: %s",
                vendor,
                number,
                decision.malformed or decision.status,
            )
        return decision

    def _draw(
        self, vendor: str, config: FaultConfig, stream: random.Random, decision: Decision
    ) -> None:
        burst = self._bursts.get(vendor, 0)
        if burst > 0:
            self._bursts[vendor] = burst - 1
            decision.status = 429
        elif stream.random() < config.rate_limit_burst:
            self._bursts[vendor] = max(0, config.burst_length - 1)
            decision.status = 429
        elif stream.random() < config.server_error:
            decision.status = stream.choice((500, 502, 503))
        elif stream.random() < config.timeout:
            decision.timeout = True
        if stream.random() < config.slow:
            decision.delay_s = config.slow_seconds
        decision.expired_token = stream.random() < config.expired_token
        decision.duplicate = stream.random() < config.duplicate
        decision.out_of_order = stream.random() < config.out_of_order
        if config.malformed_kinds and stream.random() < config.malformed:
            decision.malformed = stream.choice(config.malformed_kinds)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.sleeper(seconds)


def page_window(items: list[Any], offset: int, size: int, decision: Decision) -> list[Any]:
    """The records of one page, with the duplicate and out-of-order faults applied.

    A duplicate repeats the last record of the previous page at the top of this one.
    """
    page = list(items[offset : offset + size])
    if decision.duplicate and offset > 0 and page:
        page.insert(0, items[offset - 1])
    if decision.out_of_order and len(page) > 1:
        decision.stream.shuffle(page)
    return page


_ID_KEYS = ("id", "conversationId", "employeeId", "externalId", "ticket_id", "agent_id")
_TIME_HINTS = (
    "_at",
    "At",
    "Start",
    "date",
    "Date",
    "time",
    "Time",
    "created",
    "updated",
    "timestamp",
    "ISO",
)
_DURATION_KEYS = (
    "value",
    "handling_time",
    "talk_time",
    "duration",
    "time_to_admin_reply",
    "reviewTime",
)


def malform(record: dict[str, Any], kind: str) -> dict[str, Any]:
    """Corrupt one record the way a vendor sometimes does; returns the corrupted copy."""
    corrupted: dict[str, Any] = _copy(record)
    if kind == "missing_id":
        for key in _ID_KEYS:
            if key in corrupted:
                del corrupted[key]
                break
    elif kind == "bad_timestamp":
        _replace_first(corrupted, _is_time_key, "not-a-timestamp")
    elif kind == "score_out_of_scale":
        _replace_first(corrupted, lambda key, value: key in ("score", "rating"), 42)
    elif kind == "negative_duration":
        _replace_first(corrupted, _is_duration_key, -1234)
    return corrupted


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _is_time_key(key: str, value: Any) -> bool:
    return (
        isinstance(value, str | int)
        and not isinstance(value, bool)
        and any(hint in key for hint in _TIME_HINTS)
    )


def _is_duration_key(key: str, value: Any) -> bool:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return numeric and (key in _DURATION_KEYS or key.endswith("_s") or key.endswith("Ms"))


def _replace_first(node: Any, match: Callable[[str, Any], bool], replacement: Any) -> bool:
    """Depth-first: replace the first matching scalar; True if one was found."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(value, dict | list) and match(key, value):
                node[key] = replacement
                return True
        return any(_replace_first(value, match, replacement) for value in node.values())
    if isinstance(node, list):
        return any(_replace_first(item, match, replacement) for item in node)
    return False
