"""Delighted API v1: survey responses (with `since`/`until` on creation and `updated_since`/
`updated_until` on change, page-numbered) and people (cursor paging through the `Link` header).

Customer surveys: CSAT (1-5) after voice, chat and messaging contacts, NPS (0-10) and CES (1-7)
after any contact. Employee pulse surveys of agents (`survey_type` `esat` and `engagement`,
1-5) are in the same account. Person properties tie a response to its contact, channel, queue
and agent. An edited answer keeps `created_at` and moves `updated_at`. Times are Unix seconds.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sandbox import events, ids
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.timeutil import unix_s
from sandbox.vendors.common import days_since, decode_cursor, encode_cursor, instant

logger = logging.getLogger(__name__)

API_KEY = "sandbox-delighted-key"
BASE = "http://sandbox.delighted.invalid/v1"


class Delighted(Vendor):
    """Delighted under `/delighted`."""

    name = "delighted"
    default_limits = {"delighted": RateLimit(200, 60.0)}

    def register(self) -> None:
        self.route("GET", r"/v1/survey_responses(\.json)?", self.responses)
        self.route("GET", r"/v1/people(\.json)?", self.people)

    def authenticate(self, request: Request) -> None:
        credentials = request.basic_auth()
        if credentials is None or credentials[0] != API_KEY:
            raise HttpError(401, {"status": 401, "message": "Invalid API key"})

    def error_body(self, status: int, message: str) -> Any:
        return {"status": status, "message": message}

    def expired_body(self) -> Any:
        return {"status": 401, "message": "API key has been revoked"}

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    def _time(self, request: Request, name: str) -> int | None:
        raw = request.arg(name)
        return None if raw is None else instant(raw, name, self._bad) // 1000

    def responses(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "per_page", 20, 1, 100, self._bad)
        number = int_arg(request, "page", 1, 1, 10**6, self._bad)
        now = self.world.now_ms
        bounds = {
            name: self._time(request, name)
            for name in ("since", "until", "updated_since", "updated_until")
        }
        expand = "person" in request.args("expand[]")
        lows = [bound * 1000 for name in ("since", "updated_since") if (bound := bounds[name])]
        rows = [row for row in self._all(now, max(lows, default=0)) if _within(row, bounds)]
        order = request.arg("order") or "asc"
        key = "updated_at" if order.endswith(":updated_at") else "created_at"
        rows.sort(key=lambda row: (row[key], int(row["id"])), reverse=order.startswith("desc"))
        page = page_window(rows, (number - 1) * size, size, request.decision)
        if not expand:
            page = [{**row, "person": row["person"]["id"]} for row in page]
        return json_response(200, self.malform_page(request, page))

    def _all(self, now: int, since_ms: int) -> list[dict[str, Any]]:
        rows = []
        for day in days_since(self.world, since_ms):
            for survey in events.surveys(self.world, self.world.day(day)):
                if survey.vendor == "delighted" and 0 <= survey.responded_ms <= now:
                    rows.append(self._response(survey, now))
        return rows

    def _response(self, survey: events.Survey, now: int) -> dict[str, Any]:
        edited = 0 <= survey.edited_ms <= now
        score = survey.edited_score if edited else survey.score
        updated = survey.edited_ms if edited else survey.responded_ms
        return {
            "id": str(survey.survey_id),
            "person": self._person(survey),
            "survey_type": survey.kind,
            "score": score,
            "comment": None,
            "permalink": f"https://sandbox.delighted.invalid/r/{survey.survey_id}",
            "created_at": unix_s(survey.responded_ms),
            "updated_at": unix_s(updated),
            "person_properties": self._properties(survey),
            "notes": [],
            "tags": [],
            "additional_answers": [],
        }

    def _person(self, survey: events.Survey) -> dict[str, Any]:
        if survey.kind in ("esat", "engagement"):
            agent = self.world.agents[survey.agent]
            return {
                "id": ids.delighted_employee(agent.idx),
                "email": agent.email,
                "name": f"{agent.first_name} {agent.last_name}",
                "phone_number": None,
                "created_at": unix_s(agent.hired_ms),
            }
        customer = self.world.customers[survey.customer]
        return {
            "id": ids.delighted_person(customer.idx),
            "email": customer.email,
            "name": f"Customer {customer.idx}",
            "phone_number": customer.phone,
            "created_at": unix_s(customer.acquired_ms),
        }

    def _properties(self, survey: events.Survey) -> dict[str, Any]:
        agent = self.world.agents[survey.agent]
        if survey.kind in ("esat", "engagement"):
            return {"Survey": "Employee pulse", "Agent Email": agent.email, "Team": agent.group}
        customer = self.world.customers[survey.customer]
        return {
            "Customer ID": str(customer.crm_id),
            "Contact ID": _vendor_contact_id(self.world.seed, survey),
            "Channel": survey.channel,
            "Queue": survey.skill,
            "Agent Email": agent.email,
            "Sent At": str(unix_s(survey.sent_ms)),
        }

    def people(self, request: Request, _: re.Match[str]) -> Response:
        size = int_arg(request, "per_page", 20, 1, 100, self._bad)
        offset = 0
        if request.arg("page_info"):
            offset = int(
                decode_cursor(request.arg("page_info") or "", self._bad("invalid page_info"))["o"]
            )
        now = self.world.now_ms
        known = self.world.customers_acquired_by(now)
        page = page_window(list(range(known)), offset, size, request.decision)
        rows = [
            {
                "id": ids.delighted_person(i),
                "email": self.world.customers[i].email,
                "name": f"Customer {i}",
                "phone_number": self.world.customers[i].phone,
                "created_at": unix_s(self.world.customers[i].acquired_ms),
            }
            for i in page
        ]
        headers = []
        if offset + size < known:
            cursor = encode_cursor({"o": offset + size})
            headers.append(
                ("Link", f'<{BASE}/people.json?per_page={size}&page_info={cursor}>; rel="next"')
            )
        return json_response(200, self.malform_page(request, rows), headers)


def _vendor_contact_id(seed: int, survey: events.Survey) -> str:
    """The contact's id in the system that served it (Genesys, Intercom or Zendesk)."""
    if survey.channel == "voice":
        return ids.genesys_conversation(seed, survey.contact_id)
    return str(survey.contact_id)


def _within(row: dict[str, Any], bounds: dict[str, int | None]) -> bool:
    checks = (
        ("since", "created_at", 1),
        ("until", "created_at", -1),
        ("updated_since", "updated_at", 1),
        ("updated_until", "updated_at", -1),
    )
    for name, field, sign in checks:
        bound = bounds[name]
        if bound is not None and (row[field] - bound) * sign < 0:
            return False
    return True
