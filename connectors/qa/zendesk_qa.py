"""Zendesk QA (formerly Klaus): reviews with their scorecard ratings, users and workspaces.

Follows the Public Export API 1.0 (`/api/export`, under `https://{subdomain}.zendesk.com/qa`
unless `base_url` is set), bearer API token.

- `reviews`: `GET /api/export/reviews?fromDate=...&toDate=...`, page-numbered. The export
  selects reviews by their last update and groups them under the reviewed conversation; each
  review lands as one row, unchanged, plus `conversation` (the conversation's fields without its
  reviews), merged on `id`: an edited review replaces its first version. The scorecard
  categories are the review's `ratings`. Incremental on the review's `updatedISO` with a
  `lookback_minutes` overlap.
- `users` and `workspaces`: small lists, read in full every run, each replacing its table.

What the API cannot give: deleted reviews (they stay in the warehouse until a full reload);
calibration sessions are a separate export per workspace, not read yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from connectors.common import (
    FULL_LISTING,
    MAX_TABLE_NESTING,
    HttpOptions,
    checked,
    format_iso,
    parse_instant,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, VendorClient

__all__ = ["VENDOR", "zendesk_qa_source"]

logger = logging.getLogger(__name__)

VENDOR = "zendesk_qa"
# 1,500 requests a minute per IP, as the export API documents.
RATE_LIMIT = RateLimit.per_minute(1500)
PAGE_SIZE = 100


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def zendesk_qa_source(
    api_token: str = dlt.secrets.value,
    subdomain: str | None = None,
    base_url: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_minutes: float = 30.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """Zendesk QA resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only reviews updated in [start_date, end_date) are read (see
    `connectors.common`).
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    root = base_url or f"https://{require(VENDOR, 'subdomain', subdomain)}.zendesk.com/qa"
    token = require(VENDOR, "api_token", api_token)
    client = vendor_client(
        VENDOR,
        root,
        options,
        rate_limit=RATE_LIMIT,
        credential_settings=("api_token",),
        headers={"Authorization": f"Bearer {token}"},
        secrets=(token,),
    )
    now = parse_instant(options.clock.wall())
    initial = parse_instant(start_date) if start_date else now - timedelta(days=initial_days)

    initial_value = format_iso(initial, milliseconds=True)
    end_value = format_iso(end, milliseconds=True) if end else None
    until = min(end, now) if end else now
    yield _reviews(client, initial_value, end_value, until, lookback_minutes * 60)
    yield _listing(client, "users", "/api/export/users")
    yield _listing(client, "workspaces", "/api/export/workspaces")


def _review_rows(conversation: dict[str, Any]) -> list[Any]:
    context = {key: value for key, value in conversation.items() if key != "reviews"}
    return [{**review, "conversation": context} for review in conversation.get("reviews") or []]


def _reviews(
    client: VendorClient,
    initial: str,
    end_value: str | None,
    until: datetime,
    lookback_s: float,
) -> DltResource:
    # `toDate` includes its instant; dlt drops the reviews updated exactly at the window's end
    cursor = dlt.sources.incremental(
        "updatedISO",
        initial_value=initial,
        end_value=end_value,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(
        name="reviews",
        primary_key="id",
        write_disposition="merge",
        columns={"updatedISO": {"dedup_sort": "desc"}},
    )
    def reviews(updated: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        window = {
            "fromDate": format_iso(parse_instant(updated.start_value), milliseconds=True),
            "toDate": format_iso(until, milliseconds=True),
        }
        number = 1
        while True:
            page = client.get_json(
                "/api/export/reviews", {**window, "page": number, "pageSize": PAGE_SIZE}
            )
            conversations = page.get("conversations") or []
            logger.info(
                "`%s` reviews page %d: %d conversations", VENDOR, number, len(conversations)
            )
            rows = [
                row
                for item in conversations
                if isinstance(item, dict)
                for row in _review_rows(item)
            ]
            yield from checked("reviews", rows, ["id"], "updatedISO")
            if len(conversations) < PAGE_SIZE:
                return
            number += 1

    return reviews


def _listing(client: VendorClient, name: str, path: str) -> DltResource:
    @dlt.resource(name=name, primary_key="id", write_disposition=FULL_LISTING)
    def listing() -> Iterator[Any]:
        found = client.get_json(path).get(name) or []
        logger.info("`%s` %s: %d", VENDOR, name, len(found))
        yield from checked(name, found, ["id"], seen=set())

    return listing
