"""Assembled (workforce management): agents, activity types, schedule activities, agent states.

Follows the REST API v0 (`/v0`), basic authentication with the API key as user name. Times are
sent as Unix seconds; ranges span at most 31 days, so longer ones are asked for in pieces.

- `activities`: `GET /v0/activities` for a time range, `limit`/`offset` paging, merged on `id`.
  Published schedules change ahead of time, so every run reads from `lookback_days` before now to
  `horizon_days` after it (the first run from `start_date`) and keeps only activities whose
  `updated_at` moved (incremental on `updated_at`, `lookback_minutes` of overlap). Activities
  carry their own `deleted` flag (an activity replaced by an edit).
- `agent_states`: `GET /v0/agents/state` for a time range, merged on `id`; the cursor is the
  state's `end_time`, so a state still running (`end_time` null) is read again until it ends.
- `agents` and `activity_types`: read in full every run, each replacing its table (agents carry
  `deleted`).

What the API cannot give: an activity removed without the `deleted` flag (it stays in the
warehouse until a full reload); schedule changes older than `lookback_days`; who changed a
schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from connectors.common import (
    FULL_LISTING,
    MAX_TABLE_NESTING,
    HttpOptions,
    checked,
    epoch_s,
    format_iso,
    parse_instant,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, VendorClient

__all__ = ["DEFAULT_BASE_URL", "VENDOR", "assembled_source"]

logger = logging.getLogger(__name__)

VENDOR = "assembled"
DEFAULT_BASE_URL = "https://api.assembledhq.com"
RATE_LIMIT = RateLimit.per_minute(300)
MAX_RANGE = timedelta(days=31)
PAGE_SIZE = 500


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def assembled_source(
    api_key: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_days: float = 2.0,
    horizon_days: float = 14.0,
    lookback_minutes: float = 30.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """Assembled resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only activities updated and states ended in [start_date, end_date) are
    read (see `connectors.common`): the activities of `lookback_days` before the window to
    `horizon_days` after it, as the regular runs of those days would have read them.
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    key = require(VENDOR, "api_key", api_key)
    client = vendor_client(
        VENDOR,
        base_url,
        options,
        rate_limit=RATE_LIMIT,
        credential_settings=("api_key",),
        auth=(key, ""),
        secrets=(key,),
    )
    now = parse_instant(options.clock.wall())
    initial = parse_instant(start_date) if start_date else now - timedelta(days=initial_days)

    yield _offset_listing(client, "agents", "/v0/agents", {})
    yield _activity_types(client)
    lookback_s = lookback_minutes * 60
    lookback, horizon = timedelta(days=lookback_days), timedelta(days=horizon_days)
    window = _Window(initial, end) if end else None
    until = min(end, now) if end else now
    if window is None:
        # a first run reads from its start, a later one the last `lookback_days`
        first, recent = initial, now - lookback
    else:
        # the schedules the regular runs of the window would have read
        first = recent = initial - lookback
    yield _activities(client, first, recent, until + horizon, lookback_s, window)
    yield _agent_states(client, format_iso(initial, milliseconds=True), until, lookback_s, window)


@dataclass(frozen=True)
class _Window:
    """The [start, end) of a bounded run, as the API writes its times."""

    start: datetime
    end: datetime

    @property
    def start_value(self) -> str:
        return format_iso(self.start, milliseconds=True)

    @property
    def end_value(self) -> str:
        return format_iso(self.end, milliseconds=True)


def _ranges(start: datetime, end: datetime) -> Iterator[dict[str, int]]:
    while start < end:
        stop = min(end, start + MAX_RANGE)
        yield {"start_time": epoch_s(start), "end_time": epoch_s(stop)}
        start = stop


def _offset_pages(
    client: VendorClient,
    name: str,
    path: str,
    params: dict[str, Any],
    cursor: str | None,
    seen: set[tuple[Any, ...]] | None = None,
) -> Iterator[Any]:
    offset = 0
    while True:
        page = client.get_json(path, {**params, "limit": PAGE_SIZE, "offset": offset})
        found = page.get(name) or []
        logger.info("`%s` %s at offset %d: %d", VENDOR, name, offset, len(found))
        yield from checked(name, found, ["id"], cursor, cursor_required=False, seen=seen)
        offset += PAGE_SIZE
        total = page.get("total")
        if len(found) < PAGE_SIZE or (isinstance(total, int) and offset >= total):
            return


def _offset_listing(
    client: VendorClient, name: str, path: str, params: dict[str, Any]
) -> DltResource:
    @dlt.resource(name=name, primary_key="id", write_disposition=FULL_LISTING)
    def listing() -> Iterator[Any]:
        yield from _offset_pages(client, name, path, params, None, seen=set())

    return listing


def _activity_types(client: VendorClient) -> DltResource:
    @dlt.resource(name="activity_types", primary_key="id", write_disposition=FULL_LISTING)
    def activity_types() -> Iterator[Any]:
        found = client.get_json("/v0/activity_types").get("activity_types") or []
        logger.info("`%s` activity types: %d", VENDOR, len(found))
        yield from checked("activity_types", found, ["id"], seen=set())

    return activity_types


def _activities(
    client: VendorClient,
    initial: datetime,
    recent: datetime,
    horizon: datetime,
    lookback_s: float,
    window: _Window | None,
) -> DltResource:
    cursor: dlt.sources.incremental[str] = dlt.sources.incremental(
        "updated_at",
        initial_value=window.start_value if window else None,
        end_value=window.end_value if window else None,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(
        name="activities",
        primary_key="id",
        write_disposition="merge",
        columns={"updated_at": {"dedup_sort": "desc"}},
    )
    def activities(updated: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        start = initial if updated.start_value is None else max(initial, recent)
        for params in _ranges(start, horizon):
            yield from _offset_pages(client, "activities", "/v0/activities", params, "updated_at")

    return activities


def _agent_states(
    client: VendorClient,
    initial: str,
    until: datetime,
    lookback_s: float,
    window: _Window | None,
) -> DltResource:
    cursor = dlt.sources.incremental(
        "end_time",
        initial_value=initial,
        end_value=window.end_value if window else None,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(name="agent_states", primary_key="id", write_disposition="merge")
    def agent_states(ended: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        for params in _ranges(parse_instant(ended.start_value), until):
            yield from _offset_pages(client, "states", "/v0/agents/state", params, "end_time")

    return agent_states
