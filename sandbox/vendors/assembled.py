"""Assembled API v0 (workforce management): agents, activity types, scheduled activities in a
time range, and historical agent states (also as a condensed timeline).

Schedules are published seven days ahead; an unplanned meeting is entered the next day, which
soft-deletes the block it replaces (`deleted` true, `updated_at` = the edit) and creates the new
blocks (`created_at` = the edit). Read activities with their `deleted` flag. States cover every
agent's logged-in time: a state still running at the clock has `end_time` null. `start_time`
and `end_time` parameters take Unix seconds or ISO 8601; answers use ISO 8601 with milliseconds.
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
from sandbox.vendors.common import instant
from sandbox.world import Activity

logger = logging.getLogger(__name__)

API_KEY = "sk_live_sandbox_assembled"
PUBLISHED_AHEAD_MS = 7 * DAY_MS
MAX_RANGE_MS = 31 * DAY_MS
ACTIVITY_TYPES = ("on_queue", "break", "lunch", "training", "meeting")
SOURCES = {"voice": "genesys", "chat": "intercom", "email": "zendesk"}


class Assembled(Vendor):
    """Assembled under `/assembled`."""

    name = "assembled"
    default_limits = {"assembled": RateLimit(300, 60.0)}

    def register(self) -> None:
        self.route("GET", r"/v0/agents", self.agents)
        self.route("GET", r"/v0/activity_types", self.activity_types)
        self.route("GET", r"/v0/activities", self.activities)
        self.route("GET", r"/v0/agents/state", self.states)
        self.route("GET", r"/v0/agents/state/condensed_timeline", self.timeline)

    def authenticate(self, request: Request) -> None:
        credentials = request.basic_auth()
        if credentials is None or credentials[0] != API_KEY:
            raise HttpError(
                401,
                {"error": {"type": "authentication_error", "message": "Invalid API key provided"}},
            )

    def error_body(self, status: int, message: str) -> Any:
        kinds = {400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error"}
        return {"error": {"type": kinds.get(status, "api_error"), "message": message}}

    def expired_body(self) -> Any:
        return {"error": {"type": "authentication_error", "message": "API key expired"}}

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    def _type_id(self, kind: str) -> str:
        return stable_uuid(self.world.seed, "assembled-activity-type", kind)

    def _range(self, request: Request) -> tuple[int, int]:
        start = instant(request.arg("start_time"), "start_time", self._bad)
        end = instant(request.arg("end_time"), "end_time", self._bad)
        if not 0 < end - start <= MAX_RANGE_MS:
            raise HttpError(400, self._bad("end_time must be after start_time, at most 31 days"))
        return start, end

    def _agent_filter(self, request: Request) -> set[str] | None:
        raw = request.arg("agent_ids") or request.arg("agents")
        return {item for item in raw.split(",") if item} if raw else None

    # --- endpoints ---------------------------------------------------------------------

    def agents(self, request: Request, _: re.Match[str]) -> Response:
        limit = int_arg(request, "limit", 100, 1, 500, self._bad)
        offset = int_arg(request, "offset", 0, 0, 10**7, self._bad)
        now = self.world.now_ms
        known = [a for a in self.world.agents if a.hired_ms - 21 * DAY_MS <= now]
        page = page_window(known, offset, limit, request.decision)
        rows = []
        for agent in page:
            ended = agent.terminated_ms is not None and agent.terminated_ms < now
            rows.append(
                {
                    "id": ids.assembled_agent(self.world.seed, agent.idx),
                    "name": f"{agent.first_name} {agent.last_name}",
                    "email": agent.email,
                    "first_name": agent.first_name,
                    "last_name": agent.last_name,
                    "teams": [agent.group],
                    "channels": [agent.channel],
                    "queues": [s.name for s in catalog.SKILLS if s.group == agent.group],
                    "staffable": not ended,
                    "deleted": False,
                    "start_date": iso_ms(agent.hired_ms),
                    "end_date": iso_ms(agent.terminated_ms)
                    if ended and agent.terminated_ms
                    else None,
                }
            )
        return json_response(
            200,
            {
                "agents": self.malform_page(request, rows),
                "total": len(known),
                "limit": limit,
                "offset": offset,
            },
        )

    def activity_types(self, request: Request, _: re.Match[str]) -> Response:
        rows = [
            {
                "id": self._type_id(kind),
                "name": kind.replace("_", " ").title(),
                "value": kind,
                "productive": kind in ("on_queue", "training", "meeting"),
            }
            for kind in ACTIVITY_TYPES
        ]
        return json_response(200, {"activity_types": rows})

    def activities(self, request: Request, _: re.Match[str]) -> Response:
        start, end = self._range(request)
        limit = int_arg(request, "limit", 500, 1, 5000, self._bad)
        offset = int_arg(request, "offset", 0, 0, 10**7, self._bad)
        agents = self._agent_filter(request)
        now = self.world.now_ms
        rows = []
        for day in range(max(0, self.world.day_of(start)), self.world.day_of(end - 1) + 1):
            if day >= self.world.horizon_days:
                break
            batch = self.world.day(day)
            published = self.world.start_ms + day * DAY_MS - PUBLISHED_AHEAD_MS
            if published > now:
                continue
            for activity_id, block in events.schedule_ids(batch):
                agent_id = ids.assembled_agent(self.world.seed, block.agent)
                if block.end_ms <= start or block.start_ms >= end or block.created_ms > now:
                    continue
                if agents is None or agent_id in agents:
                    rows.append(self._activity(activity_id, block, agent_id, published, now))
        page = page_window(rows, offset, limit, request.decision)
        return json_response(
            200,
            {
                "activities": self.malform_page(request, page),
                "total": len(rows),
                "activity_types": {
                    self._type_id(k): {"id": self._type_id(k), "value": k} for k in ACTIVITY_TYPES
                },
            },
        )

    def _activity(
        self, activity_id: int, block: Activity, agent_id: str, published: int, now: int
    ) -> dict[str, Any]:
        """An activity; one superseded by a later edit is soft-deleted (`deleted` true)."""
        agent = self.world.agents[block.agent]
        created = block.created_ms if block.created_ms >= 0 else published
        deleted = 0 <= block.deleted_ms <= now
        updated = block.deleted_ms if deleted else created
        return {
            "id": str(activity_id),
            "agent_id": agent_id,
            "type_id": self._type_id(block.kind),
            "activity_type": block.kind,
            "start_time": iso_ms(block.start_ms),
            "end_time": iso_ms(block.end_ms),
            "channels": [agent.channel] if block.kind == "on_queue" else [],
            "created_at": iso_ms(created),
            "updated_at": iso_ms(updated),
            "deleted": deleted,
        }

    def _states(self, request: Request) -> list[dict[str, Any]]:
        start, end = self._range(request)
        agents = self._agent_filter(request)
        now = self.world.now_ms
        rows = []
        for day in range(max(0, self.world.day_of(start) - 1), self.world.day_of(end - 1) + 1):
            if day >= self.world.horizon_days or self.world.start_ms + day * DAY_MS > now:
                break
            for state in events.states(self.world, self.world.day(day)):
                if state.start_ms > now or state.end_ms <= start or state.start_ms >= end:
                    continue
                agent_id = ids.assembled_agent(self.world.seed, state.agent)
                if agents is None or agent_id in agents:
                    rows.append(self._state(state, agent_id, now))
        return rows

    def _state(self, state: events.State, agent_id: str, now: int) -> dict[str, Any]:
        channel = self.world.agents[state.agent].channel
        return {
            "id": str(state.state_id),
            "agent_id": agent_id,
            "state": state.state,
            "sub_state": channel if state.state in ("on_contact", "acw") else None,
            "start_time": iso_ms(state.start_ms),
            "end_time": iso_ms(state.end_ms) if state.end_ms <= now else None,
            "source": SOURCES.get(channel, "intercom"),
        }

    def states(self, request: Request, _: re.Match[str]) -> Response:
        limit = int_arg(request, "limit", 1000, 1, 10000, self._bad)
        offset = int_arg(request, "offset", 0, 0, 10**8, self._bad)
        rows = self._states(request)
        page = page_window(rows, offset, limit, request.decision)
        return json_response(
            200,
            {
                "states": self.malform_page(request, page),
                "total": len(rows),
                "limit": limit,
                "offset": offset,
            },
        )

    def timeline(self, request: Request, _: re.Match[str]) -> Response:
        rows = self._states(request)
        return json_response(200, {"timeline": self.malform_page(request, rows)})
