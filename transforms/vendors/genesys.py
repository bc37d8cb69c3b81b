"""Genesys Cloud conversation details -> `contacts`, one row per queue visit (leg).

A leg is an `acd` participant (the queue: its name is the skill, its first segment start the
offer, `tAnswered` or `tAbandon` the wait) and, when answered, the `agent` participant that
follows it (answer = the agent's first `interact` segment, `tTalk`, `tHeld`, `tAcw`, the
wrap-up code, the end of talk). A leg counts as handled once its wrap-up has ended: until
`tAcw` arrives its `ended_at` stays null. A later `acd` participant means the leg was transferred
out; it was escalated when that next queue has a higher tier (queue description `tier=N`).

Agents are identified by their lowercase e-mail (the Genesys user record), unless
`cc.agent_identities` maps the user's id to another agent; the skill group is the user's
department, or for a leg no agent took, its queue's (`cc.skill_groups`). The customer is the CRM
customer whose phone number is the caller's (ANI), else `genesys:<number>`
(`cc.customer_identities`). First contact resolution comes from the last leg's wrap-up code
(`Resolved` yes, `Follow-up Required` no), otherwise it is left unknown.
"""

from __future__ import annotations

from transforms.agent_identities import agent_id, agent_identity_join
from transforms.customer_identities import customer_id, identity_join, phone_key
from transforms.skill_groups import lookup_join, queue_group
from transforms.vendors.mapping import RawTables, VendorMapping, raw_table

__all__ = ["MAPPINGS"]

VENDOR = "genesys"
_MEDIA_CHANNEL = (
    "multiIf(media = 'voice', 'voice', media = 'callback', 'voice', media = 'chat', 'chat', "
    "media = 'email', 'email', media = 'message', 'messaging', '')"
)

# The caller's number (ANI) identifies the customer; `cc.customer_identities` maps it to the CRM.
_CALLER = phone_key("legs.customer_ani")


def _metric(participant: str, name: str) -> str:
    """A participant's metric value in seconds, null when the metric is absent."""
    metrics = (
        f"arrayFlatten(arrayMap(s -> JSONExtractArrayRaw(s, 'metrics'), "
        f"JSONExtractArrayRaw({participant}, 'sessions')))"
    )
    found = f"arrayFirst(m -> JSONExtractString(m, 'name') = '{name}', {metrics})"
    return f"if({found} = '', NULL, JSONExtractFloat({found}, 'value') / 1000)"


def _segments(participant: str) -> str:
    return (
        f"arrayFlatten(arrayMap(s -> JSONExtractArrayRaw(s, 'segments'), "
        f"JSONExtractArrayRaw({participant}, 'sessions')))"
    )


def _time(text: str) -> str:
    return f"parseDateTime64BestEffortOrNull({text}, 3, 'UTC')"


def _contacts(load_id: str, raw: RawTables) -> str:
    conversations = raw_table(VENDOR, "conversations")
    users = raw.relation("users", "id String, email String, department String")
    queues = raw.relation("queues", "id String, description String")
    codes = raw.relation("wrapup_codes", "id String, name String")
    # Escalation is a move to a higher tier; the tier is written in the queue's description.
    tiers = f"SELECT id, toUInt8OrZero(extract(description, 'tier=(\\\\d+)')) AS tier FROM {queues}"
    return f"""
SELECT
    conversation_id AS contact_id,
    toUInt16(leg_number) AS leg,
    {_MEDIA_CHANNEL} AS channel,
    if(originating_direction = 'outbound', 'outbound', 'inbound') AS direction,
    {customer_id(VENDOR, _CALLER)} AS customer_id,
    if(agent = '', NULL, {agent_id("lower(users.email)")}) AS agent_id,
    nullIf(JSONExtractString(acd, 'participantName'), '') AS skill,
    if(agent_id IS NULL, {queue_group()}, nullIf(users.department, '')) AS skill_group,
    nullIf(codes.name, '') AS reason,
    {_time("JSONExtractString(acd_segments[1], 'segmentStart')")} AS offered_at,
    if(agent = '', NULL, {_time("JSONExtractString(agent_talk[1], 'segmentStart')")})
        AS answered_at,
    if(agent = '' OR acw_s IS NULL, NULL,
        {_time("JSONExtractString(agent_talk[-1], 'segmentEnd')")}) AS ended_at,
    ifNull(ifNull(answered_wait_s, abandon_wait_s), 0) AS wait_s,
    ifNull(talk_s, 0) AS talk_s,
    ifNull(held_s, 0) AS hold_s,
    ifNull(acw_s, 0) AS acw_s,
    toUInt8(abandon_wait_s IS NOT NULL) AS abandoned,
    toUInt8(next_acd != '') AS transferred,
    toUInt8(next_acd != '' AND ifNull(next_queue.tier, 0) > ifNull(queue.tier, 0)) AS escalated,
    multiIf(last_code.name = 'Resolved', 1, last_code.name = 'Follow-up Required', 0, NULL)
        AS resolved_first_contact,
    'genesys' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    toUInt8(0) AS is_deleted,
    multiIf(
        conversation_id = '', 'missing conversation id',
        offered_at IS NULL, 'unparsable offer time',
        channel = '', concat('unknown media type `', media, '`'),
        wait_s < 0 OR talk_s < 0 OR hold_s < 0 OR acw_s < 0, 'negative duration',
        ''
    ) AS reject_reason,
    concat('{{"conversationId":', toJSONString(conversation_id), ',"acd":', acd,
           ',"agent":', if(agent = '', 'null', agent), '}}') AS raw_payload
FROM (
    SELECT
        conversation_id,
        conversation_start,
        originating_direction,
        participants_array,
        purposes,
        acd_index,
        participants_array[acd_index] AS acd,
        JSONExtractString(acd, 'participantName') AS queue_name,
        indexOf(arrayFilter(i -> purposes[i] = 'acd', arrayEnumerate(purposes)), acd_index)
            AS leg_number,
        if(purposes[acd_index + 1] = 'agent', participants_array[acd_index + 1], '') AS agent,
        arrayFirst(i -> i > acd_index AND purposes[i] = 'acd', arrayEnumerate(purposes))
            AS next_acd_index,
        if(next_acd_index = 0, '', participants_array[next_acd_index]) AS next_acd,
        last_agent,
        {_segments("acd")} AS acd_segments,
        arrayFilter(s -> JSONExtractString(s, 'segmentType') = 'interact', {_segments("agent")})
            AS agent_talk,
        arrayFirst(s -> JSONExtractString(s, 'segmentType') = 'wrapup', {_segments("agent")})
            AS agent_wrapup,
        arrayFirst(s -> JSONExtractString(s, 'segmentType') = 'wrapup',
            {_segments("last_agent")}) AS last_wrapup,
        JSONExtractString(acd_segments[1], 'queueId') AS queue_id,
        JSONExtractString({_segments("next_acd")}[1], 'queueId') AS next_queue_id,
        JSONExtractString(JSONExtractArrayRaw(participants_array[1], 'sessions')[1], 'mediaType')
            AS media,
        JSONExtractString(JSONExtractArrayRaw(participants_array[1], 'sessions')[1], 'ani')
            AS customer_ani,
        JSONExtractString(agent, 'userId') AS user_id,
        {_metric("acd", "tAnswered")} AS answered_wait_s,
        {_metric("acd", "tAbandon")} AS abandon_wait_s,
        {_metric("agent", "tTalk")} AS talk_s,
        {_metric("agent", "tHeld")} AS held_s,
        {_metric("agent", "tAcw")} AS acw_s,
        JSONExtractString(agent_wrapup, 'wrapUpCode') AS code_id,
        JSONExtractString(last_wrapup, 'wrapUpCode') AS last_code_id
    FROM (
        SELECT
            ifNull(conversation_id, '') AS conversation_id,
            toDateTime64(conversation_start, 3, 'UTC') AS conversation_start,
            ifNull(originating_direction, '') AS originating_direction,
            JSONExtractArrayRaw(ifNull(participants, '[]')) AS participants_array,
            arrayMap(p -> JSONExtractString(p, 'purpose'), participants_array) AS purposes,
            participants_array[arrayLastIndex(p -> p = 'agent', purposes)] AS last_agent
        FROM {conversations}
        WHERE _dlt_load_id = '{load_id}'
    )
    ARRAY JOIN arrayFilter(i -> purposes[i] = 'acd', arrayEnumerate(purposes)) AS acd_index
) AS legs
LEFT JOIN (SELECT id, ifNull(email, '') AS email, department FROM {users}) AS users
    ON users.id = legs.user_id
{agent_identity_join(VENDOR, "legs.user_id")}
LEFT JOIN (SELECT id, name FROM {codes}) AS codes ON codes.id = legs.code_id
LEFT JOIN (SELECT id, name FROM {codes}) AS last_code ON last_code.id = legs.last_code_id
LEFT JOIN ({tiers}) AS queue ON queue.id = legs.queue_id
LEFT JOIN ({tiers}) AS next_queue ON next_queue.id = legs.next_queue_id
{lookup_join("legs.queue_name")}
{identity_join(_CALLER)}
SETTINGS join_use_nulls = 1
"""


MAPPINGS = (VendorMapping(VENDOR, "contacts", _contacts, ("conversations",)),)
