"""Delighted: survey responses and people.

Follows the REST API v1 (`/v1`), basic authentication with the API key as user name.

- `survey_responses`: `GET /v1/survey_responses.json` with `updated_since`, ordered
  `asc:updated_at`, `expand[]=person`, 100 per page, merged on `id`: an edited answer replaces
  its first version. Pages are walked by moving `updated_since` to the last `updated_at` seen
  (and by page number only inside one second), so an answer edited while the run pages cannot
  shift another one out of sight. Each run starts `lookback_minutes` before the newest
  `updated_at` loaded.
- `people`: `GET /v1/people.json`, paged by the `Link` header (`page_info`), read in full every
  run and replacing its table (the API filters people only by creation, not by change; a
  deleted person disappears).

What the API cannot give: deleted responses and people (deleting them in Delighted leaves them
in the warehouse until a full reload); unsubscribes and bounces are separate lists, not read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from connectors.common import (
    FULL_LISTING,
    MAX_TABLE_NESTING,
    HttpOptions,
    checked,
    epoch_s,
    parse_instant,
    relative_link,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, VendorClient

__all__ = ["DEFAULT_BASE_URL", "VENDOR", "delighted_source"]

logger = logging.getLogger(__name__)

VENDOR = "delighted"
DEFAULT_BASE_URL = "https://api.delighted.com"
RATE_LIMIT = RateLimit.per_minute(200)
PAGE_SIZE = 100


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def delighted_source(
    api_key: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_minutes: float = 10.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """Delighted resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only responses updated in [start_date, end_date) are read (see
    `connectors.common`).
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

    end_s = epoch_s(end) if end else None
    yield _survey_responses(client, epoch_s(initial), end_s, lookback_minutes * 60)
    yield _people(client)


def _survey_responses(
    client: VendorClient, initial_s: int, end_s: int | None, lookback_s: float
) -> DltResource:
    cursor = dlt.sources.incremental(
        "updated_at",
        initial_value=initial_s,
        end_value=end_s,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )
    # `updated_until` includes its second; dlt drops the answers of that second
    until = {} if end_s is None else {"updated_until": end_s}

    @dlt.resource(
        name="survey_responses",
        primary_key="id",
        write_disposition="merge",
        # a score without a comment is the usual answer: typed up front, so the raw table has
        # the column (and dlt does not warn about a column it cannot type) before a first one
        columns={"updated_at": {"dedup_sort": "desc"}, "comment": {"data_type": "text"}},
    )
    def survey_responses(updated: dlt.sources.incremental[int] = cursor) -> Iterator[Any]:
        since_s, page_number = int(updated.start_value or 0), 1
        while True:
            params = {
                "updated_since": since_s,
                "order": "asc:updated_at",
                "expand[]": "person",
                "per_page": PAGE_SIZE,
                "page": page_number,
                **until,
            }
            found = client.get_json("/v1/survey_responses.json", params)
            logger.info(
                "`%s` responses since %d page %d: %d", VENDOR, since_s, page_number, len(found)
            )
            yield from checked("survey_responses", found, ["id"], "updated_at")
            if len(found) < PAGE_SIZE:
                return
            since_s, page_number = _next_position(found, since_s, page_number)

    return survey_responses


def _next_position(found: list[Any], since_s: int, page_number: int) -> tuple[int, int]:
    """Keyset paging on `updated_at`; a page of one second only can move on by page number."""
    newest = max(
        (
            int(item["updated_at"])
            for item in found
            if isinstance(item, dict) and isinstance(item.get("updated_at"), int)
        ),
        default=since_s,
    )
    if newest > since_s:
        return newest, 1
    return since_s, page_number + 1


def _people(client: VendorClient) -> DltResource:
    @dlt.resource(name="people", primary_key="id", write_disposition=FULL_LISTING)
    def people() -> Iterator[Any]:
        seen: set[tuple[Any, ...]] = set()
        url: str | None = "/v1/people.json"
        params: dict[str, Any] | None = {"per_page": PAGE_SIZE}
        while url:
            response = client.get(url, params)
            found = response.json()
            logger.info("`%s` people page: %d", VENDOR, len(found))
            yield from checked("people", found, ["id"], seen=seen)
            url, params = relative_link((response.links.get("next") or {}).get("url")), None

    return people
