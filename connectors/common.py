"""The shape every vendor connector shares: its HTTP client, time windows and quarantine.

A vendor connector is one module holding one `@dlt.source` function named `<vendor>_source`.
Its arguments are dlt settings (`sources.<vendor>.base_url`, `sources.<vendor>.api_token`, ...),
plus `http`, an `HttpOptions` that tests use to inject a fake clock and a registry of their own.
Each resource is incremental on the vendor's change cursor or change timestamp (with dlt's `lag`
as the look-back where the export is time-based) and merges on its primary key; a list the
vendor can only give whole is read every run and replaces its table (`FULL_LISTING`). Records
pass through `checked()`: one without its key or with an unreadable cursor goes to the
`quarantine` table (raw, with the reason), so it can neither break the load nor move the cursor
to a wrong place.

Nested values (objects and lists) are kept as JSON in one column (`max_table_nesting=0`): a raw
table holds the vendor's record as sent, field for field, and new fields appear as new columns.

Bounded re-extraction. Every source also takes `end_date` (ISO, default None). Given with
`start_date`, the source re-reads a closed window of history instead of moving on from its
cursor (what a backfill does, one chunk at a time, in a pipeline of its own):

- each incremental resource loads the records whose change cursor (the field it is incremental
  on) lies in [start_date, end_date). dlt's incremental gets `end_value`, which makes it filter
  on the window and neither read nor write the resource's cursor in the pipeline state, so a
  bounded run leaves a regular pipeline's position exactly where it was. The vendor query is
  bounded too where the API takes an upper bound; where it does not (a change export read
  forward from a start), paging stops as soon as the records pass the end of the window;
- a resource that keeps its own position in state (the Zendesk ticket export cursor) starts
  from `start_date` instead, and leaves that position alone;
- lists a vendor can only give whole (`FULL_LISTING`: users, queues, admins, ...) are read as
  usual: they are small and carry the names the windowed records refer to.

`end_date` without `start_date`, or not after it, is refused with a ValueError naming both
settings (`window_end()`).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import dlt
import requests

from connectors.http import (
    DEFAULT_REGISTRY,
    Clock,
    RateLimit,
    RetryPolicy,
    VendorClient,
    VendorRegistry,
    make_client,
)

__all__ = [
    "FULL_LISTING",
    "MAX_TABLE_NESTING",
    "QUARANTINE_TABLE",
    "HttpOptions",
    "change_time",
    "checked",
    "epoch_s",
    "format_iso",
    "parse_instant",
    "record_quarantine",
    "relative_link",
    "require",
    "vendor_client",
    "window_end",
]

logger = logging.getLogger(__name__)

MAX_TABLE_NESTING = 0
# A list read in full every run replaces its table: a record gone from the list is gone from
# the raw table too (the delete is captured), and no merge is paid for.
FULL_LISTING: Final = "replace"
QUARANTINE_TABLE = "quarantine"


@dataclass(frozen=True)
class HttpOptions:
    """What a source's HTTP client uses besides the vendor's settings (tests inject these)."""

    clock: Clock = field(default_factory=Clock)
    registry: VendorRegistry = DEFAULT_REGISTRY
    retry: RetryPolicy | None = None
    draw: Callable[[], float] = random.random


def vendor_client(
    vendor: str,
    base_url: str,
    http: HttpOptions | None,
    *,
    rate_limit: RateLimit,
    credential_settings: Sequence[str],
    path_limits: Mapping[str, RateLimit] | None = None,
    auth: requests.auth.AuthBase | tuple[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str | None] = (),
) -> VendorClient:
    """The client of one source, built by the shared HTTP layer."""
    options = http or HttpOptions()
    return make_client(
        vendor,
        base_url,
        auth=auth,
        headers=headers,
        secrets=secrets,
        credential_settings=credential_settings,
        rate_limit=rate_limit,
        path_limits=path_limits,
        retry=options.retry,
        clock=options.clock,
        draw=options.draw,
        registry=options.registry,
    )


def require(vendor: str, setting: str, value: str | None) -> str:
    """Return `value`, or stop with a message naming the dlt setting that is missing."""
    if value:
        return value
    env = f"SOURCES__{vendor.upper()}__{setting.upper()}"
    raise ValueError(
        f"`sources.{vendor}.{setting}` is not set: put it in .dlt/config.toml or "
        f".dlt/secrets.toml, or export {env}"
    )


def relative_link(url: str | None) -> str | None:
    """The path and query of a paging link, to be asked of our own base URL.

    Vendors answer with absolute links; following only their path keeps our base URL (so a
    proxy or the sandbox stands in for the vendor) and never sends credentials to another host.
    """
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# --- time -----------------------------------------------------------------------------------


def parse_instant(value: Any) -> datetime:
    """An aware UTC datetime from ISO 8601 text, Unix seconds, or a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"not a time: {value!r}")


def format_iso(moment: datetime, *, milliseconds: bool = False) -> str:
    """ISO 8601 in UTC with a `Z`, as most vendors want it."""
    spec = "milliseconds" if milliseconds else "seconds"
    return moment.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def epoch_s(moment: datetime) -> int:
    """Whole Unix seconds."""
    return int(moment.timestamp())


def window_end(vendor: str, start_date: str | None, end_date: str | None) -> datetime | None:
    """The end of a bounded re-extraction, checked against its start; None for a regular run."""
    if end_date is None:
        return None
    start_setting, end_setting = f"`sources.{vendor}.start_date`", f"`sources.{vendor}.end_date`"
    if not start_date:
        raise ValueError(
            f"{end_setting} is set ({end_date}) but {start_setting} is not: a bounded run reads "
            f"the records changed in [start_date, end_date); set both, or neither for a "
            f"regular incremental run"
        )
    try:
        start, end = parse_instant(start_date), parse_instant(end_date)
    except ValueError as exc:
        raise ValueError(
            f"{start_setting} ({start_date}) and {end_setting} ({end_date}) must be ISO 8601 "
            f"times, such as 2026-01-05T00:00:00Z"
        ) from exc
    if end <= start:
        raise ValueError(
            f"{end_setting} ({end_date}) is not after {start_setting} ({start_date}): a bounded "
            f"run reads [start_date, end_date); swap them or widen the window"
        )
    return end


def change_time(record: Any, field: str) -> datetime | None:
    """A record's change time from `field`, or None where it has none that can be read."""
    if not isinstance(record, dict) or record.get(field) is None:
        return None
    try:
        return parse_instant(record[field])
    except (ValueError, OverflowError, OSError):
        return None


# --- quarantine -----------------------------------------------------------------------------


def record_quarantine(resource: str, reason: str, record: Any) -> Any:
    """A quarantine row for a record that cannot be loaded as it is."""
    row = {
        "resource": resource,
        "reason": reason,
        "payload": json.dumps(record, sort_keys=True, default=str),
        "quarantined_at": datetime.now(UTC),
    }
    hints = dlt.mark.make_hints(
        table_name=QUARANTINE_TABLE, write_disposition="append", primary_key=()
    )
    return dlt.mark.with_hints(row, hints, create_table_variant=True)


def _problem(
    record: Any, keys: Sequence[str], cursor: str | None, cursor_required: bool
) -> str | None:
    if not isinstance(record, dict):
        return f"not an object but {type(record).__name__}"
    missing = [key for key in keys if record.get(key) in (None, "")]
    if missing:
        return f"no `{missing[0]}`"
    if cursor is None:
        return None
    value = record.get(cursor)
    if value is None:
        return f"no `{cursor}`" if cursor_required else None
    try:
        parse_instant(value)
    except (ValueError, OverflowError, OSError):
        return f"`{cursor}` is not a time: {value!r}"
    return None


def checked(
    resource: str,
    records: Iterable[Any],
    keys: Sequence[str],
    cursor: str | None = None,
    *,
    cursor_required: bool = True,
    table: str | None = None,
    seen: set[tuple[Any, ...]] | None = None,
) -> Iterator[Any]:
    """Yield a page of good records (one list) and one quarantine row per bad record.

    A record without one of `keys`, or whose `cursor` is not a time, is quarantined. With
    `table`, good records go to that table of the resource (merged on `keys`). With `seen`
    (the keys met so far in this run), a record met before is dropped: a full listing is
    loaded with `replace`, which keeps whatever it is given, and vendors repeat records across
    pages when the list changes while it is read.
    """
    hints = None
    if table is not None:
        hints = dlt.mark.make_hints(
            table_name=table, primary_key=tuple(keys), write_disposition="merge"
        )
    good: list[Any] = []
    for record in records:
        problem = _problem(record, keys, cursor, cursor_required)
        if problem is not None:
            logger.warning("`%s`: quarantined a record (%s)", resource, problem)
            yield record_quarantine(resource, problem, record)
            continue
        if seen is not None:
            key = tuple(record[name] for name in keys)
            if key in seen:
                continue
            seen.add(key)
        good.append(record)
    if good and hints is not None:
        yield dlt.mark.with_hints(good, hints, create_table_variant=True)
    elif good:
        yield good
