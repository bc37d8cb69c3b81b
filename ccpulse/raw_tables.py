"""Which raw tables a vendor has so far.

dlt creates a vendor's raw table (`raw.raw_<vendor>___<table>`) only when the first row for it
arrives, so a mapping, or a step that records identities or skill groups, asks before it reads.
"""

from __future__ import annotations

from ccpulse.warehouse import Warehouse
from transforms.vendors.mapping import RawTables

__all__ = ["present_raw_tables", "raw_table_exists"]


def raw_table_exists(warehouse: Warehouse, name: str) -> bool:
    """Whether the table `name` exists in the `raw` database."""
    return bool(
        warehouse.scalar(
            "SELECT count() FROM system.tables WHERE database = 'raw' AND name = {name:String}",
            {"name": name},
        )
    )


def present_raw_tables(warehouse: Warehouse, vendor: str) -> RawTables:
    """The raw tables of `vendor` that exist, by their table name without the vendor prefix."""
    prefix = f"raw_{vendor}___"
    names = warehouse.rows(
        "SELECT name FROM system.tables WHERE database = 'raw' AND startsWith(name, {p:String})",
        {"p": prefix},
    )
    return RawTables(vendor, frozenset(str(name)[len(prefix) :] for (name,) in names))
