"""SQL generated from the facts and the catalogue: aggregates, their views, and BI views.

For each fact:

- `cc.agg_<fact>`: a SummingMergeTree keyed by hour and the breakdown dimensions, one column per
  additive part;
- `cc.agg_<fact>_mv`: the one materialized view that feeds it from the fact's change stream;
- a recomputation statement that rebuilds it from the current-state table.

Daily aggregates (`facts.DAILY_AGGREGATES`) have tables of the same shape, partitioned by day and
filled by `kpi_views.windowed` instead of a view. Every aggregate has coarser copies, its rollups
(`kpi_views.rollups`): a KPI query reads the most compact one that has its grain and breakdown.

For each KPI, breakdown combination and grain, a plain view in database `kpi`, e.g.
`kpi.average_handle_time_by_agent_day`, with columns `period`, the breakdown columns, `value`,
`numerator` and `denominator`. BI tools read those and need no ClickHouse aggregate function. A KPI
that reads several aggregates stacks their rows (`UNION ALL`, each source's parts beside zeros for
the others) and sums them per period and breakdown, so a period or group that only one source
has still appears. A KPI with a `period_measure` (retention, attrition) reads levels per period
instead; its query comes from `kpi_views.periods`, with the same columns.

Statements are laid out one clause per line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations

from kpi_views.catalog import CATALOG, GRAINS, Kpi, Term
from kpi_views.facts import (
    DAILY_AGGREGATES,
    DIMENSIONS,
    FACTS,
    SOURCES,
    AggregateSource,
    DailyAggregate,
    Fact,
)
from kpi_views.periods import period_sql
from kpi_views.rollups import ROLLUPS, Grain, choose, rollup_ddl, rollup_name, rollup_view_ddl
from transforms.unified_model import DATABASE

__all__ = [
    "BI_DATABASE",
    "KpiQuery",
    "aggregate_ddl",
    "aggregate_name",
    "aggregate_statements",
    "aggregate_view_ddl",
    "bi_view_ddl",
    "bi_view_name",
    "bi_views",
    "daily_aggregate_ddl",
    "every_statement",
    "kpi_query",
    "recompute_partition_sql",
    "recompute_sql",
]

BI_DATABASE = "kpi"
_DEDUPLICATION_WINDOW = 10_000
_INDENT = "    "

# The start of a period, from the hour a row's parts count at or from the day (a rollup's).
_GRAIN_PERIOD = {
    "hour": {
        "hour": "hour",
        "day": "toStartOfDay(hour)",
        "week": "toDateTime(toMonday(hour), 'UTC')",
        "month": "toDateTime(toStartOfMonth(hour), 'UTC')",
    },
    "day": {
        "day": "day",
        "week": "toDateTime(toMonday(day), 'UTC')",
        "month": "toDateTime(toStartOfMonth(day), 'UTC')",
    },
}


def aggregate_name(source: AggregateSource, database: str = DATABASE) -> str:
    return f"`{database}`.`agg_{source.name}`"


def _lines(items: Sequence[str], indent: int = 1) -> str:
    pad = _INDENT * indent
    return (",\n" + pad).join(items)


def aggregate_ddl(fact: Fact, database: str = DATABASE) -> str:
    """The aggregate table of one fact."""
    columns = ["hour DateTime('UTC')"]
    columns += [f"{name} LowCardinality(String)" for name in fact.dimensions]
    columns += [f"{part.name} {part.clickhouse_type}" for part in fact.parts]
    key = ", ".join(["hour", *fact.dimensions])
    return (
        f"CREATE TABLE IF NOT EXISTS {aggregate_name(fact, database)} (\n"
        f"{_INDENT}{_lines(columns)}\n"
        ")\n"
        "ENGINE = SummingMergeTree\n"
        "PARTITION BY toYYYYMM(hour)\n"
        f"ORDER BY ({key})\n"
        f"SETTINGS non_replicated_deduplication_window = {_DEDUPLICATION_WINDOW}"
    )


def daily_aggregate_ddl(aggregate: DailyAggregate, database: str = DATABASE) -> str:
    """The table of one daily aggregate: one partition per day, so a day can be swapped whole."""
    columns = ["hour DateTime('UTC')"]
    columns += [f"{name} LowCardinality(String)" for name in aggregate.dimensions]
    columns += [f"{part.name} {part.clickhouse_type}" for part in aggregate.parts]
    key = ", ".join(["hour", *aggregate.dimensions])
    return (
        f"CREATE TABLE IF NOT EXISTS {aggregate_name(aggregate, database)} (\n"
        f"{_INDENT}{_lines(columns)}\n"
        ")\n"
        "ENGINE = MergeTree\n"
        "PARTITION BY toDate(hour)\n"
        f"ORDER BY ({key})"
    )


def _aggregate_select(fact: Fact, source: str, condition: str = "") -> str:
    """SELECT of one fact's parts per hour and breakdown, from rows carrying `sign`.

    `condition` (on `anchor.2`, the instant a part is counted at) limits it to some hours.

    The inner query names its columns apart from the unified ones (`dim_`, `part_`), because
    ClickHouse resolves an alias before a column of the same name: a part called `talk_s` must
    not be read back inside another part's expression.
    """
    anchors = ", ".join(f"('{a.name}', {a.time})" for a in fact.anchors)
    inner = ["toStartOfHour(anchor.2) AS anchor_hour", "sign"]
    inner += [f"{expression} AS dim_{name}" for name, expression in fact.dimensions.items()]
    for part in fact.parts:
        # A condition on a nullable column is null, not false, when the column is null.
        value = f"to{part.clickhouse_type}(ifNull({part.value}, 0))"
        inner.append(f"if(anchor.1 = '{part.anchor}', {value}, 0) AS part_{part.name}")
    outer = ["anchor_hour AS hour"]
    outer += [f"dim_{name} AS {name}" for name in fact.dimensions]
    outer += [f"sum(sign * part_{part.name}) AS {part.name}" for part in fact.parts]
    group = ", ".join(["hour", *fact.dimensions])
    return (
        "SELECT\n"
        f"{_INDENT}{_lines(outer)}\n"
        "FROM (\n"
        f"{_INDENT}SELECT\n"
        f"{_INDENT * 2}{_lines(inner, 2)}\n"
        f"{_INDENT}FROM {source}\n"
        f"{_INDENT}ARRAY JOIN [{anchors}] AS anchor\n"
        f"{_INDENT}WHERE anchor.2 IS NOT NULL AND ({fact.where})"
        + (f" AND {condition}" if condition else "")
        + "\n)\n"
        f"GROUP BY {group}"
    )


def aggregate_view_ddl(fact: Fact) -> str:
    """The materialized view that keeps `agg_<fact>` current from the change stream."""
    view = f"`{DATABASE}`.`agg_{fact.name}_mv`"
    source = f"`{DATABASE}`.`{fact.table}_changes`"
    return (
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS {view}\n"
        f"TO {aggregate_name(fact)}\n"
        f"AS {_aggregate_select(fact, source)}"
    )


def recompute_sql(fact: Fact, target_database: str = DATABASE) -> str:
    """Rebuild `agg_<fact>` from the current state (run after emptying the aggregate).

    `target_database` lets a check rebuild it beside the live one and compare the two.
    """
    current = f"(SELECT *, toInt8(1) AS sign FROM `{DATABASE}`.`{fact.table}` FINAL)"
    target = aggregate_name(fact, target_database)
    return f"INSERT INTO {target}\n{_aggregate_select(fact, current)}"


def recompute_partition_sql(fact: Fact, target: str) -> str:
    """Recompute one month of `agg_<fact>` (`{partition:UInt32}`, as YYYYMM, its partition key)
    from the current state into `target`, a table of the aggregate's structure."""
    current = f"(SELECT *, toInt8(1) AS sign FROM `{DATABASE}`.`{fact.table}` FINAL)"
    condition = "toYYYYMM(anchor.2) = {partition:UInt32}"
    return f"INSERT INTO {target}\n{_aggregate_select(fact, current, condition)}"


def _column(kpi: Kpi, term: Term) -> str:
    """The column a term is summed from: the part itself when the KPI reads one aggregate."""
    return term.part if len(kpi.sources) == 1 else f"{term.source}__{term.part}"


def _combination(kpi: Kpi, terms: Sequence[Term]) -> str:
    rendered = []
    for term in terms:
        sign = "-" if term.coefficient < 0 else "+"
        factor = f"{abs(term.coefficient)} * " if abs(term.coefficient) != 1 else ""
        rendered.append(f"{sign} {factor}sum({_column(kpi, term)})")
    text = " ".join(rendered)
    return text[2:] if text.startswith("+ ") else text


def _stacked_sources(kpi: Kpi, by: Sequence[str], time: str, tables: Sequence[str]) -> str:
    """Every source's rows (from `tables`, one per source) with the KPI's columns: its own
    parts, zeros for the others' parts, and the empty key for a breakdown it does not have."""
    terms = list(dict.fromkeys([*kpi.numerator_terms, *kpi.denominator_terms]))
    branches = []
    for name, table in zip(kpi.sources, tables, strict=True):
        source = SOURCES[name]
        columns = [time]
        columns += [d if d in source.dimensions else f"'' AS {d}" for d in by]
        for term in terms:
            part = SOURCES[term.source].part(term.part)
            value = term.part if term.source == name else f"to{part.clickhouse_type}(0)"
            columns.append(f"{value} AS {_column(kpi, term)}")
        branches.append(
            f"{_INDENT}SELECT\n{_INDENT * 2}{_lines(columns, 2)}\n{_INDENT}FROM {table}"
        )
    return "(\n" + f"\n{_INDENT}UNION ALL\n".join(branches) + "\n)"


@dataclass(frozen=True)
class KpiQuery:
    """A KPI at one grain and breakdown, optionally limited to a date range (inclusive)."""

    kpi: Kpi
    by: tuple[str, ...] = ()
    grain: str = "day"
    start: date | None = None
    end: date | None = None
    database: str = DATABASE
    """Where the aggregates are read from (`cc`, or a rebuilt copy being checked)."""
    rollups: bool = True
    """Whether the most compact rollup that answers the query is read (`kpi_views.rollups`);
    without, the hour-grain aggregates themselves (a rebuilt copy being checked has no rollups)."""

    def __post_init__(self) -> None:
        unknown = [d for d in self.by if d not in self.kpi.breakdowns]
        if unknown:
            valid = ", ".join(self.kpi.breakdowns) or "none"
            raise ValueError(
                f"`{self.kpi.id}` cannot be broken down by {', '.join(unknown)}; valid: {valid}"
            )
        if self.grain not in GRAINS:
            raise ValueError(f"unknown grain `{self.grain}`; valid: {', '.join(GRAINS)}")

    def sql(self) -> str:
        kpi = self.kpi
        by = [d for d in DIMENSIONS if d in self.by]
        if kpi.period_measure is not None:
            return period_sql(
                kpi.period_measure, by, self.grain, kpi.scale, self.start, self.end, self.database
            )
        time = self._time_column()
        period = _GRAIN_PERIOD[time].get(self.grain, "CAST(NULL AS Nullable(DateTime('UTC')))")
        numerator = _combination(kpi, kpi.numerator_terms)
        denominator = _combination(kpi, kpi.denominator_terms) if kpi.denominator else None
        outputs = [f"{period} AS period"]
        outputs += [f"nullIf({d}, '') AS {d}" for d in by]
        outputs.append(f"{numerator} AS numerator")
        if denominator:
            outputs.append(f"{denominator} AS denominator")
            outputs.append(f"{kpi.scale!r} * numerator / denominator AS value")
        else:
            outputs.append("numerator AS value")
        filters = self._filters(time)
        having = "denominator > 0" if denominator else "numerator != 0"
        if kpi.min_respondents:
            having += f" AND denominator >= {kpi.min_respondents}"
        group = ", ".join(["period", *by])
        order = ", ".join(["period", *by])
        return (
            "SELECT\n"
            f"{_INDENT}{_lines(outputs)}\n"
            f"FROM {self._source(by, time)}\n"
            + (f"WHERE {filters}\n" if filters else "")
            + f"GROUP BY {group}\n"
            f"HAVING {having}\n"
            f"ORDER BY {order}"
        )

    def _time_column(self) -> Grain:
        """`hour` for an hourly question (or without rollups), else `day`: every source has a
        day rollup with all its dimensions."""
        return "hour" if self.grain == "hour" or not self.rollups else "day"

    def _table(self, name: str, by: Sequence[str], time: Grain) -> str:
        source = SOURCES[name]
        rollup = choose(source, time, by) if self.rollups else None
        return (
            rollup_name(rollup, self.database) if rollup else aggregate_name(source, self.database)
        )

    def _source(self, by: Sequence[str], time: Grain) -> str:
        tables = [self._table(name, by, time) for name in self.kpi.sources]
        if len(tables) == 1:
            return tables[0]
        return _stacked_sources(self.kpi, by, time, tables)

    def _filters(self, time: str) -> str:
        # A measure that lacks a breakdown value (an abandoned call has no agent) is left out of
        # that breakdown rather than shown under an empty name.
        clauses = [f"{dimension} != ''" for dimension in DIMENSIONS if dimension in self.by]
        if self.start:
            clauses.append(f"{time} >= toDateTime('{self.start.isoformat()}', 'UTC')")
        if self.end:
            after = self.end + timedelta(days=1)
            clauses.append(f"{time} < toDateTime('{after.isoformat()}', 'UTC')")
        return " AND ".join(clauses)


def kpi_query(
    kpi: Kpi,
    by: Sequence[str] = (),
    grain: str = "day",
    start: date | None = None,
    end: date | None = None,
    database: str = DATABASE,
    rollups: bool = True,
) -> KpiQuery:
    """The query of `kpi` by the breakdown `by` at `grain`, between two days (inclusive)."""
    return KpiQuery(kpi, tuple(by), grain, start, end, database, rollups)


def bi_view_name(kpi: Kpi, by: Sequence[str], grain: str) -> str:
    dims = "_and_".join(d for d in DIMENSIONS if d in by)
    middle = f"_by_{dims}" if dims else ""
    return f"{kpi.id}{middle}_{grain}"


def _breakdown_sets(kpi: Kpi) -> Iterator[tuple[str, ...]]:
    for size in range(len(kpi.breakdowns) + 1):
        yield from combinations(kpi.breakdowns, size)


def bi_view_ddl(kpi: Kpi, by: Sequence[str], grain: str) -> str:
    name = f"`{BI_DATABASE}`.`{bi_view_name(kpi, by, grain)}`"
    return f"CREATE OR REPLACE VIEW {name}\nAS {KpiQuery(kpi, tuple(by), grain).sql()}"


def bi_views() -> Iterator[tuple[str, str]]:
    """(view name, CREATE statement) of every BI view."""
    for kpi in CATALOG.values():
        for by in _breakdown_sets(kpi):
            for grain in GRAINS:
                yield bi_view_name(kpi, by, grain), bi_view_ddl(kpi, by, grain)


def aggregate_statements(database: str = DATABASE) -> Iterator[str]:
    """Every aggregate table with its views and rollups (empty), in an order that can be run.

    In a database other than `cc` (a copy for a check or a test) the aggregates are filled by
    hand: no view feeds them from the change streams, but their rollups are kept as in `cc`.
    """
    for fact in FACTS.values():
        yield aggregate_ddl(fact, database)
        if database == DATABASE:
            yield aggregate_view_ddl(fact)
        for rollup in ROLLUPS[fact.name]:
            yield rollup_ddl(rollup, database)
            yield rollup_view_ddl(rollup, database)
    for aggregate in DAILY_AGGREGATES.values():
        yield daily_aggregate_ddl(aggregate, database)
        for rollup in ROLLUPS[aggregate.name]:
            yield rollup_ddl(rollup, database)


def every_statement() -> Iterator[str]:
    """Every generated statement, in an order that can be executed: aggregates, views, rollups,
    BI views."""
    yield from aggregate_statements()
    for kpi in CATALOG.values():
        for by in _breakdown_sets(kpi):
            for grain in GRAINS:
                yield bi_view_ddl(kpi, by, grain)
