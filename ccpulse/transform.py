"""After each load: vendor records -> the unified model, inside the warehouse.

Every dlt load of a vendor is transformed once. `transform_pending` finds the loads of a vendor
that dlt completed but ccpulse has not transformed yet (a crash between the two leaves one such
load; the next run picks it up), runs the vendor's mappings over the raw rows of each load in
order, applies the clean rows through the unified table's change stream, and keeps the rows that
cannot be mapped in `cc.rejected` with their reason and raw payload.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from ccpulse.agent_identities import record_stated_agent_identities
from ccpulse.changes import RecordChanges, apply_select
from ccpulse.customer_identities import record_stated_identities, refresh_contact_customers
from ccpulse.identifiers import checked_load_id, qualified_name, quote_identifier
from ccpulse.raw_tables import present_raw_tables, raw_table_exists
from ccpulse.skill_groups import record_stated_skill_groups, refresh_queue_groups
from ccpulse.warehouse import Warehouse
from transforms.customer_identities import MATCHED_SOURCES, states_identities
from transforms.skill_groups import states_skill_groups
from transforms.unified_model import table as unified_table
from transforms.vendors import VendorMapping, mappings_for

__all__ = ["TRANSFORM_ORDER", "TransformSummary", "transform_pending", "transform_vendors"]

logger = logging.getLogger(__name__)

# Vendors are transformed in this order: employees first (a contact takes its agent's skill group
# from them), the CRM next (customers), contacts before QA reviews (a review takes its contact's
# channel and skill).
TRANSFORM_ORDER = (
    "bamboohr",
    "hubspot",
    "genesys",
    "intercom",
    "zendesk",
    "delighted",
    "assembled",
    "zendesk_qa",
)

_DONE = "`ccpulse`.`transformed_loads`"
_DONE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {_DONE} (\n"
    "    vendor LowCardinality(String),\n"
    "    load_id String,\n"
    "    transformed_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(transformed_at)\n"
    "ORDER BY (vendor, load_id)"
)


@dataclass
class TransformSummary:
    """What the transforms of one vendor did in one run.

    `records_by_table` says, per unified table, how many of the records staged were new,
    updated, deleted or unchanged against what the warehouse held.
    """

    vendor: str
    loads: int = 0
    rows_by_table: dict[str, int] = field(default_factory=dict)
    changed_rows: int = 0
    rejected: int = 0
    records_by_table: dict[str, RecordChanges] = field(default_factory=dict)

    def line(self) -> str:
        rows = "; ".join(
            f"{table} {count:,}: {self.records_by_table.get(table, RecordChanges()).text()}"
            for table, count in self.rows_by_table.items()
        )
        return (
            f"{self.vendor}: {self.loads} loads transformed ({rows or 'no rows'}), "
            f"{self.changed_rows:,} signed change rows, {self.rejected:,} rejected"
        )


def transform_pending(warehouse: Warehouse, vendor: str) -> TransformSummary:
    """Transform every load of `vendor` not transformed yet, oldest first."""
    warehouse.command(_DONE_DDL)
    summary = TransformSummary(vendor)
    mappings = mappings_for(vendor)
    if not mappings:
        return summary
    for load_id in _pending_loads(warehouse, vendor):
        for mapping in mappings:
            _add_optional_columns(warehouse, mapping)
            if _has_rows(warehouse, mapping, load_id):
                _apply_mapping(warehouse, mapping, load_id, summary)
        record_stated_skill_groups(warehouse, vendor, load_id)
        record_stated_identities(warehouse, vendor, load_id)
        record_stated_agent_identities(warehouse, vendor, load_id)
        warehouse.command(
            f"INSERT INTO {_DONE} (vendor, load_id) VALUES ({{vendor:String}}, {{load:String}})",
            parameters={"vendor": vendor, "load": load_id},
        )
        summary.loads += 1
    # Also when no load was pending: a crash may have come between a statement and this step,
    # and a user's correction of a skill's group is applied here.
    if any(mapping.table == "contacts" for mapping in mappings) or states_skill_groups(vendor):
        refresh_queue_groups(warehouse)
    # Likewise for customers: a CRM load or a user's correction may match earlier contacts.
    if vendor in MATCHED_SOURCES or states_identities(vendor):
        refresh_contact_customers(warehouse)
    logger.info("%s", summary.line())
    return summary


def transform_vendors(warehouse: Warehouse, vendors: Iterable[str]) -> list[TransformSummary]:
    """Transform the pending loads of `vendors`, in `TRANSFORM_ORDER` (others last)."""
    wanted = list(dict.fromkeys(vendors))
    ordered = [name for name in TRANSFORM_ORDER if name in wanted]
    ordered += [name for name in wanted if name not in TRANSFORM_ORDER]
    return [transform_pending(warehouse, name) for name in ordered]


def _pending_loads(warehouse: Warehouse, vendor: str) -> list[str]:
    loads = qualified_name("raw", f"raw_{vendor}____dlt_loads")
    if not raw_table_exists(warehouse, f"raw_{vendor}____dlt_loads"):
        return []
    rows = warehouse.rows(
        f"SELECT load_id FROM {loads} WHERE status = 0 AND load_id NOT IN "
        f"(SELECT load_id FROM {_DONE} WHERE vendor = {{vendor:String}}) ORDER BY load_id",
        {"vendor": vendor},
    )
    return [checked_load_id(str(row[0])) for row in rows]


def _has_rows(warehouse: Warehouse, mapping: VendorMapping, load_id: str) -> bool:
    for raw in mapping.reads:
        name = f"raw_{mapping.vendor}___{raw}"
        in_load = (
            f"SELECT count() FROM {qualified_name('raw', name)} "
            "WHERE _dlt_load_id = {load:String}"
        )
        if raw_table_exists(warehouse, name) and warehouse.scalar(in_load, {"load": load_id}):
            return True
    return False


def _apply_mapping(
    warehouse: Warehouse, mapping: VendorMapping, load_id: str, summary: TransformSummary
) -> None:
    spec = unified_table(mapping.table)
    select = mapping.select(load_id, present_raw_tables(warehouse, mapping.vendor))
    key = ", '/', ".join(f"toString({quote_identifier(name)})" for name in spec.primary_key)

    warehouse.command(
        "INSERT INTO `cc`.`rejected` "
        "(source, target_table, record_key, reason, raw_payload, load_id)\n"
        f"SELECT {{vendor:String}}, {{table:String}}, concat({key}), reject_reason, raw_payload, "
        f"{{load:String}}\nFROM ({select})\nWHERE reject_reason != ''",
        parameters={"vendor": mapping.vendor, "table": mapping.table, "load": load_id},
    )
    rejected = int(
        warehouse.scalar(
            "SELECT count() FROM `cc`.`rejected` WHERE source = {vendor:String} "
            "AND target_table = {table:String} AND load_id = {load:String}",
            {"vendor": mapping.vendor, "table": mapping.table, "load": load_id},
        )
    )
    if rejected:
        logger.warning(
            "%s: %d %s records of load %s cannot be mapped; kept in cc.rejected",
            mapping.vendor,
            rejected,
            mapping.table,
            load_id,
        )

    columns = ", ".join(quote_identifier(name) for name in spec.column_names)
    clean = f"SELECT {columns}, is_deleted FROM ({select}) WHERE reject_reason = ''"
    batch = apply_select(warehouse, mapping.table, clean)
    summary.rows_by_table[mapping.table] = (
        summary.rows_by_table.get(mapping.table, 0) + batch.staged_rows
    )
    summary.changed_rows += batch.changed_rows
    summary.records_by_table[mapping.table] = (
        summary.records_by_table.get(mapping.table, RecordChanges()) + batch.records
    )
    summary.rejected += rejected


def _add_optional_columns(warehouse: Warehouse, mapping: VendorMapping) -> None:
    for raw, columns in mapping.optional_columns.items():
        name = f"raw_{mapping.vendor}___{raw}"
        if not raw_table_exists(warehouse, name):
            continue
        for column, type_ in columns.items():
            warehouse.command(
                f"ALTER TABLE {qualified_name('raw', name)} "
                f"ADD COLUMN IF NOT EXISTS {quote_identifier(column)} {type_}"
            )
