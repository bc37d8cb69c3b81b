"""Assembled (workforce management) -> `schedules` and `agent_states`.

Activities are the schedule: `activity_type` is the scheduled activity (`on_queue`, `break`,
`lunch`, `training`, `meeting`, anything else `other`); an activity marked `deleted` was replaced
by a later edit and is deleted here. Agent states are the state timeline (`available`,
`on_contact`, `acw`, `break`, ...); a state still open has no end. Agents are identified by their
lowercase e-mail from the agent list; their skill group and primary channel come from
`cc.employees`, so BambooHR is transformed first.
"""

from __future__ import annotations

from transforms.vendors.mapping import TEXT, RawTables, VendorMapping, raw_table

__all__ = ["MAPPINGS"]

VENDOR = "assembled"
_ACTIVITIES = ("on_queue", "break", "lunch", "training", "meeting", "off")
_STATES = ("available", "on_contact", "acw", "break", "training", "meeting", "offline")


def _time(column: str) -> str:
    return f"parseDateTime64BestEffortOrNull(nullIf(toString({column}), ''), 3, 'UTC')"


def _agents(alias: str, raw: RawTables) -> str:
    agents = raw.relation("agents", "id String, email String")
    return f"""
LEFT JOIN (SELECT toString(id) AS id, lower(ifNull(email, '')) AS email FROM {agents}) AS agents
    ON agents.id = {alias}.assembled_agent
LEFT JOIN (
    SELECT email, skill_group, primary_channel FROM `cc`.`employees` FINAL WHERE email IS NOT NULL
) AS employees ON employees.email = agents.email"""


def _schedules(load_id: str, raw: RawTables) -> str:
    activities = raw_table(VENDOR, "activities")
    return f"""
SELECT
    nullIf(agents.email, '') AS agent_id,
    if(kind IN {_ACTIVITIES}, kind, 'other') AS activity,
    starts AS starts_at,
    ends AS ends_at,
    employees.skill_group AS skill_group,
    employees.primary_channel AS channel,
    'assembled' AS source,
    ifNull({_time("updated_at")}, toDateTime64({float(load_id)}, 3, 'UTC')) AS updated_at,
    toUInt8(ifNull(deleted, 0)) AS is_deleted,
    multiIf(
        agent_id IS NULL, 'activity of an unknown agent',
        starts IS NULL OR ends IS NULL, 'unparsable activity time',
        ends < starts, 'activity ends before it starts',
        ''
    ) AS reject_reason,
    concat('{{"id":', toJSONString(activity_id), '}}') AS raw_payload
FROM (
    SELECT
        ifNull(toString(id), '') AS activity_id,
        toString(agent_id) AS assembled_agent,
        ifNull(activity_type, '') AS kind,
        {_time("start_time")} AS starts,
        {_time("end_time")} AS ends,
        updated_at,
        deleted
    FROM {activities}
    WHERE _dlt_load_id = '{load_id}'
) AS activities
{_agents("activities", raw)}
SETTINGS join_use_nulls = 1
"""


def _states(load_id: str, raw: RawTables) -> str:
    states = raw_table(VENDOR, "agent_states")
    return f"""
SELECT
    nullIf(agents.email, '') AS agent_id,
    if(kind IN {_STATES}, kind, 'other') AS state,
    started AS started_at,
    ended AS ended_at,
    employees.skill_group AS skill_group,
    employees.primary_channel AS channel,
    'assembled' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    toUInt8(0) AS is_deleted,
    multiIf(
        agent_id IS NULL, 'state of an unknown agent',
        started IS NULL, 'unparsable state start',
        ended < started, 'state ends before it starts',
        ''
    ) AS reject_reason,
    concat('{{"id":', toJSONString(state_id), '}}') AS raw_payload
FROM (
    SELECT
        ifNull(toString(id), '') AS state_id,
        toString(agent_id) AS assembled_agent,
        ifNull(state, '') AS kind,
        {_time("start_time")} AS started,
        {_time("end_time")} AS ended
    FROM {states}
    WHERE _dlt_load_id = '{load_id}'
) AS states
{_agents("states", raw)}
SETTINGS join_use_nulls = 1
"""


MAPPINGS = (
    VendorMapping(
        VENDOR,
        "schedules",
        _schedules,
        ("activities",),
        {"activities": {"deleted": "Nullable(Bool)"}},
    ),
    VendorMapping(
        VENDOR, "agent_states", _states, ("agent_states",), {"agent_states": {"end_time": TEXT}}
    ),
)
