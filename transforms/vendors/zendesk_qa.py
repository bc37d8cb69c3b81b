"""Zendesk QA reviews -> `qa_evaluations`.

The score is the review's `score` (0-100, weighted ratings, 0 when a critical category fails);
script items are the ratings of the `Script` group (a rating that is not applicable is absent);
calibration reviews come from calibration sessions and are flagged. The reviewed conversation's
`externalId` is the contact id in the source it names (`sourceType`: Genesys conversation,
Intercom conversation, Zendesk ticket), so channel and skill are read from that contact in
`cc.contacts`: from the leg the reviewee handled (a transferred call is reviewed per agent; the
earliest, if the reviewee handled several), or the first leg when the reviewee handled none.
The reviewee is the agent, by e-mail (`cc.agent_identities` may map an address, system `email`,
to another agent). The evaluation counts at the review's creation.
"""

from __future__ import annotations

from transforms.agent_identities import EMAIL, agent_id, agent_identity_join
from transforms.customer_identities import normalized_email
from transforms.vendors.mapping import RawTables, VendorMapping, raw_table

__all__ = ["MAPPINGS"]

VENDOR = "zendesk_qa"
SCRIPT_GROUP = "Script"
# The id of the reviewed contact in the source the review names.
_CONTACT_KEY = "JSONExtractString(ifNull(conversation, '{}'), 'externalId')"


def _evaluations(load_id: str, raw: RawTables) -> str:
    reviews = raw_table(VENDOR, "reviews")
    return f"""
SELECT
    evaluation_id,
    nullIf(contact_key, '') AS contact_id,
    {agent_id("reviews.agent_email")} AS agent_id,
    -- the leg the reviewee handled, else the first; none when the contact is unknown
    if(
        empty(contacts.legs),
        NULL,
        if(
            has(arrayMap(l -> l.2, contacts.legs), agent_id),
            arrayFirst(l -> l.2 = agent_id, contacts.legs),
            arrayFirst(l -> l.1 = 1, contacts.legs)
        )
    ) AS reviewed_leg,
    tupleElement(reviewed_leg, 3) AS channel,
    tupleElement(reviewed_leg, 4) AS skill,
    ifNull(score, -1) AS score_pct,
    toUInt16(length(script_ratings)) AS script_items_required,
    toUInt16(countEqual(arrayMap(r -> JSONExtractFloat(r, 'score') >= 100, script_ratings), 1))
        AS script_items_met,
    toUInt8(is_calibration) AS is_calibration,
    parseDateTime64BestEffortOrNull(created_text, 3, 'UTC') AS evaluated_at,
    'zendesk_qa' AS source,
    ifNull(parseDateTime64BestEffortOrNull(updated_text, 3, 'UTC'), evaluated_at) AS updated_at,
    toUInt8(0) AS is_deleted,
    multiIf(
        evaluation_id = '', 'missing review id',
        agent_email = '', 'review without a reviewee',
        evaluated_at IS NULL, 'unparsable review time',
        score IS NULL OR score < 0 OR score > 100, 'score outside 0-100',
        ''
    ) AS reject_reason,
    raw_payload
FROM (
    SELECT
        ifNull(id, '') AS evaluation_id,
        lower(JSONExtractString(ifNull(reviewee, '{{}}'), 'email')) AS agent_email,
        {_CONTACT_KEY} AS contact_key,
        score,
        arrayFilter(r -> JSONExtractString(r, 'groupName') = '{SCRIPT_GROUP}',
            JSONExtractArrayRaw(ifNull(ratings, '[]'))) AS script_ratings,
        0 AS is_calibration,
        -- dlt may type ISO text as a timestamp already; text parses either way
        toString(created_iso) AS created_text,
        toString(updated_iso) AS updated_text,
        concat('{{"id":', toJSONString(evaluation_id), ',"score":', toString(score), '}}')
            AS raw_payload
    FROM {reviews}
    WHERE _dlt_load_id = '{load_id}'
) AS reviews
{agent_identity_join(EMAIL, normalized_email("reviews.agent_email"))}
LEFT JOIN (
    SELECT contact_id, arraySort(groupArray((leg, ifNull(agent_id, ''), channel, skill))) AS legs
    FROM `cc`.`contacts` FINAL
    WHERE contact_id IN (
        SELECT {_CONTACT_KEY}
        FROM {reviews}
        WHERE _dlt_load_id = '{load_id}'
    )
    GROUP BY contact_id
) AS contacts ON contacts.contact_id = reviews.contact_key
SETTINGS join_use_nulls = 1
"""


MAPPINGS = (VendorMapping(VENDOR, "qa_evaluations", _evaluations, ("reviews",)),)
