"""Keeping `cc.skill_groups` (skill -> skill group) and the contacts that depend on it current.

After each load of a vendor that states which group serves which skill, its statements are
recorded; then contact legs without an agent whose group no longer matches their skill's (mapped
before the statement arrived, or before a user's correction) are re-derived through the contacts
change stream, which corrects every KPI aggregate exactly.
"""

from __future__ import annotations

import logging

from ccpulse.changes import apply_select
from ccpulse.identifiers import qualified_name, quote_identifier
from ccpulse.raw_tables import present_raw_tables
from ccpulse.warehouse import Warehouse
from transforms.skill_groups import refresh_select, stated_insert, states_skill_groups
from transforms.vendors.mapping import TEXT

__all__ = ["record_stated_skill_groups", "refresh_queue_groups"]

logger = logging.getLogger(__name__)

# Raw columns the statements read although a load may not have created them yet.
_OPTIONAL_COLUMNS = {
    "assembled": ("agents", {"teams": TEXT, "queues": TEXT, "deleted": "Nullable(Bool)"})
}


def record_stated_skill_groups(warehouse: Warehouse, vendor: str, load_id: str) -> bool:
    """Record the skill groups one load of `vendor` states; False if the vendor states none."""
    if not states_skill_groups(vendor):
        return False
    present = present_raw_tables(warehouse, vendor)
    optional = _OPTIONAL_COLUMNS.get(vendor)
    if optional is not None and optional[0] in present.present:
        raw_name, columns = optional
        for column, type_ in columns.items():
            warehouse.command(
                f"ALTER TABLE {qualified_name('raw', f'raw_{vendor}___{raw_name}')} "
                f"ADD COLUMN IF NOT EXISTS {quote_identifier(column)} {type_}"
            )
    insert = stated_insert(vendor, load_id, present)
    if insert is None:
        return False
    warehouse.command(insert)
    return True


def refresh_queue_groups(warehouse: Warehouse) -> int:
    """Re-derive contact legs without an agent whose skill group differs from their skill's;
    return how many were corrected."""
    select = refresh_select()
    stale = int(warehouse.scalar(f"SELECT count() FROM ({select})") or 0)
    if not stale:
        return 0
    apply_select(warehouse, "contacts", select)
    logger.info("gave %d contact legs without an agent their skill's group", stale)
    return stale
