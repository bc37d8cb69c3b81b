"""HubSpot CRM API v3: contacts, companies, deals and the custom object `cost_items`, each with
search on its last-modified date (`after` paging, at most 10,000 results per search), listing
(with `archived=true` for archived records), retrieval by id, and the property definitions of
each type (`/crm/v3/properties/{type}`).

Customers are contacts with `lifecyclestage` `customer`; the date they became one is
`hs_lifecyclestage_customer_date`, their acquisition channel `hs_analytics_source`, and
churned customers carry `churn_date` (a custom property). Each monthly payment is a closed-won
deal with `amount`, `closedate` and the custom properties `gross_margin` and `contact_id`
(the customer's contact id). Archived deals are refunds. Cost lines (service and acquisition)
are the custom object `p_cost_items` (object type id `2-4200001`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from sandbox import events
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.rand import stable_uuid, unit
from sandbox.timeutil import DAY_MS, iso_ms, parse_instant
from sandbox.world import Customer

logger = logging.getLogger(__name__)

ACCESS_TOKEN = "pat-na1-sandbox-hubspot-token"  # noqa: S105 - the sandbox's documented fixed credential
SEARCH_CAP = 10_000
COST_OBJECT = "2-4200001"
OBJECTS = {
    "contacts": "contacts",
    "0-1": "contacts",
    "companies": "companies",
    "0-2": "companies",
    "deals": "deals",
    "0-3": "deals",
    "p_cost_items": "cost_items",
    COST_OBJECT: "cost_items",
    "cost_items": "cost_items",
}
Record = dict[str, Any]


class HubSpot(Vendor):
    """HubSpot under `/hubspot`."""

    name = "hubspot"
    default_limits = {"hubspot": RateLimit(190, 10.0), "hubspot-search": RateLimit(5, 1.0)}

    def register(self) -> None:
        objects = r"/crm/v3/objects/(?P<object>[A-Za-z0-9_-]+)"
        self.route("POST", objects + r"/search", self.search)
        self.route("GET", objects, self.list_objects)
        self.route("GET", objects + r"/(?P<id>[0-9]+)", self.retrieve)
        self.route("GET", r"/crm/v3/properties/(?P<object>[A-Za-z0-9_-]+)", self.properties)

    def authenticate(self, request: Request) -> None:
        if request.bearer() != ACCESS_TOKEN:
            raise HttpError(
                401,
                self._error(
                    "Authentication credentials not found. This API supports OAuth 2.0 "
                    "authentication and you can find more details at "
                    "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                    "INVALID_AUTHENTICATION",
                ),
            )

    def _error(self, message: str, category: str) -> Record:
        return {
            "status": "error",
            "message": message,
            "correlationId": stable_uuid(self.world.seed, "hs", category),
            "category": category,
        }

    def error_body(self, status: int, message: str) -> Any:
        categories = {400: "VALIDATION_ERROR", 404: "OBJECT_NOT_FOUND", 429: "RATE_LIMITS"}
        return self._error(message, categories.get(status, "INTERNAL_ERROR"))

    def expired_body(self) -> Any:
        return self._error(
            "The OAuth token used to make this call expired.", "EXPIRED_AUTHENTICATION"
        )

    def throttle_body(self) -> Any:
        body = self._error("You have reached your secondly limit.", "RATE_LIMITS")
        body["errorType"] = "RATE_LIMIT"
        body["policyName"] = "SECONDLY"
        return body

    def bucket(self, request: Request) -> str:
        return "hubspot-search" if request.path.endswith("/search") else "hubspot"

    def limit_headers(self, limit: int, remaining: int, reset_s: float) -> list[tuple[str, str]]:
        return [
            ("X-HubSpot-RateLimit-Max", str(limit)),
            ("X-HubSpot-RateLimit-Remaining", str(remaining)),
        ]

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    # --- records -------------------------------------------------------------------------

    def _kind(self, match: re.Match[str]) -> str:
        kind = OBJECTS.get(match["object"])
        if kind is None:
            raise HttpError(404, self.error_body(404, f"Unknown object type {match['object']}"))
        return kind

    def records(self, kind: str, now: int, since_ms: int = 0) -> Iterator[tuple[Record, bool]]:
        """(record, archived) of one object type as of `now`, changed at or after `since_ms`."""
        producers: dict[str, Callable[[int, int], Iterator[tuple[Record, bool]]]] = {
            "contacts": self._contacts,
            "companies": self._companies,
            "deals": self._deals,
            "cost_items": self._costs,
        }
        yield from producers[kind](now, since_ms)

    def _created(self, customer: Customer) -> int:
        lead_days = 1 + int(unit(customer.idx, self.world.seed) * 30)
        return customer.acquired_ms - lead_days * DAY_MS

    def _contacts(self, now: int, since_ms: int) -> Iterator[tuple[Record, bool]]:
        limit = self.world.customers_acquired_by(now + 31 * DAY_MS)
        for customer in self.world.customers[:limit]:
            created = self._created(customer)
            if created > now:
                continue
            customer_now = customer.acquired_ms <= now
            churned = customer.churned_ms is not None and customer.churned_ms <= now
            modified = max(
                t
                for t in (
                    created,
                    customer.acquired_ms if customer_now else 0,
                    customer.churned_ms if churned else 0,
                )
                if t is not None
            )
            if modified < since_ms:
                continue
            props = {
                "email": customer.email,
                "firstname": "Customer",
                "lastname": str(customer.idx),
                "phone": customer.phone,
                "lifecyclestage": "customer" if customer_now else "lead",
                "hs_lifecyclestage_customer_date": iso_ms(customer.acquired_ms)
                if customer_now
                else None,
                "hs_analytics_source": customer.acquisition_channel,
                "customer_segment": customer.segment,
                "churn_date": iso_ms(customer.churned_ms)
                if churned and customer.churned_ms
                else None,
            }
            yield _record(str(customer.crm_id), props, created, modified), False

    def _companies(self, now: int, since_ms: int) -> Iterator[tuple[Record, bool]]:
        for record, archived in self._contacts(now, since_ms):
            crm_id = record["id"]
            props = {
                "name": f"Company {crm_id}",
                "domain": f"company{crm_id}.example",
                "lifecyclestage": record["properties"]["lifecyclestage"],
                "contact_id": crm_id,
            }
            created = parse_instant(record["createdAt"])
            modified = parse_instant(record["updatedAt"])
            yield _record(str(int(crm_id) + 5_000_000), props, created, modified), archived

    def _deals(self, now: int, since_ms: int) -> Iterator[tuple[Record, bool]]:
        first = max(0, self.world.day_of(since_ms) - 4)
        for day in range(first, self.world.day_of(now - 1) + 1):
            for deal in events.deals(self.world, day):
                if deal.closed_ms > now:
                    continue
                archived = 0 <= deal.archived_ms <= now
                modified = deal.archived_ms if archived else deal.closed_ms
                if modified < since_ms:
                    continue
                customer = self.world.customers[deal.customer]
                props = {
                    "dealname": f"Subscription {customer.crm_id}",
                    "amount": f"{deal.amount:.2f}",
                    "closedate": iso_ms(deal.closed_ms),
                    "dealstage": "closedwon",
                    "pipeline": "default",
                    "gross_margin": f"{deal.gross_margin:.4f}",
                    "contact_id": str(customer.crm_id),
                }
                yield _record(str(deal.deal_id), props, deal.closed_ms, modified), archived

    def _costs(self, now: int, since_ms: int) -> Iterator[tuple[Record, bool]]:
        first = max(0, self.world.day_of(since_ms) - 4)
        for day in range(first, self.world.day_of(now - 1) + 1):
            for item in events.cost_items(self.world, day):
                if item.posted_ms > now:
                    continue
                corrected = 0 <= item.corrected_ms <= now
                modified = item.corrected_ms if corrected else item.posted_ms
                if modified < since_ms:
                    continue
                amount = item.corrected_amount if corrected else item.amount
                props = {
                    "period_start": iso_ms(item.period_start_ms),
                    "period_end": iso_ms(item.period_end_ms),
                    "scope": item.scope,
                    "channel": item.channel,
                    "amount": f"{amount:.2f}",
                }
                yield _record(str(item.cost_id), props, item.posted_ms, modified), False

    # --- endpoints -----------------------------------------------------------------------

    def search(self, request: Request, match: re.Match[str]) -> Response:
        kind = self._kind(match)
        body = request.json()
        limit = int(body.get("limit", 10))
        after = int(str(body.get("after") or "0"))
        if not 1 <= limit <= 200:
            raise HttpError(400, self._bad("limit must be between 1 and 200"))
        if after + limit > SEARCH_CAP:
            raise HttpError(
                400,
                self._bad(
                    f"The search API returns at most {SEARCH_CAP} "
                    "results; narrow the filter (for example by "
                    "last-modified date) to page further"
                ),
            )
        groups = body.get("filterGroups") or []
        since = _lower_bound(groups)
        now = self.world.now_ms
        rows = [
            record
            for record, archived in self.records(kind, now, since)
            if not archived and _matches(groups, record)
        ]
        rows.sort(key=_sorter(body.get("sorts") or []))
        page = self.malform_page(request, page_window(rows, after, limit, request.decision))
        payload: Record = {"total": len(rows), "results": [_select(r, body) for r in page]}
        if after + limit < len(rows):
            payload["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(200, payload)

    def list_objects(self, request: Request, match: re.Match[str]) -> Response:
        kind = self._kind(match)
        limit = int_arg(request, "limit", 10, 1, 100, self._bad)
        after = int(request.arg("after") or "0")
        archived = (request.arg("archived") or "false").lower() == "true"
        now = self.world.now_ms
        rows = [
            dict(record, archived=True, archivedAt=record["updatedAt"]) if flag else record
            for record, flag in self.records(kind, now)
            if flag == archived
        ]
        page = self.malform_page(request, page_window(rows, after, limit, request.decision))
        payload: Record = {"results": page}
        if after + limit < len(rows):
            payload["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(200, payload)

    def retrieve(self, request: Request, match: re.Match[str]) -> Response:
        kind = self._kind(match)
        for record, archived in self.records(kind, self.world.now_ms):
            if record["id"] == match["id"] and not archived:
                return json_response(200, record)
        raise HttpError(404, self.error_body(404, "Object not found"))

    def properties(self, request: Request, match: re.Match[str]) -> Response:
        """The property definitions of an object type, as the properties API lists them."""
        kind = self._kind(match)
        results = [
            {
                "name": name,
                "label": name.replace("_", " ").capitalize(),
                "type": type_,
                "fieldType": _FIELD_TYPES[type_],
                "groupName": _GROUPS[kind],
                "hidden": False,
                "calculated": name in _SYSTEM_PROPERTIES,
                "hubspotDefined": name not in _CUSTOM_PROPERTIES.get(kind, ()),
            }
            for name, type_ in {**PROPERTY_TYPES[kind], **_SYSTEM_PROPERTIES}.items()
        ]
        return json_response(200, {"results": results})


# The properties each object type's records carry (the system ones every record has aside).
PROPERTY_TYPES: dict[str, dict[str, str]] = {
    "contacts": {
        "email": "string",
        "firstname": "string",
        "lastname": "string",
        "phone": "string",
        "lifecyclestage": "enumeration",
        "hs_lifecyclestage_customer_date": "datetime",
        "hs_analytics_source": "enumeration",
        "customer_segment": "enumeration",
        "churn_date": "datetime",
    },
    "companies": {
        "name": "string",
        "domain": "string",
        "lifecyclestage": "enumeration",
        "contact_id": "string",
    },
    "deals": {
        "dealname": "string",
        "amount": "number",
        "closedate": "datetime",
        "dealstage": "enumeration",
        "pipeline": "enumeration",
        "gross_margin": "number",
        "contact_id": "string",
    },
    "cost_items": {
        "period_start": "datetime",
        "period_end": "datetime",
        "scope": "enumeration",
        "channel": "enumeration",
        "amount": "number",
    },
}
_CUSTOM_PROPERTIES = {
    "contacts": ("customer_segment", "churn_date"),
    "companies": ("contact_id",),
    "deals": ("gross_margin", "contact_id"),
    "cost_items": tuple(PROPERTY_TYPES["cost_items"]),
}
_SYSTEM_PROPERTIES = {
    "hs_object_id": "number",
    "createdate": "datetime",
    "lastmodifieddate": "datetime",
    "hs_lastmodifieddate": "datetime",
}
_GROUPS = {
    "contacts": "contactinformation",
    "companies": "companyinformation",
    "deals": "dealinformation",
    "cost_items": "cost_item_information",
}
_FIELD_TYPES = {"string": "text", "number": "number", "datetime": "date", "enumeration": "select"}


def _record(object_id: str, props: Record, created: int, modified: int) -> Record:
    properties = {key: value for key, value in props.items()}
    properties.update(
        hs_object_id=object_id,
        createdate=iso_ms(created),
        lastmodifieddate=iso_ms(modified),
        hs_lastmodifieddate=iso_ms(modified),
    )
    return {
        "id": object_id,
        "properties": properties,
        "createdAt": iso_ms(created),
        "updatedAt": iso_ms(modified),
        "archived": False,
    }


def _select(record: Record, body: Record) -> Record:
    wanted = body.get("properties")
    if not wanted:
        return record
    keep = set(wanted) | {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"}
    return {**record, "properties": {k: v for k, v in record["properties"].items() if k in keep}}


def _value(text: Any) -> Any:
    """Filter values: epoch ms or ISO dates compare as instants, numbers as numbers."""
    raw = str(text)
    try:
        return float(parse_instant(raw)) if ("-" in raw[1:] or len(raw) >= 12) else float(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return raw


def _lower_bound(groups: list[Record]) -> int:
    """The earliest last-modified instant all filter groups require (0 when unknown)."""
    bounds = []
    for group in groups:
        bound = 0
        for item in group.get("filters", []):
            if item.get("propertyName") in ("lastmodifieddate", "hs_lastmodifieddate") and item.get(
                "operator"
            ) in ("GT", "GTE", "EQ", "BETWEEN"):
                value = _value(item.get("value"))
                if isinstance(value, float):
                    bound = max(bound, int(value))
        bounds.append(bound)
    return min(bounds) if bounds else 0


def _matches(groups: list[Record], record: Record) -> bool:
    if not groups:
        return True
    return any(all(_test(item, record) for item in group.get("filters", [])) for group in groups)


def _test(item: Record, record: Record) -> bool:
    operator = item.get("operator", "EQ")
    actual = record["properties"].get(item.get("propertyName", ""))
    if operator == "HAS_PROPERTY":
        return actual is not None
    if operator == "NOT_HAS_PROPERTY":
        return actual is None
    if actual is None:
        return False
    left, right = _value(actual), _value(item.get("value"))
    if type(left) is not type(right):
        left, right = str(actual), str(item.get("value"))
    tests: dict[str, Callable[[], bool]] = {
        "EQ": lambda: bool(left == right),
        "NEQ": lambda: bool(left != right),
        "GT": lambda: bool(left > right),
        "GTE": lambda: bool(left >= right),
        "LT": lambda: bool(left < right),
        "LTE": lambda: bool(left <= right),
        "BETWEEN": lambda: bool(right <= left <= _value(item.get("highValue"))),
    }
    if operator not in tests:
        raise HttpError(
            400,
            {
                "status": "error",
                "message": f"operator {operator} unsupported",
                "category": "VALIDATION_ERROR",
            },
        )
    return tests[operator]()


def _sorter(sorts: list[Any]) -> Callable[[Record], tuple[Any, ...]]:
    """HubSpot sorts: `[{"propertyName": ..., "direction": ...}]` or `["-name"]`; one key."""
    name, descending = "hs_object_id", False
    if sorts:
        first = sorts[0]
        if isinstance(first, str):
            name, descending = first.lstrip("-"), first.startswith("-")
        else:
            name = first.get("propertyName", name)
            descending = first.get("direction", "ASCENDING").upper() == "DESCENDING"
    sign = -1 if descending else 1

    def key(record: Record) -> tuple[Any, ...]:
        value = _value(record["properties"].get(name) or 0)
        number = value if isinstance(value, float) else 0.0
        return (sign * number, sign * int(record["id"]))

    return key
