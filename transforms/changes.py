"""Current-state tables and change streams: how the unified model stays exact under change.

A ClickHouse materialized view sees only the rows of each INSERT; it never sees an update, a
delete or a merge. So no KPI hangs off a table that records are merged into. Instead, every unified
table `cc.<name>` is the *current state* of its records and is fed, like every KPI aggregate, from
a change stream `cc.<name>_changes` that carries signed rows:

- a new record: its row with `sign = +1`;
- a changed record: its old row with `sign = -1` and its new row with `sign = +1`;
- a deleted record: its old row with `sign = -1` and `is_deleted = 1`;
- a record delivered again unchanged, or older than what is stored: nothing at all.

A batch passes through three steps, each safe to repeat after a crash:

1. *stage*: the mapped records of the batch are inserted into `cc.<name>_staging`;
2. *diff*: one `INSERT ... SELECT` compares the staged batch with the current state and stores the
   signed rows in `cc.<name>_pending` (re-running it first clears the batch's earlier attempt);
3. *apply*: the pending rows are inserted into the change stream in a fixed order with an
   `insert_deduplication_token`, so a retried apply writes each view target at most once even if
   the first attempt stopped half-way.

The diff must read the state as it was before the batch: that is why it is stored before it is
applied, and never recomputed once the apply has started.

This module only writes SQL; `ccpulse.changes` runs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from transforms.unified_model import DATABASE, TABLES, Table

__all__ = ["CHANGE_COLUMNS", "ChangeSql", "change_sql", "every_change_sql"]

# Columns the mechanism adds to the unified columns. `_version` is the batch number that wrote the
# row: the newest batch wins in the current-state table.
CHANGE_COLUMNS = {
    "sign": "Int8",
    "is_deleted": "UInt8",
    "_version": "UInt64",
    "_row_hash": "UInt64",
}
_DEDUPLICATION_WINDOW = 10_000


@dataclass(frozen=True)
class ChangeSql:
    """The statements that keep one unified table exact."""

    table: Table

    @property
    def name(self) -> str:
        return self.table.name

    def qualified(self, suffix: str = "") -> str:
        return f"`{DATABASE}`.`{self.name}{suffix}`"

    @property
    def current(self) -> str:
        return self.qualified()

    @property
    def staging(self) -> str:
        return self.qualified("_staging")

    @property
    def pending(self) -> str:
        return self.qualified("_pending")

    @property
    def changes(self) -> str:
        return self.qualified("_changes")

    @property
    def state_view(self) -> str:
        return self.qualified("_state_mv")

    def _columns_ddl(self, extra: dict[str, str]) -> str:
        columns = [f"    `{c.name}` {c.clickhouse_type}" for c in self.table.columns]
        columns += [f"    `{name}` {type_}" for name, type_ in extra.items()]
        return ",\n".join(columns)

    @property
    def _key(self) -> str:
        return ", ".join(f"`{name}`" for name in self.table.primary_key)

    @property
    def _columns(self) -> str:
        return ", ".join(f"`{name}`" for name in self.table.column_names)

    def ddl(self) -> list[str]:
        """CREATE statements for the four tables and the view, all `IF NOT EXISTS`."""
        settings = f"SETTINGS non_replicated_deduplication_window = {_DEDUPLICATION_WINDOW}"
        current_extra = {k: v for k, v in CHANGE_COLUMNS.items() if k != "sign"}
        return [
            f"CREATE TABLE IF NOT EXISTS {self.current} (\n"
            f"{self._columns_ddl(current_extra)}\n)\n"
            "ENGINE = ReplacingMergeTree(_version, is_deleted)\n"
            f"ORDER BY ({self._key})\n"
            f"{settings}",
            f"CREATE TABLE IF NOT EXISTS {self.staging} (\n"
            f"{self._columns_ddl({'is_deleted': 'UInt8', '_batch': 'UInt64'})}\n)\n"
            "ENGINE = MergeTree\n"
            "PARTITION BY _batch\n"
            f"ORDER BY ({self._key})",
            f"CREATE TABLE IF NOT EXISTS {self.pending} (\n"
            f"{self._columns_ddl({**CHANGE_COLUMNS, '_batch': 'UInt64'})}\n)\n"
            "ENGINE = MergeTree\n"
            "PARTITION BY _batch\n"
            f"ORDER BY ({self._key}, sign)",
            f"CREATE TABLE IF NOT EXISTS {self.changes} (\n"
            f"{self._columns_ddl(CHANGE_COLUMNS)}\n)\n"
            "ENGINE = Null",
            self.state_view_ddl(),
        ]

    def state_view_ddl(self) -> str:
        """The view that keeps the current-state table fed from the change stream."""
        return (
            f"CREATE MATERIALIZED VIEW IF NOT EXISTS {self.state_view}\n"
            f"TO {self.current}\n"
            "AS SELECT\n"
            f"    {self._columns}, is_deleted, _version, _row_hash\n"
            f"FROM {self.changes}\n"
            # An update's old row (-1) is superseded by its new row (+1, newer version); a
            # delete's old row becomes the tombstone that hides the record.
            "WHERE sign = 1 OR is_deleted = 1"
        )

    def add_columns(self, names: Iterable[str]) -> list[str]:
        """Statements that add the table's columns `names` to a warehouse created without them.

        Each column goes in the same place in the four tables as a new warehouse would put it, and
        the view that feeds the current state is created again, since it lists its columns.
        """
        statements = []
        for relation in (self.current, self.staging, self.pending, self.changes):
            for name in names:
                column = self.table.column(name)
                position = self.table.column_names.index(name)
                after = self.table.column_names[position - 1]
                statements.append(
                    f"ALTER TABLE {relation}\n"
                    f"ADD COLUMN IF NOT EXISTS `{name}` {column.clickhouse_type} AFTER `{after}`"
                )
        statements.append(f"DROP VIEW IF EXISTS {self.state_view}")
        statements.append(self.state_view_ddl())
        return statements

    def diff(self) -> str:
        """Store the signed rows of batch `{batch:UInt64}` in the pending table.

        Within the batch the newest delivery of a record wins; a delivery older than the stored
        record (`updated_at` earlier) is ignored, so records that arrive out of order never roll
        a record back. The stored record's hash is computed afresh from its columns, not read
        back, so a stored record changed behind the change stream's back (a manual edit, a
        bug) differs from its redelivery and is put right.
        """
        key = self._key
        columns = self._columns
        keys = set(self.table.primary_key)
        values = [name for name in self.table.column_names if name not in keys]
        incoming = ", ".join(
            [f"`{name}`" for name in self.table.primary_key]
            + [f"incoming.`{name}` AS `{name}`" for name in values]
        )
        stored = ", ".join(f"stored.`{name}` AS `old_{name}`" for name in values)
        old_row = ", ".join(
            f"`{name}`" if name in keys else f"`old_{name}`" for name in self.table.column_names
        )
        # `updated_at` stays out of the hash: a record redelivered with a newer time stamp but
        # the same content is not a change.
        hashed = ", ".join(f"`{name}`" for name in self.table.column_names if name != "updated_at")
        changed = "(new_hash != old_hash AND `updated_at` >= `old_updated_at`)"
        return (
            f"INSERT INTO {self.pending}\n"
            f"    ({columns}, sign, is_deleted, _version, _row_hash, _batch)\n"
            "WITH\n"
            "    incoming AS (\n"
            f"        SELECT {columns}, is_deleted,\n"
            f"            cityHash64(tuple({hashed}, is_deleted)) AS _row_hash\n"
            f"        FROM {self.staging}\n"
            "        WHERE _batch = {batch:UInt64}\n"
            f"        ORDER BY {key}, updated_at DESC, is_deleted DESC, _row_hash\n"
            f"        LIMIT 1 BY {key}\n"
            "    ),\n"
            "    stored AS (\n"
            f"        SELECT {columns},\n"
            f"            cityHash64(tuple({hashed}, is_deleted)) AS _row_hash, _version\n"
            f"        FROM {self.current} FINAL\n"
            f"        WHERE ({key}) IN (SELECT {key} FROM incoming)\n"
            "    ),\n"
            "    compared AS (\n"
            f"        SELECT {incoming}, {stored},\n"
            "            incoming.is_deleted AS incoming_deleted,\n"
            "            incoming._row_hash AS new_hash,\n"
            "            stored._row_hash AS old_hash,\n"
            "            stored._version > 0 AS is_stored\n"
            "        FROM incoming\n"
            f"        LEFT JOIN stored USING ({key})\n"
            "    )\n"
            f"SELECT {old_row},\n"
            "    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}\n"
            "FROM compared\n"
            f"WHERE is_stored AND {changed}\n"
            "UNION ALL\n"
            f"SELECT {columns}, 1, 0, {{batch:UInt64}}, new_hash, {{batch:UInt64}}\n"
            "FROM compared\n"
            f"WHERE NOT incoming_deleted AND (NOT is_stored OR {changed})\n"
            # Unmatched rows of a LEFT JOIN must read as defaults (version 0), not nulls.
            "SETTINGS join_use_nulls = 0"
        )

    def apply(self) -> str:
        """Feed batch `{batch:UInt64}`'s pending rows to the change stream, in a fixed order."""
        columns = self._columns
        return (
            f"INSERT INTO {self.changes}\n"
            f"    ({columns}, sign, is_deleted, _version, _row_hash)\n"
            f"SELECT {columns}, sign, is_deleted, _version, _row_hash\n"
            f"FROM {self.pending}\n"
            "WHERE _batch = {batch:UInt64}\n"
            f"ORDER BY {self._key}, sign"
        )

    def clear_batch(self, relation: str, batch: int) -> str:
        """Drop one batch from the staging or pending table (each batch is a partition)."""
        return f"ALTER TABLE {relation} DROP PARTITION {int(batch)}"


def change_sql(name: str) -> ChangeSql:
    """The change statements of the unified table `name`."""
    from transforms.unified_model import table

    return ChangeSql(table(name))


def every_change_sql() -> Iterable[ChangeSql]:
    """The change statements of every unified table, in contract order."""
    return (ChangeSql(spec) for spec in TABLES.values())
