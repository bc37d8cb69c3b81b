"""Zendesk Support: tickets -> `contacts` (e-mail) and `responses`, satisfaction ratings ->
`surveys` and `survey_invitations`.

A ticket is one e-mail contact leg: offered at `created_at`, skill = its group's name, agent = the
assignee (by e-mail, from the users list, unless `cc.agent_identities` maps the user's id to
another agent), answered at the metric set's `initially_assigned_at`; an
unassigned ticket takes its group's skill group (`cc.skill_groups`). It is handled once it has a
reply; the first reply (the first solve) closes the leg, at `created_at` + the metric set's
calendar reply time. Handle time is the custom field `900001` (seconds). The tag `escalated` marks
an escalation. First contact resolution: solved and never reopened; reopened means not resolved;
unknown until solved. A ticket whose status is `deleted`, or that appears in the deleted-tickets
list, is deleted. The ticket's customer is the CRM customer with the requester's e-mail address,
else `zendesk:<address>` (`cc.customer_identities`); surveys keep the requester's external id.

Responses come from the comment events of the ticket: a public comment by the requester is a
customer message, by anyone else an agent reply. Satisfaction ratings are CSAT on a two-point
scale (`good` = 1, `bad` = 0; an `offered` rating is not an answer), dated when first answered.
Every rating is also a survey sent (`survey_invitations`), at its `created_at`: Zendesk creates
it when it offers the survey; it is answered once its score is `good` or `bad`.
"""

from __future__ import annotations

from transforms.agent_identities import agent_id, agent_identity_join
from transforms.customer_identities import customer_id, email_key, identity_join
from transforms.skill_groups import lookup_join, queue_group
from transforms.vendors.mapping import (
    TEXT,
    TIMESTAMP,
    WHOLE,
    RawTables,
    VendorMapping,
    raw_table,
    reply_waits,
)

__all__ = ["HANDLE_TIME_FIELD", "MAPPINGS"]

VENDOR = "zendesk"
HANDLE_TIME_FIELD = 900001
# The requester, by e-mail; `cc.customer_identities` maps it to the CRM, else it stays the
# Zendesk user.
_REQUESTER = email_key(VENDOR, "requesters.email", "tickets.requester")
# The assignee's agent: corrected in `cc.agent_identities`, else the assignee's e-mail.
_AGENT = agent_id("agents.email")


def _text_time(column: str) -> str:
    # dlt types ISO text as a timestamp when it can; text parses either way.
    return f"parseDateTime64BestEffortOrNull(toString({column}), 3, 'UTC')"


def _people(agent: str, raw: RawTables) -> str:
    users = raw.relation("users", "id Int64, email String, external_id String")
    groups = raw.relation("groups", "id Int64, name String")
    return f"""
LEFT JOIN (
    SELECT toString(id) AS id, lower(ifNull(email, '')) AS email,
        ifNull(toString(external_id), '') AS external_id
    FROM {users}
) AS agents ON agents.id = {agent}.assignee
{agent_identity_join(VENDOR, f"{agent}.assignee")}
LEFT JOIN (
    SELECT toString(id) AS id, ifNull(toString(external_id), '') AS external_id,
        ifNull(email, '') AS email
    FROM {users}
) AS requesters ON requesters.id = {agent}.requester
LEFT JOIN (SELECT toString(id) AS id, name FROM {groups}) AS groups ON groups.id = {agent}.team
LEFT JOIN (
    SELECT agent_id, skill_group FROM `cc`.`employees` FINAL
) AS employees ON employees.agent_id = {_AGENT}"""


def _ticket_columns(raw: RawTables) -> str:
    deleted = raw.relation("deleted_tickets", "id Int64")
    return f"""
        toString(id) AS ticket_id,
        {_text_time("created_at")} AS created,
        ifNull(status, '') AS ticket_status,
        toString(assignee_id) AS assignee,
        toString(requester_id) AS requester,
        toString(group_id) AS team,
        ifNull(tags, '[]') AS ticket_tags,
        arrayFirst(f -> JSONExtractInt(f, 'id') = {HANDLE_TIME_FIELD},
            JSONExtractArrayRaw(ifNull(custom_fields, '[]'))) AS handle_field,
        toUInt8(ticket_status = 'deleted' OR id IN (SELECT id FROM {deleted})) AS deleted"""


def _contacts(load_id: str, raw: RawTables) -> str:
    tickets = raw_table(VENDOR, "tickets")
    metrics = raw.relation(
        "ticket_metric_sets",
        "ticket_id Int64, initially_assigned_at String, replies Int64, reopens Int64, "
        "reply_time_in_seconds String",
    )
    return f"""
SELECT
    ticket_id AS contact_id,
    toUInt16(1) AS leg,
    'email' AS channel,
    'inbound' AS direction,
    {customer_id(VENDOR, _REQUESTER)} AS customer_id,
    if(assigned IS NULL, NULL, nullIf({_AGENT}, '')) AS agent_id,
    nullIf(groups.name, '') AS skill,
    if(agent_id IS NULL, {queue_group()}, employees.skill_group) AS skill_group,
    NULL AS reason,
    created AS offered_at,
    assigned AS answered_at,
    if(replies >= 1 AND first_reply_s IS NOT NULL,
        created + toIntervalSecond(first_reply_s), NULL) AS ended_at,
    if(assigned IS NULL, 0, toFloat64(dateDiff('millisecond', created, assigned)) / 1000)
        AS wait_s,
    toFloat64(ifNull(JSONExtract(handle_field, 'value', 'Nullable(Float64)'), 0)) AS talk_s,
    0.0 AS hold_s,
    0.0 AS acw_s,
    toUInt8(0) AS abandoned,
    toUInt8(0) AS transferred,
    toUInt8(has(JSONExtract(ticket_tags, 'Array(String)'), 'escalated')) AS escalated,
    multiIf(reopens >= 1, 0, ticket_status IN ('solved', 'closed'), 1, NULL)
        AS resolved_first_contact,
    'zendesk' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    deleted AS is_deleted,
    multiIf(
        ticket_id = '', 'missing ticket id',
        created IS NULL, 'unparsable creation time',
        wait_s < 0 OR talk_s < 0, 'negative duration',
        ''
    ) AS reject_reason,
    concat('{{"id":', ticket_id, ',"status":', toJSONString(ticket_status), '}}') AS raw_payload
FROM (
    SELECT
        {_ticket_columns(raw)},
        metrics.assigned AS assigned,
        metrics.replies AS replies,
        metrics.reopens AS reopens,
        metrics.first_reply_s AS first_reply_s
    FROM {tickets} AS tickets
    LEFT JOIN (
        SELECT
            ticket_id,
            {_text_time("initially_assigned_at")} AS assigned,
            ifNull(replies, 0) AS replies,
            ifNull(reopens, 0) AS reopens,
            JSONExtract(ifNull(reply_time_in_seconds, '{{}}'), 'calendar', 'Nullable(Int64)')
                AS first_reply_s
        FROM {metrics}
    ) AS metrics ON metrics.ticket_id = tickets.id
    WHERE tickets.id IN (
        SELECT id FROM {tickets} WHERE _dlt_load_id = '{load_id}'
        UNION ALL
        SELECT ticket_id FROM {metrics} WHERE _dlt_load_id = '{load_id}'
        UNION ALL
        SELECT id FROM {raw.relation("deleted_tickets", "id Int64, _dlt_load_id String")}
        WHERE _dlt_load_id = '{load_id}'
    )
) AS tickets
{_people("tickets", raw)}
{lookup_join("groups.name")}
{identity_join(_REQUESTER)}
SETTINGS join_use_nulls = 1
"""


def _responses(load_id: str, raw: RawTables) -> str:
    tickets = raw_table(VENDOR, "tickets")
    events = raw_table(VENDOR, "ticket_events")
    replies = reply_waits("arraySort(m -> m.1, comments)")
    return f"""
SELECT
    concat(ticket_id, '#', toString(reply_number)) AS response_id,
    ticket_id AS contact_id,
    'email' AS channel,
    nullIf({_AGENT}, '') AS agent_id,
    nullIf(groups.name, '') AS skill,
    employees.skill_group AS skill_group,
    fromUnixTimestamp64Milli(reply.1 - reply.2, 'UTC') AS customer_message_at,
    fromUnixTimestamp64Milli(reply.1, 'UTC') AS replied_at,
    reply.2 / 1000 AS response_s,
    toUInt8(reply_number = 1) AS is_first_response,
    'zendesk' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    deleted AS is_deleted,
    multiIf(agent_id IS NULL, 'reply on a ticket without an assignee', '') AS reject_reason,
    concat('{{"ticket_id":', ticket_id, '}}') AS raw_payload
FROM (
    SELECT *, {replies} AS replies
    FROM (
        SELECT {_ticket_columns(raw)}
        FROM {tickets}
        WHERE id IN (SELECT ticket_id FROM {events} WHERE _dlt_load_id = '{load_id}')
    ) AS changed
    INNER JOIN (
        SELECT
            toString(ticket_id) AS event_ticket_id,
            groupArray((toInt64(assumeNotNull(timestamp)) * 1000,
                toUInt8(comment_author = requester_of_ticket))) AS comments
        FROM (
            SELECT
                ticket_id,
                timestamp,
                toString(JSONExtractInt(child, 'author_id')) AS comment_author,
                toString(tickets.requester_id) AS requester_of_ticket
            FROM {events} AS events
            ARRAY JOIN JSONExtractArrayRaw(ifNull(child_events, '[]')) AS child
            LEFT JOIN (SELECT id, requester_id FROM {tickets}) AS tickets
                ON tickets.id = events.ticket_id
            WHERE JSONExtractString(child, 'event_type') = 'Comment'
                AND JSONExtractBool(child, 'public')
        )
        GROUP BY ticket_id
    ) AS comments ON comments.event_ticket_id = changed.ticket_id
) AS replied
ARRAY JOIN replies AS reply, arrayEnumerate(replies) AS reply_number
{_people("replied", raw)}
SETTINGS join_use_nulls = 1
"""


def _ratings(load_id: str, raw: RawTables) -> str:
    ratings = raw_table(VENDOR, "satisfaction_ratings")
    return f"""
SELECT
    concat('zendesk-', rating_id) AS response_id,
    'csat' AS kind,
    toFloat64(score_value) AS score,
    0.0 AS scale_min,
    1.0 AS scale_max,
    ticket AS contact_id,
    nullIf(if(requesters.external_id != '', requesters.external_id, requester), '')
        AS customer_id,
    nullIf({_AGENT}, '') AS agent_id,
    'email' AS channel,
    nullIf(groups.name, '') AS skill,
    employees.skill_group AS skill_group,
    answered_at AS responded_at,
    'zendesk' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    toUInt8(rating = 'offered') AS is_deleted,
    multiIf(
        rating_id = '', 'missing rating id',
        rating NOT IN ('good', 'bad', 'offered'), concat('unknown rating `', rating, '`'),
        answered_at IS NULL, 'unparsable rating time',
        ''
    ) AS reject_reason,
    concat('{{"id":', rating_id, ',"score":', toJSONString(rating), '}}') AS raw_payload
FROM (
    SELECT
        toString(id) AS rating_id,
        ifNull(score, '') AS rating,
        if(rating = 'good', 1, 0) AS score_value,
        toString(ticket_id) AS ticket,
        toString(assignee_id) AS assignee,
        toString(requester_id) AS requester,
        toString(group_id) AS team,
        -- answered when it stopped being `offered`: its update time
        {_text_time("updated_at")} AS answered_at
    FROM {ratings}
    WHERE _dlt_load_id = '{load_id}'
) AS ratings
{_people("ratings", raw)}
SETTINGS join_use_nulls = 1
"""


def _invitations(load_id: str, raw: RawTables) -> str:
    ratings = raw_table(VENDOR, "satisfaction_ratings")
    return f"""
SELECT
    concat('zendesk-', rating_id) AS invitation_id,
    'csat' AS kind,
    ticket AS contact_id,
    nullIf(if(requesters.external_id != '', requesters.external_id, requester), '')
        AS customer_id,
    nullIf({_AGENT}, '') AS agent_id,
    'email' AS channel,
    nullIf(groups.name, '') AS skill,
    employees.skill_group AS skill_group,
    sent AS sent_at,
    if(rating IN ('good', 'bad'), answered_at, NULL) AS responded_at,
    'zendesk' AS source,
    toDateTime64({float(load_id)}, 3, 'UTC') AS updated_at,
    -- an `unoffered` rating was never sent
    toUInt8(rating = 'unoffered') AS is_deleted,
    multiIf(
        rating_id = '', 'missing rating id',
        rating NOT IN ('good', 'bad', 'offered', 'unoffered'),
            concat('unknown rating `', rating, '`'),
        sent IS NULL, 'unparsable rating creation time',
        ''
    ) AS reject_reason,
    concat('{{"id":', rating_id, ',"score":', toJSONString(rating), '}}') AS raw_payload
FROM (
    SELECT
        toString(id) AS rating_id,
        ifNull(score, '') AS rating,
        toString(ticket_id) AS ticket,
        toString(assignee_id) AS assignee,
        toString(requester_id) AS requester,
        toString(group_id) AS team,
        -- a rating is created when it is offered (the survey is sent)
        {_text_time("created_at")} AS sent,
        {_text_time("updated_at")} AS answered_at
    FROM {ratings}
    WHERE _dlt_load_id = '{load_id}'
) AS ratings
{_people("ratings", raw)}
SETTINGS join_use_nulls = 1
"""


_TICKET_COLUMNS = {
    "assignee_id": WHOLE,
    "group_id": WHOLE,
    "requester_id": WHOLE,
    "custom_fields": TEXT,
    "tags": TEXT,
}
_PEOPLE_COLUMNS = {"users": {"email": TEXT, "external_id": TEXT}}
_RATING_COLUMNS = {
    "satisfaction_ratings": {
        "assignee_id": WHOLE,
        "group_id": WHOLE,
        "requester_id": WHOLE,
        "ticket_id": WHOLE,
    },
    **_PEOPLE_COLUMNS,
}

MAPPINGS = (
    VendorMapping(
        VENDOR,
        "contacts",
        _contacts,
        ("tickets", "ticket_metric_sets", "deleted_tickets"),
        {
            "tickets": _TICKET_COLUMNS,
            "ticket_metric_sets": {
                "initially_assigned_at": TIMESTAMP,
                "replies": WHOLE,
                "reopens": WHOLE,
                "reply_time_in_seconds": TEXT,
            },
            **_PEOPLE_COLUMNS,
        },
    ),
    VendorMapping(
        VENDOR,
        "responses",
        _responses,
        ("ticket_events",),
        {"tickets": _TICKET_COLUMNS, "ticket_events": {"child_events": TEXT}, **_PEOPLE_COLUMNS},
    ),
    VendorMapping(VENDOR, "surveys", _ratings, ("satisfaction_ratings",), _RATING_COLUMNS),
    VendorMapping(
        VENDOR, "survey_invitations", _invitations, ("satisfaction_ratings",), _RATING_COLUMNS
    ),
)
