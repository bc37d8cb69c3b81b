"""Delighted survey responses -> `surveys`.

`survey_type` is the kind: `csat` (1-5), `nps` (0-10), `ces` (1-7), and the employee pulse
`esat` and `engagement` (1-5). A customer survey names its contact in `person_properties`
(`Contact ID`, `Channel`, `Queue`, `Agent Email`, `Customer ID`); an employee survey's person is
the agent, by work e-mail (`cc.agent_identities` may map an address, system `email`, to another
agent). The skill group is the agent's, read from `cc.employees`. Submission
time is `created_at`; an edited answer keeps it and moves `updated_at`.
"""

from __future__ import annotations

from transforms.agent_identities import EMAIL, agent_id, agent_identity_join
from transforms.customer_identities import normalized_email
from transforms.vendors.mapping import RawTables, VendorMapping, raw_table

__all__ = ["MAPPINGS"]

VENDOR = "delighted"
# The agent, by e-mail address: corrected in `cc.agent_identities`, else the address itself.
_AGENT = agent_id("responses.agent_email")
_SCALES = "map('csat', (1, 5), 'nps', (0, 10), 'ces', (1, 7), 'esat', (1, 5), 'engagement', (1, 5))"


def _surveys(load_id: str, raw: RawTables) -> str:
    responses = raw_table(VENDOR, "survey_responses")
    return f"""
SELECT
    response_id,
    kind,
    toFloat64(ifNull(score, -1)) AS score,
    toFloat64(scale.1) AS scale_min,
    toFloat64(scale.2) AS scale_max,
    nullIf(JSONExtractString(properties, 'Contact ID'), '') AS contact_id,
    nullIf(JSONExtractString(properties, 'Customer ID'), '') AS customer_id,
    {_AGENT} AS agent_id,
    nullIf(lower(JSONExtractString(properties, 'Channel')), '') AS channel,
    nullIf(JSONExtractString(properties, 'Queue'), '') AS skill,
    employees.skill_group AS skill_group,
    fromUnixTimestamp64Milli(toInt64(created_s * 1000), 'UTC') AS responded_at,
    'delighted' AS source,
    fromUnixTimestamp64Milli(toInt64(ifNull(updated_s, created_s) * 1000), 'UTC') AS updated_at,
    toUInt8(0) AS is_deleted,
    multiIf(
        response_id = '', 'missing response id',
        kind NOT IN mapKeys({_SCALES}), concat('unknown survey type `', kind, '`'),
        created_s IS NULL OR created_s <= 0, 'missing or unparsable submission time',
        score IS NULL OR score < scale.1 OR score > scale.2,
            concat('score ', toString(score), ' outside the ', kind, ' scale'),
        ''
    ) AS reject_reason,
    raw_payload
FROM (
    SELECT
        ifNull(id, '') AS response_id,
        ifNull(survey_type, '') AS kind,
        score,
        {_SCALES}[kind] AS scale,
        ifNull(person_properties, '{{}}') AS properties,
        toFloat64OrNull(toString(created_at)) AS created_s,
        toFloat64OrNull(toString(updated_at)) AS updated_s,
        nullIf(lower(if(kind IN ('esat', 'engagement'),
            JSONExtractString(ifNull(person, '{{}}'), 'email'),
            JSONExtractString(properties, 'Agent Email'))), '') AS agent_email,
        concat('{{"id":', toJSONString(response_id), ',"survey_type":', toJSONString(kind),
            ',"score":', toString(score), ',"person_properties":', properties, '}}')
            AS raw_payload
    FROM {responses}
    WHERE _dlt_load_id = '{load_id}'
) AS responses
{agent_identity_join(EMAIL, normalized_email("responses.agent_email"))}
LEFT JOIN (
    SELECT agent_id, skill_group FROM `cc`.`employees` FINAL
) AS employees ON employees.agent_id = {_AGENT}
SETTINGS join_use_nulls = 1
"""


MAPPINGS = (VendorMapping(VENDOR, "surveys", _surveys, ("survey_responses",)),)
