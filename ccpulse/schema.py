"""What ccpulse owns in the warehouse, and how it gets there: `ccpulse views apply`.

Everything ccpulse creates is a numbered migration. Applying runs the migrations the warehouse has
not recorded yet, in order, and records each one in `ccpulse.schema_migrations` with a checksum of
its statements. Running it again changes nothing. A recorded migration whose statements have
changed since is refused: shipped migrations are never edited, a new one is added instead.

Statements are idempotent (`IF NOT EXISTS`), so a crash between a statement and its record only
means the next run repeats harmless work.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ccpulse.errors import WarehouseError
from ccpulse.identifiers import quote_identifier, string_literal
from ccpulse.rollups import PENDING_DDL as ROLLUPS_PENDING_DDL
from ccpulse.warehouse import Warehouse
from ccpulse.windowed import HORIZONS_DDL
from kpi_views.windowed import contacts_by_day_statements
from transforms.agent_identities import AGENTS_VIEW_DDL
from transforms.agent_identities import DDL as AGENT_IDENTITIES_DDL
from transforms.customer_identities import DDL as CUSTOMER_IDENTITIES_DDL
from transforms.skill_groups import DDL as SKILL_GROUPS_DDL

__all__ = [
    "META_DATABASE",
    "MIGRATIONS",
    "ApplyReport",
    "Migration",
    "apply_migrations",
    "schema_version",
]

logger = logging.getLogger(__name__)

META_DATABASE = "ccpulse"
OWNED_DATABASES = {
    "raw": "vendor records as dlt loads them, one table prefix per vendor (raw_<vendor>___)",
    "cc": "the unified contact-centre model, its change streams and KPI aggregates",
    "kpi": "plain views for BI tools, one per KPI and breakdown",
    META_DATABASE: "bookkeeping of ccpulse itself: schema version, run state",
}


@dataclass(frozen=True)
class Migration:
    """One step of the warehouse schema; its statements must be safe to run twice."""

    version: int
    description: str
    statements: Sequence[str]

    @property
    def checksum(self) -> str:
        text = "\n;\n".join(" ".join(statement.split()) for statement in self.statements)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ApplyReport:
    """What `apply_migrations` did."""

    applied: list[Migration]
    version: int

    def summary(self) -> str:
        if not self.applied:
            return f"warehouse schema is up to date at version {self.version}"
        steps = ", ".join(f"{m.version} ({m.description})" for m in self.applied)
        return f"applied migrations {steps}; warehouse schema is at version {self.version}"


def _database_statements() -> list[str]:
    return [
        f"CREATE DATABASE IF NOT EXISTS {quote_identifier(name)} COMMENT {string_literal(comment)}"
        for name, comment in OWNED_DATABASES.items()
    ]


REJECTED_DDL = (
    "CREATE TABLE IF NOT EXISTS `cc`.`rejected` (\n"
    "    source LowCardinality(String),\n"
    "    target_table LowCardinality(String),\n"
    "    record_key String,\n"
    "    reason String,\n"
    "    raw_payload String,\n"
    "    load_id String,\n"
    "    rejected_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(rejected_at)\n"
    "ORDER BY (source, target_table, record_key, load_id)"
)


# Columns added to the unified model after migration 2, by the migration that adds them. Migration
# 2 creates the tables without them, so its statements (and checksum) never change.
_ADDED_COLUMNS: dict[int, dict[str, tuple[str, ...]]] = {
    4: {
        "agent_states": ("skill_group", "channel"),
        "schedules": ("skill_group", "channel"),
    },
}
# Unified tables added after migration 2, by the migration that creates them.
_ADDED_TABLES: dict[int, tuple[str, ...]] = {7: ("survey_invitations",)}
# Daily aggregates added after migration 5, by the migration that creates them.
_ADDED_DAILY_AGGREGATES: dict[int, tuple[str, ...]] = {
    8: ("concurrency",),
    9: ("resolutions",),
}


def _unified_model_statements() -> list[str]:
    from ccpulse.changes import BATCHES_DDL
    from transforms.changes import ChangeSql
    from transforms.unified_model import TABLES

    added = {name for names in _ADDED_TABLES.values() for name in names}
    statements = [BATCHES_DDL]
    for spec in (spec for spec in TABLES.values() if spec.name not in added):
        later = [name for added in _ADDED_COLUMNS.values() for name in added.get(spec.name, ())]
        statements.extend(ChangeSql(spec.without_columns(later)).ddl())
    return statements


def _daily_aggregate_statements(version: int = 5) -> list[str]:
    # KPI views read these tables, so they must exist before `apply_generated` writes the views;
    # `ccpulse.windowed` fills them. A change to their columns needs a new migration.
    from kpi_views.facts import DAILY_AGGREGATES
    from kpi_views.generator import daily_aggregate_ddl

    later = {name for names in _ADDED_DAILY_AGGREGATES.values() for name in names}
    chosen = (
        [name for name in DAILY_AGGREGATES if name not in later]
        if version == 5
        else list(_ADDED_DAILY_AGGREGATES[version])
    )
    return [daily_aggregate_ddl(DAILY_AGGREGATES[name]) for name in chosen]


def _added_table_statements(version: int) -> list[str]:
    from transforms.changes import ChangeSql
    from transforms.unified_model import TABLES

    return [
        statement for name in _ADDED_TABLES[version] for statement in ChangeSql(TABLES[name]).ddl()
    ]


def _added_column_statements(version: int) -> list[str]:
    from transforms.changes import change_sql

    statements = []
    for table, names in _ADDED_COLUMNS[version].items():
        statements.extend(change_sql(table).add_columns(names))
    return statements


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "ccpulse databases", _database_statements()),
    Migration(2, "unified model with change streams", _unified_model_statements()),
    Migration(3, "rejected records", [REJECTED_DDL]),
    Migration(
        4, "agent skill group and channel on states and schedules", _added_column_statements(4)
    ),
    Migration(
        5, "daily aggregates: schedule adherence, labour cost", _daily_aggregate_statements()
    ),
    Migration(6, "skill -> skill group identity table", [SKILL_GROUPS_DDL]),
    Migration(7, "survey invitations (surveys sent)", _added_table_statements(7)),
    Migration(8, "daily aggregate: chat concurrency", _daily_aggregate_statements(8)),
    Migration(
        9,
        "customer identities; first contact resolution derived from the repeat window",
        [CUSTOMER_IDENTITIES_DDL, *_daily_aggregate_statements(9), HORIZONS_DDL],
    ),
    Migration(
        10,
        "agent identities (system user id -> agent) and the agents view",
        [AGENT_IDENTITIES_DDL, AGENTS_VIEW_DDL],
    ),
    Migration(11, "partitions whose rollups are still to be rebuilt", [ROLLUPS_PENDING_DDL]),
    Migration(
        12,
        "contacts by the day they were offered, for the daily recomputations",
        contacts_by_day_statements(),
    ),
)

_MIGRATIONS_TABLE = f"{quote_identifier(META_DATABASE)}.`schema_migrations`"


def apply_migrations(
    warehouse: Warehouse, migrations: Sequence[Migration] = MIGRATIONS
) -> ApplyReport:
    """Bring the warehouse to the newest schema version; a no-op when it is already there."""
    _check_order(migrations)
    _ensure_bookkeeping(warehouse)
    recorded = _recorded_checksums(warehouse)
    _check_unchanged(migrations, recorded)

    applied = []
    for migration in migrations:
        if migration.version in recorded:
            continue
        for statement in migration.statements:
            warehouse.command(statement)
        warehouse.command(
            f"INSERT INTO {_MIGRATIONS_TABLE} (version, description, checksum) "
            "VALUES ({version:UInt32}, {description:String}, {checksum:String})",
            parameters={
                "version": migration.version,
                "description": migration.description,
                "checksum": migration.checksum,
            },
        )
        logger.info("applied migration %d: %s", migration.version, migration.description)
        applied.append(migration)

    return ApplyReport(applied=applied, version=schema_version(warehouse))


def schema_version(warehouse: Warehouse) -> int:
    """The newest migration recorded in the warehouse, 0 for a new warehouse."""
    exists = warehouse.scalar(
        "SELECT count() FROM system.tables "
        "WHERE database = {database:String} AND name = 'schema_migrations'",
        {"database": META_DATABASE},
    )
    if not exists:
        return 0
    return int(warehouse.scalar(f"SELECT max(version) FROM {_MIGRATIONS_TABLE}") or 0)


def _ensure_bookkeeping(warehouse: Warehouse) -> None:
    warehouse.command(f"CREATE DATABASE IF NOT EXISTS {quote_identifier(META_DATABASE)}")
    warehouse.command(
        f"CREATE TABLE IF NOT EXISTS {_MIGRATIONS_TABLE} (\n"
        "    version UInt32,\n"
        "    description String,\n"
        "    checksum String,\n"
        "    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
        ")\n"
        "ENGINE = ReplacingMergeTree(applied_at)\n"
        "ORDER BY version"
    )


def _recorded_checksums(warehouse: Warehouse) -> dict[int, str]:
    rows = warehouse.rows(
        f"SELECT version, argMin(checksum, applied_at) FROM {_MIGRATIONS_TABLE} GROUP BY version"
    )
    return {int(version): str(checksum) for version, checksum in rows}


def _check_order(migrations: Sequence[Migration]) -> None:
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise ValueError(f"migration versions must be unique, positive and ascending: {versions}")


def _check_unchanged(migrations: Sequence[Migration], recorded: dict[int, str]) -> None:
    for migration in migrations:
        checksum = recorded.get(migration.version)
        if checksum is not None and checksum != migration.checksum:
            raise WarehouseError(
                f"migration {migration.version} (`{migration.description}`) differs from the "
                "one applied to this warehouse; shipped migrations must not be edited: add a new "
                "migration instead"
            )
    newest_known = max((m.version for m in migrations), default=0)
    if recorded and max(recorded) > newest_known:
        raise WarehouseError(
            f"the warehouse is at schema version {max(recorded)}, newer than this ccpulse "
            f"knows ({newest_known}); upgrade ccpulse before running it against this warehouse"
        )


_GENERATED_TABLE = f"{quote_identifier(META_DATABASE)}.`generated_objects`"


@dataclass(frozen=True)
class GeneratedReport:
    """What `apply_generated` did to the aggregates, their rollups and the BI views."""

    rebuilt_aggregates: list[str]
    bi_views: int
    dropped_views: int
    rebuilt_rollups: tuple[str, ...] = ()

    def summary(self) -> str:
        changed = self.rebuilt_aggregates or self.rebuilt_rollups
        if not changed and not self.bi_views and not self.dropped_views:
            return "KPI aggregates and views are up to date"
        parts = []
        if self.rebuilt_aggregates:
            parts.append(f"rebuilt aggregates {', '.join(self.rebuilt_aggregates)}")
        if self.rebuilt_rollups:
            parts.append(f"rebuilt the rollups of {', '.join(self.rebuilt_rollups)}")
        parts.append(f"wrote {self.bi_views} KPI views")
        if self.dropped_views:
            parts.append(f"dropped {self.dropped_views} obsolete views")
        return "; ".join(parts)


def apply_generated(warehouse: Warehouse) -> GeneratedReport:
    """Bring the KPI aggregates, their rollups and the BI views in line with the catalogue.

    Generated objects are not numbered migrations: they follow the catalogue. An aggregate whose
    definition changed is rebuilt from the current-state tables (nothing is lost: aggregates are
    always derivable from them), and a rollup from its aggregate; BI views are replaced; views no
    longer generated are dropped.
    """
    from kpi_views.facts import DAILY_AGGREGATES, FACTS
    from kpi_views.generator import (
        BI_DATABASE,
        aggregate_ddl,
        aggregate_view_ddl,
        bi_views,
        daily_aggregate_ddl,
        recompute_sql,
    )

    warehouse.command(
        f"CREATE TABLE IF NOT EXISTS {_GENERATED_TABLE} (\n"
        "    name String,\n"
        "    checksum String,\n"
        "    applied_at DateTime64(6, 'UTC') DEFAULT now64(6)\n"
        ")\n"
        "ENGINE = ReplacingMergeTree(applied_at)\n"
        "ORDER BY name"
    )
    recorded = dict(
        warehouse.rows(
            f"SELECT name, argMax(checksum, applied_at) FROM {_GENERATED_TABLE} GROUP BY name"
        )
    )
    rebuilt = []
    for fact in FACTS.values():
        statements = [aggregate_ddl(fact), aggregate_view_ddl(fact)]
        name = f"aggregate:{fact.name}"
        checksum = _checksum(statements)
        if recorded.get(name) == checksum:
            continue
        _drop_rollups(warehouse, fact.name)
        _rebuild_aggregate(warehouse, fact.name, statements, recompute_sql(fact))
        _record_generated(warehouse, name, checksum)
        rebuilt.append(fact.name)

    sources = [
        *((fact.name, aggregate_ddl(fact)) for fact in FACTS.values()),
        *((daily.name, daily_aggregate_ddl(daily)) for daily in DAILY_AGGREGATES.values()),
    ]
    rolled_up = []
    for source, source_ddl in sources:
        name = f"rollups:{source}"
        checksum = _checksum([source_ddl, *_rollup_statements(source)])
        if recorded.get(name) == checksum and source not in rebuilt:
            continue
        _rebuild_rollups(warehouse, source)
        _record_generated(warehouse, name, checksum)
        rolled_up.append(source)

    views = dict(bi_views())
    checksum = _checksum(list(views.values()))
    written = 0
    dropped = 0
    if recorded.get("bi_views") != checksum:
        for statement in views.values():
            warehouse.command(statement)
        written = len(views)
        existing = warehouse.rows(
            "SELECT name FROM system.tables WHERE database = {database:String}",
            {"database": BI_DATABASE},
        )
        for (name,) in existing:
            if name not in views:
                warehouse.command(
                    f"DROP VIEW IF EXISTS {quote_identifier(BI_DATABASE)}.{quote_identifier(name)}"
                )
                dropped += 1
        _record_generated(warehouse, "bi_views", checksum)
    return GeneratedReport(rebuilt, written, dropped, tuple(rolled_up))


def _rebuild_aggregate(
    warehouse: Warehouse, fact: str, statements: list[str], recompute: str
) -> None:
    # The view goes first so that no batch feeds a half-built aggregate; one writer runs at a
    # time, so no batch is applied between the drop and the recomputation.
    warehouse.command(f"DROP VIEW IF EXISTS `cc`.`agg_{fact}_mv`")
    warehouse.command(f"DROP TABLE IF EXISTS `cc`.`agg_{fact}`")
    warehouse.command(statements[0])
    warehouse.command(recompute)
    warehouse.command(statements[1])
    logger.info("rebuilt aggregate cc.agg_%s from the current state", fact)


def _rollup_statements(source: str) -> list[str]:
    from kpi_views.facts import FACTS
    from kpi_views.rollups import ROLLUPS, rollup_ddl, rollup_view_ddl

    statements = []
    for rollup in ROLLUPS[source]:
        statements.append(rollup_ddl(rollup))
        if source in FACTS:
            statements.append(rollup_view_ddl(rollup))
    return statements


def _drop_rollups(warehouse: Warehouse, source: str) -> None:
    from kpi_views.rollups import ROLLUPS, rollup_name

    for rollup in ROLLUPS[source]:
        warehouse.command(f"DROP VIEW IF EXISTS `cc`.`agg_{rollup.name}_mv`")
        warehouse.command(f"DROP TABLE IF EXISTS {rollup_name(rollup)}")


def _rebuild_rollups(warehouse: Warehouse, source: str) -> None:
    """Drop the rollups of `source`, create them anew and fill them from its aggregate; the view
    that keeps each current comes last, and one writer runs at a time, so no batch is missed."""
    from kpi_views.facts import FACTS
    from kpi_views.rollups import ROLLUPS, fill_sql, rollup_ddl, rollup_view_ddl

    _drop_rollups(warehouse, source)
    for rollup in ROLLUPS[source]:
        warehouse.command(rollup_ddl(rollup))
        warehouse.command(fill_sql(rollup))
        if source in FACTS:
            warehouse.command(rollup_view_ddl(rollup))
    logger.info("rebuilt the rollups of cc.agg_%s from it", source)


def _record_generated(warehouse: Warehouse, name: str, checksum: str) -> None:
    warehouse.command(
        f"INSERT INTO {_GENERATED_TABLE} (name, checksum) "
        "VALUES ({name:String}, {checksum:String})",
        parameters={"name": name, "checksum": checksum},
    )


def _checksum(statements: list[str]) -> str:
    text = "\n;\n".join(" ".join(statement.split()) for statement in statements)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
