"""HubSpot CRM: contacts, companies, deals and custom objects, with archived records.

Follows the CRM API v3 (`/crm/v3`), authenticated by a private-app access token (bearer).

- One resource per object type (`contacts`, `companies`, `deals`, plus `custom_objects`, by
  default `p_cost_items`, ccpulse's cost lines, skipped with a warning where the account has no
  such object): `POST /crm/v3/objects/{type}/search` filtered on the last-modified property
  (`lastmodifieddate` for contacts, `hs_lastmodifieddate` otherwise) `GTE` the cursor, sorted
  ascending, 200 per page. Search stops at 10,000 results per query, so after 10,000 the query
  starts again from the last-modified time of the last record read (a window per 10,000).
  Incremental on `updatedAt` with a `lookback_minutes` overlap (the search index trails writes),
  merged on `id`. Every property is asked for (`GET /crm/v3/properties/{type}`, else the
  `DEFAULT_PROPERTIES` of the type), plus `extra_properties` (default: the account properties
  ccpulse's model reads, `CCPULSE_PROPERTIES`).
- `<type>_archived`: `GET /crm/v3/objects/{type}?archived=true`, into the same table: an
  archived record is merged over its live version and carries `archived: true` and
  `archivedAt` (the deleted flag). The listing has no date filter, so it is read in full every
  run and only records archived since the last run are loaded.

Search is limited to 5 requests a second besides the account's limit (`requests_per_10s`,
default 100, 190 on Professional and Enterprise).

What the API cannot give: records deleted for good (GDPR deletes) disappear without a trace;
property history (only current values); more than 10,000 records modified in the same
millisecond (the run stops with an error rather than skip any).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from connectors.common import (
    MAX_TABLE_NESTING,
    HttpOptions,
    checked,
    format_iso,
    parse_instant,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, SourceError, VendorClient

__all__ = [
    "CCPULSE_PROPERTIES",
    "DEFAULT_BASE_URL",
    "DEFAULT_CUSTOM_OBJECTS",
    "DEFAULT_OBJECTS",
    "DEFAULT_PROPERTIES",
    "VENDOR",
    "hubspot_source",
]

logger = logging.getLogger(__name__)

VENDOR = "hubspot"
DEFAULT_BASE_URL = "https://api.hubapi.com"
SEARCH_RATE_LIMIT = RateLimit.per_second(5)
SEARCH_PAGE_SIZE = 200
LIST_PAGE_SIZE = 100
SEARCH_CAP = 10_000
DEFAULT_OBJECTS = ("contacts", "companies", "deals")
DEFAULT_PROPERTIES = {
    "contacts": (
        "email", "firstname", "lastname", "phone", "lifecyclestage",
        "hs_lifecyclestage_customer_date", "hs_analytics_source", "createdate",
        "lastmodifieddate",
    ),
    "companies": ("name", "domain", "lifecyclestage", "createdate", "hs_lastmodifieddate"),
    "deals": (
        "dealname", "amount", "closedate", "dealstage", "pipeline", "createdate",
        "hs_lastmodifieddate",
    ),
}  # fmt: skip
# The account's own properties that ccpulse's model reads; asked for besides the defaults when
# the property list cannot be read, and settable with `extra_properties`.
CCPULSE_PROPERTIES = {
    "contacts": ("customer_segment", "churn_date"),
    "deals": ("gross_margin", "contact_id"),
    "p_cost_items": (
        "period_start", "period_end", "scope", "channel", "amount", "hs_lastmodifieddate",
    ),
}  # fmt: skip
DEFAULT_CUSTOM_OBJECTS = ("p_cost_items",)


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def hubspot_source(
    access_token: str = dlt.secrets.value,
    base_url: str = DEFAULT_BASE_URL,
    custom_objects: Sequence[str] = DEFAULT_CUSTOM_OBJECTS,
    extra_properties: Mapping[str, Sequence[str]] | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 365,
    lookback_minutes: float = 5.0,
    requests_per_10s: int = 100,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """HubSpot resources; `start_date` (ISO) bounds the first run, else `initial_days`.

    With `end_date`, only records modified (or archived) in [start_date, end_date) are read
    (see `connectors.common`).
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    token = require(VENDOR, "access_token", access_token)
    client = vendor_client(
        VENDOR,
        base_url,
        options,
        rate_limit=RateLimit(requests_per_10s, 10.0),
        credential_settings=("access_token",),
        headers={"Authorization": f"Bearer {token}"},
        secrets=(token,),
        path_limits={"/search": SEARCH_RATE_LIMIT},
    )
    now = parse_instant(options.clock.wall())
    initial = parse_instant(start_date) if start_date else now - timedelta(days=initial_days)
    bounds = _Bounds(
        format_iso(initial, milliseconds=True),
        format_iso(end, milliseconds=True) if end else None,
        lookback_minutes * 60,
    )

    properties = _PropertyNames(client, extra_properties or CCPULSE_PROPERTIES)
    for object_type in (*DEFAULT_OBJECTS, *custom_objects):
        table = object_type.removeprefix("p_")
        yield _search(client, properties, object_type, table, bounds)
        yield _archived(client, properties, object_type, table, bounds)


@dataclass(frozen=True)
class _Bounds:
    """Where a run's searches start, and where a bounded run stops (ISO, exclusive)."""

    initial: str
    end_value: str | None
    lookback_s: float

    @property
    def end_ms(self) -> int | None:
        return None if self.end_value is None else _epoch_ms(self.end_value)


def _modified_property(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


class _PropertyNames:
    """The property names of each object type, asked once per run."""

    def __init__(self, client: VendorClient, extra: Mapping[str, Sequence[str]]) -> None:
        self._client = client
        self._extra = extra
        self._names: dict[str, list[str]] = {}

    def of(self, object_type: str) -> list[str]:
        """Every property name of the type, plus the extra ones asked for."""
        if object_type not in self._names:
            names = [*self._fetch(object_type), *self._extra.get(object_type, ())]
            self._names[object_type] = list(dict.fromkeys(names))
        return self._names[object_type]

    def _fetch(self, object_type: str) -> list[str]:
        response = self._client.get(f"/crm/v3/properties/{object_type}", accept=(404,))
        if response.status_code == 404:
            logger.warning(
                "`%s`: no property list for %s; asking for the default properties",
                VENDOR,
                object_type,
            )
            return list(DEFAULT_PROPERTIES.get(object_type, (_modified_property(object_type),)))
        return [str(item["name"]) for item in response.json().get("results") or []]


def _epoch_ms(moment: Any) -> int:
    return int(parse_instant(moment).timestamp() * 1000)


def _search_body(
    object_type: str, since_ms: int, end_ms: int | None, properties: list[str], after: str | None
) -> dict[str, Any]:
    modified = _modified_property(object_type)
    filters = [{"propertyName": modified, "operator": "GTE", "value": str(since_ms)}]
    if end_ms is not None:
        filters.append({"propertyName": modified, "operator": "LT", "value": str(end_ms)})
    body: dict[str, Any] = {
        "filterGroups": [{"filters": filters}],
        "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": SEARCH_PAGE_SIZE,
    }
    if after:
        body["after"] = after
    return body


def _search(
    client: VendorClient,
    properties: _PropertyNames,
    object_type: str,
    table: str,
    bounds: _Bounds,
) -> DltResource:
    cursor = dlt.sources.incremental(
        "updatedAt",
        initial_value=bounds.initial,
        end_value=bounds.end_value,
        lag=bounds.lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(
        name=table,
        primary_key="id",
        write_disposition="merge",
        columns={"updatedAt": {"dedup_sort": "desc"}},
    )
    def search(updated: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        names = properties.of(object_type)
        since_ms = _epoch_ms(updated.start_value)
        after: str | None = None
        read_in_window = 0
        while True:
            response = client.request(
                "POST",
                f"/crm/v3/objects/{object_type}/search",
                json=_search_body(object_type, since_ms, bounds.end_ms, names, after),
                accept=(400, 404) if object_type not in DEFAULT_OBJECTS else (),
            )
            if response.status_code in (400, 404):
                logger.warning(
                    "`%s`: no object type %s in this account (HTTP %d); skipped",
                    VENDOR,
                    object_type,
                    response.status_code,
                )
                return
            page = response.json()
            found = page.get("results") or []
            logger.info("`%s` %s modified since %d: %d", VENDOR, object_type, since_ms, len(found))
            yield from checked(table, found, ["id"], "updatedAt")
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            read_in_window += len(found)
            if not after or not found:
                return
            if read_in_window + SEARCH_PAGE_SIZE > SEARCH_CAP:
                since_ms, after, read_in_window = _next_window(object_type, found, since_ms)

    return search


def _next_window(object_type: str, found: list[Any], since_ms: int) -> tuple[int, None, int]:
    """Start a new search at the newest modification read, before the 10,000 cap."""
    newest_ms = max(
        int(parse_instant(item["updatedAt"]).timestamp() * 1000)
        for item in found
        if isinstance(item, dict) and item.get("updatedAt")
    )
    if newest_ms <= since_ms:
        raise SourceError(
            f"`{VENDOR}`: more than {SEARCH_CAP} {object_type} were modified at "
            f"{format_iso(parse_instant(since_ms / 1000), milliseconds=True)}; search cannot "
            "page past them: load this object type with a backfill from the listing API",
            vendor=VENDOR,
        )
    return newest_ms, None, 0


def _archived(
    client: VendorClient,
    properties: _PropertyNames,
    object_type: str,
    table: str,
    bounds: _Bounds,
) -> DltResource:
    # a regular run takes every archived record once; a bounded one those archived in its window
    bounded = bounds.end_value is not None
    cursor: dlt.sources.incremental[str] = dlt.sources.incremental(
        "archivedAt",
        initial_value=bounds.initial if bounded else None,
        end_value=bounds.end_value,
        on_cursor_value_missing="include",
    )

    @dlt.resource(
        name=f"{table}_archived", table_name=table, primary_key="id", write_disposition="merge"
    )
    def archived(archived_at: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        # the same properties as the search, so the archived version replaces the live one whole
        params: dict[str, Any] = {
            "archived": "true",
            "limit": LIST_PAGE_SIZE,
            "properties": ",".join(properties.of(object_type)),
        }
        while True:
            page = client.get_json(f"/crm/v3/objects/{object_type}", params)
            found = page.get("results") or []
            logger.info("`%s` archived %s page: %d", VENDOR, object_type, len(found))
            yield from checked(table, found, ["id"], "archivedAt")
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after or not found:
                return
            params = {**params, "after": after}

    return archived
