"""SQL that recomputes the daily aggregates from the current-state tables, for chosen days.

Schedule adherence intersects two timelines (what was scheduled, what the agent did), labour cost
multiplies schedules by the employee's hourly cost, and a repeat contact depends on the customer's
earlier contacts: none is a sum over single rows of one change stream, so no materialized view
keeps them. Instead each is recomputed for the days a batch touched, into a scratch table, and
each day's partition is then swapped into the live aggregate with `REPLACE PARTITION` (one atomic
step per day). A day is the UTC day a scheduled
activity starts on (an activity counts, whole, at the hour it starts, as states do in the fact
aggregates) or the day a contact was offered.

Every statement takes the days as the parameter `{days:Array(Date)}`. `ccpulse.windowed` runs
them; `days_touched` and `contact_days_touched` say which days a change can affect (times are
UTC, as in the unified model).

Repeat contacts and derived first contact resolution read whole days of contacts, which the
current state `cc.contacts` (ordered by contact id, the key a batch's diff looks records up by)
scatters over all of history. So the contacts' change stream also feeds `cc.contacts_by_day`, a
`CollapsingMergeTree` ordered by the day a contact was offered: a record's `-1` row (its old
version, with its old offer day) cancels the `+1` row it was stored with, so after `FINAL` its
rows with `sign = 1` are the current contacts, and a day is read from that day's granules only.
A recomputation of history rebuilds it from the current state first (`contacts_by_day_rebuild_sql`),
so an edit made behind the change stream's back cannot outlive a backfill or a reconcile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from kpi_views.catalog import ADHERENT_STATES
from kpi_views.facts import (
    CHAT_CHANNELS,
    DAILY_AGGREGATES,
    MAX_CHAT_STRETCH_DAYS,
    REPEAT_WINDOW_DAYS,
    STATED_OUTCOME_CHANNELS,
    UNPAID_ACTIVITIES,
    DailyAggregate,
    interval_seconds,
)
from kpi_views.generator import aggregate_name, daily_aggregate_ddl
from transforms.unified_model import DATABASE, TABLES

__all__ = [
    "CONTACTS_BY_DAY",
    "CONTACTS_BY_DAY_COLUMNS",
    "HORIZON_SQL",
    "MAX_ACTIVITY_DAYS",
    "closed_days",
    "contact_days_touched",
    "contacts_by_day_rebuild_sql",
    "contacts_by_day_scratch",
    "contacts_by_day_statements",
    "daily_recompute_sql",
    "days_touched",
    "recompute_days_sql",
    "scratch_days_sql",
    "scratch_ddl",
    "scratch_name",
    "swap_day_sql",
]

_INDENT = "    "
SCRATCH_SUFFIX = "_recompute"
MAX_ACTIVITY_DAYS = 1
"""Whole days a scheduled activity may last past its start day (a night shift's block)."""


CONTACTS_BY_DAY = f"`{DATABASE}`.`contacts_by_day`"
CONTACTS_BY_DAY_COLUMNS: tuple[str, ...] = (
    "contact_id",
    "leg",
    "channel",
    "direction",
    "customer_id",
    "agent_id",
    "skill",
    "skill_group",
    "offered_at",
    "answered_at",
    "resolved_first_contact",
)
_BY_DAY_SETTINGS = "SETTINGS non_replicated_deduplication_window = 10000"
_FIRST_INBOUND = "leg = 1 AND direction = 'inbound'"


def _by_day_ddl(name: str) -> str:
    contacts = TABLES["contacts"]
    columns = [
        f"{column} {contacts.column(column).clickhouse_type}" for column in CONTACTS_BY_DAY_COLUMNS
    ]
    columns.append("sign Int8")
    return (
        f"CREATE TABLE IF NOT EXISTS {name} (\n"
        f"{_INDENT}" + f",\n{_INDENT}".join(columns) + "\n"
        ")\n"
        "ENGINE = CollapsingMergeTree(sign)\n"
        "PARTITION BY toYYYYMM(offered_at)\n"
        "ORDER BY (toDate(offered_at), contact_id, leg)\n"
        f"{_BY_DAY_SETTINGS}"
    )


def _current_contacts(condition: str) -> str:
    return (
        f"SELECT {', '.join(CONTACTS_BY_DAY_COLUMNS)}, toInt8(1) AS sign\n"
        f"FROM `{DATABASE}`.`contacts` FINAL\n"
        f"WHERE is_deleted = 0{condition}"
    )


def contacts_by_day_statements() -> list[str]:
    """`cc.contacts_by_day`, the view that feeds it from the contacts' change stream, and its
    first filling from the current state (only while it is empty, so a repeat is harmless)."""
    columns = ", ".join(CONTACTS_BY_DAY_COLUMNS)
    return [
        _by_day_ddl(CONTACTS_BY_DAY),
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS `{DATABASE}`.`contacts_by_day_mv`\n"
        f"TO {CONTACTS_BY_DAY}\n"
        f"AS SELECT {columns}, sign\n"
        f"FROM `{DATABASE}`.`contacts_changes`",
        f"INSERT INTO {CONTACTS_BY_DAY}\n"
        + _current_contacts(f"\nAND (SELECT count() FROM {CONTACTS_BY_DAY}) = 0"),
    ]


def contacts_by_day_scratch() -> tuple[str, str]:
    """(name, CREATE statement) of the table a month of `cc.contacts_by_day` is rebuilt in."""
    name = f"`{DATABASE}`.`contacts_by_day_rebuild`"
    return name, _by_day_ddl(name)


def contacts_by_day_rebuild_sql() -> str:
    """INSERT of the current contacts offered in the month `{month:UInt32}` (YYYYMM) into the
    scratch table, to be swapped into `cc.contacts_by_day` as that month's partition."""
    name, _ = contacts_by_day_scratch()
    return f"INSERT INTO {name}\n" + _current_contacts(
        "\nAND toYYYYMM(offered_at) = {month:UInt32}"
    )


def _by_day(condition: str) -> str:
    """FROM and WHERE of the current contacts of `cc.contacts_by_day` where `condition` holds."""
    return f"FROM {CONTACTS_BY_DAY} FINAL\n{_INDENT * 2}WHERE sign = 1 AND {condition}"


def scratch_name(aggregate: DailyAggregate) -> str:
    """The table a recomputation is written to before its days are swapped in."""
    return f"`{DATABASE}`.`agg_{aggregate.name}{SCRATCH_SUFFIX}`"


def scratch_ddl(aggregate: DailyAggregate) -> str:
    """The scratch table: the live aggregate's structure, so partitions can be swapped."""
    live = daily_aggregate_ddl(aggregate)
    return live.replace(aggregate_name(aggregate), scratch_name(aggregate), 1)


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def _blocks(condition: str) -> str:
    """Scheduled activities starting on the requested days, with their breakdown keys."""
    return (
        "SELECT\n"
        f"{_INDENT * 3}agent_id,\n"
        f"{_INDENT * 3}activity,\n"
        f"{_INDENT * 3}starts_at,\n"
        f"{_INDENT * 3}ends_at,\n"
        f"{_INDENT * 3}ifNull(channel, '') AS channel,\n"
        f"{_INDENT * 3}ifNull(skill_group, '') AS skill_group\n"
        f"{_INDENT * 2}FROM `{DATABASE}`.`schedules` FINAL\n"
        f"{_INDENT * 2}WHERE toDate(starts_at) IN {{days:Array(Date)}}\n"
        f"{_INDENT * 2}AND {condition}"
    )


def _adherent_pairs() -> str:
    pairs = [
        f"('{activity}', '{state}')"
        for activity, states in sorted(ADHERENT_STATES.items())
        for state in sorted(states)
    ]
    return ", ".join(pairs)


def adherence_sql(into: str) -> str:
    """Scheduled and adherent seconds of every mapped activity starting on the days.

    A state counts once it has ended; the seconds it overlaps an activity count when the state is
    one that `ADHERENT_STATES` maps to that activity.
    """
    overlap_ms = (
        "least(toUnixTimestamp64Milli(blocks.ends_at), toUnixTimestamp64Milli(states.ended_at))"
        " - greatest(toUnixTimestamp64Milli(blocks.starts_at), "
        "toUnixTimestamp64Milli(states.started_at))"
    )
    return (
        f"INSERT INTO {into}\n"
        "WITH\n"
        f"{_INDENT}blocks AS (\n"
        f"{_INDENT * 2}{_blocks(f'activity IN ({_quoted(ADHERENT_STATES)})')}\n"
        f"{_INDENT}),\n"
        f"{_INDENT}states AS (\n"
        f"{_INDENT * 2}SELECT agent_id, state, started_at, ended_at\n"
        f"{_INDENT * 2}FROM `{DATABASE}`.`agent_states` FINAL\n"
        f"{_INDENT * 2}WHERE ended_at IS NOT NULL\n"
        f"{_INDENT * 2}AND agent_id IN (SELECT agent_id FROM blocks)\n"
        f"{_INDENT * 2}AND ended_at > (SELECT min(starts_at) FROM blocks)\n"
        f"{_INDENT * 2}AND started_at < (SELECT max(ends_at) FROM blocks)\n"
        f"{_INDENT}),\n"
        f"{_INDENT}matched AS (\n"
        f"{_INDENT * 2}SELECT\n"
        f"{_INDENT * 3}blocks.agent_id AS agent_id,\n"
        f"{_INDENT * 3}blocks.starts_at AS starts_at,\n"
        f"{_INDENT * 3}sum({overlap_ms}) AS adherent_ms\n"
        f"{_INDENT * 2}FROM blocks\n"
        f"{_INDENT * 2}INNER JOIN states ON states.agent_id = blocks.agent_id\n"
        f"{_INDENT * 2}WHERE (blocks.activity, states.state) IN ({_adherent_pairs()})\n"
        f"{_INDENT * 2}AND states.started_at < blocks.ends_at\n"
        f"{_INDENT * 2}AND states.ended_at > blocks.starts_at\n"
        f"{_INDENT * 2}GROUP BY agent_id, starts_at\n"
        f"{_INDENT})\n"
        "SELECT\n"
        f"{_INDENT}toStartOfHour(blocks.starts_at) AS hour,\n"
        f"{_INDENT}blocks.channel AS channel,\n"
        f"{_INDENT}blocks.skill_group AS skill_group,\n"
        f"{_INDENT}blocks.agent_id AS agent,\n"
        f"{_INDENT}sum({interval_seconds('blocks.starts_at', 'blocks.ends_at')}) AS scheduled_s,\n"
        f"{_INDENT}sum(matched.adherent_ms / 1000) AS adherent_s\n"
        "FROM blocks\n"
        "LEFT JOIN matched USING (agent_id, starts_at)\n"
        "GROUP BY hour, channel, skill_group, agent\n"
        # Unmatched activities must read as 0 adherent seconds, not null.
        "SETTINGS join_use_nulls = 0"
    )


def labour_sql(into: str) -> str:
    """Labour cost of the paid activities starting on the days: hours x the hourly cost.

    An agent without an employee record, or without an hourly cost, adds no labour cost.
    """
    hours = f"{interval_seconds('blocks.starts_at', 'blocks.ends_at')} / 3600"
    blocks = _blocks(f"activity NOT IN ({_quoted(UNPAID_ACTIVITIES)})")
    return (
        f"INSERT INTO {into}\n"
        "WITH\n"
        f"{_INDENT}blocks AS (\n"
        f"{_INDENT * 2}{blocks}\n"
        f"{_INDENT}),\n"
        f"{_INDENT}employees AS (\n"
        f"{_INDENT * 2}SELECT agent_id, hourly_cost\n"
        f"{_INDENT * 2}FROM `{DATABASE}`.`employees` FINAL\n"
        f"{_INDENT * 2}WHERE hourly_cost IS NOT NULL\n"
        f"{_INDENT * 2}AND agent_id IN (SELECT agent_id FROM blocks)\n"
        f"{_INDENT})\n"
        "SELECT\n"
        f"{_INDENT}toStartOfHour(blocks.starts_at) AS hour,\n"
        f"{_INDENT}blocks.channel AS channel,\n"
        f"{_INDENT}blocks.skill_group AS skill_group,\n"
        f"{_INDENT}blocks.agent_id AS agent,\n"
        f"{_INDENT}sum({hours} * employees.hourly_cost) AS labour_cost\n"
        "FROM blocks\n"
        "INNER JOIN employees ON employees.agent_id = blocks.agent_id\n"
        "GROUP BY hour, channel, skill_group, agent"
    )


def scratch_days_sql(aggregate: DailyAggregate) -> str:
    """The days the scratch table holds rows for (a recomputed day may have none)."""
    return f"SELECT DISTINCT toDate(hour) FROM {scratch_name(aggregate)}"


def swap_day_sql(aggregate: DailyAggregate, day: dt.date, recomputed: bool) -> str:
    """Put a recomputed day in place: its scratch partition, or nothing if it has no rows.

    `REPLACE PARTITION` from a source without the partition is refused by newer servers and
    silently empties the target on older ones, so an empty day is dropped explicitly instead.
    """
    partition = f"'{day.isoformat()}'"
    live = aggregate_name(aggregate)
    if recomputed:
        return f"ALTER TABLE {live}\nREPLACE PARTITION {partition} FROM {scratch_name(aggregate)}"
    return f"ALTER TABLE {live}\nDROP PARTITION {partition}"


def repeats_sql(into: str) -> str:
    """Inbound contacts offered on the days, and those preceded by another inbound contact of
    the same customer in the `REPEAT_WINDOW_DAYS` before (a contact is its first leg)."""
    window = f"toIntervalDay({REPEAT_WINDOW_DAYS})"
    inbound = "leg = 1 AND direction = 'inbound'"
    return (
        f"INSERT INTO {into}\n"
        "WITH\n"
        f"{_INDENT}contacts AS (\n"
        f"{_INDENT * 2}SELECT\n"
        f"{_INDENT * 3}contact_id,\n"
        f"{_INDENT * 3}customer_id,\n"
        f"{_INDENT * 3}offered_at,\n"
        f"{_INDENT * 3}channel,\n"
        f"{_INDENT * 3}ifNull(skill, '') AS skill,\n"
        f"{_INDENT * 3}ifNull(skill_group, '') AS skill_group,\n"
        f"{_INDENT * 3}ifNull(agent_id, '') AS agent\n"
        f"{_INDENT * 2}{_by_day('toDate(offered_at) IN {days:Array(Date)}')}\n"
        f"{_INDENT * 2}AND {inbound}\n"
        f"{_INDENT}),\n"
        f"{_INDENT}earlier AS (\n"
        f"{_INDENT * 2}SELECT customer_id, offered_at\n"
        f"{_INDENT * 2}{_by_day(inbound)}\n"
        f"{_INDENT * 2}AND customer_id IN (SELECT customer_id FROM contacts)\n"
        f"{_INDENT * 2}AND offered_at >= (SELECT min(offered_at) FROM contacts) - {window}\n"
        f"{_INDENT * 2}AND offered_at < (SELECT max(offered_at) FROM contacts)\n"
        f"{_INDENT}),\n"
        f"{_INDENT}repeats AS (\n"
        f"{_INDENT * 2}SELECT DISTINCT contacts.contact_id AS contact_id\n"
        f"{_INDENT * 2}FROM contacts\n"
        f"{_INDENT * 2}INNER JOIN earlier ON earlier.customer_id = contacts.customer_id\n"
        f"{_INDENT * 2}WHERE earlier.offered_at >= contacts.offered_at - {window}\n"
        f"{_INDENT * 2}AND earlier.offered_at < contacts.offered_at\n"
        f"{_INDENT})\n"
        "SELECT\n"
        f"{_INDENT}toStartOfHour(offered_at) AS hour,\n"
        f"{_INDENT}channel,\n"
        f"{_INDENT}skill,\n"
        f"{_INDENT}skill_group,\n"
        f"{_INDENT}agent,\n"
        f"{_INDENT}count() AS inbound_contacts,\n"
        f"{_INDENT}countIf(contact_id IN (SELECT contact_id FROM repeats)) AS repeat_contacts\n"
        "FROM contacts\n"
        "GROUP BY hour, channel, skill, skill_group, agent"
    )


HORIZON_SQL = (
    "SELECT maxOrNull(offered_at)\n"
    f"FROM `{DATABASE}`.`contacts` FINAL\n"
    "WHERE leg = 1 AND direction = 'inbound'"
)
"""The newest inbound contact the warehouse holds: a repeat window has closed once it ends at
or before this instant (the data, not the wall clock, says how far the record reaches)."""


def resolutions_sql(into: str) -> str:
    """First contact resolution derived from the repeat window, for the handled inbound
    contacts offered on the days whose source states no outcome.

    A contact is not resolved when its customer made another inbound contact within
    `REPEAT_WINDOW_DAYS` after it, resolved when the window has closed without one, and unknown
    (not counted) while it is open. A voice contact counts once its last leg has been handled,
    when a wrap-up code would have stated the outcome; a contact of a channel in
    `STATED_OUTCOME_CHANNELS`, or of an unknown customer, is never derived.
    """
    window = f"toIntervalDay({REPEAT_WINDOW_DAYS})"
    return (
        f"INSERT INTO {into}\n"
        "WITH\n"
        f"{_INDENT}({HORIZON_SQL.replace(chr(10), ' ')}) AS horizon,\n"
        f"{_INDENT}firsts AS (\n"
        f"{_INDENT * 2}SELECT\n"
        f"{_INDENT * 3}contact_id,\n"
        f"{_INDENT * 3}customer_id,\n"
        f"{_INDENT * 3}offered_at,\n"
        f"{_INDENT * 3}channel,\n"
        f"{_INDENT * 3}ifNull(skill, '') AS skill,\n"
        f"{_INDENT * 3}ifNull(skill_group, '') AS skill_group,\n"
        f"{_INDENT * 3}ifNull(agent_id, '') AS agent\n"
        f"{_INDENT * 2}{_by_day('toDate(offered_at) IN {days:Array(Date)}')}\n"
        f"{_INDENT * 2}AND leg = 1 AND direction = 'inbound' AND answered_at IS NOT NULL\n"
        f"{_INDENT * 2}AND resolved_first_contact IS NULL AND customer_id IS NOT NULL\n"
        f"{_INDENT * 2}AND channel NOT IN ({_quoted(STATED_OUTCOME_CHANNELS)})\n"
        f"{_INDENT}),\n"
        f"{_INDENT}unfinished AS (\n"
        f"{_INDENT * 2}SELECT contact_id\n"
        f"{_INDENT * 2}FROM `{DATABASE}`.`contacts` FINAL\n"
        f"{_INDENT * 2}WHERE contact_id IN (\n"
        f"{_INDENT * 3}SELECT contact_id FROM firsts WHERE channel = 'voice'\n"
        f"{_INDENT * 2})\n"
        f"{_INDENT * 2}GROUP BY contact_id\n"
        f"{_INDENT * 2}HAVING NOT argMax(answered_at IS NOT NULL AND ended_at IS NOT NULL, leg)\n"
        f"{_INDENT}),\n"
        f"{_INDENT}later AS (\n"
        f"{_INDENT * 2}SELECT customer_id, offered_at\n"
        f"{_INDENT * 2}{_by_day(_FIRST_INBOUND)}\n"
        f"{_INDENT * 2}AND customer_id IN (SELECT customer_id FROM firsts)\n"
        f"{_INDENT * 2}AND offered_at > (SELECT min(offered_at) FROM firsts)\n"
        f"{_INDENT * 2}AND offered_at <= (SELECT max(offered_at) FROM firsts) + {window}\n"
        f"{_INDENT}),\n"
        f"{_INDENT}repeated AS (\n"
        f"{_INDENT * 2}SELECT DISTINCT firsts.contact_id AS contact_id\n"
        f"{_INDENT * 2}FROM firsts\n"
        f"{_INDENT * 2}INNER JOIN later ON later.customer_id = firsts.customer_id\n"
        f"{_INDENT * 2}WHERE later.offered_at > firsts.offered_at\n"
        f"{_INDENT * 2}AND later.offered_at <= firsts.offered_at + {window}\n"
        f"{_INDENT})\n"
        "SELECT\n"
        f"{_INDENT}toStartOfHour(offered_at) AS hour,\n"
        f"{_INDENT}channel,\n"
        f"{_INDENT}skill,\n"
        f"{_INDENT}skill_group,\n"
        f"{_INDENT}agent,\n"
        f"{_INDENT}count() AS derived_known,\n"
        f"{_INDENT}countIf(contact_id NOT IN (SELECT contact_id FROM repeated))\n"
        f"{_INDENT * 2}AS derived_resolved\n"
        "FROM firsts\n"
        "WHERE contact_id NOT IN (SELECT contact_id FROM unfinished)\n"
        "AND (\n"
        f"{_INDENT}contact_id IN (SELECT contact_id FROM repeated)\n"
        f"{_INDENT}OR offered_at + {window} <= horizon\n"
        ")\n"
        "GROUP BY hour, channel, skill, skill_group, agent"
    )


def concurrency_sql(into: str) -> str:
    """Chat handle time of the legs that ended on the days, and the wall-clock time of every
    stretch of overlapping conversations of an agent that ended on them.

    A leg runs from its answer to the end of its wrap-up; legs of one agent that overlap (one
    starts before the other has ended) form one stretch. Stretches are merged from the legs
    that ended up to `MAX_CHAT_STRETCH_DAYS` before the first day, and those still running into
    the day after the last, so a stretch that crosses midnight counts whole, on the day it ends.
    """
    completed = "ended_at + toIntervalMillisecond(round(acw_s * 1000))"
    ms = "toUnixTimestamp64Milli"
    merge = (
        "arrayFold((stretches, leg) -> if(length(stretches) > 0 AND leg.1 < stretches[-1].2, "
        "arrayPushBack(arrayPopBack(stretches), "
        "(stretches[-1].1, greatest(stretches[-1].2, leg.2))), "
        "arrayPushBack(stretches, leg)), "
        "arraySort(groupArray((start_ms, end_ms))), "
        "CAST([], 'Array(Tuple(Int64, Int64))'))"
    )
    first_day = "arrayMin({days:Array(Date)})"
    after_last_day = "arrayMax({days:Array(Date)}) + 1"
    return (
        f"INSERT INTO {into}\n"
        "WITH\n"
        f"{_INDENT}legs AS (\n"
        f"{_INDENT * 2}SELECT\n"
        f"{_INDENT * 3}agent_id,\n"
        f"{_INDENT * 3}{ms}(assumeNotNull(answered_at)) AS start_ms,\n"
        f"{_INDENT * 3}{ms}(assumeNotNull({completed})) AS end_ms,\n"
        f"{_INDENT * 3}talk_s + hold_s + acw_s AS handle_s\n"
        f"{_INDENT * 2}FROM `{DATABASE}`.`contacts` FINAL\n"
        f"{_INDENT * 2}WHERE channel IN ({_quoted(CHAT_CHANNELS)})\n"
        f"{_INDENT * 2}AND agent_id IS NOT NULL\n"
        f"{_INDENT * 2}AND answered_at IS NOT NULL\n"
        f"{_INDENT * 2}AND ended_at IS NOT NULL\n"
        f"{_INDENT * 2}AND {completed} >= {first_day} - {MAX_CHAT_STRETCH_DAYS}\n"
        f"{_INDENT * 2}AND answered_at < {after_last_day}\n"
        f"{_INDENT}),\n"
        f"{_INDENT}measures AS (\n"
        f"{_INDENT * 2}SELECT agent_id, end_ms, handle_s, 0.0 AS busy_s\n"
        f"{_INDENT * 2}FROM legs\n"
        f"{_INDENT * 2}UNION ALL\n"
        f"{_INDENT * 2}SELECT agent_id, stretch.2 AS end_ms, 0.0 AS handle_s, "
        "(stretch.2 - stretch.1) / 1000 AS busy_s\n"
        f"{_INDENT * 2}FROM (SELECT agent_id, {merge} AS stretches FROM legs GROUP BY agent_id)\n"
        f"{_INDENT * 2}ARRAY JOIN stretches AS stretch\n"
        f"{_INDENT}),\n"
        f"{_INDENT}agents AS (\n"
        f"{_INDENT * 2}SELECT\n"
        f"{_INDENT * 3}agent_id,\n"
        f"{_INDENT * 3}ifNull(primary_channel, '') AS channel,\n"
        f"{_INDENT * 3}ifNull(skill_group, '') AS skill_group\n"
        f"{_INDENT * 2}FROM `{DATABASE}`.`employees` FINAL\n"
        f"{_INDENT * 2}WHERE agent_id IN (SELECT agent_id FROM legs)\n"
        f"{_INDENT})\n"
        "SELECT\n"
        f"{_INDENT}toStartOfHour(fromUnixTimestamp64Milli(measures.end_ms, 'UTC')) AS hour,\n"
        f"{_INDENT}agents.channel AS channel,\n"
        f"{_INDENT}agents.skill_group AS skill_group,\n"
        f"{_INDENT}measures.agent_id AS agent,\n"
        f"{_INDENT}sum(measures.handle_s) AS chat_handle_s,\n"
        f"{_INDENT}sum(measures.busy_s) AS chat_busy_s\n"
        "FROM measures\n"
        "LEFT JOIN agents ON agents.agent_id = measures.agent_id\n"
        "WHERE toDate(hour) IN {days:Array(Date)}\n"
        "GROUP BY hour, channel, skill_group, agent\n"
        # An agent without an employee record keeps empty keys, not nulls.
        "SETTINGS join_use_nulls = 0"
    )


_RECOMPUTE: dict[str, Callable[[str], str]] = {
    "adherence": adherence_sql,
    "labour": labour_sql,
    "repeats": repeats_sql,
    "concurrency": concurrency_sql,
    "resolutions": resolutions_sql,
}


def daily_recompute_sql(aggregate: DailyAggregate, into: str | None = None) -> str:
    """INSERT of `aggregate`'s rows for the days `{days:Array(Date)}` into `into` (by default its
    scratch table; a check may rebuild it elsewhere and compare)."""
    return _RECOMPUTE[aggregate.name](into or scratch_name(aggregate))


def recompute_days_sql() -> Iterator[tuple[DailyAggregate, str]]:
    """(aggregate, INSERT into its scratch table) of every daily aggregate."""
    for aggregate in DAILY_AGGREGATES.values():
        yield aggregate, daily_recompute_sql(aggregate)


def contact_days_touched(offered_at: dt.datetime) -> list[dt.date]:
    """The days whose repeat contacts and derived first contact resolution a changed contact
    (old or new version) can change: those of the window before it (whose contacts it may
    repeat), its own and those of the window after it (whose contacts may repeat it)."""
    first = offered_at.date() - dt.timedelta(days=REPEAT_WINDOW_DAYS)
    return [first + dt.timedelta(days=n) for n in range(2 * REPEAT_WINDOW_DAYS + 1)]


def closed_days(before: dt.datetime | None, after: dt.datetime | None) -> list[dt.date]:
    """The days whose repeat windows close or reopen when the horizon (`HORIZON_SQL`) moves from
    `before` to `after`: those of contacts offered in the window's length before the horizon's
    old and new positions. None is a horizon without contacts."""
    window = dt.timedelta(days=REPEAT_WINDOW_DAYS)
    moments = [moment for moment in (before, after) if moment is not None]
    if before == after or not moments:
        return []
    first, last = (min(moments) - window).date(), (max(moments) - window).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def days_touched(start: dt.datetime, end: dt.datetime | None) -> list[dt.date]:
    """The days whose daily aggregates a changed interval (a state or a scheduled activity,
    old or new version) can change: from the earliest start day of an activity it can overlap to
    the day it ends (its start day while it is open)."""
    last = (end or start).date()
    first = start.date() - dt.timedelta(days=MAX_ACTIVITY_DAYS)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
