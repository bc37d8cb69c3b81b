"""Zendesk Support API v2: cursor-based incremental ticket export (with `metric_sets`), the
incremental ticket event export with comments, satisfaction ratings, users, groups and deleted
tickets.

E-mail contacts. Times are whole seconds. A ticket is created (the customer's e-mail), assigned
(the answer), replied to and solved in one step (first public agent comment), maybe reopened by
the customer and solved again after a second reply, and closed four days after its last solve.
The custom field 900001 ("Total time spent (sec)", the time-tracking app) holds the handle time.
Escalated tickets carry the tag `escalated`. Spam tickets are deleted: the export then shows
them with status `deleted`, and /deleted_tickets lists them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sandbox import catalog, events, ids
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.timeutil import DAY_MS, iso_s, unix_s
from sandbox.vendors.common import (
    all_contacts,
    days_since,
    decode_cursor,
    encode_cursor,
    instant,
    ticket_of,
)
from sandbox.world import Leg

logger = logging.getLogger(__name__)

SUBDOMAIN = "sandbox"
EMAIL = f"api@{catalog.AGENT_DOMAIN}"
API_TOKEN = "sandbox-zendesk-token"  # noqa: S105 - the sandbox's documented fixed credential
TIME_SPENT_FIELD = 900001
CLOSE_AFTER_MS = 4 * DAY_MS
BASE = "http://sandbox.zendesk.invalid/api/v2"


class Zendesk(Vendor):
    """Zendesk Support under `/zendesk`."""

    name = "zendesk"
    default_limits = {"zendesk": RateLimit(700, 60.0), "zendesk-export": RateLimit(10, 60.0)}

    def register(self) -> None:
        api = r"/api/v2"
        self.route("GET", api + r"/incremental/tickets/cursor(\.json)?", self.export_tickets)
        self.route("GET", api + r"/incremental/ticket_events(\.json)?", self.export_events)
        self.route("GET", api + r"/satisfaction_ratings(\.json)?", self.ratings)
        self.route("GET", api + r"/users(\.json)?", self.users)
        self.route("GET", api + r"/groups(\.json)?", self.groups)
        self.route("GET", api + r"/deleted_tickets(\.json)?", self.deleted)
        self.route("GET", api + r"/tickets/(?P<id>[0-9]+)(\.json)?", self.ticket)

    def authenticate(self, request: Request) -> None:
        if request.basic_auth() != (f"{EMAIL}/token", API_TOKEN):
            raise HttpError(401, {"error": "Couldn't authenticate you"})

    def error_body(self, status: int, message: str) -> Any:
        names = {400: "InvalidValue", 404: "RecordNotFound", 429: "APIRateLimitExceeded"}
        return {"error": names.get(status, "InternalError"), "description": message}

    def expired_body(self) -> Any:
        return {"error": "invalid_token", "error_description": "The access token expired"}

    def throttle_body(self) -> Any:
        return {
            "error": "APIRateLimitExceeded",
            "description": "Number of allowed API requests per minute exceeded",
        }

    def bucket(self, request: Request) -> str:
        # Incremental exports have their own, much lower, limit.
        return "zendesk-export" if "/incremental/" in request.path else "zendesk"

    def limit_headers(self, limit: int, remaining: int, reset_s: float) -> list[tuple[str, str]]:
        return [("X-Rate-Limit", str(limit)), ("X-Rate-Limit-Remaining", str(remaining))]

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    # --- ticket timelines ------------------------------------------------------------

    def timeline(self, leg: Leg) -> list[tuple[int, str, dict[str, Any]]]:
        """(instant, kind, details) of everything that happens to one ticket."""
        ticket = ticket_of(self.world, leg)
        assert ticket is not None
        steps: list[tuple[int, str, dict[str, Any]]] = [(leg.offered_ms, "created", {})]
        if ticket.deleted_ms >= 0:
            steps.append((ticket.deleted_ms, "deleted", {}))
            return steps
        if not leg.handled:
            return steps
        steps.append((leg.answered_ms, "assigned", {}))
        steps.append((leg.end_ms, "solved", {"reply": 1}))
        if ticket.reopened_ms >= 0:
            steps.append((ticket.reopened_ms, "reopened", {}))
            steps.append((ticket.second_reply_ms, "solved", {"reply": 2}))
        for survey in self._ratings_of(leg):
            steps.append((survey.sent_ms, "rating", {"score": "offered"}))
            if survey.responded_ms >= 0:
                steps.append((survey.responded_ms, "rating", {"score": survey.score}))
            if survey.edited_ms >= 0:
                steps.append((survey.edited_ms, "rating", {"score": survey.edited_score}))
        steps.append((ticket.final_solved_ms() + CLOSE_AFTER_MS, "closed", {}))
        steps.sort(key=lambda step: step[0])
        return steps

    def _ratings_of(self, leg: Leg) -> list[events.Survey]:
        batch = self.world.day(self.world.day_of(leg.offered_ms))
        cached = batch.extras.get("zendesk_ratings")
        if isinstance(cached, dict):
            found: list[events.Survey] = cached.get(leg.contact_id, [])
            return found
        index: dict[int, list[events.Survey]] = {}
        for survey in events.surveys(self.world, batch):
            if survey.vendor == "zendesk":
                index.setdefault(survey.contact_id, []).append(survey)
        batch.extras["zendesk_ratings"] = index
        return index.get(leg.contact_id, [])

    def ticket_state(self, leg: Leg, now: int) -> dict[str, Any]:
        """The ticket and its metric set as of `now`."""
        state: dict[str, Any] = {
            "status": "new",
            "updated": leg.offered_ms,
            "replies": 0,
            "reopens": 0,
            "solved": None,
            "assigned": None,
            "rating": None,
            "rating_at": None,
            "tags": ["email"],
        }
        for at, kind, details in self.timeline(leg):
            if at > now:
                break
            state["updated"] = at
            self._apply(state, at, kind, details, leg)
        return state

    def _apply(
        self, state: dict[str, Any], at: int, kind: str, details: dict[str, Any], leg: Leg
    ) -> None:
        if kind == "deleted":
            state["status"] = "deleted"
        elif kind == "assigned":
            state.update(status="open", assigned=at)
        elif kind == "solved":
            state.update(status="solved", solved=at, replies=details["reply"])
            ticket = ticket_of(self.world, leg)
            if ticket is not None and ticket.escalated and "escalated" not in state["tags"]:
                state["tags"] = [*state["tags"], "escalated"]
        elif kind == "reopened":
            state.update(status="open", reopens=state["reopens"] + 1)
        elif kind == "closed":
            state["status"] = "closed"
        elif kind == "rating":
            score = details["score"]
            state["rating"] = "offered" if score == "offered" else ("good" if score else "bad")
            state["rating_at"] = at

    def render_ticket(self, leg: Leg, state: dict[str, Any]) -> dict[str, Any]:
        customer = self.world.customers[leg.customer]
        assignee = ids.zendesk_agent(leg.agent) if state["assigned"] is not None else None
        spent = leg.talk_ms // 1000 if state["replies"] else None
        rating = None
        if state["rating"] is not None:
            rating = {"score": state["rating"], "id": leg.contact_id * 10}
        return {
            "url": f"{BASE}/tickets/{leg.contact_id}.json",
            "id": leg.contact_id,
            "external_id": None,
            "type": "question",
            "via": {
                "channel": "email",
                "source": {
                    "from": {"address": customer.email},
                    "to": {"address": "help@sandbox-cc.example"},
                    "rel": None,
                },
            },
            "created_at": iso_s(leg.offered_ms),
            "updated_at": iso_s(state["updated"]),
            "subject": f"Question {leg.contact_id}",
            "raw_subject": f"Question {leg.contact_id}",
            "description": "Hello, I need help.",
            "priority": "normal",
            "status": state["status"],
            "recipient": "help@sandbox-cc.example",
            "requester_id": ids.zendesk_requester(leg.customer),
            "submitter_id": ids.zendesk_requester(leg.customer),
            "assignee_id": assignee,
            "organization_id": None,
            "group_id": ids.zendesk_group(leg.skill),
            "collaborator_ids": [],
            "follower_ids": [],
            "email_cc_ids": [],
            "tags": state["tags"],
            "custom_fields": [{"id": TIME_SPENT_FIELD, "value": spent}],
            "satisfaction_rating": rating,
            "generated_timestamp": unix_s(state["updated"]),
        }

    def metric_set(self, leg: Leg, state: dict[str, Any]) -> dict[str, Any]:
        created = leg.offered_ms

        def minutes(at: int | None) -> dict[str, int | None]:
            value = None if at is None else (at - created) // 60_000
            return {"calendar": value, "business": value}

        reply = leg.end_ms if state["replies"] else None
        solved = state["solved"]
        return {
            "url": f"{BASE}/ticket_metrics/{leg.contact_id}.json",
            "id": leg.contact_id,
            "ticket_id": leg.contact_id,
            "created_at": iso_s(created),
            "updated_at": iso_s(state["updated"]),
            "group_stations": 1,
            "assignee_stations": 1 if state["assigned"] is not None else 0,
            "reopens": state["reopens"],
            "replies": state["replies"],
            "assignee_updated_at": _iso(state["assigned"]),
            "requester_updated_at": iso_s(created),
            "status_updated_at": iso_s(state["updated"]),
            "initially_assigned_at": _iso(state["assigned"]),
            "assigned_at": _iso(state["assigned"]),
            "solved_at": _iso(solved),
            "latest_comment_added_at": iso_s(state["updated"]),
            "reply_time_in_minutes": minutes(reply),
            "reply_time_in_seconds": {
                "calendar": None if reply is None else (reply - created) // 1000
            },
            "first_resolution_time_in_minutes": minutes(leg.end_ms if solved else None),
            "full_resolution_time_in_minutes": minutes(solved),
            "agent_wait_time_in_minutes": minutes(None),
            "requester_wait_time_in_minutes": minutes(None),
            "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
        }

    # --- incremental ticket export ---------------------------------------------------

    def _tickets(
        self, now: int, after: tuple[int, int], size: int
    ) -> list[tuple[int, Leg, dict[str, Any]]]:
        """Tickets changed after the cursor, in change order, reading days only as needed.

        A ticket changes no earlier than its day starts, so once more than a page is found and
        the next day starts after the page's last change, later days cannot enter the page.
        """
        found: list[tuple[int, Leg, dict[str, Any]]] = []
        for day in days_since(self.world, after[0] * 1000):
            day_start_s = (self.world.start_ms + day * DAY_MS) // 1000
            if len(found) > size:
                found.sort(key=lambda item: (item[0], item[1].contact_id))
                if found[size][0] < day_start_s:
                    break
            for legs in self.world.day(day).contacts().values():
                leg = legs[0]
                if leg.channel != "email" or leg.offered_ms > now:
                    continue
                state = self.ticket_state(leg, now)
                if (state["updated"] // 1000, leg.contact_id) > after:
                    found.append((state["updated"] // 1000, leg, state))
        found.sort(key=lambda item: (item[0], item[1].contact_id))
        return found

    def export_tickets(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "per_page", 1000, 1, 1000, self._bad)
        now = self.world.now_ms
        cursor = request.arg("cursor")
        if cursor:
            mark = decode_cursor(cursor, self._bad("invalid cursor"))
            after = (int(mark["u"]), int(mark["i"]))
        else:
            start = instant(request.arg("start_time"), "start_time", self._bad) // 1000
            if start * 1000 > now:
                raise HttpError(400, self._bad("start_time is in the future"))
            after = (start, -1)
        if request.decision.duplicate and after[1] >= 0:
            # The duplicate fault: the last ticket of the previous page comes again.
            after = (after[0], after[1] - 1)
        rows = self._tickets(now, after, size)
        page = page_window(rows, 0, size, request.decision)
        tickets = [self.render_ticket(leg, state) for _, leg, state in page]
        last = (page[-1][0], page[-1][1].contact_id) if page else after
        payload: dict[str, Any] = {
            "tickets": self.malform_page(request, tickets),
            "after_cursor": encode_cursor({"u": last[0], "i": last[1]}),
            "before_cursor": None,
            "end_of_stream": len(rows) <= size,
        }
        payload["after_url"] = (
            f"{BASE}/incremental/tickets/cursor.json?cursor={payload['after_cursor']}"
        )
        if "metric_sets" in (request.arg("include") or ""):
            payload["metric_sets"] = [self.metric_set(leg, state) for _, leg, state in page]
        return json_response(200, payload)

    def ticket(self, request: Request, match: re.Match[str]) -> Response:
        contact_id = int(match["id"])
        day = contact_id // 1_000_000 - 1
        now = self.world.now_ms
        legs = None
        if 0 <= day < self.world.horizon_days:
            legs = self.world.day(day).contacts().get(contact_id)
        if not legs or legs[0].channel != "email" or legs[0].offered_ms > now:
            raise HttpError(404, self.error_body(404, "Not found"))
        state = self.ticket_state(legs[0], now)
        if state["status"] == "deleted":
            raise HttpError(404, self.error_body(404, "Not found"))
        return json_response(200, {"ticket": self.render_ticket(legs[0], state)})

    # --- ticket events ---------------------------------------------------------------

    def export_events(self, request: Request, _: re.Match[str]) -> Response:
        """Time-based paging: `start_time` of the next page is the last event's time."""
        start = instant(request.arg("start_time"), "start_time", self._bad)
        now = self.world.now_ms
        comments = "comment_events" in (request.arg("include") or "")
        found = []
        for legs in all_contacts(self.world, now, ("email",), start):
            found.extend(self._audits(legs[0], start, now, comments))
        found.sort(key=lambda audit: (audit["timestamp"], audit["id"]))
        limit = 1000
        page = page_window(found, 0, limit, request.decision)
        end_time = page[-1]["timestamp"] if page else unix_s(start)
        payload = {
            "ticket_events": self.malform_page(request, page),
            "count": len(page),
            "end_of_stream": len(found) <= limit,
            "end_time": end_time,
            "next_page": (
                f"{BASE}/incremental/ticket_events.json?start_time={end_time}"
                + ("&include=comment_events" if comments else "")
            ),
        }
        return json_response(200, payload)

    def _audits(self, leg: Leg, start: int, now: int, comments: bool) -> list[dict[str, Any]]:
        ticket = ticket_of(self.world, leg)
        message_at = {m.at_ms: m for m in events.messages(self.world, leg, ticket)}
        found = []
        for number, (at, kind, _details) in enumerate(self.timeline(leg)):
            if at > now:
                break
            if at < start - start % 1000:
                continue
            children: list[dict[str, Any]] = [
                {
                    "id": leg.contact_id * 100 + number * 2,
                    "event_type": "Change",
                    "field_name": "status",
                    "value": kind,
                }
            ]
            message = message_at.get(at)
            if comments and message is not None and kind in ("created", "solved", "reopened"):
                author = (
                    ids.zendesk_agent(message.agent)
                    if message.role == events.AGENT
                    else ids.zendesk_requester(leg.customer)
                )
                children.append(
                    {
                        "id": leg.contact_id * 100 + number * 2 + 1,
                        "event_type": "Comment",
                        "public": True,
                        "author_id": author,
                        "body": "Message",
                        "created_at": iso_s(at),
                    }
                )
            found.append(
                {
                    "id": leg.contact_id * 100 + number,
                    "ticket_id": leg.contact_id,
                    "timestamp": unix_s(at),
                    "created_at": iso_s(at),
                    "updater_id": -1,
                    "via": "Mail",
                    "event_type": "Audit",
                    "child_events": children,
                }
            )
        return found

    # --- ratings, users, groups, deleted -----------------------------------------------

    def ratings(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "page[size]", 100, 1, 100, self._bad)
        now = self.world.now_ms
        low = (
            instant(request.arg("start_time"), "start_time", self._bad)
            if request.arg("start_time")
            else 0
        )
        high = (
            instant(request.arg("end_time"), "end_time", self._bad)
            if request.arg("end_time")
            else now
        )
        rows = []
        for day in days_since(self.world, low):
            batch = self.world.day(day)
            for survey in events.surveys(self.world, batch):
                record = self._rating(survey, now)
                if record is not None and low <= record[0] <= high:
                    rows.append(record)
        rows.sort(key=lambda row: (row[0], row[1]["id"]))
        offset = 0
        if request.arg("page[after]"):
            offset = int(
                decode_cursor(request.arg("page[after]") or "", self._bad("invalid cursor"))["o"]
            )
        page = [row[1] for row in page_window(rows, offset, size, request.decision)]
        more = offset + size < len(rows)
        after = encode_cursor({"o": offset + size}) if more else None
        return json_response(
            200,
            {
                "satisfaction_ratings": self.malform_page(request, page),
                "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
                "links": {
                    "next": f"{BASE}/satisfaction_ratings.json?page[after]={after}"
                    if more
                    else None,
                    "prev": None,
                },
            },
        )

    def _rating(self, survey: events.Survey, now: int) -> tuple[int, dict[str, Any]] | None:
        if survey.vendor != "zendesk" or survey.sent_ms > now:
            return None
        updated, score = survey.sent_ms, "offered"
        if 0 <= survey.responded_ms <= now:
            updated, score = survey.responded_ms, "good" if survey.score else "bad"
        if 0 <= survey.edited_ms <= now:
            updated, score = survey.edited_ms, "good" if survey.edited_score else "bad"
        record = {
            "url": f"{BASE}/satisfaction_ratings/{survey.survey_id}.json",
            "id": survey.survey_id,
            "assignee_id": ids.zendesk_agent(survey.agent),
            "group_id": ids.zendesk_group(survey.skill),
            "requester_id": ids.zendesk_requester(survey.customer),
            "ticket_id": survey.contact_id,
            "score": score,
            "created_at": iso_s(survey.sent_ms),
            "updated_at": iso_s(updated),
            "comment": None,
        }
        return updated, record

    def users(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "page[size]", 100, 1, 100, self._bad)
        role = request.arg("role")
        now = self.world.now_ms
        rows: list[dict[str, Any]] = []
        if role in (None, "agent"):
            rows += [
                self._agent(a.idx)
                for a in self.world.agents
                if a.group == "Email" and a.hired_ms - 21 * DAY_MS <= now
            ]
        if role in (None, "end-user"):
            rows += [self._end_user(i) for i in range(self.world.customers_acquired_by(now))]
        offset = 0
        if request.arg("page[after]"):
            offset = int(
                decode_cursor(request.arg("page[after]") or "", self._bad("invalid cursor"))["o"]
            )
        page = page_window(rows, offset, size, request.decision)
        more = offset + size < len(rows)
        after = encode_cursor({"o": offset + size}) if more else None
        return json_response(
            200,
            {
                "users": self.malform_page(request, page),
                "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
                "links": {
                    "next": f"{BASE}/users.json?page[after]={after}" if more else None,
                    "prev": None,
                },
            },
        )

    def _agent(self, agent: int) -> dict[str, Any]:
        record = self.world.agents[agent]
        active = record.terminated_ms is None or record.terminated_ms >= self.world.now_ms
        created = iso_s(record.hired_ms)
        return {
            "id": ids.zendesk_agent(agent),
            "url": f"{BASE}/users/{ids.zendesk_agent(agent)}",
            "name": f"{record.first_name} {record.last_name}",
            "email": record.email,
            "role": "agent",
            "active": active,
            "suspended": not active,
            "created_at": created,
            "updated_at": created,
            "external_id": None,
            "phone": None,
            "default_group_id": ids.zendesk_group("Email Support"),
        }

    def _end_user(self, index: int) -> dict[str, Any]:
        customer = self.world.customers[index]
        created = iso_s(customer.acquired_ms)
        user_id = ids.zendesk_requester(index)
        return {
            "id": user_id,
            "url": f"{BASE}/users/{user_id}",
            "name": f"Customer {index}",
            "email": customer.email,
            "role": "end-user",
            "active": True,
            "suspended": False,
            "created_at": created,
            "updated_at": created,
            "external_id": str(customer.crm_id),
            "phone": customer.phone,
            "default_group_id": None,
        }

    def groups(self, request: Request, _: re.Match[str]) -> Response:
        found = [
            {
                "id": ids.zendesk_group(skill.name),
                "name": skill.name,
                "description": f"tier={skill.tier}",
                "default": True,
                "deleted": False,
                "created_at": iso_s(self.world.start_ms - 400 * DAY_MS),
                "updated_at": iso_s(self.world.start_ms - 400 * DAY_MS),
            }
            for skill in catalog.SKILLS
            if skill.channel == "email"
        ]
        return json_response(
            200, {"groups": found, "next_page": None, "previous_page": None, "count": len(found)}
        )

    def deleted(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "per_page", 100, 1, 100, self._bad)
        number = int_arg(request, "page", 1, 1, 10**6, self._bad)
        now = self.world.now_ms
        rows = []
        for legs in all_contacts(self.world, now, ("email",)):
            ticket = ticket_of(self.world, legs[0])
            if ticket is not None and 0 <= ticket.deleted_ms <= now:
                rows.append(
                    {
                        "id": legs[0].contact_id,
                        "subject": f"Question {legs[0].contact_id}",
                        "actor": {"id": -1, "name": "System"},
                        "deleted_at": iso_s(ticket.deleted_ms),
                        "previous_state": "new",
                    }
                )
        page = page_window(rows, (number - 1) * size, size, request.decision)
        more = number * size < len(rows)
        return json_response(
            200,
            {
                "deleted_tickets": self.malform_page(request, page),
                "next_page": f"{BASE}/deleted_tickets.json?page={number + 1}" if more else None,
                "previous_page": None,
                "count": len(rows),
            },
        )


def _iso(ms: int | None) -> str | None:
    return None if ms is None else iso_s(ms)
