"""Intercom conversations -> `contacts` (chat and messaging) and `responses`.

A conversation is one contact leg: `source.type` `conversation` is chat, WhatsApp and other
messaging sources are messaging. The skill is the assigned team, the agent the assigned admin
(by e-mail, from the admin list, unless `cc.agent_identities` maps the admin's id to another
agent), the skill group the agent's in `cc.employees` (for a
conversation no admin took, its team's in `cc.skill_groups`). Offered at
`created_at`, answered at `statistics.first_assignment_at`, talk time is
`statistics.handling_time`; a conversation closed without an assignment was abandoned, its wait
ending at `first_close_at`. Chats have no hold or after-contact work.

Responses: the customer's opening message and every comment part form the message timeline of
a conversation; each admin comment that follows unanswered customer messages is a reply, timed
from the earliest of them. Notes and bot messages are not replies. Replies are measured against
the conversation's agent, skill and group, like the contact.

The customer is the CRM customer with the e-mail address of the conversation's author (a user
or lead), else `intercom:<address>` (`cc.customer_identities`).
"""

from __future__ import annotations

from transforms.agent_identities import agent_id, agent_identity_join
from transforms.customer_identities import customer_id, email_key, identity_join
from transforms.skill_groups import lookup_join, queue_group
from transforms.vendors.mapping import (
    TEXT,
    WHOLE,
    RawTables,
    VendorMapping,
    raw_table,
    reply_waits,
)

__all__ = ["MAPPINGS"]

VENDOR = "intercom"

# The customer who opened the conversation, by e-mail; `cc.customer_identities` maps it to the
# CRM, else it stays the Intercom contact.
_CUSTOMER = email_key(VENDOR, "conversations.customer_email", "conversations.contact_key")
# The assigned admin's agent: corrected in `cc.agent_identities`, else the admin's e-mail.
_AGENT = agent_id("admins.email")


def _channel(source_type: str) -> str:
    return (
        f"multiIf({source_type} = 'conversation', 'chat', {source_type} = 'email', 'email', "
        f"{source_type} IN ('facebook', 'instagram', 'twitter'), 'social', "
        f"{source_type} = '', '', 'messaging')"
    )


def _conversation_columns() -> str:
    """Columns of a raw conversation that both mappings read."""
    return """
        ifNull(id, '') AS conversation_id,
        ifNull(source, '{}') AS source_json,
        JSONExtractString(source_json, 'type') AS source_type,
        ifNull(statistics, '{}') AS stats,
        toInt64(ifNull(created_at, 0)) AS created_s,
        JSONExtract(stats, 'first_assignment_at', 'Nullable(Int64)') AS assigned_s,
        JSONExtract(stats, 'handling_time', 'Nullable(Float64)') AS handling_s,
        JSONExtract(stats, 'first_close_at', 'Nullable(Int64)') AS closed_s,
        ifNull(state, '') AS conversation_state,
        toString(admin_assignee_id) AS admin_id,
        toString(team_assignee_id) AS team_id,
        JSONExtractString(JSONExtractArrayRaw(ifNull(contacts, '{}'), 'contacts')[1],
            'id') AS contact_key,
        if(JSONExtractString(source_json, 'author', 'type') IN ('user', 'lead', 'contact'),
            JSONExtractString(source_json, 'author', 'email'), '') AS customer_email"""


def _lookups(alias: str, raw: RawTables) -> str:
    admins = raw.relation("admins", "id String, email String")
    teams = raw.relation("teams", "id String, name String")
    return f"""
LEFT JOIN (SELECT toString(id) AS id, lower(email) AS email FROM {admins}) AS admins
    ON admins.id = {alias}.admin_id
{agent_identity_join(VENDOR, f"{alias}.admin_id")}
LEFT JOIN (SELECT toString(id) AS id, name FROM {teams}) AS teams ON teams.id = {alias}.team_id
LEFT JOIN (
    SELECT agent_id, skill_group FROM `cc`.`employees` FINAL
) AS employees ON employees.agent_id = {_AGENT}"""


def _seconds(column: str) -> str:
    return f"fromUnixTimestamp64Milli(toInt64({column}) * 1000, 'UTC')"


def _contacts(load_id: str, raw: RawTables) -> str:
    conversations = raw_table(VENDOR, "conversations")
    return f"""
SELECT
    conversation_id AS contact_id,
    toUInt16(1) AS leg,
    {_channel("source_type")} AS channel,
    'inbound' AS direction,
    {customer_id(VENDOR, _CUSTOMER)} AS customer_id,
    if(assigned_s IS NULL, NULL, nullIf({_AGENT}, '')) AS agent_id,
    nullIf(teams.name, '') AS skill,
    if(agent_id IS NULL, {queue_group()}, employees.skill_group) AS skill_group,
    NULL AS reason,
    {_seconds("created_s")} AS offered_at,
    if(assigned_s IS NULL, NULL, {_seconds("assigned_s")}) AS answered_at,
    if(assigned_s IS NULL OR handling_s IS NULL, NULL,
        {_seconds("assigned_s")} + toIntervalMillisecond(round(handling_s * 1000))) AS ended_at,
    toFloat64(multiIf(assigned_s IS NOT NULL, assigned_s - created_s,
        abandoned = 1, closed_s - created_s, 0)) AS wait_s,
    ifNull(handling_s, 0) AS talk_s,
    0.0 AS hold_s,
    0.0 AS acw_s,
    abandoned,
    toUInt8(0) AS transferred,
    toUInt8(0) AS escalated,
    CAST(NULL AS Nullable(UInt8)) AS resolved_first_contact,
    'intercom' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    toUInt8(0) AS is_deleted,
    multiIf(
        conversation_id = '', 'missing conversation id',
        created_s <= 0, 'missing creation time',
        channel = '', 'conversation without a source type',
        wait_s < 0 OR talk_s < 0, 'negative duration',
        ''
    ) AS reject_reason,
    concat('{{"id":', toJSONString(conversation_id), ',"statistics":', stats, '}}') AS raw_payload
FROM (
    SELECT
        {_conversation_columns()},
        toUInt8(assigned_s IS NULL AND conversation_state = 'closed' AND closed_s IS NOT NULL)
            AS abandoned
    FROM {conversations}
    WHERE _dlt_load_id = '{load_id}'
) AS conversations
{_lookups("conversations", raw)}
{lookup_join("teams.name")}
{identity_join(_CUSTOMER)}
SETTINGS join_use_nulls = 1
"""


def _responses(load_id: str, raw: RawTables) -> str:
    conversations = raw_table(VENDOR, "conversations")
    parts = raw.relation(
        "conversation_parts",
        "conversation_id String, created_at Int64, author String, part_type String",
    )
    # (time in ms, is the customer) per message, ordered; the opening message comes first.
    timeline = "arraySort(m -> m.1, arrayConcat([(created_s * 1000, toUInt8(1))], parts.messages))"
    replies = reply_waits(timeline)
    return f"""
SELECT
    concat(conversation_id, '#', toString(reply_number)) AS response_id,
    conversation_id AS contact_id,
    {_channel("source_type")} AS channel,
    nullIf({_AGENT}, '') AS agent_id,
    nullIf(teams.name, '') AS skill,
    employees.skill_group AS skill_group,
    fromUnixTimestamp64Milli(reply.1 - reply.2, 'UTC') AS customer_message_at,
    fromUnixTimestamp64Milli(reply.1, 'UTC') AS replied_at,
    reply.2 / 1000 AS response_s,
    toUInt8(reply_number = 1) AS is_first_response,
    'intercom' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    toUInt8(0) AS is_deleted,
    multiIf(agent_id IS NULL, 'reply in a conversation without an assigned admin', '')
        AS reject_reason,
    concat('{{"conversation_id":', toJSONString(conversation_id), '}}') AS raw_payload
FROM (
    SELECT *, {replies} AS replies
    FROM (
        SELECT {_conversation_columns()}
        FROM {conversations}
        WHERE id IN (
            SELECT conversation_id FROM {parts} WHERE _dlt_load_id = '{load_id}'
            UNION ALL
            SELECT id FROM {conversations} WHERE _dlt_load_id = '{load_id}'
        )
    ) AS changed
    INNER JOIN (
        SELECT
            conversation_id AS parts_conversation_id,
            groupArray((toInt64(assumeNotNull(created_at)) * 1000,
                toUInt8(JSONExtractString(author, 'type') IN ('user', 'lead', 'contact'))))
                AS messages
        FROM {parts}
        WHERE part_type = 'comment'
            AND JSONExtractString(author, 'type') IN ('user', 'lead', 'contact', 'admin')
        GROUP BY conversation_id
    ) AS parts ON parts.parts_conversation_id = changed.conversation_id
) AS replied
ARRAY JOIN replies AS reply, arrayEnumerate(replies) AS reply_number
{_lookups("replied", raw)}
SETTINGS join_use_nulls = 1
"""


_CONVERSATION_COLUMNS = {
    "conversations": {
        "admin_assignee_id": WHOLE,
        "team_assignee_id": WHOLE,
        "contacts": TEXT,
        "statistics": TEXT,
        "state": TEXT,
    },
    "admins": {"email": TEXT},
}

MAPPINGS = (
    VendorMapping(VENDOR, "contacts", _contacts, ("conversations",), _CONVERSATION_COLUMNS),
    VendorMapping(
        VENDOR,
        "responses",
        _responses,
        ("conversations", "conversation_parts"),
        _CONVERSATION_COLUMNS,
    ),
)
