"""Intercom: conversations, their parts, admins and teams.

Follows the REST API version 2.15 (`Intercom-Version: 2.15`), bearer access token.

- `conversations`: `POST /conversations/search` on `updated_at` (Unix seconds) sorted
  ascending, 150 per page with `starting_after` cursors, merged on `id`. Each run starts
  `lookback_minutes` (default 10) before the newest `updated_at` already loaded, because the
  search index trails writes by a few seconds.
- `conversation_parts`: every conversation found changed is retrieved
  (`GET /conversations/{id}`) and its parts land one row each, with `conversation_id`, merged on
  `id`: a redacted part replaces its earlier version.
- `admins` (`GET /admins`) and `teams` (`GET /teams`): small lists with no change filter, read in
  full every run; each replaces its table, so a removed admin or team disappears.

What the API cannot give: more than 500 parts of one conversation (retrieval stops there);
deleted conversations (a deleted conversation simply stops appearing;
it stays in the warehouse until a full reload); parts deleted from a conversation; a change
feed for admins and teams. Search results carry no parts, so a changed conversation costs one
extra request.
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
    checked,
    epoch_s,
    parse_instant,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, VendorClient

__all__ = ["API_VERSION", "DEFAULT_BASE_URL", "VENDOR", "intercom_source"]

logger = logging.getLogger(__name__)

VENDOR = "intercom"
DEFAULT_BASE_URL = "https://api.intercom.io"
API_VERSION = "2.15"
# 10,000 calls a minute per app; Intercom spreads them over 10-second windows.
RATE_LIMIT = RateLimit(1666, 10.0)
PAGE_SIZE = 150
# Documented fields that are often null: typed up front, so the raw tables have them (and dlt
# does not warn about columns it cannot type) before a first value arrives.
_OPTIONAL_COLUMNS: dict[str, dict[str, TColumnSchema]] = {
    "conversations": {
        "snoozed_until": {"data_type": "bigint"},
        "title": {"data_type": "text"},
        "waiting_since": {"data_type": "bigint"},
    },
    "conversation_parts": {"external_id": {"data_type": "text"}},
    "admins": {"avatar": {"data_type": "json"}},
}


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def intercom_source(
    access_token: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_minutes: float = 10.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """Intercom resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only conversations updated in [start_date, end_date) are read (see
    `connectors.common`).
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    token = require(VENDOR, "access_token", access_token)
    client = vendor_client(
        VENDOR,
        base_url,
        options,
        rate_limit=RATE_LIMIT,
        credential_settings=("access_token",),
        headers={
            "Authorization": f"Bearer {token}",
            "Intercom-Version": API_VERSION,
            "Accept": "application/json",
        },
        secrets=(token,),
    )
    now = parse_instant(options.clock.wall())
    initial = parse_instant(start_date) if start_date else now - timedelta(days=initial_days)

    end_s = epoch_s(end) if end else None
    conversations = _conversations(client, epoch_s(initial), end_s, lookback_minutes * 60)
    yield conversations
    yield conversations | _conversation_parts(client)
    yield _listing(client, "admins", "/admins")
    yield _listing(client, "teams", "/teams")


def _search_body(since_s: int, end_s: int | None, starting_after: str | None) -> dict[str, Any]:
    pagination: dict[str, Any] = {"per_page": PAGE_SIZE}
    if starting_after:
        pagination["starting_after"] = starting_after
    query: dict[str, Any] = {"field": "updated_at", "operator": ">", "value": since_s - 1}
    if end_s is not None:
        before = {"field": "updated_at", "operator": "<", "value": end_s}
        query = {"operator": "AND", "value": [query, before]}
    return {
        "query": query,
        "sort": {"field": "updated_at", "order": "ascending"},
        "pagination": pagination,
    }


def _conversations(
    client: VendorClient, initial_s: int, end_s: int | None, lookback_s: float
) -> DltResource:
    cursor = dlt.sources.incremental(
        "updated_at",
        initial_value=initial_s,
        end_value=end_s,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(
        name="conversations",
        primary_key="id",
        write_disposition="merge",
        columns={"updated_at": {"dedup_sort": "desc"}, **_OPTIONAL_COLUMNS["conversations"]},
    )
    def conversations(updated: dlt.sources.incremental[int] = cursor) -> Iterator[Any]:
        since_s = int(updated.start_value or 0)
        starting_after: str | None = None
        while True:
            page = client.post(
                "/conversations/search", json=_search_body(since_s, end_s, starting_after)
            )
            body = page.json()
            found = body.get("conversations") or []
            logger.info("`%s` conversations changed since %d: %d", VENDOR, since_s, len(found))
            yield from checked("conversations", found, ["id"], "updated_at")
            starting_after = ((body.get("pages") or {}).get("next") or {}).get("starting_after")
            if not starting_after or not found:
                return

    return conversations


def _conversation_parts(client: VendorClient) -> DltResource:
    @dlt.transformer(
        name="conversation_parts",
        primary_key="id",
        write_disposition="merge",
        columns=_OPTIONAL_COLUMNS["conversation_parts"],
    )
    def conversation_parts(conversations: list[Any]) -> Iterator[Any]:
        for conversation in conversations:
            if not isinstance(conversation, dict) or "id" not in conversation:
                continue
            full = client.get_json(f"/conversations/{conversation['id']}")
            listing = full.get("conversation_parts") or {}
            parts = [
                {**part, "conversation_id": str(conversation["id"])}
                for part in listing.get("conversation_parts") or []
            ]
            yield from checked("conversation_parts", parts, ["id"])

    return conversation_parts


def _listing(client: VendorClient, name: str, path: str) -> DltResource:
    @dlt.resource(
        name=name,
        primary_key="id",
        write_disposition=FULL_LISTING,
        columns=_OPTIONAL_COLUMNS.get(name, {}),
    )
    def listing() -> Iterator[Any]:
        found = client.get_json(path).get(name) or []
        logger.info("`%s` %s: %d", VENDOR, name, len(found))
        yield from checked(name, found, ["id"], seen=set())

    return listing
