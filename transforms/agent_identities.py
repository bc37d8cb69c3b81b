"""Which agent a system's user is: the identity table `cc.agent_identities` and its SQL.

Each system knows an agent by its own user record: a Genesys user, an Intercom admin, a Zendesk
user, a BambooHR employee, an Assembled agent. The unified agent id is the agent's lowercase
e-mail address. `cc.agent_identities` maps a system's id of a user (`system` the vendor name,
`value` its id) to that agent id; sources that know the agent only by e-mail (Zendesk QA
reviewees, Delighted) use `system` `email` and the normalized address as `value`. After each
load of a vendor with user records, the e-mail address each user record states is recorded; a
user corrects a pairing (an alias address, a shared mailbox) by inserting a row with source
`manual`, which wins over the vendor's (the vendor rows stay, so removing the correction restores
what the vendor states).

A mapping of Genesys, Intercom, Zendesk, Zendesk QA or Delighted takes the agent its user's id (or
e-mail) resolves to, else the lowercase e-mail as the user record gives it. BambooHR and Assembled
identities are recorded, so `cc.agents` shows them, but not corrected: employees, agent states and
schedules are keyed by agent, and a corrected agent would store a second row beside the one under
the old id. The HRIS work e-mail is the anchor the other systems are corrected onto.

Only records transformed after a correction follow it: contacts, replies, surveys and reviews
transformed before keep the agent they were mapped with until they change
again or `ccpulse backfill` re-extracts their window. Re-deriving records already transformed is
deliberately not done here (unlike customer and skill-group corrections): that is what
`ccpulse backfill` is for.

`cc.agents` is the readable side: one row per agent id with the ids it has in each system and
whether the HRIS holds an employee record for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from transforms.unified_model import DATABASE
from transforms.vendors.mapping import RawTables, raw_table

__all__ = [
    "AGENTS_VIEW",
    "AGENTS_VIEW_DDL",
    "ANCHORS",
    "DDL",
    "EMAIL",
    "LOOKUP",
    "MANUAL",
    "TABLE",
    "USER_RECORDS",
    "agent_id",
    "agent_identity_join",
    "stated_insert",
    "states_agent_identities",
]

TABLE = f"`{DATABASE}`.`agent_identities`"
AGENTS_VIEW = f"`{DATABASE}`.`agents`"
MANUAL = "manual"
"""The source of a user's correction; it wins over the vendor's statement."""
EMAIL = "email"
"""The system of sources that know an agent only by e-mail address."""

DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (\n"
    "    system LowCardinality(String),\n"
    "    value String,\n"
    "    agent_id String,\n"
    "    source LowCardinality(String),\n"
    "    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(updated_at)\n"
    "ORDER BY (system, value, source)\n"
    "COMMENT 'a system''s user id (or e-mail) -> agent id (lowercase e-mail); `manual` corrects'"
)

ANCHORS: tuple[str, ...] = ("bamboohr", "assembled")
"""Systems whose records are keyed by agent (employees, agent states, schedules): their stated
identities are the anchor, and a `manual` row for them is ignored."""

_ANCHOR_LIST = ", ".join(f"'{system}'" for system in ANCHORS)

LOOKUP = (
    "SELECT system, value, "
    f"argMax(agent_id, (source = '{MANUAL}', updated_at)) AS agent_id\n"
    f"FROM {TABLE} FINAL\n"
    "WHERE value != ''\n"
    f"AND NOT (source = '{MANUAL}' AND system IN ({_ANCHOR_LIST}))\n"
    "GROUP BY system, value"
)
"""One row per system and id: the corrected agent if a user set one (except for the `ANCHORS`),
else the newest stated one. A correction to the empty agent id falls back to the user record's
e-mail."""

AGENTS_VIEW_DDL = (
    f"CREATE OR REPLACE VIEW {AGENTS_VIEW}\n"
    "AS SELECT\n"
    "    identities.agent_id AS agent_id,\n"
    "    arraySort(groupArray((identities.system, identities.value))) AS system_ids,\n"
    "    max(employees.agent_id != '') AS has_employee_record\n"
    f"FROM ({LOOKUP}) AS identities\n"
    "LEFT JOIN (\n"
    f"    SELECT DISTINCT agent_id FROM `{DATABASE}`.`employees` FINAL\n"
    ") AS employees ON employees.agent_id = identities.agent_id\n"
    "WHERE identities.agent_id != ''\n"
    "GROUP BY identities.agent_id"
)
"""One row per agent: its (system, id) pairs and whether BambooHR holds its employee record."""

_ALIAS = "agent_identities"

USER_RECORDS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "genesys": ("users", "id", "email"),
        "intercom": ("admins", "id", "email"),
        "zendesk": ("users", "id", "email"),
        "bamboohr": ("employees", "id", "work_email"),
        "assembled": ("agents", "id", "email"),
    }
)
"""Vendors with user records: the raw table, its id column and its e-mail column."""


def agent_identity_join(system: str, user: str) -> str:
    """LEFT JOIN of the lookup of `system` as `agent_identities`, on the SQL expression `user`
    (that system's id of the user, or for `EMAIL` the normalized address)."""
    return (
        f"LEFT JOIN (SELECT value, agent_id FROM ({LOOKUP}) WHERE system = '{system}') "
        f"AS {_ALIAS} ON {_ALIAS}.value = {user}"
    )


def agent_id(email: str) -> str:
    """SQL: the joined agent id, else the e-mail expression `email` as the record gives it."""
    return f"ifNull(nullIf({_ALIAS}.agent_id, ''), {email})"


def states_agent_identities(vendor: str) -> bool:
    """Whether `vendor`'s records include user records that state their e-mail addresses."""
    return vendor in USER_RECORDS


def stated_insert(vendor: str, load_id: str, raw: RawTables) -> str | None:
    """INSERT of the user ids and addresses one load of `vendor` states, or None for a vendor
    without user records or whose user table dlt has not created yet."""
    found = USER_RECORDS.get(vendor)
    if found is None or found[0] not in raw.present:
        return None
    users, id_column, email_column = found
    version = f"toDateTime64({float(load_id)}, 3, 'UTC')"
    return (
        f"INSERT INTO {TABLE} (system, value, agent_id, source, updated_at)\n"
        f"SELECT '{vendor}', value, agent_id, '{vendor}', {version}\n"
        "FROM (\n"
        "    SELECT\n"
        f"        ifNull(toString({id_column}), '') AS value,\n"
        f"        lower(ifNull({email_column}, '')) AS agent_id\n"
        f"    FROM {raw_table(vendor, users)}\n"
        f"    WHERE _dlt_load_id = '{load_id}'\n"
        ")\n"
        "WHERE value != '' AND agent_id != ''"
    )
