"""Keeping `cc.customer_identities` and the contacts that depend on it current.

After each load of the CRM, the phone numbers and e-mail addresses it states are recorded; then
contact legs still carrying an unmatched identifier that now resolves to a customer (mapped
before the CRM record arrived, or before a user's correction) are re-derived through the contacts
change stream, which corrects every KPI aggregate exactly.
"""

from __future__ import annotations

import logging

from ccpulse.changes import apply_select
from ccpulse.raw_tables import raw_table_exists
from ccpulse.warehouse import Warehouse
from transforms.customer_identities import refresh_select, stated_insert

__all__ = ["record_stated_identities", "refresh_contact_customers"]

logger = logging.getLogger(__name__)


def record_stated_identities(warehouse: Warehouse, vendor: str, load_id: str) -> bool:
    """Record the identifiers one load of `vendor` states; False if the vendor states none."""
    insert = stated_insert(vendor, load_id)
    if insert is None or not raw_table_exists(warehouse, f"raw_{vendor}___contacts"):
        return False
    warehouse.command(insert)
    return True


def refresh_contact_customers(warehouse: Warehouse) -> int:
    """Re-derive contact legs whose unmatched identifier now resolves to a customer; return how
    many were matched."""
    select = refresh_select()
    stale = int(warehouse.scalar(f"SELECT count() FROM ({select})") or 0)
    if not stale:
        return 0
    apply_select(warehouse, "contacts", select)
    logger.info("matched %d contact legs to their CRM customer", stale)
    return stale
