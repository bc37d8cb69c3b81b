"""Which skill group serves which skill: the identity table `cc.skill_groups` and its SQL.

A contact leg handled by an agent belongs to that agent's skill group. A leg that no agent
handled (abandoned in the queue, or still waiting) has no agent to take a group from: it belongs
to the group of agents that serves its skill (queue). Which group serves which queue is stated by
the workforce-management system: an Assembled agent lists its teams and the queues it serves.

`cc.skill_groups` keeps one row per skill and stating source, newest statement first. A user
corrects a pairing by inserting a row with source `manual`, which wins over every vendor's; the
vendor rows stay, so removing the correction restores what the vendor states. Contact legs
without an agent take their skill's group when they are mapped, and legs mapped before their
skill's group was known (or before a correction) are re-derived through the contacts change
stream, so every KPI by skill group follows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from transforms.unified_model import DATABASE, table
from transforms.vendors.mapping import RawTables

__all__ = [
    "DDL",
    "LOOKUP",
    "MANUAL",
    "QUEUE_GROUP_SOURCES",
    "TABLE",
    "lookup_join",
    "queue_group",
    "refresh_select",
    "stated_insert",
    "states_skill_groups",
]

TABLE = f"`{DATABASE}`.`skill_groups`"
MANUAL = "manual"
"""The source of a user's correction; it wins over every vendor's statement."""

DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (\n"
    "    skill String,\n"
    "    skill_group String,\n"
    "    source LowCardinality(String),\n"
    "    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(updated_at)\n"
    "ORDER BY (skill, source)\n"
    "COMMENT 'skill (queue) -> the skill group serving it; source `manual` corrects a vendor'"
)

LOOKUP = (
    "SELECT skill, "
    f"argMax(skill_group, (source = '{MANUAL}', updated_at)) AS skill_group\n"
    f"FROM {TABLE} FINAL\n"
    "GROUP BY skill"
)
"""One row per skill: its corrected group if a user set one, else the newest stated one."""

QUEUE_GROUPS_ALIAS = "queue_groups"

QUEUE_GROUP_SOURCES: tuple[str, ...] = ("genesys", "intercom", "zendesk")
"""Sources whose legs without an agent take their skill's group (files state their own)."""


def lookup_join(skill: str) -> str:
    """LEFT JOIN of the lookup as `queue_groups`, on the SQL expression `skill`."""
    return f"LEFT JOIN ({LOOKUP}) AS {QUEUE_GROUPS_ALIAS} ON {QUEUE_GROUPS_ALIAS}.skill = {skill}"


def queue_group() -> str:
    """The joined skill's group, null when no source states one."""
    return f"{QUEUE_GROUPS_ALIAS}.skill_group"


def states_skill_groups(vendor: str) -> bool:
    """Whether `vendor`'s records say which skill group serves which skill."""
    return vendor in _STATED_BY


def stated_insert(vendor: str, load_id: str, raw: RawTables) -> str | None:
    """INSERT of the pairs one load of `vendor` states, or None for a vendor that states none."""
    stated = _STATED_BY.get(vendor)
    if stated is None:
        return None
    return (
        f"INSERT INTO {TABLE} (skill, skill_group, source, updated_at)\n"
        f"SELECT skill, skill_group, '{vendor}', toDateTime64({float(load_id)}, 3, 'UTC')\n"
        f"FROM ({stated(load_id, raw)})"
    )


def refresh_select() -> str:
    """Contact legs without an agent whose skill group differs from their skill's, with the
    group corrected, in the shape `ccpulse.changes.apply_select` takes."""
    columns = [
        f"{QUEUE_GROUPS_ALIAS}.skill_group AS skill_group"
        if name == "skill_group"
        else f"contacts.{name} AS {name}"
        for name in table("contacts").column_names
    ]
    sources = ", ".join(f"'{source}'" for source in QUEUE_GROUP_SOURCES)
    return (
        "SELECT\n"
        + "".join(f"    {column},\n" for column in columns)
        + "    toUInt8(0) AS is_deleted\n"
        f"FROM `{DATABASE}`.`contacts` AS contacts FINAL\n"
        f"INNER JOIN ({LOOKUP}) AS {QUEUE_GROUPS_ALIAS} "
        f"ON {QUEUE_GROUPS_ALIAS}.skill = contacts.skill\n"
        "WHERE contacts.agent_id IS NULL\n"
        f"AND contacts.source IN ({sources})\n"
        f"AND ifNull(contacts.skill_group, '') != {QUEUE_GROUPS_ALIAS}.skill_group"
    )


def _assembled(load_id: str, raw: RawTables) -> str:
    """Each queue an Assembled agent serves, under the team most of its agents are in."""
    agents = raw.relation(
        "agents", "teams String, queues String, deleted Bool, _dlt_load_id String"
    )
    return (
        "SELECT skill, argMax(skill_group, (agents, skill_group)) AS skill_group\n"
        "FROM (\n"
        "    SELECT queue AS skill, team AS skill_group, count() AS agents\n"
        f"    FROM {agents}\n"
        "    ARRAY JOIN JSONExtract(ifNull(queues, '[]'), 'Array(String)') AS queue\n"
        "    ARRAY JOIN JSONExtract(ifNull(teams, '[]'), 'Array(String)') AS team\n"
        f"    WHERE _dlt_load_id = '{load_id}' AND NOT ifNull(deleted, false)\n"
        "    AND queue != '' AND team != ''\n"
        "    GROUP BY skill, skill_group\n"
        ")\n"
        "GROUP BY skill"
    )


_STATED_BY: Mapping[str, Callable[[str, RawTables], str]] = MappingProxyType(
    {"assembled": _assembled}
)
