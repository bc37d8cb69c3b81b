"""Zendesk Support: tickets with metric sets, ticket events with comments, satisfaction ratings,
users, groups and deleted tickets.

Follows the Support REST API v2 (`/api/v2`), basic authentication `{email}/token:{api_token}`,
base URL `https://{subdomain}.zendesk.com` unless `base_url` is set.

- `tickets` and `ticket_metric_sets`: the cursor-based incremental ticket export
  (`/api/v2/incremental/tickets/cursor.json?include=metric_sets`). The export's `after_cursor`
  is kept in dlt state, so a run continues exactly where the last one stopped (no overlap, no
  gap). Merged on `id`; a deleted ticket comes back with `status: deleted` (the deleted flag).
- `ticket_events`: the time-based incremental event export with `include=comment_events`
  (comments are the `Comment` entries of `child_events`), incremental on `timestamp`, merged on
  `id` (the export repeats the events of its boundary second).
- `satisfaction_ratings`: `start_time` on the last update, cursor paging, merged on `id`.
- `users` and `groups`: cursor and page listings read in full every run, each replacing its
  table (a deleted user disappears).
- `deleted_tickets`: `GET /api/v2/deleted_tickets`, merged on `id`, incremental on `deleted_at`.

Incremental exports have their own limit (10 requests a minute), kept besides the vendor's 700
a minute (a path limit of the shared HTTP layer).

What the API cannot give: tickets deleted for good (purged) leave no trace in the export; a
ticket's audit history before `start_date`. Users are read whole every run (fine for thousands,
slow for hundreds of thousands of end users).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dlt
from dlt.common.schema.typing import TColumnSchema
from dlt.extract.resource import DltResource

from connectors.common import (
    FULL_LISTING,
    MAX_TABLE_NESTING,
    HttpOptions,
    change_time,
    checked,
    epoch_s,
    parse_instant,
    relative_link,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, VendorClient

__all__ = ["VENDOR", "zendesk_source"]

logger = logging.getLogger(__name__)

VENDOR = "zendesk"
RATE_LIMIT = RateLimit.per_minute(700)
EXPORT_RATE_LIMIT = RateLimit.per_minute(10)
PAGE_SIZE = 100
EXPORT_PAGE_SIZE = 1000
# Documented fields that are often null: typed up front, so the raw tables have them (and dlt
# does not warn about columns it cannot type) before a first value arrives.
_OPTIONAL_COLUMNS: dict[str, dict[str, TColumnSchema]] = {
    "tickets": {"external_id": {"data_type": "text"}, "organization_id": {"data_type": "bigint"}},
    "satisfaction_ratings": {"comment": {"data_type": "text"}},
}
CREDENTIALS = ("email", "api_token")


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def zendesk_source(
    email: str = dlt.secrets.value,
    api_token: str = dlt.secrets.value,
    subdomain: str | None = None,
    base_url: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_minutes: float = 5.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """Zendesk Support resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only [start_date, end_date) is read (see `connectors.common`); the ticket
    export then starts at `start_date` and leaves the export cursor in state alone.
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    root = base_url or f"https://{require(VENDOR, 'subdomain', subdomain)}.zendesk.com"
    token = require(VENDOR, "api_token", api_token)
    client = vendor_client(
        VENDOR,
        root,
        options,
        rate_limit=RATE_LIMIT,
        credential_settings=CREDENTIALS,
        auth=(f"{require(VENDOR, 'email', email)}/token", token),
        secrets=(token,),
        path_limits={"/incremental/": EXPORT_RATE_LIMIT},
    )
    now = parse_instant(options.clock.wall())
    initial_s = epoch_s(
        parse_instant(start_date) if start_date else now - timedelta(days=initial_days)
    )
    lookback_s = lookback_minutes * 60
    end_s = epoch_s(end) if end else None

    yield _tickets(client, initial_s) if end_s is None else _ticket_window(client, initial_s, end_s)
    yield _ticket_events(client, initial_s, end_s, lookback_s)
    yield _satisfaction_ratings(client, initial_s, end_s, lookback_s)
    # TODO: read users through the incremental user export (`/api/v2/incremental/users/cursor.json`)
    # instead of the whole list - when the sandbox serves that export to test it against.
    yield _cursor_listing(client, "users", "/api/v2/users.json")
    yield _groups(client)
    yield _deleted_tickets(client, initial_s, end_s)


def _tickets(client: VendorClient, initial_s: int) -> DltResource:
    @dlt.resource(
        name="tickets",
        primary_key="id",
        write_disposition="merge",
        columns={"updated_at": {"dedup_sort": "desc"}, **_OPTIONAL_COLUMNS["tickets"]},
    )
    def tickets() -> Iterator[Any]:
        state = dlt.current.resource_state()
        path = "/api/v2/incremental/tickets/cursor.json"
        params: dict[str, Any] = {"include": "metric_sets", "per_page": EXPORT_PAGE_SIZE}
        while True:
            cursor = state.get("after_cursor")
            where = {"cursor": cursor} if cursor else {"start_time": initial_s}
            page = client.get_json(path, {**params, **where})
            found = page.get("tickets") or []
            logger.info("`%s` ticket export page: %d tickets", VENDOR, len(found))
            # the cursor is the export's own, so a ticket with a bad time still loads as sent
            yield from checked("tickets", found, ["id"])
            metric_sets = page.get("metric_sets") or []
            yield from checked(
                "ticket_metric_sets", metric_sets, ["id"], table="ticket_metric_sets"
            )
            # dlt saves this state with the extracted pages, at the end of the extract only: a
            # run that dies halfway starts again from the cursor of the last complete run
            if page.get("after_cursor"):
                state["after_cursor"] = page["after_cursor"]
            if page.get("end_of_stream", True):
                return

    return tickets


def _ticket_window(client: VendorClient, start_s: int, end_s: int) -> DltResource:
    """The tickets changed in [start, end): the export read from `start`, its cursor unused.

    The export has no upper bound; it runs in change order, so it stops at the first page
    that reaches the end. A ticket's metric set comes with it.
    """
    start, end = parse_instant(start_s), parse_instant(end_s)

    @dlt.resource(
        name="tickets",
        primary_key="id",
        write_disposition="merge",
        columns={"updated_at": {"dedup_sort": "desc"}, **_OPTIONAL_COLUMNS["tickets"]},
    )
    def tickets() -> Iterator[Any]:
        path = "/api/v2/incremental/tickets/cursor.json"
        params: dict[str, Any] = {"include": "metric_sets", "per_page": EXPORT_PAGE_SIZE}
        where: dict[str, Any] = {"start_time": start_s}
        while True:
            page = client.get_json(path, {**params, **where})
            found = page.get("tickets") or []
            times = [change_time(ticket, "updated_at") for ticket in found]
            # a ticket whose time cannot be read loads as sent, as in a regular run
            kept = [
                ticket
                for ticket, at in zip(found, times, strict=True)
                if at is None or start <= at < end
            ]
            logger.info(
                "`%s` ticket export page: %d tickets, %d in the window",
                VENDOR,
                len(found),
                len(kept),
            )
            yield from checked("tickets", kept, ["id"])
            kept_ids = {ticket.get("id") for ticket in kept if isinstance(ticket, dict)}
            metric_sets = [
                metric_set
                for metric_set in page.get("metric_sets") or []
                if isinstance(metric_set, dict) and metric_set.get("ticket_id") in kept_ids
            ]
            yield from checked(
                "ticket_metric_sets", metric_sets, ["id"], table="ticket_metric_sets"
            )
            passed_end = any(at is not None and at >= end for at in times)
            if passed_end or page.get("end_of_stream", True) or not page.get("after_cursor"):
                return
            where = {"cursor": page["after_cursor"]}

    return tickets


def _ticket_events(
    client: VendorClient, initial_s: int, end_s: int | None, lookback_s: float
) -> DltResource:
    # the export runs in time order: in a bounded run, dlt closes it at the first event past
    # the end instead of paging on to now
    cursor = dlt.sources.incremental(
        "timestamp",
        initial_value=initial_s,
        end_value=end_s,
        row_order="asc" if end_s is not None else None,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(name="ticket_events", primary_key="id", write_disposition="merge")
    def ticket_events(happened: dlt.sources.incremental[int] = cursor) -> Iterator[Any]:
        start_s = int(happened.start_value or 0)
        path = "/api/v2/incremental/ticket_events.json"
        while True:
            params = {"start_time": start_s, "include": "comment_events"}
            page = client.get_json(path, params)
            found = page.get("ticket_events") or []
            logger.info("`%s` ticket events since %d: %d", VENDOR, start_s, len(found))
            yield from checked("ticket_events", found, ["id"], "timestamp")
            end_s = int(page.get("end_time") or start_s)
            # a page ending where it started cannot move on: stop rather than loop
            if page.get("end_of_stream", True) or end_s <= start_s:
                return
            start_s = end_s

    return ticket_events


def _satisfaction_ratings(
    client: VendorClient, initial_s: int, end_s: int | None, lookback_s: float
) -> DltResource:
    cursor = dlt.sources.incremental(
        "updated_at",
        initial_value=_iso_s(initial_s),
        end_value=_iso_s(end_s) if end_s is not None else None,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(
        name="satisfaction_ratings",
        primary_key="id",
        write_disposition="merge",
        columns={"updated_at": {"dedup_sort": "desc"}, **_OPTIONAL_COLUMNS["satisfaction_ratings"]},
    )
    def satisfaction_ratings(updated: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        start_s = epoch_s(parse_instant(updated.start_value))
        params: dict[str, Any] = {"start_time": start_s, "page[size]": PAGE_SIZE}
        if end_s is not None:
            params["end_time"] = end_s
        yield from _cursor_pages(
            client,
            "satisfaction_ratings",
            "/api/v2/satisfaction_ratings.json",
            params,
            "updated_at",
        )

    return satisfaction_ratings


def _iso_s(epoch: int) -> str:
    return parse_instant(epoch).isoformat().replace("+00:00", "Z")


def _cursor_pages(
    client: VendorClient,
    name: str,
    path: str,
    params: dict[str, Any],
    cursor: str | None,
    seen: set[tuple[Any, ...]] | None = None,
) -> Iterator[list[Any]]:
    """Zendesk cursor pagination: `page[after]` from `meta.after_cursor` while `has_more`."""
    while True:
        page = client.get_json(path, params)
        found = page.get(name) or []
        logger.info("`%s` %s page: %d", VENDOR, name, len(found))
        yield from checked(name, found, ["id"], cursor, seen=seen)
        meta = page.get("meta") or {}
        if not meta.get("has_more") or not meta.get("after_cursor"):
            return
        params = {**params, "page[after]": meta["after_cursor"]}


def _cursor_listing(client: VendorClient, name: str, path: str) -> DltResource:
    @dlt.resource(name=name, primary_key="id", write_disposition=FULL_LISTING)
    def listing() -> Iterator[Any]:
        yield from _cursor_pages(client, name, path, {"page[size]": PAGE_SIZE}, None, seen=set())

    return listing


def _groups(client: VendorClient) -> DltResource:
    @dlt.resource(name="groups", primary_key="id", write_disposition=FULL_LISTING)
    def groups() -> Iterator[Any]:
        yield from _next_page_listing(client, "groups", "/api/v2/groups.json", {}, seen=set())

    return groups


def _next_page_listing(
    client: VendorClient,
    name: str,
    path: str,
    params: dict[str, Any],
    seen: set[tuple[Any, ...]] | None = None,
) -> Iterator[list[Any]]:
    """Offset pagination: follow `next_page` until it is null."""
    next_url: str | None = path
    query: dict[str, Any] | None = {**params, "per_page": PAGE_SIZE}
    while next_url:
        page = client.get_json(next_url, query)
        found = page.get(name) or []
        logger.info("`%s` %s page: %d", VENDOR, name, len(found))
        yield from checked(name, found, ["id"], seen=seen)
        next_url, query = relative_link(page.get("next_page")), None


def _deleted_tickets(client: VendorClient, initial_s: int, end_s: int | None) -> DltResource:
    cursor: dlt.sources.incremental[str] = dlt.sources.incremental(
        "deleted_at",
        initial_value=_iso_s(initial_s) if end_s is not None else None,
        end_value=_iso_s(end_s) if end_s is not None else None,
        on_cursor_value_missing="include",
    )

    @dlt.resource(name="deleted_tickets", primary_key="id", write_disposition="merge")
    def deleted_tickets(deleted: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        params = {"sort_by": "deleted_at", "sort_order": "asc"}
        yield from _next_page_listing(
            client, "deleted_tickets", "/api/v2/deleted_tickets.json", params
        )

    return deleted_tickets
