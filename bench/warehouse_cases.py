"""The measurements made against the embedded warehouse, one warehouse folder per process.

Each function runs in a process of its own (`bench.worker`), on the warehouse named by
`CCPULSE_WAREHOUSE`, and returns plain figures. Contacts are generated inside the engine
(`bench.contacts`) and staged to Parquet first, so generating them is never timed. Wherever a
measurement has a baseline, the two are timed alternately in the same process.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import resource
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import ccpulse.changes
from bench.adhoc import CLICKHOUSE_FINAL, DUCKDB, adhoc_kpi_sql
from bench.contacts import START, contacts_select, stage
from bench.profiling import StatementProfile, profiled, timed_calls
from bench.scales import Scale
from ccpulse.changes import apply_select
from ccpulse.recompute import recompute_fact, recompute_window
from ccpulse.schema import apply_migrations
from ccpulse.warehouse import Warehouse, open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.facts import (
    CONTACTS,
    DAILY_AGGREGATES,
    REPEAT_WINDOW_DAYS,
    DailyAggregate,
    Fact,
)
from kpi_views.generator import (
    aggregate_ddl,
    aggregate_name,
    aggregate_statements,
    aggregate_view_ddl,
    bi_view_ddl,
    bi_view_name,
    kpi_query,
    recompute_sql,
)
from kpi_views.windowed import CONTACTS_BY_DAY, CONTACTS_BY_DAY_COLUMNS
from transforms.unified_model import TABLES

__all__ = [
    "QUERY_CASES",
    "backfill_memory",
    "exactness",
    "freshness",
    "load",
    "prepare_schema",
    "query_latency",
]

PLAIN_TABLE = "`bench`.`contacts_plain`"
QUERY_CASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("average_handle_time", ("agent",)),
    ("service_level", ("channel", "skill")),
    ("abandonment_rate", ("skill_group",)),
    ("first_contact_resolution_rate", ("channel",)),
    ("average_speed_of_answer", ("skill",)),
    ("contacts_offered", ()),
)
"""KPI and breakdown of each latency query: every one reads 90 days at day grain."""

_COLUMNS = ", ".join(TABLES["contacts"].column_names)
_QUERY_FIRST_DAY = START.date()
# Residues of contact numbers: freshness batch k updates contacts with n % 64 = k and
# redelivers those with n % 64 = 63 - k, so no contact is both, in any batch.
_RESIDUES = 64


def prepare_schema(warehouse: Warehouse, views: Iterable[tuple[str, Sequence[str]]] = ()) -> None:
    """What `ccpulse views apply` creates for the unified model and its aggregates, with only the
    BI views a measurement reads (creating all two thousand of them takes most of a minute and
    changes nothing a measurement reads)."""
    apply_migrations(warehouse)
    for statement in aggregate_statements():
        warehouse.command(statement)
    for kpi_id, by in views:
        warehouse.command(bi_view_ddl(CATALOG[kpi_id], by, "day"))


def _contacts_table_ddl(name: str, engine: str, extra: str = "") -> str:
    columns = [f"    `{c.name}` {c.clickhouse_type}" for c in TABLES["contacts"].columns]
    if extra:
        columns.append(f"    {extra}")
    key = ", ".join(TABLES["contacts"].primary_key)
    body = ",\n".join(columns)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n{body}\n)\nENGINE = {engine}\nORDER BY ({key})"


def _file(path: Path) -> str:
    return f"file('{path}', 'Parquet')"


def _timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = step()
    return time.perf_counter() - started, value


# -- load path throughput and incremental freshness ------------------------------------------


def load(scale: Scale, workdir: Path) -> dict[str, Any]:
    """Load the newest `load_contacts` of the state in chunks through ccpulse and into one plain
    MergeTree table, alternately; then write the older contacts straight into the current-state
    table, as a bulk load would (`backfill_memory` then builds their aggregates)."""
    warehouse = open_warehouse()
    prepare_schema(warehouse)
    warehouse.command("CREATE DATABASE IF NOT EXISTS `bench`")
    warehouse.command(_contacts_table_ddl(PLAIN_TABLE, "MergeTree"))
    size = scale.state_contacts
    older = size - scale.load_contacts
    chunk = math.ceil(scale.load_contacts / scale.load_chunks)
    profile = StatementProfile()
    ccpulse_s = plain_s = 0.0
    changed = 0
    for index, first in enumerate(range(older, size, chunk)):
        path = workdir / f"state_{index}.parquet"
        stage(
            warehouse,
            path,
            contacts_select(size, first, min(chunk, size - first), days=scale.window_days),
        )

        def ccpulse(path: Path = path) -> int:
            with profiled(warehouse, profile):
                return _through_ccpulse(warehouse, path)

        # alternate which goes first, so neither always meets a warmer cache
        if index % 2 == 0:
            plain_s += _timed(partial(_plain_insert, warehouse, path))[0]
        seconds, rows = _timed(ccpulse)
        ccpulse_s += seconds
        changed += rows
        if index % 2 == 1:
            plain_s += _timed(partial(_plain_insert, warehouse, path))[0]
        path.unlink()

    bulk_s, _ = _timed(lambda: _bulk_state(warehouse, workdir, scale, older))
    return {
        "rows": scale.load_contacts,
        "chunks": scale.load_chunks,
        "ccpulse_s": ccpulse_s,
        "plain_s": plain_s,
        "ccpulse_rows_per_s": scale.load_contacts / ccpulse_s,
        "plain_rows_per_s": scale.load_contacts / plain_s,
        "signed_rows_written": changed,
        "all_rows_applied": changed == scale.load_contacts,
        "profile": profile.top(),
        "bulk_state_rows": older,
        "bulk_state_s": bulk_s,
    }


def _bulk_state(warehouse: Warehouse, workdir: Path, scale: Scale, count: int) -> None:
    """Write contacts 0 to `count - 1` straight into the current state (no view sees them).

    Their row hash is left at 0: no measurement redelivers them, and an update of one would
    still be seen as a change.
    """
    if count <= 0:
        return
    path = workdir / "state_bulk.parquet"
    stage(warehouse, path, contacts_select(scale.state_contacts, 0, count, days=scale.window_days))
    warehouse.command(
        f"INSERT INTO `cc`.`contacts` ({_COLUMNS}, is_deleted, _version, _row_hash)\n"
        f"SELECT {_COLUMNS}, 0, 1, 0 FROM {_file(path)}"
    )
    # and into the contacts by offer day, as their change stream would have
    by_day = ", ".join(CONTACTS_BY_DAY_COLUMNS)
    warehouse.command(
        f"INSERT INTO {CONTACTS_BY_DAY} ({by_day}, sign)\nSELECT {by_day}, 1 FROM {_file(path)}"
    )
    path.unlink()


def _plain_insert(warehouse: Warehouse, path: Path) -> None:
    warehouse.command(
        f"INSERT INTO {PLAIN_TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {_file(path)}"
    )


def _through_ccpulse(warehouse: Warehouse, path: Path) -> int:
    select = f"SELECT *, toUInt8(0) AS is_deleted FROM {_file(path)}"
    return apply_select(warehouse, "contacts", select).changed_rows


def _freshness_batch(scale: Scale, batch: int) -> str:
    size, new, updated = scale.state_contacts, scale.batch_new, scale.batch_updated
    redelivered, days = scale.batch_redelivered, scale.window_days
    parts = [
        contacts_select(size, size + batch * new, new, days=days),
        contacts_select(
            size,
            size - _RESIDUES * updated,
            _RESIDUES * updated,
            revision="1",
            where=f"n % {_RESIDUES} = {batch}",
            days=days,
        ),
        contacts_select(
            size,
            size - _RESIDUES * redelivered,
            _RESIDUES * redelivered,
            where=f"n % {_RESIDUES} = {_RESIDUES - 1 - batch}",
            days=days,
        ),
    ]
    return "\nUNION ALL\n".join(parts)


def freshness(scale: Scale, workdir: Path) -> dict[str, Any]:
    """Apply batches of new, updated and redelivered contacts to the state `load` and
    `backfill_memory` left, timing each until every aggregate holds it; then check the
    aggregates against a recomputation of the state."""
    warehouse = open_warehouse()
    profile = StatementProfile()
    ccpulse_s: list[float] = []
    plain_s: list[float] = []
    daily_s: list[float] = []
    changed: list[int] = []
    for batch in range(scale.freshness_batches):
        path = workdir / f"batch_{batch}.parquet"
        stage(warehouse, path, _freshness_batch(scale, batch))
        plain_s.append(_timed(partial(_plain_insert, warehouse, path))[0])
        # the daily aggregates' share: everything the batch's recomputation of its touched
        # days did (recompute, swap, rebuild rollups), timed as one step
        with (
            profiled(warehouse, profile),
            timed_calls(ccpulse.changes, "recompute_windowed") as daily,
        ):
            seconds, rows = _timed(partial(_through_ccpulse, warehouse, path))
        ccpulse_s.append(seconds)
        daily_s.append(sum(daily))
        changed.append(rows)
    # each new contact is one signed row, each update two, a redelivery none
    expected = scale.batch_new + 2 * scale.batch_updated
    check_s, exact = _timed(lambda: _kept_equals_recomputed(warehouse))
    return {
        "aggregate_equals_recomputation": exact,
        "check_s": check_s,
        "state_contacts": scale.state_contacts,
        "batch_contacts": scale.batch_contacts,
        "new": scale.batch_new,
        "updated": scale.batch_updated,
        "redelivered": scale.batch_redelivered,
        "ccpulse_s": ccpulse_s,
        "daily_aggregates_s": daily_s,
        "plain_s": plain_s,
        "median_s": statistics.median(ccpulse_s),
        "max_s": max(ccpulse_s),
        "plain_median_s": statistics.median(plain_s),
        "signed_rows": changed,
        "signed_rows_expected": expected,
        "all_changes_applied": all(rows == expected for rows in changed),
        "profile": profile.top(),
    }


def _kept_equals_recomputed(warehouse: Warehouse) -> bool:
    """Whether `cc.agg_contacts`, as the change stream kept it, equals a recomputation."""
    warehouse.command("CREATE DATABASE IF NOT EXISTS `bench_check`")
    warehouse.command(aggregate_ddl(CONTACTS, "bench_check"))
    warehouse.command(f"TRUNCATE TABLE {aggregate_name(CONTACTS, 'bench_check')}")
    warehouse.command(recompute_sql(CONTACTS, "bench_check"))
    return _same_totals(_totals(warehouse, CONTACTS), _totals(warehouse, CONTACTS, "bench_check"))


# -- memory of a backfill ----------------------------------------------------------------------


def _totals(
    warehouse: Warehouse, source: Fact | DailyAggregate, database: str = "cc"
) -> list[tuple[Any, ...]]:
    """Every part of an aggregate summed per day: what every KPI of it is computed from."""
    sums = ", ".join(f"sum({part.name})" for part in source.parts)
    return warehouse.rows(
        f"SELECT toDate(hour) AS day, {sums} FROM {aggregate_name(source, database)} "
        "GROUP BY day ORDER BY day"
    )


def _same_totals(before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]) -> bool:
    if len(before) != len(after):
        return False
    return all(
        len(old) == len(new)
        and all(
            a == b if not isinstance(a, float) else math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
            for a, b in zip(old, new, strict=True)
        )
        for old, new in zip(before, after, strict=True)
    )


def _backfill(warehouse: Warehouse, first: dt.date, last: dt.date) -> str:
    """Recompute every aggregate of the window as `ccpulse backfill --recompute-only` does; say
    which way it was done."""
    recompute_window(warehouse, first, last)
    return f"{recompute_window.__module__}.{recompute_window.__name__}"


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def backfill_memory(scale: Scale, workdir: Path) -> dict[str, Any]:
    """Peak RSS of recomputing every aggregate of the window the state spans, on the warehouse
    `load` left (its older contacts have no aggregates until this runs)."""
    warehouse = open_warehouse()
    idle_mib = _rss_mib()
    first = START.date()
    # the window and the days its repeat contacts reach
    last = first + dt.timedelta(days=scale.window_days + REPEAT_WINDOW_DAYS)
    seconds, method = _timed(lambda: _backfill(warehouse, first, last))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    contacts = warehouse.scalar("SELECT count() FROM `cc`.`contacts` FINAL")
    return {
        "contacts": int(contacts),
        "days": (last - first).days + 1,
        "method": method,
        "seconds": seconds,
        "peak_rss_mib": peak_mib,
        "idle_rss_mib": idle_mib,
        "daily_aggregates": list(DAILY_AGGREGATES),
    }


# -- KPI query latency -------------------------------------------------------------------------


def _bi_view_sql(kpi_id: str, by: Sequence[str], last: dt.date) -> str:
    after = last + dt.timedelta(days=1)
    return (
        f"SELECT * FROM `kpi`.`{bi_view_name(CATALOG[kpi_id], by, 'day')}`\n"
        f"WHERE period >= toDateTime('{_QUERY_FIRST_DAY}', 'UTC')\n"
        f"    AND period < toDateTime('{after}', 'UTC')"
    )


def _tables_read(kpi_id: str, by: Sequence[str]) -> list[str]:
    """The aggregates and rollups the day-grain BI view of `kpi_id` by `by` reads."""
    sql = kpi_query(CATALOG[kpi_id], by, "day").sql()
    return sorted(set(re.findall(r"`cc`\.`(agg_[a-z_]+)`", sql)))


def _cells(rows: Sequence[Sequence[Any]], by: Sequence[str]) -> dict[tuple[Any, ...], float]:
    """(day, breakdown values) -> KPI value, from rows that start with the period and the
    breakdown and end with the value."""
    return {(str(row[0])[:10], *row[1 : 1 + len(by)]): float(row[-1]) for row in rows}


def _agree(left: dict[tuple[Any, ...], float], right: dict[tuple[Any, ...], float]) -> bool:
    return left.keys() == right.keys() and all(
        math.isclose(value, right[key], rel_tol=1e-9, abs_tol=1e-9) for key, value in left.items()
    )


def query_latency(scale: Scale, workdir: Path) -> dict[str, Any]:
    """Latency of KPI queries from the BI views vs computed at query time, at one size."""
    import duckdb

    warehouse = open_warehouse()
    prepare_schema(warehouse, QUERY_CASES)
    size = scale.query_contacts
    path = workdir / "query_contacts.parquet"
    stage(warehouse, path, contacts_select(size, 0, size, days=scale.window_days))
    last = _QUERY_FIRST_DAY + dt.timedelta(days=scale.window_days - 1)

    # the state a load leaves, written directly, and the aggregate a backfill builds from it,
    # month by month, with its rollups
    load_s, _ = _timed(
        lambda: warehouse.command(
            f"INSERT INTO `cc`.`contacts` ({_COLUMNS}, is_deleted, _version, _row_hash)\n"
            f"SELECT {_COLUMNS}, 0, 1, 0 FROM {_file(path)}"
        )
    )
    aggregate_s, _ = _timed(lambda: recompute_fact(warehouse, CONTACTS, _QUERY_FIRST_DAY, last))
    # the hour-grain aggregate keeps one row per hour and breakdown combination; a BI view
    # reads the most compact rollup that answers it
    aggregate_rows = int(warehouse.scalar(f"SELECT count() FROM {aggregate_name(CONTACTS)}") or 0)
    read_by_case = {
        f"{kpi_id} by {', '.join(by) or 'nothing'}": _tables_read(kpi_id, by)
        for kpi_id, by in QUERY_CASES
    }
    rows_read = {
        table: int(warehouse.scalar(f"SELECT count() FROM `cc`.`{table}`") or 0)
        for table in sorted({table for tables in read_by_case.values() for table in tables})
    }

    duck = duckdb.connect(str(workdir / "contacts.duckdb"))
    duck.execute("SET TimeZone = 'UTC'")
    duck_load_s, _ = _timed(
        lambda: duck.execute(f"CREATE TABLE contacts AS SELECT * FROM read_parquet('{path}')")
    )
    path.unlink()

    def ccpulse(kpi_id: str, by: Sequence[str]) -> list[tuple[Any, ...]]:
        return warehouse.rows(_bi_view_sql(kpi_id, by, last))

    def final(kpi_id: str, by: Sequence[str]) -> list[tuple[Any, ...]]:
        return warehouse.rows(adhoc_kpi_sql(kpi_id, by, _QUERY_FIRST_DAY, last, CLICKHOUSE_FINAL))

    def in_duckdb(kpi_id: str, by: Sequence[str]) -> list[tuple[Any, ...]]:
        sql = adhoc_kpi_sql(kpi_id, by, _QUERY_FIRST_DAY, last, DUCKDB)
        return [tuple(row) for row in duck.execute(sql).fetchall()]

    systems: dict[str, tuple[Callable[[str, Sequence[str]], list[tuple[Any, ...]]], int]] = {
        "ccpulse": (ccpulse, scale.query_repeats),
        "final": (final, scale.final_repeats),
        "duckdb": (in_duckdb, scale.duckdb_repeats),
    }
    timings: dict[str, list[float]] = {name: [] for name in systems}
    by_case: dict[str, dict[str, list[float]]] = {name: {} for name in systems}
    agreement: dict[str, dict[str, bool]] = {"final": {}, "duckdb": {}}
    for kpi_id, by in QUERY_CASES:
        # a first, untimed run of the two fast ones; their answers are checked against ccpulse
        expected = _cells(ccpulse(kpi_id, by), by)
        label = f"{kpi_id} by {', '.join(by) or 'nothing'}"
        agreement["duckdb"][label] = _agree(expected, _cells(in_duckdb(kpi_id, by), by))
        agreement["final"][label] = False
    for repeat in range(max(count for _, count in systems.values())):
        for kpi_id, by in QUERY_CASES:
            label = f"{kpi_id} by {', '.join(by) or 'nothing'}"
            for name, (run, count) in systems.items():
                if repeat >= count:
                    continue
                seconds, rows = _timed(partial(run, kpi_id, by))
                timings[name].append(seconds * 1000)
                by_case[name].setdefault(label, []).append(seconds * 1000)
                if name == "final" and repeat == 0:
                    agreement["final"][label] = _agree(
                        _cells(ccpulse(kpi_id, by), by), _cells(rows, by)
                    )
    duck.close()
    return {
        "contacts": size,
        "aggregate_rows": aggregate_rows,
        "rows_read": rows_read,
        "tables_read_by_case": read_by_case,
        "days": scale.window_days,
        "cases": [f"{kpi_id} by {', '.join(by) or 'nothing'}" for kpi_id, by in QUERY_CASES],
        "median_ms": {name: statistics.median(values) for name, values in timings.items()},
        "max_ms": {name: max(values) for name, values in timings.items()},
        "median_ms_by_case": {
            name: {label: statistics.median(values) for label, values in cases.items()}
            for name, cases in by_case.items()
        },
        "answers_agree": agreement,
        "setup_s": {
            "current_state_insert": load_s,
            "aggregate_recompute": aggregate_s,
            "duckdb_load": duck_load_s,
        },
    }


# -- exactness under change --------------------------------------------------------------------


def _retarget(sql: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        if old not in sql:
            raise ValueError(f"expected `{old}` in the generated statement:\n{sql}")
        sql = sql.replace(old, new)
    return sql


def _prepare_exactness(warehouse: Warehouse) -> None:
    prepare_schema(warehouse)
    for database in ("naive", "truth"):
        warehouse.command(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        warehouse.command(aggregate_ddl(CONTACTS, database))
    # the naive design: a view on the table loads are merged into, as dlt's merge would leave it
    warehouse.command(
        _contacts_table_ddl(
            "`naive`.`contacts`", "ReplacingMergeTree(updated_at)", "`sign` Int8 DEFAULT 1"
        )
    )
    warehouse.command(
        _retarget(
            aggregate_view_ddl(CONTACTS),
            {
                "`cc`.`agg_contacts_mv`": "`naive`.`agg_contacts_mv`",
                "`cc`.`agg_contacts`": "`naive`.`agg_contacts`",
                "`cc`.`contacts_changes`": "`naive`.`contacts`",
            },
        )
    )
    warehouse.command(_contacts_table_ddl("`truth`.`contacts`", "MergeTree"))


def _exactness_round(size: int, rounds: int, round_: int, days: int) -> str:
    """The changes of one round, with `is_deleted`; round 0 is the first load of every contact.

    Contact n changes once, in round u(n) (half of them within the rounds); a tenth of those are
    deleted instead of updated; a tenth of all contacts are redelivered unchanged each round.
    """
    if round_ == 0:
        first_load = contacts_select(size, 0, size, days=days)
        return f"SELECT *, toUInt8(0) AS is_deleted FROM ({first_load})"
    changes_in = f"(cityHash64(n, 77) % {2 * rounds} + 1)"
    deleted = "(cityHash64(n, 78) % 10 = 0)"
    redelivered = f"(cityHash64(n, 79) % 10 = {round_ % 10})"
    parts = [
        (
            contacts_select(size, 0, size, "1", f"{changes_in} = {round_} AND NOT {deleted}", days),
            0,
        ),
        (contacts_select(size, 0, size, "0", f"{changes_in} = {round_} AND {deleted}", days), 1),
        (
            contacts_select(
                size,
                0,
                size,
                f"if({changes_in} < {round_}, 1, 0)",
                f"{redelivered} AND {changes_in} != {round_} "
                f"AND NOT ({changes_in} < {round_} AND {deleted})",
                days,
            ),
            0,
        ),
    ]
    return "\nUNION ALL\n".join(
        f"SELECT *, toUInt8({flag}) AS is_deleted FROM ({select})" for select, flag in parts
    )


def _truth_select(size: int, rounds: int, days: int) -> str:
    changes_in = f"(cityHash64(n, 77) % {2 * rounds} + 1)"
    deleted = "(cityHash64(n, 78) % 10 = 0)"
    return contacts_select(
        size,
        0,
        size,
        f"if({changes_in} <= {rounds}, 1, 0)",
        f"NOT ({changes_in} <= {rounds} AND {deleted})",
        days,
    )


def _kpi_sql(database: str, kpi_id: str, by: Sequence[str], grain: str) -> str:
    # ccpulse is read as BI tools read it; the naive design and the truth have no rollups
    return kpi_query(CATALOG[kpi_id], by, grain, database=database, rollups=database == "cc").sql()


def _kpi_cells(
    warehouse: Warehouse, database: str, kpi_id: str, by: Sequence[str], grain: str
) -> dict[tuple[Any, ...], float]:
    sql = _kpi_sql(database, kpi_id, by, grain)
    return {
        tuple(str(v) for v in row[: 1 + len(by)]): float(row[-1]) for row in warehouse.rows(sql)
    }


def _wrong_cells(
    warehouse: Warehouse, database: str, kpi_id: str, by: Sequence[str]
) -> tuple[int, int, float]:
    """Day-grain cells (period and breakdown) of `kpi_id` by `by` in `database` that are missing,
    extra or off compared with the truth: (truth's cells, wrong cells, the largest relative error
    among cells present in both whose true value is not 0). Compared inside the engine: millions
    of cells would take minutes to bring into Python."""
    keys = ", ".join(["period", *by])

    def side(of: str) -> str:
        return (
            f"SELECT {keys}, value, toUInt8(1) AS present FROM ({_kpi_sql(of, kpi_id, by, 'day')})"
        )

    difference = "abs(got.value - truth.value)"
    largest = "greatest(abs(got.value), abs(truth.value))"
    close = f"{difference} <= greatest(1e-9 * {largest}, 1e-9)"
    both = "got.present = 1 AND truth.present = 1"
    sql = (
        "SELECT\n"
        "    countIf(truth.present = 1),\n"
        f"    countIf(NOT ({both} AND {close})),\n"
        f"    max(if({both} AND truth.value != 0, {difference} / abs(truth.value), 0))\n"
        f"FROM ({side(database)}) AS got\n"
        f"FULL OUTER JOIN ({side('truth')}) AS truth\n"
        f"USING ({keys})\n"
        # an unmatched side reads as defaults: `present` 0
        "SETTINGS join_use_nulls = 0"
    )
    cells, wrong, worst = warehouse.rows(sql)[0]
    return int(cells), int(wrong), float(worst)


def exactness(scale: Scale, workdir: Path) -> dict[str, Any]:
    """The same change sequence through ccpulse and through a naive view; KPIs vs the truth."""
    warehouse = open_warehouse()
    _prepare_exactness(warehouse)
    size, rounds = scale.exactness_contacts, scale.exactness_rounds
    for round_ in range(rounds + 1):
        path = workdir / f"round_{round_}.parquet"
        stage(warehouse, path, _exactness_round(size, rounds, round_, scale.window_days))
        apply_select(warehouse, "contacts", f"SELECT * FROM {_file(path)}")
        # the file's own columns, not the target table's (which has no `is_deleted`)
        warehouse.command(
            f"INSERT INTO `naive`.`contacts` ({_COLUMNS})\n"
            f"SELECT {_COLUMNS} FROM {_file(path)} WHERE is_deleted = 0",
            settings={"use_structure_from_insertion_table_in_table_functions": 0},
        )
        # dlt's merge removes a deleted record with a DELETE, which no view sees
        warehouse.command(
            "DELETE FROM `naive`.`contacts` WHERE (contact_id, leg) IN "
            f"(SELECT contact_id, leg FROM {_file(path)} WHERE is_deleted = 1)"
        )
        path.unlink()
    warehouse.command(
        f"INSERT INTO `truth`.`contacts` ({_COLUMNS}) SELECT {_COLUMNS} FROM "
        f"({_truth_select(size, rounds, scale.window_days)})"
    )
    warehouse.command(
        _retarget(recompute_sql(CONTACTS, "truth"), {"`cc`.`contacts` FINAL": "`truth`.`contacts`"})
    )
    return _compare_kpis(warehouse, size, rounds)


def _compare_kpis(warehouse: Warehouse, size: int, rounds: int) -> dict[str, Any]:
    dimensions = ("channel", "skill", "skill_group", "agent")
    breakdowns: list[tuple[str, ...]] = [(), *((d,) for d in dimensions), dimensions]
    kpis = [kpi.id for kpi in CATALOG.values() if kpi.sources == ("contacts",)]
    cells = 0
    wrong = {"cc": 0, "naive": 0}
    worst = {"cc": 0.0, "naive": 0.0}
    for kpi_id in kpis:
        for by in breakdowns:
            for database in wrong:
                truth_cells, count, largest = _wrong_cells(warehouse, database, kpi_id, by)
                wrong[database] += count
                worst[database] = max(worst[database], largest)
            cells += truth_cells
    handled = {
        database: _kpi_cells(warehouse, database, "contacts_handled", (), "all")
        for database in ("truth", "cc", "naive")
    }
    return {
        "contacts": size,
        "rounds": rounds,
        "kpis": len(kpis),
        "breakdowns": [list(by) for by in breakdowns],
        "cells": cells,
        "wrong_cells": wrong,
        "wrong_pct": {name: 100 * count / cells for name, count in wrong.items()},
        "largest_relative_error": worst,
        "contacts_handled": {name: sum(values.values()) for name, values in handled.items()},
    }
