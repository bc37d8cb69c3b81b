"""Genesys Cloud CX: conversation details, user presence and routing status, and the directory.

Follows the Platform API v2 (`/api/v2`), authenticated by an OAuth client-credentials grant on
the login host (`https://login.<region>`, derived from the API host unless `login_url` is set);
a token refused in the middle of a run (expired) is renewed once.

- `conversations`: `POST /api/v2/analytics/conversations/details/query`, one query per
  `query_window_hours` (default 24) of the window, `pageSize` 100, every media type (keep a
  window under the API's result cap: a few tens of thousands of conversations). The query
  selects conversations by their start, so each run re-reads the last `lookback_hours`
  (default 24) and merges on `conversationId`: metrics emitted late (wrap-up) replace the
  earlier version of the conversation.
- `user_presence` and `user_routing_status`: `POST /api/v2/analytics/users/details/query`, one
  row per presence or routing-status span, merged on (`userId`, `startTime`); the cursor is the
  span's `endTime`, so a span still running is read again until it ends.
- `users` (with `state=any`, so deleted users come back with `state: deleted`), `queues`,
  `skills`, `wrapup_codes`: the API has no change filter for these; they are re-read in full
  every run (a few pages), each replacing its table.

What the API cannot give: deleted conversations (there are none in Genesys, but a conversation
whose metrics change more than `lookback_hours` after it started is only corrected by a backfill);
who changed a user or queue and when (no change feed for configuration objects).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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
from connectors.http import RateLimit, SourceAuthError, VendorClient, register_secret

__all__ = ["DEFAULT_BASE_URL", "VENDOR", "genesys_source"]

logger = logging.getLogger(__name__)

VENDOR = "genesys"
DEFAULT_BASE_URL = "https://api.mypurecloud.com"
# Genesys allows 300 requests a minute per OAuth client.
RATE_LIMIT = RateLimit.per_minute(300)
CREDENTIALS = ("client_id", "client_secret")
PAGE_SIZE = 100
DIRECTORY = {
    "users": ("/api/v2/users", {"state": "any"}),
    "queues": ("/api/v2/routing/queues", {}),
    "skills": ("/api/v2/routing/skills", {}),
    "wrapup_codes": ("/api/v2/routing/wrapupcodes", {}),
}


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def genesys_source(
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    login_url: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_hours: float = 24.0,
    query_window_hours: float = 24.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """Genesys Cloud resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only [start_date, end_date) is read (see `connectors.common`).
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    client = vendor_client(
        VENDOR,
        base_url,
        options,
        rate_limit=RATE_LIMIT,
        credential_settings=CREDENTIALS,
        secrets=(client_id, client_secret),
    )
    token_url = f"{(login_url or _login_host(base_url)).rstrip('/')}/oauth/token"
    session = _OAuthSession(
        client, token_url, require(VENDOR, "client_id", client_id), client_secret
    )
    now = parse_instant(options.clock.wall())
    initial = parse_instant(start_date) if start_date else now - timedelta(days=initial_days)
    lookback_s = lookback_hours * 3600

    since = format_iso(initial, milliseconds=True)
    bounds = _Bounds(
        since,
        format_iso(end, milliseconds=True) if end else None,
        min(end, now) if end else now,
        timedelta(hours=query_window_hours),
        lookback_s,
    )
    yield _conversations(session, bounds)
    yield _user_status(session, bounds)
    for name, (path, params) in DIRECTORY.items():
        yield _directory(session, name, path, params)


def _login_host(base_url: str) -> str:
    parts = urlsplit(base_url)
    host = parts.netloc
    if host.startswith("api."):
        host = "login." + host[len("api.") :]
    return urlunsplit(parts._replace(netloc=host, path=parts.path if host == parts.netloc else ""))


class _OAuthSession:
    """The client with a bearer token, asked for on first use and again once it expires.

    Creating the source sends no request. A 401 on a request made with a token that worked
    before means the token expired (Genesys tokens live 24 h by default, and an administrator
    can shorten that): a new token is asked for and the request sent once more.
    """

    def __init__(
        self, client: VendorClient, token_url: str, client_id: str, client_secret: str
    ) -> None:
        self._client = client
        self._token_url = token_url
        self._credentials = (client_id, client_secret)
        self._lock = threading.Lock()
        self._token: str | None = None

    def get_json(self, path: str, params: dict[str, Any]) -> Any:
        """GET `path` and decode the JSON answer."""
        return self._with_token(lambda: self._client.get_json(path, params))

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        """POST `body` to `path` and decode the JSON answer."""
        return self._with_token(lambda: self._client.post(path, json=body).json())

    def _with_token(self, send: Callable[[], Any]) -> Any:
        used = self._current_token()
        try:
            return send()
        except SourceAuthError as exc:
            if exc.status_code != 401:
                raise
            logger.warning("`%s`: the access token was refused; asking for a new one", VENDOR)
        self._renew(used)
        return send()

    def _current_token(self) -> str:
        with self._lock:
            if self._token is None:
                self._token = self._authorize()
            return self._token

    def _renew(self, refused: str) -> None:
        with self._lock:
            # another thread may have renewed it meanwhile
            if self._token == refused:
                self._token = self._authorize()

    def _authorize(self) -> str:
        response = self._client.request(
            "POST",
            self._token_url,
            data={"grant_type": "client_credentials"},
            auth=self._credentials,
        )
        token = str(response.json()["access_token"])
        register_secret(token)
        self._client.session.headers["Authorization"] = f"Bearer {token}"
        return token


@dataclass(frozen=True)
class _Bounds:
    """Where the analytics queries of a run start and stop, and how they are cut."""

    initial: str
    # the end of a bounded run (ISO, exclusive); None for a regular run
    end_value: str | None
    # queries cover up to here: now, or the end of a bounded run already past
    until: datetime
    window: timedelta
    lookback_s: float

    def cursor(self, field: str) -> dlt.sources.incremental[str]:
        return dlt.sources.incremental(
            field,
            initial_value=self.initial,
            end_value=self.end_value,
            lag=self.lookback_s,
            on_cursor_value_missing="include",
        )

    def intervals(self, start: str | None) -> Iterator[str]:
        return _intervals(parse_instant(start), self.until, self.window)


def _intervals(start: datetime, end: datetime, window: timedelta) -> Iterator[str]:
    """Genesys `interval` values (`start/end`) covering [start, end) a window at a time."""
    while start < end:
        stop = min(end, start + window)
        yield f"{format_iso(start, milliseconds=True)}/{format_iso(stop, milliseconds=True)}"
        start = stop


def _query_pages(
    session: _OAuthSession, path: str, body: dict[str, Any], key: str
) -> Iterator[list[dict[str, Any]]]:
    """Page through an analytics details query until a page comes back short."""
    number = 1
    while True:
        paging = {"pageSize": PAGE_SIZE, "pageNumber": number}
        page = session.post_json(path, {**body, "paging": paging})
        records = page.get(key) or []
        logger.info("`%s` %s page %d: %d records", VENDOR, key, number, len(records))
        yield records
        if len(records) < PAGE_SIZE:
            return
        number += 1


def _conversations(session: _OAuthSession, bounds: _Bounds) -> DltResource:
    cursor = bounds.cursor("conversationStart")

    @dlt.resource(name="conversations", primary_key="conversationId", write_disposition="merge")
    def conversations(started: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        path = "/api/v2/analytics/conversations/details/query"
        for interval in bounds.intervals(started.start_value):
            body = {"interval": interval, "order": "asc", "orderBy": "conversationStart"}
            for page in _query_pages(session, path, body, "conversations"):
                yield from checked("conversations", page, ["conversationId"], "conversationStart")

    return conversations


def _spans(detail: dict[str, Any], field: str, table: str) -> Iterator[Any]:
    rows = [{"userId": detail.get("userId"), **span} for span in detail.get(field) or []]
    yield from checked(
        table, rows, ["userId", "startTime"], "endTime", cursor_required=False, table=table
    )


def _user_status(session: _OAuthSession, bounds: _Bounds) -> DltResource:
    cursor = bounds.cursor("endTime")

    @dlt.resource(
        name="user_presence", primary_key=("userId", "startTime"), write_disposition="merge"
    )
    def user_presence(ended: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        path = "/api/v2/analytics/users/details/query"
        for interval in bounds.intervals(ended.start_value):
            for page in _query_pages(session, path, {"interval": interval}, "userDetails"):
                for detail in page:
                    yield from _spans(detail, "primaryPresence", "user_presence")
                    yield from _spans(detail, "routingStatus", "user_routing_status")

    return user_presence


def _directory(session: _OAuthSession, name: str, path: str, params: dict[str, Any]) -> DltResource:
    @dlt.resource(name=name, primary_key="id", write_disposition=FULL_LISTING)
    def entities() -> Iterator[Any]:
        seen: set[tuple[Any, ...]] = set()
        number = 1
        while True:
            paging = {"pageSize": PAGE_SIZE, "pageNumber": number}
            page = session.get_json(path, {**params, **paging})
            entities = page.get("entities") or []
            logger.info("`%s` %s page %d: %d records", VENDOR, name, number, len(entities))
            yield from checked(name, entities, ["id"], seen=seen)
            if not page.get("nextUri") or not entities:
                return
            number += 1

    return entities
