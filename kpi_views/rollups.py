"""Coarser copies of the KPI aggregates, which a KPI query reads whenever its question allows.

Every aggregate (`cc.agg_<source>`) is kept by hour and by every breakdown dimension its source
has, so that any KPI can be read at any grain and breakdown. Most questions are coarser: ninety
days of service level by skill need neither hours nor agents. A rollup holds the same additive
parts at the day grain, or without the agent or the skill, so such a query reads a small fraction
of the rows (at one row per agent, skill and channel an hour, a day rollup is up to 24 times
smaller and one without the agent hundreds of times smaller). A KPI query reads the smallest rollup
that has the grain and the breakdown it asks for (`choose`); the figures are the same sums.

A rollup of a fact is kept by a materialized view on the fact's aggregate: ClickHouse runs the
views of a view's target in the same insert, with the same deduplication token, so whatever
reaches the aggregate reaches its rollups at once. A partition swapped into an aggregate with
`REPLACE PARTITION` (a daily aggregate's recomputation, a backfill) reaches no view, so the
rollups of that partition are rebuilt from the aggregate and swapped in the same way
(`ccpulse.rollups`). A rollup shares its aggregate's partitions (months for a fact, days for a
daily aggregate), so a partition of one is a partition of the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from kpi_views.facts import DAILY_AGGREGATES, FACTS, SOURCES, AggregateSource, Fact, Part
from transforms.unified_model import DATABASE

__all__ = [
    "ROLLUPS",
    "Rollup",
    "choose",
    "every_rollup",
    "fill_sql",
    "partition_expression",
    "rebuild_scratch_ddl",
    "rebuild_scratch_name",
    "rebuild_sql",
    "rollup_ddl",
    "rollup_name",
    "rollup_view_ddl",
    "swap_partition_sql",
]

Grain = Literal["hour", "day"]
_INDENT = "    "
_DEDUPLICATION_WINDOW = 10_000

# (grain, the dimension left out, name suffix), most compact first among those of a grain.
_TIERS: tuple[tuple[Grain, str | None, str], ...] = (
    ("day", "agent", "day_without_agent"),
    ("day", "skill", "day_without_skill"),
    ("day", None, "day"),
    ("hour", "agent", "hour_without_agent"),
)


@dataclass(frozen=True)
class Rollup:
    """The parts of one aggregate at `grain`, by `dimensions` (some of the source's)."""

    source: AggregateSource
    grain: Grain
    dimensions: tuple[str, ...]
    suffix: str

    @property
    def name(self) -> str:
        return f"{self.source.name}_{self.suffix}"

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.source.parts

    @property
    def time_column(self) -> str:
        """`hour` or `day`: the start of the hour or day a row's parts count at."""
        return self.grain


def _rollups_of(source: AggregateSource) -> tuple[Rollup, ...]:
    dimensions = tuple(source.dimensions)
    found = []
    for grain, left_out, suffix in _TIERS:
        if left_out is not None and left_out not in dimensions:
            continue  # the same as the tier that keeps every dimension
        kept = tuple(d for d in dimensions if d != left_out)
        found.append(Rollup(source, grain, kept, suffix))
    return tuple(found)


ROLLUPS: Mapping[str, tuple[Rollup, ...]] = MappingProxyType(
    {name: _rollups_of(source) for name, source in SOURCES.items()}
)
"""Source name -> its rollups, most compact first within each grain."""


def choose(source: AggregateSource, grain: Grain, needed: Sequence[str]) -> Rollup | None:
    """The most compact rollup of `source` at `grain` that keeps every dimension of `needed`
    the source has; None when only the hour-grain aggregate itself will do."""
    wanted = {d for d in needed if d in source.dimensions}
    for rollup in ROLLUPS[source.name]:
        if rollup.grain == grain and wanted <= set(rollup.dimensions):
            return rollup
    return None


def rollup_name(rollup: Rollup, database: str = DATABASE) -> str:
    return f"`{database}`.`agg_{rollup.name}`"


def _source_name(source: AggregateSource, database: str) -> str:
    return f"`{database}`.`agg_{source.name}`"


def partition_expression(source: AggregateSource, column: str) -> str:
    """The partition key of `source`'s aggregate and rollups: months for a fact (kept by views),
    days for a daily aggregate (swapped in a day at a time)."""
    return f"toYYYYMM({column})" if isinstance(source, Fact) else f"toDate({column})"


def _lines(items: Sequence[str], indent: int = 1) -> str:
    pad = _INDENT * indent
    return (",\n" + pad).join(items)


def rollup_ddl(rollup: Rollup, database: str = DATABASE, name: str | None = None) -> str:
    """The table of one rollup (`name` overrides its name, for a scratch copy)."""
    time = rollup.time_column
    columns = [f"{time} DateTime('UTC')"]
    columns += [f"{dimension} LowCardinality(String)" for dimension in rollup.dimensions]
    columns += [f"{part.name} {part.clickhouse_type}" for part in rollup.parts]
    key = ", ".join([time, *rollup.dimensions])
    return (
        f"CREATE TABLE IF NOT EXISTS {name or rollup_name(rollup, database)} (\n"
        f"{_INDENT}{_lines(columns)}\n"
        ")\n"
        "ENGINE = SummingMergeTree\n"
        f"PARTITION BY {partition_expression(rollup.source, time)}\n"
        f"ORDER BY ({key})\n"
        f"SETTINGS non_replicated_deduplication_window = {_DEDUPLICATION_WINDOW}"
    )


def _rollup_select(rollup: Rollup, source: str, condition: str = "") -> str:
    """The rollup's rows, summed from the hour-grain aggregate `source`.

    Columns are read through the alias `s`, so that a sum named after its part is never read
    back by that name inside the query.
    """
    time = "s.hour" if rollup.grain == "hour" else "toStartOfDay(s.hour)"
    outputs = [f"{time} AS {rollup.time_column}"]
    outputs += [f"s.{dimension} AS {dimension}" for dimension in rollup.dimensions]
    outputs += [f"sum(s.{part.name}) AS {part.name}" for part in rollup.parts]
    group = ", ".join([rollup.time_column, *rollup.dimensions])
    where = f"WHERE {condition}\n" if condition else ""
    return f"SELECT\n{_INDENT}{_lines(outputs)}\nFROM {source} AS s\n{where}GROUP BY {group}"


def rollup_view_ddl(rollup: Rollup, database: str = DATABASE) -> str:
    """The materialized view that keeps a fact's rollup current from the fact's aggregate."""
    if not isinstance(rollup.source, Fact):
        raise ValueError(
            f"`{rollup.source.name}` is a daily aggregate: its rollups are rebuilt when its days "
            "are swapped in, not kept by a view"
        )
    view = f"`{database}`.`agg_{rollup.name}_mv`"
    return (
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {view}\n"
        f"TO {rollup_name(rollup, database)}\n"
        f"AS {_rollup_select(rollup, _source_name(rollup.source, database))}"
    )


def rebuild_scratch_name(rollup: Rollup) -> str:
    """The table a rollup's partitions are rebuilt into before they are swapped in."""
    return f"`{DATABASE}`.`agg_{rollup.name}_rebuild`"


def rebuild_scratch_ddl(rollup: Rollup) -> str:
    return rollup_ddl(rollup, name=rebuild_scratch_name(rollup))


def rebuild_sql(rollup: Rollup, into: str | None = None, database: str = DATABASE) -> str:
    """INSERT of the rollup's rows of the partitions `{partitions:Array(String)}` (partition
    ids), summed from its aggregate, into `into` (by default its scratch table)."""
    target = into or rebuild_scratch_name(rollup)
    condition = "s._partition_id IN {partitions:Array(String)}"
    select = _rollup_select(rollup, _source_name(rollup.source, database), condition)
    return f"INSERT INTO {target}\n{select}"


def fill_sql(rollup: Rollup, database: str = DATABASE) -> str:
    """INSERT of every row of the rollup from its aggregate (a new or rebuilt rollup)."""
    select = _rollup_select(rollup, _source_name(rollup.source, database))
    return f"INSERT INTO {rollup_name(rollup, database)}\n{select}"


def swap_partition_sql(rollup: Rollup, partition: str, rebuilt: bool) -> str:
    """Put a rebuilt partition in place, or drop it when the aggregate has none (a source
    without the partition is refused by `REPLACE PARTITION`)."""
    live = rollup_name(rollup)
    if rebuilt:
        return (
            f"ALTER TABLE {live}\n"
            f"REPLACE PARTITION ID '{partition}' FROM {rebuild_scratch_name(rollup)}"
        )
    return f"ALTER TABLE {live}\nDROP PARTITION ID '{partition}'"


def every_rollup() -> Iterator[Rollup]:
    """Every rollup, facts' first."""
    for name in (*FACTS, *DAILY_AGGREGATES):
        yield from ROLLUPS[name]
