"""Zendesk QA (formerly Klaus) public export API: workspaces, users, reviews for a date range
(per account or per workspace, page-numbered) and calibration sessions.

The date range selects reviews by their last update, so an edited review comes back in a later
export. Reviews are grouped under the reviewed conversation, whose `externalId` is the contact's
id in its source (Genesys conversation id, Intercom conversation id, Zendesk ticket id). Ratings
are binary (0 or 100); a category not applicable to a conversation is left out. The scorecard's
`Script` group holds the script items. Calibration reviews appear only in calibration sessions.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sandbox import catalog, events, ids
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.timeutil import DAY_MS, iso_ms
from sandbox.vendors.common import UPDATE_LAG_DAYS, instant

logger = logging.getLogger(__name__)

API_TOKEN = "sandbox-zendesk-qa-token"  # noqa: S105 - the sandbox's documented fixed credential
WORKSPACE_ID = "101"
WORKSPACE_NAME = "Customer Service"
SCORECARD = {"id": "5001", "name": "Support scorecard"}
SOURCE_TYPES = {"voice": "genesys", "chat": "intercom", "messaging": "intercom", "email": "zendesk"}
GROUP_IDS = {"Script": "601", "Quality": "602"}


class ZendeskQA(Vendor):
    """Zendesk QA under `/zendesk-qa`."""

    name = "zendesk-qa"
    default_limits = {"zendesk-qa": RateLimit(120, 60.0)}

    def register(self) -> None:
        export = r"/api/export"
        workspace = export + r"/workspace/(?P<workspace>[0-9]+)"
        self.route("GET", export + r"/workspaces", self.workspaces)
        self.route("GET", export + r"/users", self.users)
        self.route("GET", export + r"/reviews", self.reviews)
        self.route("GET", workspace + r"/reviews", self.reviews)
        self.route("GET", workspace + r"/users", self.users)
        self.route("GET", workspace + r"/calibration-sessions", self.calibrations)

    def authenticate(self, request: Request) -> None:
        if request.bearer() != API_TOKEN:
            raise HttpError(401, {"code": 16, "message": "unauthenticated", "details": []})

    def error_body(self, status: int, message: str) -> Any:
        codes = {400: 3, 401: 16, 404: 5, 429: 8, 504: 4}
        return {"code": codes.get(status, 13), "message": message, "details": []}

    def expired_body(self) -> Any:
        return {"code": 16, "message": "token expired", "details": []}

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    def _workspace(self, match: re.Match[str]) -> None:
        if "workspace" in match.groupdict() and match["workspace"] != WORKSPACE_ID:
            raise HttpError(404, self.error_body(404, "workspace not found"))

    # --- endpoints ---------------------------------------------------------------------

    def workspaces(self, request: Request, _: re.Match[str]) -> Response:
        return json_response(200, {"workspaces": [{"id": WORKSPACE_ID, "name": WORKSPACE_NAME}]})

    def users(self, request: Request, match: re.Match[str]) -> Response:
        self._workspace(match)
        now = self.world.now_ms
        rows = [
            {"id": ids.qa_user(a.idx), "name": f"{a.first_name} {a.last_name}", "email": a.email}
            for a in self.world.agents
            if a.hired_ms - 21 * DAY_MS <= now
        ]
        rows += [
            {"id": ids.qa_reviewer(n), "name": name, "email": email}
            for n, (name, email) in enumerate(ids.QA_REVIEWERS)
        ]
        return json_response(200, {"users": rows})

    def _window(self, request: Request) -> tuple[int, int]:
        start = instant(request.arg("fromDate"), "fromDate", self._bad)
        end = (
            instant(request.arg("toDate"), "toDate", self._bad)
            if request.arg("toDate")
            else self.world.now_ms
        )
        return start, min(end, self.world.now_ms)

    def _found(self, start: int, end: int, calibration: bool) -> list[tuple[events.Review, int]]:
        """(review, last update) of reviews whose last update as of now is in [start, end]."""
        now = self.world.now_ms
        found = []
        first = max(0, self.world.day_of(start) - UPDATE_LAG_DAYS)
        for day in range(first, self.world.day_of(now - 1) + 1):
            for review in events.reviews(self.world, self.world.day(day)):
                if review.calibration != calibration or review.created_ms > now:
                    continue
                updated = review.edited_ms if 0 <= review.edited_ms <= now else review.created_ms
                if start <= updated <= end:
                    found.append((review, updated))
        found.sort(key=lambda item: (item[1], item[0].review_id))
        return found

    def reviews(self, request: Request, match: re.Match[str]) -> Response:
        self._workspace(match)
        start, end = self._window(request)
        size = int_arg(request, "pageSize", 100, 1, 1000, self._bad)
        number = int_arg(request, "page", 1, 1, 10**6, self._bad)
        conversations: dict[int, list[tuple[events.Review, int]]] = {}
        for review, updated in self._found(start, end, calibration=False):
            conversations.setdefault(review.leg.contact_id, []).append((review, updated))
        keys = list(conversations)
        page = page_window(keys, (number - 1) * size, size, request.decision)
        rows = [self._conversation(conversations[key]) for key in page]
        return json_response(
            200,
            {
                "conversations": self.malform_page(request, rows),
                "pagination": {"page": number, "pageSize": size, "total": len(keys)},
            },
        )

    def _conversation(self, items: list[tuple[events.Review, int]]) -> dict[str, Any]:
        leg = items[0][0].leg
        external = self._external_id(leg.channel, leg.contact_id)
        updated = max(stamp for _, stamp in items)
        return {
            "externalId": external,
            "url": f"https://sandbox.zendesk.invalid/qa/{external}",
            "externalUrl": f"https://{SOURCE_TYPES[leg.channel]}.invalid/{external}",
            "lastUpdated": iso_ms(updated),
            "lastUpdatedISO": iso_ms(updated),
            "createdAt": iso_ms(leg.offered_ms),
            "createdAtISO": iso_ms(leg.offered_ms),
            "sourceType": SOURCE_TYPES[leg.channel],
            "workspaceId": WORKSPACE_ID,
            "workspaceName": WORKSPACE_NAME,
            "reviews": [self._review(review, stamp) for review, stamp in items],
            "comments": [],
            "externalFields": [],
        }

    def _external_id(self, channel: str, contact_id: int) -> str:
        if channel == "voice":
            return ids.genesys_conversation(self.world.seed, contact_id)
        return str(contact_id)

    def _review(self, review: events.Review, updated: int) -> dict[str, Any]:
        now = self.world.now_ms
        ratings = review.edited_ratings if 0 <= review.edited_ms <= now else review.ratings
        agent = self.world.agents[review.leg.agent]
        reviewer_name, reviewer_email = ids.QA_REVIEWERS[review.reviewer]
        return {
            "id": str(review.review_id),
            "reviewer": {"email": reviewer_email, "name": reviewer_name},
            "reviewee": {"email": agent.email, "name": f"{agent.first_name} {agent.last_name}"},
            "score": events.review_score(ratings),
            "ratings": _ratings(ratings),
            "comment": "",
            "thread": [],
            "tags": [],
            "created": iso_ms(review.created_ms),
            "updated": iso_ms(updated),
            "createdISO": iso_ms(review.created_ms),
            "updatedISO": iso_ms(updated),
            "received": True,
            "scorecard": dict(SCORECARD),
        }

    def calibrations(self, request: Request, match: re.Match[str]) -> Response:
        self._workspace(match)
        start, end = self._window(request)
        size = int_arg(request, "pageSize", 100, 1, 1000, self._bad)
        number = int_arg(request, "page", 1, 1, 10**6, self._bad)
        found = self._found(start, end, calibration=True)
        page = page_window(found, (number - 1) * size, size, request.decision)
        sessions = [self._session(review, stamp) for review, stamp in page]
        return json_response(
            200,
            {
                "calibrationSessions": self.malform_page(request, sessions),
                "pagination": {"page": number, "pageSize": size, "total": len(found)},
            },
        )

    def _session(self, review: events.Review, updated: int) -> dict[str, Any]:
        body = self._review(review, updated)
        calibration = {
            key: body[key]
            for key in (
                "id",
                "reviewer",
                "reviewee",
                "score",
                "ratings",
                "comment",
                "tags",
                "received",
                "scorecard",
                "createdISO",
                "updatedISO",
            )
        }
        calibration.update(createdAt=body["created"], updatedAt=body["updated"], thread=[])
        leg = review.leg
        return {
            "id": f"cal-{review.review_id}",
            "createdBy": ids.qa_reviewer(review.reviewer),
            "createdAt": iso_ms(review.created_ms),
            "title": f"Calibration {review.review_id}",
            "dueAt": iso_ms(review.created_ms + 7 * DAY_MS),
            "updatedAt": iso_ms(updated),
            "conversations": [
                {
                    "externalId": self._external_id(leg.channel, leg.contact_id),
                    "createdBy": ids.qa_reviewer(review.reviewer),
                    "createdAt": iso_ms(review.created_ms),
                    "reviews": [calibration],
                }
            ],
        }


def _ratings(ratings: list[tuple[str, int | None]]) -> list[dict[str, Any]]:
    found = []
    for number, ((name, score), (_, group, weight, critical)) in enumerate(
        zip(ratings, catalog.QA_CATEGORIES, strict=True)
    ):
        if score is None:
            continue
        found.append(
            {
                "categoryId": str(701 + number),
                "categoryName": name,
                "score": float(score),
                "weight": weight,
                "critical": critical,
                "groupName": group,
                "groupId": GROUP_IDS[group],
            }
        )
    return found
