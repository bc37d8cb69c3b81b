"""BambooHR employees -> `employees`.

The custom report gives one row per employee, terminated ones included (`onlyCurrent=false`).
An agent is identified by the lowercase work e-mail, the identifier every contact system shares;
the skill group is the department, the primary channel the `customPrimaryChannel` field, the
hourly cost the pay rate of an hourly employee (`24.87 USD`). A termination is voluntary when its
type says `Resignation` or `Voluntary`. A record that `/employees/changed` reports deleted (a
duplicate entered by mistake) is deleted here too.
"""

from __future__ import annotations

from transforms.vendors.mapping import TEXT, RawTables, VendorMapping, raw_table

__all__ = ["MAPPINGS"]

VENDOR = "bamboohr"


def _date(column: str) -> str:
    # dlt may have typed the text already; an empty text is an unknown date.
    return f"parseDateTime64BestEffortOrNull(nullIf(toString({column}), ''), 3, 'UTC')"


def _employees(load_id: str, raw: RawTables) -> str:
    employees = raw_table(VENDOR, "employees")
    return f"""
SELECT
    if(email = '', concat('bamboohr:', employee_id), email) AS agent_id,
    nullIf(employee_id, '') AS employee_id,
    nullIf(email, '') AS email,
    hired AS hired_at,
    terminated AS terminated_at,
    if(terminated IS NULL, NULL,
        toUInt8(match(termination_type, '(?i)resign|voluntary') AND
            NOT match(termination_type, '(?i)involuntary'))) AS termination_voluntary,
    nullIf(department, '') AS skill_group,
    if(primary_channel IN ('voice', 'chat', 'email', 'messaging', 'social'), primary_channel, NULL)
        AS primary_channel,
    if(pay_per = 'Hour', toFloat64OrNull(splitByChar(' ', pay_rate)[1]), NULL) AS hourly_cost,
    'bamboohr' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    toUInt8(ifNull(deleted, 0)) AS is_deleted,
    multiIf(
        employee_id = '', 'missing employee id',
        hired IS NULL AND NOT ifNull(deleted, 0), 'missing or unparsable hire date',
        ''
    ) AS reject_reason,
    concat('{{"id":', toJSONString(employee_id), ',"workEmail":', toJSONString(email), '}}')
        AS raw_payload
FROM (
    SELECT
        ifNull(id, '') AS employee_id,
        lower(ifNull(work_email, '')) AS email,
        {_date("hire_date")} AS hired,
        {_date("termination_date")} AS terminated,
        ifNull(termination_type, '') AS termination_type,
        ifNull(department, '') AS department,
        lower(ifNull(custom_primary_channel, '')) AS primary_channel,
        ifNull(pay_rate, '') AS pay_rate,
        ifNull(pay_per, '') AS pay_per,
        deleted
    FROM {employees}
    WHERE _dlt_load_id = '{load_id}'
)
"""


MAPPINGS = (
    VendorMapping(
        VENDOR,
        "employees",
        _employees,
        ("employees",),
        {
            "employees": {
                "work_email": TEXT,
                "termination_date": TEXT,
                "termination_type": TEXT,
                "department": TEXT,
                "custom_primary_channel": TEXT,
                "pay_rate": TEXT,
                "pay_per": TEXT,
                "deleted": "Nullable(Bool)",
            }
        },
    ),
)
