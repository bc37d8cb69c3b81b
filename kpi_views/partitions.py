"""SQL that rebuilds the aggregates partition by partition and finds where they drifted.

The materialized views keep each fact's aggregate (`cc.agg_<fact>`, one partition per month)
current as batches arrive. To recompute history (a backfill, a changed definition, a repair) a
month is rebuilt from the current-state table into a scratch table of the same structure, then
swapped in with one `REPLACE PARTITION`, so a reader sees the month either as it was or as
recomputed. Daily aggregates (one partition per day) are rebuilt the same way by
`kpi_views.windowed`.

`drift_sql` compares a live aggregate with its recomputation, group by group (hour and breakdown),
and counts the groups that differ per day; `rollup_drift_sql` does the same for a rollup and the
aggregate it sums. A sum of durations may differ in its last bits when added in another order, so
two figures count as equal within a relative 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kpi_views.facts import AggregateSource, Fact
from kpi_views.generator import aggregate_ddl, aggregate_name
from kpi_views.rollups import Rollup, rollup_name
from transforms.unified_model import DATABASE

__all__ = [
    "RELATIVE_TOLERANCE",
    "drift_sql",
    "partition_scratch_ddl",
    "partition_scratch_name",
    "rollup_drift_sql",
    "swap_month_sql",
]

RELATIVE_TOLERANCE = 1e-9
_INDENT = "    "


def partition_scratch_name(fact: Fact) -> str:
    """The table a month of `agg_<fact>` is recomputed into before it is swapped in."""
    return f"`{DATABASE}`.`agg_{fact.name}_partition_recompute`"


def partition_scratch_ddl(fact: Fact) -> str:
    """The scratch table: the live aggregate's structure, so a month can be swapped."""
    return aggregate_ddl(fact).replace(aggregate_name(fact), partition_scratch_name(fact), 1)


def swap_month_sql(fact: Fact, month: int, recomputed: bool) -> str:
    """Put a recomputed month (YYYYMM) in place: its scratch partition, or nothing if it has
    no rows (a source without the partition is refused, so an empty month is dropped)."""
    live = aggregate_name(fact)
    if recomputed:
        return (
            f"ALTER TABLE {live}\n"
            f"REPLACE PARTITION ID '{month:d}' FROM {partition_scratch_name(fact)}"
        )
    return f"ALTER TABLE {live}\nDROP PARTITION ID '{month:d}'"


def _grouped(
    keys: Sequence[str], sums: Sequence[str], table: str, condition: str, group: Sequence[str]
) -> str:
    return (
        f"{_INDENT}SELECT\n"
        f"{_INDENT * 2}" + f",\n{_INDENT * 2}".join([*keys, *sums]) + "\n"
        f"{_INDENT}FROM {table}\n"
        f"{_INDENT}WHERE {condition}\n"
        f"{_INDENT}GROUP BY {', '.join(group)}"
    )


def _drift(time: str, keys: Sequence[str], parts: Sequence[str], live: str, fresh: str) -> str:
    differs = _differs(parts)
    return (
        "SELECT\n"
        f"{_INDENT}toDate({time}) AS drift_day,\n"
        f"{_INDENT}count() AS groups\n"
        "FROM (\n"
        f"{live}\n"
        ") AS live\n"
        "FULL OUTER JOIN (\n"
        f"{fresh}\n"
        ") AS fresh\n"
        f"USING ({', '.join([time, *keys])})\n"
        f"WHERE {differs}\n"
        "GROUP BY drift_day\n"
        "ORDER BY drift_day"
    )


def drift_sql(source: AggregateSource, live: str, fresh: str, condition: str) -> str:
    """(day, groups that differ) between `live` and its recomputation `fresh`, both read where
    `condition` (on `hour`) holds. A group missing on one side counts as all zeros there."""
    keys = ["hour", *source.dimensions]
    parts = [part.name for part in source.parts]

    def grouped(table: str, prefix: str) -> str:
        sums = [f"sum({part}) AS {prefix}{part}" for part in parts]
        return _grouped(keys, sums, table, condition, keys)

    return _drift(
        "hour", list(source.dimensions), parts, grouped(live, "live_"), grouped(fresh, "fresh_")
    )


def rollup_drift_sql(rollup: Rollup, condition: Callable[[str], str]) -> str:
    """(day, groups that differ) between a rollup as kept and as summed from its aggregate,
    where `condition(column)` holds of the time column (the rollup's, and `hour` of its
    aggregate)."""
    time = rollup.time_column
    dims = list(rollup.dimensions)
    parts = [part.name for part in rollup.parts]
    live = _grouped(
        [time, *dims],
        [f"sum({part}) AS live_{part}" for part in parts],
        rollup_name(rollup),
        condition(time),
        [time, *dims],
    )
    start = "hour" if time == "hour" else "toStartOfDay(hour)"
    fresh = _grouped(
        [f"{start} AS {time}", *dims],
        [f"sum({part}) AS fresh_{part}" for part in parts],
        aggregate_name(rollup.source),
        condition("hour"),
        [time, *dims],
    )
    return _drift(time, dims, parts, live, fresh)


def _differs(parts: Sequence[str]) -> str:
    checks = [
        f"abs(live_{part} - fresh_{part}) > {RELATIVE_TOLERANCE!r} * "
        f"greatest(abs(live_{part}), abs(fresh_{part}), 1)"
        for part in parts
    ]
    return f"\n{_INDENT}OR ".join(checks)
