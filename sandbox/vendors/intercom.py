"""Intercom REST API 2.15: conversations search on `updated_at` with `starting_after` cursors,
conversation retrieval with its parts, admins, teams and contacts.

Chat (source `conversation`) and messaging (source `whatsapp`) contacts. Times are Unix seconds,
as Intercom publishes them. A conversation is assigned to its queue's team and to the admin who
took it (`assignment` part = answer), carries customer and admin `comment` parts and internal
`note` parts, and is closed at the end of handling; an abandoned one is closed by the bot
without an assignment. Search results carry no parts; retrieve a conversation for them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sandbox import catalog, events, ids
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.rand import stable_uuid
from sandbox.timeutil import DAY_MS, unix_s
from sandbox.vendors.common import decode_cursor, encode_cursor
from sandbox.world import Leg

logger = logging.getLogger(__name__)

ACCESS_TOKEN = "sandbox-intercom-token"  # noqa: S105 - the sandbox's documented fixed credential
CHANNELS = ("chat", "messaging")
SOURCE_TYPE = {"chat": "conversation", "messaging": "whatsapp"}
BOT = {"type": "bot", "id": "1", "name": "Operator", "email": "operator@intercom.io"}
SEARCH_FIELDS = ("updated_at", "created_at", "id", "state", "source.type")


class Intercom(Vendor):
    """Intercom under `/intercom`."""

    name = "intercom"
    # 10,000 calls a minute per app, enforced in 10-second windows.
    default_limits = {"intercom": RateLimit(1666, 10.0)}

    def register(self) -> None:
        self.route("GET", r"/admins", self.admins)
        self.route("GET", r"/teams", self.teams)
        self.route("GET", r"/contacts", self.contacts)
        self.route("POST", r"/conversations/search", self.search)
        self.route("GET", r"/conversations", self.list_conversations)
        self.route("GET", r"/conversations/(?P<id>[0-9]+)", self.retrieve)

    def authenticate(self, request: Request) -> None:
        if request.bearer() != ACCESS_TOKEN:
            raise HttpError(401, self._errors("unauthorized", "Access Token Invalid"))

    def _errors(self, code: str, message: str) -> dict[str, Any]:
        return {
            "type": "error.list",
            "request_id": stable_uuid(self.world.seed, "rq", code),
            "errors": [{"code": code, "message": message}],
        }

    def error_body(self, status: int, message: str) -> Any:
        codes = {
            400: "parameter_invalid",
            401: "unauthorized",
            404: "not_found",
            429: "rate_limit_exceeded",
            500: "server_error",
            504: "server_error",
        }
        return self._errors(codes.get(status, "server_error"), message)

    def expired_body(self) -> Any:
        return self._errors("token_expired", "The access token has expired")

    def throttle_body(self) -> Any:
        return self._errors("rate_limit_exceeded", "You have exceeded the rate limit")

    def limit_headers(self, limit: int, remaining: int, reset_s: float) -> list[tuple[str, str]]:
        reset = unix_s(self.world.now_ms) + max(1, int(reset_s + 0.999))
        return [
            ("X-RateLimit-Limit", str(limit)),
            ("X-RateLimit-Remaining", str(remaining)),
            ("X-RateLimit-Reset", str(reset)),
        ]

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    # --- admins, teams, contacts --------------------------------------------------------

    def _digital_agents(self) -> list[int]:
        now = self.world.now_ms
        return [
            a.idx
            for a in self.world.agents
            if a.group == "Digital" and a.hired_ms - 21 * DAY_MS <= now
        ]

    def admins(self, request: Request, _: re.Match[str]) -> Response:
        team = int(ids.intercom_team("Digital"))
        queues = [int(ids.intercom_team(s.name)) for s in catalog.SKILLS if s.group == "Digital"]
        found = []
        for agent in self._digital_agents():
            record = self.world.agents[agent]
            found.append(
                {
                    "type": "admin",
                    "id": ids.intercom_admin(agent),
                    "name": f"{record.first_name} {record.last_name}",
                    "email": record.email,
                    "job_title": "Support Agent",
                    "away_mode_enabled": False,
                    "away_mode_reassign": False,
                    "has_inbox_seat": True,
                    "team_ids": [team, *queues],
                    "avatar": None,
                }
            )
        return json_response(200, {"type": "admin.list", "admins": found})

    def teams(self, request: Request, _: re.Match[str]) -> Response:
        members = [int(ids.intercom_admin(agent)) for agent in self._digital_agents()]
        names = [s.name for s in catalog.SKILLS if s.group == "Digital"] + ["Digital"]
        found = [
            {"type": "team", "id": ids.intercom_team(name), "name": name, "admin_ids": members}
            for name in names
        ]
        return json_response(200, {"type": "team.list", "teams": found})

    def contacts(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "per_page", 50, 1, 150, self._bad)
        offset = self._offset(request.arg("starting_after"))
        now = self.world.now_ms
        known = self.world.customers_acquired_by(now)
        chosen = page_window(list(range(known)), offset, size, request.decision)
        data = self.malform_page(request, [self._contact(index) for index in chosen])
        pages: dict[str, Any] = {
            "type": "pages",
            "page": offset // size + 1,
            "per_page": size,
            "total_pages": max(1, -(-known // size)),
        }
        if offset + size < known:
            pages["next"] = {
                "per_page": size,
                "starting_after": encode_cursor({"o": offset + size}),
            }
        return json_response(
            200, {"type": "list", "data": data, "total_count": known, "pages": pages}
        )

    def _offset(self, cursor: str | None) -> int:
        if not cursor:
            return 0
        return int(decode_cursor(cursor, self._bad("invalid starting_after")).get("o", 0))

    def _contact(self, index: int) -> dict[str, Any]:
        customer = self.world.customers[index]
        created = unix_s(customer.acquired_ms)
        return {
            "type": "contact",
            "id": ids.intercom_contact(self.world.seed, index),
            "external_id": str(customer.crm_id),
            "workspace_id": "sandbox",
            "role": "user",
            "email": customer.email,
            "email_domain": catalog.CUSTOMER_DOMAIN,
            "phone": customer.phone,
            "name": f"Customer {index}",
            "owner_id": None,
            "has_hard_bounced": False,
            "marked_email_as_spam": False,
            "unsubscribed_from_emails": False,
            "created_at": created,
            "updated_at": created,
            "signed_up_at": created,
            "custom_attributes": {},
        }

    # --- conversations ---------------------------------------------------------------

    def _scan(self, since_ms: int) -> list[list[Leg]]:
        """Digital contacts that may have changed at or after `since_ms` (a day of slack)."""
        now = self.world.now_ms
        first_day = max(0, self.world.day_of(since_ms) - 2)
        found: list[list[Leg]] = []
        for day in range(first_day, self.world.day_of(now - 1) + 1):
            for legs in self.world.day(day).contacts().values():
                if legs[0].channel in CHANNELS and legs[0].offered_ms <= now:
                    found.append(legs)
        return found

    def search(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        query = body.get("query")
        if not isinstance(query, dict):
            raise HttpError(400, self._bad("`query` is required"))
        pagination = body.get("pagination") or {}
        size = int(pagination.get("per_page", 20))
        if not 1 <= size <= 150:
            raise HttpError(400, self._bad("per_page must be between 1 and 150"))
        now = self.world.now_ms
        since = _lower_bound(query)
        mark = {"u": -1, "i": -1, "p": 1}
        if pagination.get("starting_after"):
            text = str(pagination["starting_after"])
            mark = decode_cursor(text, self._bad("invalid starting_after"))
        after = (int(mark["u"]), int(mark["i"]))
        if request.decision.duplicate and after[1] >= 0:
            # The duplicate fault: the last conversation of the previous page comes again.
            after = (after[0], after[1] - 1)
        rows, more = self._search_rows(query, since, after, size, now)
        page = self.malform_page(request, page_window(rows, 0, size, request.decision))
        total = self._count(since, now)
        pages: dict[str, Any] = {
            "type": "pages",
            "page": int(mark["p"]),
            "per_page": size,
            "total_pages": max(1, -(-total // size)),
        }
        if more and rows:
            last = rows[size - 1]
            cursor = {"u": last["updated_at"], "i": int(last["id"]), "p": int(mark["p"]) + 1}
            pages["next"] = {"per_page": size, "starting_after": encode_cursor(cursor)}
        return json_response(
            200,
            {
                "type": "conversation.list",
                "pages": pages,
                "total_count": total,
                "conversations": page,
            },
        )

    def _search_rows(
        self, query: dict[str, Any], since: int, after: tuple[int, int], size: int, now: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """Matches after the cursor in (updated_at, id) order, reading days only as needed.

        A conversation is updated no earlier than its day starts, so once more than a page is
        found and the next day starts after the page's last update, the page is complete.
        """
        found: list[dict[str, Any]] = []
        first_day = max(0, self.world.day_of(max(since, after[0]) * 1000) - 2)
        for day in range(first_day, self.world.day_of(now - 1) + 1):
            if len(found) > size:
                found.sort(key=lambda item: (item["updated_at"], int(item["id"])))
                if found[size]["updated_at"] < (self.world.start_ms + day * DAY_MS) // 1000:
                    return found[: size + 1], True
            for legs in self.world.day(day).contacts().values():
                leg = legs[0]
                if leg.channel not in CHANNELS or leg.offered_ms > now:
                    continue
                settled = _settled_update(leg, now)
                if settled is not None and (settled < since or (settled, leg.contact_id) <= after):
                    continue
                record = self.conversation(legs, now, parts=False)
                key = (record["updated_at"], leg.contact_id)
                if key > after and _matches(query, record):
                    found.append(record)
        found.sort(key=lambda item: (item["updated_at"], int(item["id"])))
        return found, len(found) > size

    def _count(self, since: int, now: int) -> int:
        """`total_count`: conversations updated at or after the query's lower bound."""
        total = 0
        for legs in self._scan(since * 1000):
            settled = _settled_update(legs[0], now)
            if settled is None or settled >= since:
                total += 1
        return total

    def list_conversations(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "per_page", 20, 1, 150, self._bad)
        now = self.world.now_ms
        rows = [self.conversation(legs, now, parts=False) for legs in self._scan(0)]
        rows.sort(key=lambda item: (-item["updated_at"], -int(item["id"])))
        return self._paged(request, rows, size, request.arg("starting_after"))

    def _paged(
        self, request: Request, rows: list[dict[str, Any]], size: int, cursor: Any
    ) -> Response:
        offset = self._offset(str(cursor) if cursor else None)
        page = self.malform_page(request, page_window(rows, offset, size, request.decision))
        pages: dict[str, Any] = {
            "type": "pages",
            "page": offset // size + 1,
            "per_page": size,
            "total_pages": max(1, -(-len(rows) // size)),
        }
        if offset + size < len(rows):
            pages["next"] = {
                "per_page": size,
                "starting_after": encode_cursor({"o": offset + size}),
            }
        return json_response(
            200,
            {
                "type": "conversation.list",
                "pages": pages,
                "total_count": len(rows),
                "conversations": page,
            },
        )

    def retrieve(self, request: Request, match: re.Match[str]) -> Response:
        contact_id = int(match["id"])
        day = contact_id // 1_000_000 - 1
        legs = None
        if 0 <= day < self.world.horizon_days:
            legs = self.world.day(day).contacts().get(contact_id)
        now = self.world.now_ms
        if not legs or legs[0].channel not in CHANNELS or legs[0].offered_ms > now:
            raise HttpError(404, self._errors("not_found", "Resource Not Found"))
        record = self.conversation(legs, now, parts=True)
        return json_response(200, self.malform_page(request, [record])[0])

    def conversation(self, legs: list[Leg], now: int, parts: bool) -> dict[str, Any]:
        """A conversation as Intercom shows it at `now`."""
        leg = legs[0]
        timeline = self._parts(leg, now)
        updated = max(part["created_at"] for part in timeline)
        closed = [part for part in timeline if part["part_type"] == "close"]
        assigned = [part for part in timeline if part["part_type"] == "assignment"]
        record: dict[str, Any] = {
            "type": "conversation",
            "id": str(leg.contact_id),
            "title": None,
            "created_at": unix_s(leg.offered_ms),
            "updated_at": updated,
            "waiting_since": None,
            "snoozed_until": None,
            "open": not closed,
            "state": "closed" if closed else "open",
            "read": True,
            "priority": "not_priority",
            "admin_assignee_id": int(ids.intercom_admin(leg.agent)) if assigned else None,
            "team_assignee_id": int(ids.intercom_team(leg.skill)),
            "tags": {"type": "tag.list", "tags": []},
            "source": self._source(leg),
            "contacts": {
                "type": "contact.list",
                "contacts": [
                    {
                        "type": "contact",
                        "id": ids.intercom_contact(self.world.seed, leg.customer),
                        "external_id": str(self.world.customers[leg.customer].crm_id),
                    }
                ],
            },
            "custom_attributes": {},
            "statistics": _statistics(timeline),
            "ai_agent_participated": False,
        }
        if parts:
            record["conversation_parts"] = {
                "type": "conversation_part.list",
                "conversation_parts": timeline[1:],
                "total_count": len(timeline) - 1,
            }
        return record

    def _source(self, leg: Leg) -> dict[str, Any]:
        customer = self.world.customers[leg.customer]
        return {
            "type": SOURCE_TYPE[leg.channel],
            "id": str(leg.contact_id * 10),
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": "<p>Hello, I need help.</p>",
            "author": {
                "type": "user",
                "id": ids.intercom_contact(self.world.seed, leg.customer),
                "name": f"Customer {customer.idx}",
                "email": customer.email,
            },
            "attachments": [],
            "url": None,
            "redacted": False,
        }

    def _parts(self, leg: Leg, now: int) -> list[dict[str, Any]]:
        """The conversation's parts up to `now`; the first is the opening customer message."""
        customer = self.world.customers[leg.customer]
        user = {
            "type": "user",
            "id": ids.intercom_contact(self.world.seed, leg.customer),
            "name": f"Customer {customer.idx}",
            "email": customer.email,
        }
        admin = self._admin_author(leg.agent) if leg.agent >= 0 else BOT
        found: list[tuple[int, str, dict[str, Any], int]] = []
        if leg.handled:
            found.append((leg.answered_ms, "assignment", BOT, leg.agent))
        for message in events.messages(self.world, leg):
            author = user if message.role == events.CUSTOMER else admin
            kind = "note" if message.role == events.NOTE else "comment"
            found.append((message.at_ms, kind, author, -1))
        if leg.handled:
            found.append((leg.end_ms, "close", admin, -1))
        elif leg.abandoned:
            found.append((leg.end_ms, "close", BOT, -1))
        # The opening message always comes first, even when an agent took the chat at once.
        order = {"assignment": 0, "comment": 1, "note": 1, "close": 2}
        opening = found.pop(1 if leg.handled else 0)
        found.sort(key=lambda item: (item[0], order[item[1]]))
        found.insert(0, opening)
        return [
            self._part(leg, number, at, kind, author, assignee)
            for number, (at, kind, author, assignee) in enumerate(found)
            if at <= now
        ]

    def _admin_author(self, agent: int) -> dict[str, Any]:
        record = self.world.agents[agent]
        return {
            "type": "admin",
            "id": ids.intercom_admin(agent),
            "name": f"{record.first_name} {record.last_name}",
            "email": record.email,
        }

    def _part(
        self, leg: Leg, number: int, at: int, kind: str, author: dict[str, Any], assignee: int
    ) -> dict[str, Any]:
        seconds = unix_s(at)
        body = {"comment": "<p>Message</p>", "note": "<p>Internal note</p>"}.get(kind)
        part: dict[str, Any] = {
            "type": "conversation_part",
            "id": str(leg.contact_id * 100 + number),
            "part_type": kind,
            "body": body,
            "created_at": seconds,
            "updated_at": seconds,
            "notified_at": seconds,
            "author": dict(author),
            "attachments": [],
            "external_id": None,
            "redacted": False,
        }
        if assignee >= 0:
            # Left out when empty: the description's `$ref` makes a null fail validation.
            part["assigned_to"] = {"type": "admin", "id": ids.intercom_admin(assignee)}
        return part


def _statistics(timeline: list[dict[str, Any]]) -> dict[str, Any]:
    """Intercom's conversation statistics, from the parts visible so far."""
    created = timeline[0]["created_at"]

    def times(kind: str, author_type: str | None = None) -> list[int]:
        return [
            p["created_at"]
            for p in timeline[1:]
            if p["part_type"] == kind
            and (author_type is None or p["author"]["type"] == author_type)
        ]

    assigned, replies = times("assignment"), times("comment", "admin")
    closes = times("close")
    customer = [created, *times("comment", "user")]
    stats: dict[str, Any] = {
        "type": "conversation_statistics",
        "count_reopens": 0,
        "count_assignments": len(assigned),
        "count_conversation_parts": len(timeline) - 1,
        "first_contact_reply_at": created,
        "last_contact_reply_at": customer[-1],
    }
    if assigned:
        stats.update(
            first_assignment_at=assigned[0],
            last_assignment_at=assigned[-1],
            time_to_assignment=assigned[0] - created,
        )
    if replies:
        stats.update(
            first_admin_reply_at=replies[0],
            last_admin_reply_at=replies[-1],
            time_to_admin_reply=replies[0] - created,
        )
        if assigned:
            stats["last_assignment_admin_reply_at"] = replies[-1]
    if closes:
        stats.update(
            first_close_at=closes[0],
            last_close_at=closes[-1],
            time_to_first_close=closes[0] - created,
            time_to_last_close=closes[-1] - created,
        )
        if assigned:
            stats["handling_time"] = closes[-1] - assigned[0]
    return stats


def _settled_update(leg: Leg, now: int) -> int | None:
    """`updated_at` of a conversation already closed at `now` (its close), without rendering."""
    if (leg.handled or leg.abandoned) and leg.end_ms <= now:
        return leg.end_ms // 1000
    return None


def _lower_bound(query: dict[str, Any]) -> int:
    """The smallest `updated_at` the query can match (Unix s), to skip old days."""
    if "field" in query:
        if query.get("field") == "updated_at" and query.get("operator") in (">", ">=", "="):
            return int(query.get("value", 0))
        return 0
    if str(query.get("operator", "")).upper() == "AND":
        return max((_lower_bound(q) for q in query.get("value", [])), default=0)
    return 0


def _matches(query: dict[str, Any], record: dict[str, Any]) -> bool:
    operator = str(query.get("operator", "="))
    if "field" not in query:
        parts = [_matches(q, record) for q in query.get("value", [])]
        return all(parts) if operator.upper() == "AND" else any(parts)
    field = str(query["field"])
    if field not in SEARCH_FIELDS:
        raise HttpError(
            400,
            {
                "type": "error.list",
                "errors": [
                    {"code": "parameter_invalid", "message": f"field `{field}` is not searchable"}
                ],
            },
        )
    actual: Any = record["source"]["type"] if field == "source.type" else record[field]
    expected = query.get("value")
    if field in ("updated_at", "created_at"):
        expected = int(str(expected))
    return _compare(actual, operator, expected)


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "=":
        return bool(actual == expected)
    if operator == "!=":
        return bool(actual != expected)
    if operator == ">":
        return bool(actual > expected)
    if operator == "<":
        return bool(actual < expected)
    if operator == "IN":
        return actual in expected
    if operator == "NIN":
        return actual not in expected
    raise HttpError(
        400,
        {
            "type": "error.list",
            "errors": [
                {"code": "parameter_invalid", "message": f"operator `{operator}` is not supported"}
            ],
        },
    )
