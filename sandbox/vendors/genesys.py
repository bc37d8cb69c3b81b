"""Genesys Cloud CX (platform API v2): OAuth client credentials, analytics conversation details
(synchronous query and asynchronous jobs with cursor paging), user details (presence and routing
status), users, routing queues, skills and wrap-up codes.

Voice contacts only. A conversation lists the customer, then per leg an `acd` participant (the
queue) and an `agent` participant; metrics appear once their `emitDate` has passed, so a call
still in wrap-up has no `tAcw` yet (late wrap-up). Queue tiers are in each queue's description
(`tier=2`): a transfer to a higher tier is an escalation.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sandbox import catalog, events, ids
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.rand import stable_uuid
from sandbox.timeutil import DAY_MS, iso_ms
from sandbox.vendors.common import contacts_between, decode_cursor, encode_cursor, interval
from sandbox.world import Leg

logger = logging.getLogger(__name__)

CLIENT_ID = "sandbox-genesys-client"
CLIENT_SECRET = "sandbox-genesys-secret"  # noqa: S105 - the sandbox's documented fixed credential
DNIS = "tel:+18005550100"
PRESENCE = {
    "available": ("ON_QUEUE", "IDLE"),
    "on_contact": ("ON_QUEUE", "INTERACTING"),
    "acw": ("ON_QUEUE", "INTERACTING"),
    "break": ("BREAK", "OFF_QUEUE"),
    "training": ("TRAINING", "OFF_QUEUE"),
    "meeting": ("MEETING", "OFF_QUEUE"),
}


class Genesys(Vendor):
    """Genesys Cloud under `/genesys` (both the login and the API host)."""

    name = "genesys"
    default_limits = {"genesys": RateLimit(300, 60.0)}

    def register(self) -> None:
        base = r"/api/v2"
        self.route("POST", r"/oauth/token", self.token)
        self.route("GET", base + r"/users", self.users)
        self.route("GET", base + r"/routing/queues", self.queues)
        self.route("GET", base + r"/routing/skills", self.skills)
        self.route("GET", base + r"/routing/wrapupcodes", self.wrapup_codes)
        self.route("POST", base + r"/analytics/conversations/details/query", self.details_query)
        self.route("POST", base + r"/analytics/conversations/details/jobs", self.create_job)
        self.route(
            "GET", base + r"/analytics/conversations/details/jobs/(?P<job>[^/]+)", self.job_status
        )
        self.route(
            "GET",
            base + r"/analytics/conversations/details/jobs/(?P<job>[^/]+)/results",
            self.job_results,
        )
        self.route("POST", base + r"/analytics/users/details/query", self.user_details)

    # --- auth and errors -------------------------------------------------------------

    def token_value(self) -> str:
        return "gen-" + stable_uuid(self.world.seed, "genesys-token")

    def public(self, request: Request) -> bool:
        return request.path.rstrip("/") == "/oauth/token"

    def bucket(self, request: Request) -> str:
        # The login host is limited separately from the API (no limit by default).
        return "genesys-login" if self.public(request) else "genesys"

    def authenticate(self, request: Request) -> None:
        if request.bearer() != self.token_value():
            raise HttpError(
                401, self.error_body(401, "Invalid login credentials.", "bad.credentials")
            )

    def error_body(self, status: int, message: str, code: str = "") -> Any:
        codes = {
            400: "bad.request",
            401: "authentication.required",
            404: "not.found",
            405: "method.not.allowed",
            429: "too.many.requests",
            504: "gateway.timeout",
        }
        return {
            "message": message,
            "code": code or codes.get(status, "internal.server.error"),
            "status": status,
            "contextId": stable_uuid(self.world.seed, "ctx", status),
            "details": [],
            "errors": [],
        }

    def expired_body(self) -> Any:
        return self.error_body(401, "Access token has expired.", "authentication.required")

    def throttle_body(self) -> Any:
        return self.error_body(
            429,
            "Rate limit exceeded the maximum. [300] requests for [60] seconds",
            "too.many.requests",
        )

    def limit_headers(self, limit: int, remaining: int, reset_s: float) -> list[tuple[str, str]]:
        return [
            ("inin-ratelimit-count", str(limit - remaining)),
            ("inin-ratelimit-allowed", str(limit)),
            ("inin-ratelimit-reset", str(max(1, int(reset_s + 0.999)))),
        ]

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    # --- token -------------------------------------------------------------------------

    def token(self, request: Request, _: re.Match[str]) -> Response:
        credentials = request.basic_auth()
        form = request.form()
        if credentials is None:
            credentials = (form.get("client_id", ""), form.get("client_secret", ""))
        if form.get("grant_type") != "client_credentials":
            return json_response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "description": "grant_type must be client_credentials",
                },
            )
        if credentials != (CLIENT_ID, CLIENT_SECRET):
            return json_response(
                401,
                {"error": "invalid_client", "description": "client not found or secret is wrong"},
            )
        return json_response(
            200, {"access_token": self.token_value(), "token_type": "bearer", "expires_in": 86399}
        )

    # --- directory ---------------------------------------------------------------------

    def users(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "pageSize", 25, 1, 500, self._bad)
        number = int_arg(request, "pageNumber", 1, 1, 10**6, self._bad)
        now = self.world.now_ms
        agents = [
            a for a in self.world.agents if a.channel == "voice" and a.hired_ms - 21 * DAY_MS <= now
        ]
        page = self.page(request, [self._user(a.idx) for a in agents], (number - 1) * size, size)
        return json_response(200, _entity_page(page, size, number, len(agents), "/api/v2/users"))

    def _user(self, agent: int) -> dict[str, Any]:
        record = self.world.agents[agent]
        terminated = record.terminated_ms is not None and record.terminated_ms < self.world.now_ms
        return {
            "id": ids.genesys_user(self.world.seed, agent),
            "name": f"{record.first_name} {record.last_name}",
            "division": {"id": ids.GENESYS_DIVISION, "name": "Home"},
            "email": record.email,
            "department": record.group,
            "title": "Contact Centre Agent",
            "state": "inactive" if terminated else "active",
            "version": 1,
            "selfUri": f"/api/v2/users/{ids.genesys_user(self.world.seed, agent)}",
        }

    def queues(self, request: Request, _: re.Match[str]) -> Response:
        found = [
            {
                "id": ids.genesys_queue(self.world.seed, skill.name),
                "name": skill.name,
                "description": f"tier={skill.tier}",
                "division": {"id": ids.GENESYS_DIVISION},
                "mediaSettings": {
                    "call": {"serviceLevel": {"percentage": 0.8, "durationMs": 20000}}
                },
                "selfUri": "/api/v2/routing/queues/"
                + ids.genesys_queue(self.world.seed, skill.name),
            }
            for skill in catalog.SKILLS
            if skill.channel == "voice"
        ]
        return json_response(200, _entity_page(found, 100, 1, len(found), "/api/v2/routing/queues"))

    def skills(self, request: Request, _: re.Match[str]) -> Response:
        found = [
            {
                "id": ids.genesys_skill(self.world.seed, skill.name),
                "name": skill.name,
                "state": "active",
            }
            for skill in catalog.SKILLS
            if skill.channel == "voice"
        ]
        return json_response(200, _entity_page(found, 100, 1, len(found), "/api/v2/routing/skills"))

    def wrapup_codes(self, request: Request, _: re.Match[str]) -> Response:
        codes = [*catalog.WRAPUP_CODES, "Transferred"]
        found = [{"id": ids.genesys_wrapup(self.world.seed, code), "name": code} for code in codes]
        return json_response(
            200, _entity_page(found, 100, 1, len(found), "/api/v2/routing/wrapupcodes")
        )

    # --- conversation details ----------------------------------------------------------

    def details_query(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        start, end = interval(body.get("interval"), self._bad)
        paging = body.get("paging") or {}
        size, number = int(paging.get("pageSize", 25)), int(paging.get("pageNumber", 1))
        if not 1 <= size <= 100 or number < 1:
            raise HttpError(400, self._bad("paging.pageSize must be 1-100, pageNumber >= 1"))
        now = self.world.now_ms
        contacts = contacts_between(self.world, start, end, now, ("voice",))
        if body.get("order") == "desc":
            contacts.reverse()
        window = page_window(contacts, (number - 1) * size, size, request.decision)
        page = self.malform_page(request, [self.conversation(legs, now) for legs in window])
        payload: dict[str, Any] = {"totalHits": len(contacts)}
        # Genesys leaves `conversations` out entirely when a page is empty.
        if page:
            payload["conversations"] = page
        return json_response(200, payload)

    def create_job(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        start, end = interval(body.get("interval"), self._bad)
        job = encode_cursor({"s": start, "e": end, "n": self.world.now_ms})
        return json_response(202, {"jobId": job})

    def _job(self, match: re.Match[str]) -> dict[str, Any]:
        return decode_cursor(match["job"], self.error_body(404, "job not found", "not.found"))

    def job_status(self, request: Request, match: re.Match[str]) -> Response:
        job = self._job(match)
        return json_response(
            200,
            {
                "state": "FULFILLED",
                "submissionDate": iso_ms(job["n"]),
                "completionDate": iso_ms(job["n"]),
                "expirationDate": iso_ms(job["n"] + 2 * DAY_MS),
            },
        )

    def job_results(self, request: Request, match: re.Match[str]) -> Response:
        """Results as of the job's submission time, in cursor-linked pages."""
        job = self._job(match)
        size = int_arg(request, "pageSize", 1000, 1, 1000, self._bad)
        offset = 0
        if request.arg("cursor"):
            offset = int(decode_cursor(request.arg("cursor") or "", self._bad("bad cursor"))["o"])
        contacts = contacts_between(self.world, job["s"], job["e"], job["n"], ("voice",))
        window = page_window(contacts, offset, size, request.decision)
        rendered = [self.conversation(legs, job["n"]) for legs in window]
        payload: dict[str, Any] = {
            "conversations": self.malform_page(request, rendered),
            "dataAvailabilityDate": iso_ms(job["n"]),
        }
        if offset + size < len(contacts):
            payload["cursor"] = encode_cursor({"o": offset + size})
        return json_response(200, payload)

    def conversation(self, legs: list[Leg], now: int) -> dict[str, Any]:
        """One voice conversation as Genesys reports it at `now`."""
        seed = self.world.seed
        first, last = legs[0], legs[-1]
        participants = [self._customer(first, last, now)]
        for leg in legs:
            if leg.offered_ms > now:
                break
            participants.append(self._acd(leg, now))
            if leg.handled and leg.answered_ms <= now:
                participants.append(self._agent(leg, now))
        record: dict[str, Any] = {
            "conversationId": ids.genesys_conversation(seed, first.contact_id),
            "conversationStart": iso_ms(first.offered_ms),
            "originatingDirection": "inbound",
            "divisionIds": [ids.GENESYS_DIVISION],
            "participants": participants,
        }
        if _ended(last, now):
            record["conversationEnd"] = iso_ms(last.end_ms)
        return record

    def _customer(self, first: Leg, last: Leg, now: int) -> dict[str, Any]:
        customer = self.world.customers[first.customer]
        segment: dict[str, Any] = {
            "segmentStart": iso_ms(first.offered_ms),
            "segmentType": "interact",
        }
        if _ended(last, now):
            segment["segmentEnd"] = iso_ms(last.end_ms)
            segment["disconnectType"] = "endpoint" if last.abandoned else "peer"
        return {
            "participantId": ids.genesys_participant(self.world.seed, first.contact_id, "c", 0),
            "participantName": customer.phone,
            "purpose": "customer",
            "externalContactId": stable_uuid(self.world.seed, "genesys-external", customer.idx),
            "sessions": [
                {
                    "sessionId": stable_uuid(self.world.seed, "s", first.contact_id, 0),
                    "mediaType": "voice",
                    "direction": "inbound",
                    "ani": "tel:" + customer.phone,
                    "dnis": DNIS,
                    "segments": [segment],
                }
            ],
        }

    def _acd(self, leg: Leg, now: int) -> dict[str, Any]:
        seed = self.world.seed
        queue = ids.genesys_queue(seed, leg.skill)
        segment: dict[str, Any] = {
            "segmentStart": iso_ms(leg.offered_ms),
            "segmentType": "interact",
            "queueId": queue,
        }
        metrics = [_metric("nOffered", 1, leg.offered_ms)]
        if leg.handled and leg.answered_ms <= now:
            segment["segmentEnd"] = iso_ms(leg.answered_ms)
            segment["disconnectType"] = "transfer"
            wait = leg.answered_ms - leg.offered_ms
            metrics += [
                _metric("tAcd", wait, leg.answered_ms),
                _metric("tAnswered", wait, leg.answered_ms),
            ]
        elif leg.abandoned and leg.end_ms <= now:
            segment["segmentEnd"] = iso_ms(leg.end_ms)
            segment["disconnectType"] = "peer"
            wait = leg.end_ms - leg.offered_ms
            metrics += [_metric("tAcd", wait, leg.end_ms), _metric("tAbandon", wait, leg.end_ms)]
        return {
            "participantId": ids.genesys_participant(seed, leg.contact_id, "acd", leg.leg),
            "participantName": leg.skill,
            "purpose": "acd",
            "sessions": [
                {
                    "sessionId": stable_uuid(seed, "s", leg.contact_id, "acd", leg.leg),
                    "mediaType": "voice",
                    "direction": "inbound",
                    "segments": [segment],
                    "metrics": metrics,
                }
            ],
        }

    def _agent(self, leg: Leg, now: int) -> dict[str, Any]:
        seed = self.world.seed
        agent = self.world.agents[leg.agent]
        queue = ids.genesys_queue(seed, leg.skill)
        spans = [(leg.answered_ms, leg.end_ms, "interact")]
        if leg.hold_ms:
            # Hold sits in the middle of the talk: interact, hold, interact.
            middle = leg.answered_ms + leg.talk_ms // 2
            spans = [
                (leg.answered_ms, middle, "interact"),
                (middle, middle + leg.hold_ms, "hold"),
                (middle + leg.hold_ms, leg.end_ms, "interact"),
            ]
        if leg.acw_ms:
            spans.append((leg.end_ms, leg.acw_end_ms, "wrapup"))
        segments = [
            _segment(start, end, kind, queue, now) for start, end, kind in spans if start <= now
        ]
        if leg.acw_end_ms <= now and segments[-1]["segmentType"] == "wrapup":
            segments[-1]["wrapUpCode"] = ids.genesys_wrapup(seed, leg.wrapup)
        if leg.end_ms <= now and leg.transferred:
            segments[-2 if leg.acw_ms else -1]["disconnectType"] = "transfer"
        return {
            "participantId": ids.genesys_participant(seed, leg.contact_id, "agent", leg.leg),
            "participantName": f"{agent.first_name} {agent.last_name}",
            "purpose": "agent",
            "userId": ids.genesys_user(seed, leg.agent),
            "sessions": [
                {
                    "sessionId": stable_uuid(seed, "s", leg.contact_id, "agent", leg.leg),
                    "mediaType": "voice",
                    "direction": "inbound",
                    "segments": segments,
                    "metrics": _agent_metrics(leg, now),
                }
            ],
        }

    # --- user details ------------------------------------------------------------------

    def user_details(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        start, end = interval(body.get("interval"), self._bad)
        paging = body.get("paging") or {}
        size, number = int(paging.get("pageSize", 25)), int(paging.get("pageNumber", 1))
        if not 1 <= size <= 100 or number < 1:
            raise HttpError(400, self._bad("paging.pageSize must be 1-100, pageNumber >= 1"))
        now = self.world.now_ms
        timelines = self._timelines(start, min(end, now))
        agents = sorted(timelines)
        chosen = agents[(number - 1) * size : number * size]
        details = [self._user_detail(agent, timelines[agent], now) for agent in chosen]
        payload: dict[str, Any] = {"totalHits": len(agents)}
        if details:
            payload["userDetails"] = self.malform_page(request, details)
        return json_response(200, payload)

    def _timelines(self, start: int, end: int) -> dict[int, list[events.State]]:
        found: dict[int, list[events.State]] = {}
        for day in range(max(0, self.world.day_of(start)), self.world.day_of(end - 1) + 1):
            for state in events.states(self.world, self.world.day(day)):
                agent = self.world.agents[state.agent]
                if agent.channel == "voice" and state.start_ms < end and state.end_ms > start:
                    found.setdefault(state.agent, []).append(state)
        return found

    def _user_detail(self, agent: int, timeline: list[events.State], now: int) -> dict[str, Any]:
        presence, routing = [], []
        for state in timeline:
            system, status = PRESENCE[state.state]
            span: dict[str, Any] = {"startTime": iso_ms(state.start_ms)}
            if state.end_ms <= now:
                span["endTime"] = iso_ms(state.end_ms)
            presence.append({**span, "systemPresence": system})
            routing.append({**span, "routingStatus": status})
        return {
            "userId": ids.genesys_user(self.world.seed, agent),
            "primaryPresence": presence,
            "routingStatus": routing,
        }


def _ended(last: Leg, now: int) -> bool:
    if last.abandoned:
        return last.end_ms <= now
    return last.handled and last.end_ms <= now


def _metric(name: str, value: int, emitted_ms: int) -> dict[str, Any]:
    return {"name": name, "value": value, "emitDate": iso_ms(emitted_ms)}


def _segment(start: int, end: int, kind: str, queue: str, now: int) -> dict[str, Any]:
    segment: dict[str, Any] = {"segmentStart": iso_ms(start), "segmentType": kind, "queueId": queue}
    if end <= now:
        segment["segmentEnd"] = iso_ms(end)
    return segment


def _agent_metrics(leg: Leg, now: int) -> list[dict[str, Any]]:
    metrics: list[dict[str, Any]] = []
    if leg.end_ms <= now:
        metrics.append(_metric("tTalk", leg.talk_ms, leg.end_ms))
        metrics.append(_metric("tTalkComplete", leg.talk_ms, leg.end_ms))
        if leg.hold_ms:
            metrics.append(_metric("tHeld", leg.hold_ms, leg.end_ms))
        if leg.transferred:
            metrics.append(_metric("nTransferred", 1, leg.end_ms))
    if leg.acw_end_ms <= now:
        if leg.acw_ms:
            metrics.append(_metric("tAcw", leg.acw_ms, leg.acw_end_ms))
        handle = leg.talk_ms + leg.hold_ms + leg.acw_ms
        metrics.append(_metric("tHandle", handle, leg.acw_end_ms))
    return metrics


def _entity_page(
    entities: list[Any], size: int, number: int, total: int, uri: str
) -> dict[str, Any]:
    pages = max(1, -(-total // size))
    page: dict[str, Any] = {
        "entities": entities,
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": pages,
        "firstUri": f"{uri}?pageSize={size}&pageNumber=1",
        "selfUri": f"{uri}?pageSize={size}&pageNumber={number}",
        "lastUri": f"{uri}?pageSize={size}&pageNumber={pages}",
    }
    if number < pages:
        page["nextUri"] = f"{uri}?pageSize={size}&pageNumber={number + 1}"
    return page
