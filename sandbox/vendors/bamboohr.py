"""BambooHR public API: the employee directory, one employee, the employee list (cursor paging),
employees changed since a time (inserted, updated and deleted), and custom reports.

Served both at `/api/v1/...` (the OpenAPI description's paths) and at the classic
`/api/gateway.php/{companyDomain}/v1/...`. Agents are employees of the department named after
their skill group; `payRate` is hourly (`payType` `Hourly`). A hire is entered 21 days before
the start date and a termination 14 days before the last day; `terminationType` (Voluntary or
Involuntary) is a custom field. One hire in ten is entered twice; the duplicate is deleted two
days later (before the start date), and `/employees/changed` reports it as `Deleted`.
Rate-limited requests get 429 with Retry-After (BambooHR's answer since 16 September 2026; it
used to be 503).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

from sandbox import ids
from sandbox.faults import RateLimit, page_window
from sandbox.httpcore import HttpError, Request, Response, Vendor, int_arg, json_response
from sandbox.rand import unit
from sandbox.timeutil import DAY_MS, iso_date, iso_s
from sandbox.vendors.common import decode_cursor, encode_cursor, instant
from sandbox.world import Agent

logger = logging.getLogger(__name__)

COMPANY_DOMAIN = "sandbox"
API_KEY = "sandbox-bamboohr-key"
ENTERED_BEFORE_MS = 21 * DAY_MS
NOTICE_MS = 14 * DAY_MS
DUPLICATE_OFFSET = 100_000
DUPLICATE_DELETED_MS = 19 * DAY_MS
FIELD_TYPES = {
    "id": "int",
    "firstName": "text",
    "lastName": "text",
    "displayName": "text",
    "preferredName": "text",
    "workEmail": "email",
    "hireDate": "date",
    "terminationDate": "date",
    "department": "list",
    "division": "list",
    "jobTitle": "list",
    "location": "list",
    "status": "status",
    "employmentHistoryStatus": "list",
    "payRate": "currency",
    "payType": "pay_type",
    "payPer": "list",
    "terminationType": "list",
    "customPrimaryChannel": "list",
    "lastChanged": "timestamp",
}


class BambooHR(Vendor):
    """BambooHR under `/bamboohr`."""

    name = "bamboohr"
    default_limits = {"bamboohr": RateLimit(100, 60.0)}

    def register(self) -> None:
        for base in (r"/api/v1", r"/api/gateway\.php/(?P<company>[^/]+)/v1"):
            self.route("GET", base + r"/employees/directory", self.directory)
            self.route("GET", base + r"/employees/changed", self.changed)
            self.route("GET", base + r"/employees/(?P<id>[0-9]+)", self.employee)
            self.route("GET", base + r"/employees", self.list_employees)
            self.route("POST", base + r"/reports/custom", self.custom_report)

    def authenticate(self, request: Request) -> None:
        credentials = request.basic_auth()
        company = re.match(r"/api/gateway\.php/([^/]+)/", request.path)
        if (
            credentials is None
            or credentials[0] != API_KEY
            or (company and company.group(1) != COMPANY_DOMAIN)
        ):
            raise HttpError(
                401,
                {"message": "Invalid API key or company domain"},
                [("X-BambooHR-Error-Message", "Invalid API key")],
            )

    def error_body(self, status: int, message: str) -> Any:
        return {"message": message}

    def _bad(self, message: str) -> Any:
        return self.error_body(400, message)

    # --- employee records -------------------------------------------------------------

    def known(self, now: int) -> list[Agent]:
        """Employee records that exist at `now`: agents entered, and duplicates not yet deleted."""
        found = [a for a in self.world.agents if a.hired_ms - ENTERED_BEFORE_MS <= now]
        found += [
            d
            for d in self.duplicates()
            if d.hired_ms - ENTERED_BEFORE_MS <= now < d.hired_ms - DUPLICATE_DELETED_MS
        ]
        return found

    def duplicates(self) -> list[Agent]:
        """One hire in ten is entered twice by mistake; the copy is deleted two days later,
        before the start date, so it never counts in headcount."""
        return [
            dataclasses.replace(agent, idx=DUPLICATE_OFFSET + agent.idx)
            for agent in self.world.agents
            if unit(agent.idx, self.world.seed + 17) < 0.1
        ]

    def termination(self, agent: Agent, now: int) -> int | None:
        if agent.terminated_ms is not None and agent.terminated_ms - NOTICE_MS <= now:
            return agent.terminated_ms
        return None

    def last_changed(self, agent: Agent, now: int) -> int:
        terminated = self.termination(agent, now)
        entered = agent.hired_ms - ENTERED_BEFORE_MS
        return entered if terminated is None else terminated - NOTICE_MS

    def fields(self, agent: Agent, now: int) -> dict[str, str]:
        """Every field of an employee, as BambooHR strings ('' when empty)."""
        terminated = self.termination(agent, now)
        active = terminated is None or terminated >= now - now % DAY_MS
        voluntary = (
            "" if terminated is None else ("Voluntary" if agent.voluntary else "Involuntary")
        )
        return {
            "id": ids.bamboohr_employee(agent.idx),
            "firstName": agent.first_name,
            "lastName": agent.last_name,
            "displayName": f"{agent.first_name} {agent.last_name}",
            "preferredName": agent.first_name,
            "workEmail": agent.email,
            "hireDate": iso_date(agent.hired_ms),
            "terminationDate": iso_date(terminated) if terminated is not None else "",
            "department": agent.group,
            "division": "Customer Service",
            "jobTitle": "Senior Agent" if agent.group == "Voice Tier 2" else "Agent",
            "location": "Remote",
            "status": "Active" if active else "Inactive",
            "employmentHistoryStatus": "Full-Time" if active else "Terminated",
            "payRate": f"{agent.hourly_cost:.2f} USD",
            "payType": "Hourly",
            "payPer": "Hour",
            "terminationType": voluntary,
            "customPrimaryChannel": agent.channel,
            "lastChanged": iso_s(self.last_changed(agent, now)),
        }

    # --- endpoints ---------------------------------------------------------------------

    def directory(self, request: Request, _: re.Match[str]) -> Response:
        now = self.world.now_ms
        shown = [
            "id",
            "displayName",
            "firstName",
            "lastName",
            "preferredName",
            "jobTitle",
            "workEmail",
            "department",
            "division",
            "location",
        ]
        rows = []
        for agent in self.known(now):
            values = self.fields(agent, now)
            if values["status"] == "Active":
                rows.append({name: values[name] for name in shown})
        return json_response(
            200,
            {
                "fields": [{"id": name, "type": FIELD_TYPES[name], "name": name} for name in shown],
                "employees": self.malform_page(request, rows),
            },
        )

    def employee(self, request: Request, match: re.Match[str]) -> Response:
        now = self.world.now_ms
        wanted = [n for n in (request.arg("fields") or "firstName,lastName").split(",") if n]
        for agent in self.known(now):
            if ids.bamboohr_employee(agent.idx) == match["id"]:
                values = self.fields(agent, now)
                record: dict[str, Any] = {"id": values["id"]}
                record.update({name: values.get(name) or None for name in wanted})
                return json_response(200, self.malform_page(request, [record])[0])
        raise HttpError(404, self.error_body(404, "Employee not found"))

    def changed(self, request: Request, _: re.Match[str]) -> Response:
        since = instant(request.arg("since"), "since", self._bad)
        kind = (request.arg("type") or "all").lower()
        if kind not in ("inserted", "updated", "deleted", "all"):
            raise HttpError(400, self._bad("type must be inserted, updated, deleted or all"))
        now = self.world.now_ms
        changed: dict[str, Any] = {}
        latest = since
        for agent in self.known(now):
            stamp = self.last_changed(agent, now)
            if stamp < since:
                continue
            action = "Inserted" if stamp == agent.hired_ms - ENTERED_BEFORE_MS else "Updated"
            if kind in ("all", action.lower()):
                key = ids.bamboohr_employee(agent.idx)
                changed[key] = {"id": key, "action": action, "lastChanged": iso_s(stamp)}
                latest = max(latest, stamp)
        if kind in ("all", "deleted"):
            for duplicate in self.duplicates():
                deleted = duplicate.hired_ms - DUPLICATE_DELETED_MS
                if since <= deleted <= now:
                    key = ids.bamboohr_employee(duplicate.idx)
                    changed[key] = {"id": key, "action": "Deleted", "lastChanged": iso_s(deleted)}
                    latest = max(latest, deleted)
        return json_response(200, {"latest": iso_s(latest), "employees": changed})

    def list_employees(self, request: Request, _: re.Match[str]) -> Response:
        limit = int_arg(request, "page[limit]", 50, 1, 100, self._bad)
        offset = 0
        if request.arg("page[after]"):
            offset = int(
                decode_cursor(request.arg("page[after]") or "", self._bad("invalid cursor"))["o"]
            )
        now = self.world.now_ms
        agents = self.known(now)
        page = page_window(agents, offset, limit, request.decision)
        data = [self._list_item(agent, now) for agent in page]
        next_cursor = encode_cursor({"o": offset + limit}) if offset + limit < len(agents) else None
        links: dict[str, Any] = {"self": {"href": "/api/v1/employees"}}
        if next_cursor:
            links["next"] = {"href": f"/api/v1/employees?page[after]={next_cursor}"}
        return json_response(
            200,
            {
                "data": self.malform_page(request, data),
                "meta": {
                    "total": len(agents),
                    "page": {"limit": limit, "nextCursor": next_cursor, "prevCursor": None},
                },
                "_links": links,
            },
        )

    def _list_item(self, agent: Agent, now: int) -> dict[str, Any]:
        values = self.fields(agent, now)
        return {
            "employeeId": values["id"],
            "firstName": values["firstName"],
            "lastName": values["lastName"],
            "preferredName": values["preferredName"],
            "photoUrl": None,
            "jobTitleName": values["jobTitle"],
            "status": values["status"].lower(),
            "_restrictedFields": [],
            "workEmail": values["workEmail"],
            "hireDate": values["hireDate"],
            "departmentName": values["department"],
            "divisionName": values["division"],
        }

    def custom_report(self, request: Request, _: re.Match[str]) -> Response:
        body = request.json()
        wanted = [name for name in body.get("fields", []) if isinstance(name, str)]
        unknown = [name for name in wanted if name not in FIELD_TYPES]
        if not wanted or unknown:
            raise HttpError(400, self._bad(f"unknown or missing fields: {unknown or 'none'}"))
        now = self.world.now_ms
        since = None
        changed = (body.get("filters") or {}).get("lastChanged") or {}
        if changed.get("value"):
            since = instant(str(changed["value"]), "filters.lastChanged.value", self._bad)
        only_current = (request.arg("onlyCurrent") or "true").lower() != "false"
        rows = []
        for agent in self.known(now):
            values = self.fields(agent, now)
            if only_current and values["status"] != "Active":
                continue
            if since is not None and self.last_changed(agent, now) < since:
                continue
            rows.append({"id": values["id"], **{name: values[name] for name in wanted}})
        return json_response(
            200,
            {
                "title": str(body.get("title", "Report")),
                "fields": [
                    {"id": name, "type": FIELD_TYPES[name], "name": name} for name in wanted
                ],
                "employees": self.malform_page(request, rows),
            },
        )
