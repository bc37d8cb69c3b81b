"""The benchmark's KPIs computed at query time from the loaded contacts, as a user without
ccpulse's aggregates would write them: in ClickHouse over the current-state table (`FINAL`), or
in DuckDB (what a dlt user would pick for an embedded warehouse).

Each KPI follows the catalogue's definition (the same anchor time, conditions and ratio), so its
rows are checked against ccpulse's BI view row by row before its speed is compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["ADHOC_KPIS", "CLICKHOUSE_FINAL", "DUCKDB", "Dialect", "adhoc_kpi_sql"]

_HANDLED = "answered_at IS NOT NULL"
_INBOUND = "direction = 'inbound'"
_COLUMNS = {
    "channel": "channel",
    "skill": "skill",
    "skill_group": "skill_group",
    "agent": "agent_id",
}


@dataclass(frozen=True)
class Dialect:
    """What differs between the two engines for these queries."""

    table: str
    count_if: Callable[[str], str]
    start_of_day: Callable[[str], str]
    instant: Callable[[dt.date], str]
    completed: str
    """When a handled leg completes: its end plus its wrap-up."""


DUCKDB = Dialect(
    table="contacts",
    count_if=lambda condition: f"count(*) FILTER (WHERE {condition})",
    start_of_day=lambda time: f"date_trunc('day', {time})",
    instant=lambda day: f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+00'",
    completed="ended_at + to_milliseconds(CAST(round(acw_s * 1000) AS BIGINT))",
)
CLICKHOUSE_FINAL = Dialect(
    table="`cc`.`contacts` FINAL",
    count_if=lambda condition: f"countIf({condition})",
    start_of_day=lambda time: f"toStartOfDay({time})",
    instant=lambda day: f"toDateTime64('{day.isoformat()} 00:00:00', 3, 'UTC')",
    completed="ended_at + toIntervalMillisecond(round(acw_s * 1000))",
)

Term = Callable[[Dialect], str]


@dataclass(frozen=True)
class AdhocKpi:
    """One KPI: the time it is counted at, the rows it reads, and its ratio."""

    anchor: str
    where: str
    numerator: Term
    denominator: Term | None
    scale: float = 1.0


def _count(_: Dialect) -> str:
    return "count(*)"


ADHOC_KPIS = {
    "average_handle_time": AdhocKpi(
        "completed", _HANDLED, lambda d: "sum(talk_s + hold_s + acw_s)", _count
    ),
    "service_level": AdhocKpi(
        "offered_at",
        _INBOUND,
        lambda d: d.count_if(f"{_HANDLED} AND wait_s <= 20"),
        lambda d: (
            f"{d.count_if(_HANDLED)} + {d.count_if('abandoned = 1')} "
            f"- {d.count_if('abandoned = 1 AND wait_s <= 5')}"
        ),
        100.0,
    ),
    "abandonment_rate": AdhocKpi(
        "offered_at", _INBOUND, lambda d: d.count_if("abandoned = 1"), _count, 100.0
    ),
    "first_contact_resolution_rate": AdhocKpi(
        "offered_at",
        f"{_HANDLED} AND {_INBOUND} AND leg = 1",
        lambda d: d.count_if("resolved_first_contact = 1"),
        lambda d: d.count_if("resolved_first_contact IS NOT NULL"),
        100.0,
    ),
    "average_speed_of_answer": AdhocKpi(
        "answered_at", f"{_INBOUND} AND {_HANDLED}", lambda d: "sum(wait_s)", _count
    ),
    "contacts_offered": AdhocKpi("offered_at", _INBOUND, _count, None),
}


def adhoc_kpi_sql(
    kpi_id: str, by: Sequence[str], start: dt.date, end: dt.date, dialect: Dialect
) -> str:
    """`kpi_id` by `by` per UTC day from `start` to `end` (inclusive), from the contacts."""
    kpi = ADHOC_KPIS[kpi_id]
    anchor = dialect.completed if kpi.anchor == "completed" else kpi.anchor
    columns = [_COLUMNS[name] for name in by]
    numerator = kpi.numerator(dialect)
    outputs = [f"{dialect.start_of_day(anchor)} AS period"]
    outputs += [f"{column} AS {name}" for column, name in zip(columns, by, strict=True)]
    outputs.append(f"{numerator} AS numerator")
    if kpi.denominator is None:
        outputs.append(f"{numerator} AS value")
        having = f"{numerator} != 0"
    else:
        denominator = kpi.denominator(dialect)
        outputs.append(f"{denominator} AS denominator")
        outputs.append(f"{kpi.scale!r} * ({numerator}) / ({denominator}) AS value")
        having = f"({denominator}) > 0"
    after = end + dt.timedelta(days=1)
    filters = [
        f"{anchor} >= {dialect.instant(start)}",
        f"{anchor} < {dialect.instant(after)}",
        f"({kpi.where})",
    ]
    filters += [f"{column} IS NOT NULL AND {column} != ''" for column in columns]
    group = ", ".join(str(i + 1) for i in range(1 + len(columns)))
    return (
        "SELECT\n"
        "    " + ",\n    ".join(outputs) + "\n"
        f"FROM {dialect.table}\n"
        "WHERE " + "\n    AND ".join(filters) + "\n"
        f"GROUP BY {group}\n"
        f"HAVING {having}\n"
        f"ORDER BY {group}"
    )
