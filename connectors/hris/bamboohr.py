"""BambooHR: employees changed since the last run, with their employment fields.

Follows the public REST API v1 as described by BambooHR's OpenAPI document (`/api/v1` on
`https://{company_domain}.bamboohr.com`), basic authentication with the API key as user name.

- `employee_changes`: `GET /api/v1/employees/changed?since=...`, one row per employee and
  action (`Inserted`, `Updated`, `Deleted`), incremental on `lastChanged` with a
  `lookback_minutes` overlap, merged on `id`.
- `employees`: the employment fields of the employees changed since the cursor, through a custom
  report (`POST /api/v1/reports/custom?onlyCurrent=false` filtered on `lastChanged`), merged on
  `id`. An employee the change feed reports `Deleted` is removed from this table (dlt's
  `hard_delete` on the `deleted` column, set only on those rows); the feed row keeps the trace.
  `report_fields` are the standard fields; `custom_fields` names the account's own ones (the
  default, `terminationType` and `customPrimaryChannel`, is what ccpulse's model reads).

What the API cannot give: the history of a field (only its current value; table fields such as
job and compensation history need `/employees/changed/tables/{table}`, not read yet); an
employee deleted before the first run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from connectors.common import (
    MAX_TABLE_NESTING,
    HttpOptions,
    change_time,
    checked,
    format_iso,
    parse_instant,
    require,
    vendor_client,
    window_end,
)
from connectors.http import RateLimit, VendorClient

__all__ = ["DEFAULT_CUSTOM_FIELDS", "REPORT_FIELDS", "VENDOR", "bamboohr_source"]

logger = logging.getLogger(__name__)

VENDOR = "bamboohr"
RATE_LIMIT = RateLimit.per_minute(100)
REPORT_FIELDS = (
    "firstName", "lastName", "displayName", "preferredName", "workEmail", "hireDate",
    "terminationDate", "department", "division", "jobTitle", "location", "status",
    "employmentHistoryStatus", "payRate", "payType", "payPer", "lastChanged",
)  # fmt: skip
DEFAULT_CUSTOM_FIELDS = ("terminationType", "customPrimaryChannel")
DELETED = "Deleted"


@dlt.source(name=VENDOR, max_table_nesting=MAX_TABLE_NESTING)
def bamboohr_source(
    api_key: str = dlt.secrets.value,
    company_domain: str | None = None,
    base_url: str | None = None,
    report_fields: Sequence[str] = REPORT_FIELDS,
    custom_fields: Sequence[str] = DEFAULT_CUSTOM_FIELDS,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_minutes: float = 60.0,
    http: HttpOptions | None = None,
) -> Iterator[DltResource]:
    """BambooHR resources; the first run reads every employee changed since `start_date`.

    With `end_date`, only employees changed in [start_date, end_date) are read (see
    `connectors.common`).
    """
    end = window_end(VENDOR, start_date, end_date)
    options = http or HttpOptions()
    root = base_url or f"https://{require(VENDOR, 'company_domain', company_domain)}.bamboohr.com"
    key = require(VENDOR, "api_key", api_key)
    client = vendor_client(
        VENDOR,
        root,
        options,
        rate_limit=RATE_LIMIT,
        credential_settings=("api_key",),
        auth=(key, "x"),
        headers={"Accept": "application/json"},
        secrets=(key,),
    )
    now = parse_instant(options.clock.wall())
    initial = parse_instant(start_date) if start_date else now - timedelta(days=365 * 30)
    fields = list(dict.fromkeys([*report_fields, *custom_fields, "lastChanged"]))

    end_value = format_iso(end) if end else None
    changes = _employee_changes(client, format_iso(initial), end_value, lookback_minutes * 60)
    yield changes
    yield changes | _employees(client, fields, end)


def _employee_changes(
    client: VendorClient, initial: str, end_value: str | None, lookback_s: float
) -> DltResource:
    # the feed has no upper bound and comes in one answer: dlt keeps the window's changes
    cursor = dlt.sources.incremental(
        "lastChanged",
        initial_value=initial,
        end_value=end_value,
        lag=lookback_s,
        on_cursor_value_missing="include",
    )

    @dlt.resource(name="employee_changes", primary_key="id", write_disposition="merge")
    def employee_changes(changed: dlt.sources.incremental[str] = cursor) -> Iterator[Any]:
        since = format_iso(parse_instant(changed.start_value))
        answer = client.get_json("/api/v1/employees/changed", {"since": since})
        found = list((answer.get("employees") or {}).values())
        logger.info("`%s` employees changed since %s: %d", VENDOR, since, len(found))
        yield from checked("employee_changes", found, ["id"], "lastChanged")

    return employee_changes


def _employees(client: VendorClient, fields: list[str], end: datetime | None) -> DltResource:
    @dlt.transformer(
        name="employees",
        primary_key="id",
        write_disposition="merge",
        columns={"deleted": {"data_type": "bool", "hard_delete": True}},
    )
    def employees(changes: list[Any]) -> Iterator[Any]:
        rows = [row for row in changes if isinstance(row, dict) and row.get("id")]
        deleted = [row["id"] for row in rows if row.get("action") == DELETED]
        if deleted:
            yield [{"id": employee_id, "deleted": True} for employee_id in deleted]
        if len(deleted) == len(rows):
            return
        since = min(str(row["lastChanged"]) for row in rows if row.get("action") != DELETED)
        report = _report(client, fields, since)
        if end is not None:
            # the report has no upper bound either; a time it cannot read goes to quarantine
            report = [row for row in report if not _changed_since(row, end)]
        yield from checked("employees", report, ["id"], "lastChanged")

    return employees


def _changed_since(row: Any, moment: datetime) -> bool:
    changed = change_time(row, "lastChanged")
    return changed is not None and changed >= moment


def _report(client: VendorClient, fields: list[str], since: str) -> list[Any]:
    body = {
        "title": "ccpulse employees",
        "fields": fields,
        "filters": {"lastChanged": {"includeNull": "no", "value": since}},
    }
    answer = client.post(
        "/api/v1/reports/custom", json=body, params={"format": "JSON", "onlyCurrent": "false"}
    ).json()
    found: list[Any] = answer.get("employees") or []
    logger.info("`%s` employees report since %s: %d", VENDOR, since, len(found))
    return found
